/**
 * What the user writes to (or reads from) files they chose: an animation, one decoded image, the
 * points as CSV, and path files. Every path is checked against the allowed folders first, and a
 * write inside the open dataset's folder is refused unless the user confirmed it ('inside-dataset').
 */
import { sep } from 'node:path';
import { writeFileAtomic } from '../node/files';
import { ContractError, type CallOutput, type InsideDatasetConfirmed as Confirmed, type PathDoc } from '../shared/contract';
import type { AllowedPaths } from './allowed-paths';
import { refuseInsideDataset } from './dataset-folder-guard';
import type { Handlers } from './dispatch';
import type { EngineSupervisor } from './engine-supervisor';
import { readPathFile, writePathFile } from './latent-path-files';
import { exportNoteFor, timelineOf } from './video-exports';
import type { Workspace } from './workspace';

export class FileExports {
  constructor(
    private readonly paths: AllowedPaths,
    private readonly engine: EngineSupervisor,
    private readonly workspace: Workspace,
  ) {}

  private outsideDataset(path: string, what: string, confirmed: Confirmed): Promise<void> {
    return refuseInsideDataset(this.workspace.datasetSource, path, what, confirmed);
  }

  async animation(a: Parameters<Handlers['export']>[0]): Promise<CallOutput<'export'>> {
    const checked = await this.paths.check(a.path, 'the export target');
    await this.outsideDataset(checked, 'the export target', a);
    // A trailing slash asks for a folder of PNG frames: keep it through the canonical form.
    const path = /[\\/]$/.test(a.path) ? checked + sep : checked;
    const note = exportNoteFor(a, this.workspace.model);
    return this.engine.request('export', {
      path,
      ...timelineOf(a),
      fps: a.fps ?? 30,
      scale: a.scale ?? 1,
      ...(a.quality !== undefined ? { quality: a.quality } : {}),
      ...(note !== undefined ? { note } : {}),
    });
  }

  async image(raw: string, z: Float32Array, scale: number, confirmed: Confirmed = {}): Promise<CallOutput<'exportImage'>> {
    const path = await this.paths.check(raw, 'the image file');
    if (!/\.png$/i.test(path)) throw new ContractError('bad-arguments', `the image file must end in .png: ${raw}`);
    await this.outsideDataset(path, 'the image file', confirmed);
    return this.engine.request('exportImage', { path, z, scale });
  }

  /** The embeddings as CSV (id, label, z…, x, y, z), written to a temp file and renamed. */
  async points(raw: string, confirmed: Confirmed = {}): Promise<CallOutput<'exportPoints'>> {
    const path = await this.paths.check(raw, 'the CSV file');
    await this.outsideDataset(path, 'the CSV file', confirmed);
    const e = await this.workspace.embeddings();
    const d = e.latentDim;
    const csvField = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = [['id', 'label', ...Array.from({ length: d }, (_, j) => `z${j}`), 'x', 'y', 'z'].join(',')];
    for (let i = 0; i < e.count; i++) {
      const label = e.labels[i] >= 0 ? (e.labelNames[e.labels[i]] ?? String(e.labels[i])) : '';
      const zs = Array.from(e.mu.subarray(i * d, (i + 1) * d), (v) => v.toPrecision(6));
      const xyz = Array.from(e.view.subarray(i * 3, i * 3 + 3), (v) => v.toPrecision(6));
      lines.push([e.ids[i], csvField(label), ...zs, ...xyz].join(','));
    }
    const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
    await writeFileAtomic(path, bytes);
    return { path, bytes: bytes.byteLength, rows: e.count };
  }

  async pathSave(raw: string, doc: PathDoc, confirmed: Confirmed = {}): Promise<CallOutput<'pathSave'>> {
    const path = await this.paths.check(raw, 'the path file');
    await this.outsideDataset(path, 'the path file', confirmed);
    const model = this.workspace.model;
    if (model && doc.latentDim !== model.latentDim) {
      throw new ContractError('bad-arguments', `the path has latent size ${doc.latentDim} but the model's is ${model.latentDim}`);
    }
    const bytes = await writePathFile(path, doc);
    return { path, bytes };
  }

  async pathOpen(raw: string): Promise<PathDoc> {
    const path = await this.paths.check(raw, 'the path file');
    return readPathFile(path, this.workspace.model?.latentDim);
  }
}
