/**
 * Video to share: the note that embeds a path in an exported file (made here, where the open model
 * is known), the MP4 the page encoded (written like every other export: allowed folder, not inside
 * the dataset unless confirmed, temp file then rename), and the path read back out of an exported
 * MP4, WebM, GIF or PNG the user dropped — a malformed one refused with a message, nothing changed.
 */
import { basename } from 'node:path';
import { ALL_FORMATS, BufferSource, Input } from 'mediabunny';
import { writeFileAtomic } from '../node/files';
import { gifComments, ImageNoteError, isGif, isPng, pngTexts } from '../node/image-notes';
import { ContractError, type CallInput, type CallOutput, type InsideDatasetConfirmed } from '../shared/contract';
import type { EngineModelInfo } from '../shared/engine-protocol';
import { EXPORT_NOTE_FORMAT, EXPORT_NOTE_KEYWORD, makeExportNote, parseExportNote } from '../shared/export-path-note';
import { makePathSpec, PathSpecError, specToDoc } from '../shared/latent-path';
import type { NoteModel } from '../shared/video-schemas';
import type { AllowedPaths } from './allowed-paths';
import { refuseInsideDataset } from './dataset-folder-guard';
import type { EngineSupervisor } from './engine-supervisor';
import type { Workspace } from './workspace';

type PathArgs = Pick<CallInput<'export'>, 'keyframes' | 'frames' | 'mode' | 'easing' | 'loop' | 'spacing' | 'fps' | 'sources'>;

type TimelineArgs = Pick<CallInput<'export'>, 'keyframes' | 'frames' | 'mode' | 'easing' | 'loop' | 'spacing' | 'hold' | 'loops' | 'equalChange'>;

/** The path and frame timeline an export asks the engine for, the same for every format (MP4 frames included). */
export function timelineOf(a: TimelineArgs) {
  return {
    keyframes: a.keyframes,
    frames: a.frames,
    mode: a.mode ?? 'linear',
    ...(a.easing ? { easing: a.easing } : {}),
    ...(a.loop ? { loop: a.loop } : {}),
    ...(a.spacing ? { spacing: a.spacing } : {}),
    ...(a.hold !== undefined ? { hold: a.hold } : {}),
    ...(a.loops !== undefined ? { loops: a.loops } : {}),
    ...(a.equalChange !== undefined ? { equalChange: a.equalChange } : {}),
  };
}

/** What an exported file says about the model that made it. */
export function noteModel(model: EngineModelInfo): NoteModel {
  return { name: basename(model.dir), latentDim: model.latentDim, datasetFingerprint: model.datasetFingerprint };
}

/** The note for the path an export draws (undefined with no model open: the engine refuses that export anyway). */
export function exportNoteFor(a: PathArgs, model: EngineModelInfo | null): string | undefined {
  if (!model) return undefined;
  const d = model.latentDim;
  const k = a.keyframes.length / d;
  if (!Number.isInteger(k) || k < 2) return undefined;
  const keyframes = Array.from({ length: k }, (_, i) => a.keyframes.subarray(i * d, (i + 1) * d));
  try {
    const spec = makePathSpec(keyframes, {
      frames: a.frames,
      ...(a.mode !== undefined ? { mode: a.mode } : {}),
      ...(a.easing ? { easing: a.easing } : {}),
      ...(a.loop ? { loop: a.loop } : {}),
      ...(a.spacing ? { spacing: a.spacing } : {}),
      ...(a.fps !== undefined ? { fps: a.fps } : {}),
      ...(a.sources ? { sources: a.sources.map((s) => s ?? undefined) } : {}),
    });
    return makeExportNote(spec, noteModel(model));
  } catch (err) {
    throw new ContractError('bad-arguments', `the path is invalid: ${(err as Error).message}`);
  }
}

const text4 = (b: Uint8Array, at: number): string => String.fromCharCode(...b.subarray(at, at + 4));
const isMp4 = (b: Uint8Array): boolean => b.length >= 12 && text4(b, 4) === 'ftyp';
const isWebm = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3;

/** The note text inside an exported file's bytes (null: the container has none). */
async function noteIn(bytes: Uint8Array, what: string): Promise<string | null> {
  try {
    if (isPng(bytes)) return pngTexts(bytes).get(EXPORT_NOTE_KEYWORD) ?? null;
    if (isGif(bytes)) return gifComments(bytes).find((c) => c.includes(EXPORT_NOTE_FORMAT)) ?? null;
  } catch (err) {
    if (err instanceof ImageNoteError) throw new ContractError('bad-file', `${what} cannot be read: ${err.message}`);
    throw err;
  }
  if (isMp4(bytes) || isWebm(bytes)) {
    const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
    try {
      return (await input.getMetadataTags()).comment ?? null;
    } catch {
      throw new ContractError('bad-file', `${what} is not a readable MP4 or WebM file`);
    } finally {
      input.dispose();
    }
  }
  throw new ContractError('bad-file', `${what} is not an MP4, WebM, GIF or PNG file`);
}

export class VideoExports {
  constructor(
    private readonly paths: AllowedPaths,
    private readonly engine: EngineSupervisor,
    private readonly workspace: Workspace,
  ) {}

  /** The frames the page encodes into an MP4, and the note it embeds. */
  async frames(a: CallInput<'exportFrames'>): Promise<CallOutput<'exportFrames'>> {
    const note = exportNoteFor(a, this.workspace.model) ?? '';
    const images = await this.engine.request('exportFrames', timelineOf(a));
    return { images, note };
  }

  /** Writes the MP4 the page encoded, where the user chose. */
  async write(raw: string, bytes: Uint8Array, confirmed: InsideDatasetConfirmed = {}): Promise<CallOutput<'exportVideo'>> {
    const path = await this.paths.check(raw, 'the export target');
    if (!/\.mp4$/i.test(path)) throw new ContractError('bad-arguments', `an MP4 export must end in .mp4: ${raw}`);
    await refuseInsideDataset(this.workspace.datasetSource, path, 'the export target', confirmed);
    if (!isMp4(bytes)) throw new ContractError('bad-arguments', 'the video to write is not an MP4 file (no ftyp box)');
    await writeFileAtomic(path, bytes);
    return { path, bytes: bytes.byteLength, files: 1 };
  }

  /** The path embedded in an exported file, checked against the open model. */
  async read(name: string, bytes: Uint8Array): Promise<CallOutput<'pathFromExport'>> {
    const what = `"${name}"`;
    const text = await noteIn(bytes, what);
    if (text === null) throw new ContractError('bad-file', `${what} holds no Latentscape path (it was not exported by Latentscape, or its path was removed)`);
    let note;
    try {
      note = parseExportNote(text, what);
    } catch (err) {
      if (err instanceof PathSpecError) throw new ContractError('bad-file', `${err.message}: nothing was changed`);
      throw err;
    }
    const open = this.workspace.model;
    if (open && open.latentDim !== note.path.latentDim) {
      throw new ContractError(
        'bad-file',
        `${what} was made with the model "${note.model.name}" (latent size ${note.path.latentDim}); the open model's latent size is ${open.latentDim}: open that model first`,
      );
    }
    const here = open ? noteModel(open) : null;
    const other = here && (here.name !== note.model.name || here.datasetFingerprint !== note.model.datasetFingerprint);
    const warning = other ? `${what} was made with the model "${note.model.name}", not the open "${here.name}": its path is shown with the open model` : null;
    return { doc: specToDoc(note.path), model: note.model, warning };
  }
}
