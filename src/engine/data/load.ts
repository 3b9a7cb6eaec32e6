/** One entry point for datasets: the built-in MNIST or an image folder. */
import { stat } from 'node:fs/promises';
import { loadMnist } from './mnist';
import type { Dataset } from './dataset';
import type { IngestOptions, IngestReport } from './image-folder';
import { parseBackground } from '../../shared/background';
import { DEFAULT_BACKGROUND } from '../../shared/vocabulary';
import { plural } from '../../shared/plural';

export type LoadOptions = Partial<IngestOptions>;

export interface LoadedDataset {
  dataset: Dataset;
  /** Present for folders. */
  report?: IngestReport;
  /** Folders: the ingest cache's write, behind the dataset (IngestResult's cacheWrite). */
  cacheWrite?: Promise<string | null>;
  /** What was done to the images, recorded in the model's manifest. */
  preprocessing?: Record<string, string | number | boolean>;
}

export async function loadDataset(spec: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  if (spec.toLowerCase() === 'mnist') return { dataset: await loadMnist() };
  const info = await stat(spec).catch(() => null);
  if (!info) throw new Error(`dataset not found: "${spec}" is neither "mnist" nor an existing folder`);
  if (!info.isDirectory()) throw new Error(`"${spec}" is not a folder: give "mnist" or a folder of images`);
  const { ingestFolder } = await import('./image-folder');
  const settings: IngestOptions = {
    ...options,
    size: options.size ?? 64,
    color: options.color ?? 'rgb',
    fit: options.fit ?? 'cover',
    background: options.background ?? DEFAULT_BACKGROUND,
  };
  const { dataset, report, cacheWrite } = await ingestFolder(spec, settings);
  if (report.loaded === 0) throw new Error(`no readable images in "${spec}" (${plural(report.found, 'file')} found, all skipped)`);
  // ingestFolder accepted the background, so it parses: recorded in its canonical form ('white', '#336699').
  const background = parseBackground(settings.background ?? DEFAULT_BACKGROUND);
  return { dataset, report, cacheWrite, preprocessing: { size: settings.size, color: settings.color, fit: settings.fit, background } };
}
