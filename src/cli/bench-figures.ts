/**
 * The parts of `latentscape bench` measured against a reference in the same run (issue 22):
 * train_conv_folder_vs_torch, ingest_vs_pillow and ingest_photos_vs_pillow, and first_view_ms; each `--runs` times, every run
 * reported with the machine's state beside it, and the median as the headline. `--only` picks parts.
 */
import { availableParallelism, loadavg } from 'node:os';
import { benchConvFolder, engineThreads, folderRecipe, type ConvFolderRun } from '../engine/bench-figures/conv-folder-bench';
import { PHOTO_IMAGES, PHOTO_SIDE, benchIngestVsPillow, type IngestVsPillowRun } from '../engine/bench-figures/ingest-vs-pillow';
import { median, summariseRuns } from '../engine/bench-figures/bench-stats';
import { benchFirstView, type FirstViewReport } from './first-view-bench';
import { UsageError } from './io';
import { BENCH_PARTS, type BenchPart } from './bench-parts';

export function parseParts(raw: string | undefined): Set<BenchPart> {
  if (raw === undefined) return new Set(BENCH_PARTS);
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = parts.filter((p) => !(BENCH_PARTS as readonly string[]).includes(p));
  if (unknown.length || parts.length === 0) throw new UsageError(`--only takes a comma-separated list of ${BENCH_PARTS.join(', ')}; got "${raw}"`);
  return new Set(parts as BenchPart[]);
}

export interface FigureOptions {
  runs: number;
  reference: boolean;
  convSteps?: number;
  convImages?: number;
  ingestImages?: number;
}

export type FigureReport = Record<string, unknown>;

/** The conv figure cycles through whole batches of the app's folder batch size: refused before anything is measured. */
export function checkConvImages(images: number): number {
  const batch = folderRecipe(images).recipe.batchSize;
  if (images % batch) throw new UsageError(`--conv-images must be a whole number of batches of ${batch} (the app's folder batch), got ${images}`);
  return images;
}

/** The median of the runs' ratios as the headline; each run's ratio; the first reason where a run had none. */
function headline(name: string, runs: { ratio: number | null }[], reasonOf: (i: number) => string | null): FigureReport {
  const { runs: ratios, median: m } = summariseRuns(runs.map((r) => r.ratio));
  const report: FigureReport = { [name]: m, [`${name}_runs`]: ratios };
  const reason = runs.map((_, i) => reasonOf(i)).find((r) => r !== null);
  if (m === null && reason) report[`${name}_reason`] = reason;
  return report;
}

function medianOf(values: unknown[]): number | null {
  const m = median(values.filter((v): v is number => typeof v === 'number'));
  return m === null ? null : Math.round(m);
}

export async function runReferenceFigures(parts: Set<BenchPart>, options: FigureOptions, progress: (stage: string) => void): Promise<FigureReport> {
  const report: FigureReport = {
    machine: { cores: availableParallelism(), engine_threads: engineThreads(), load_at_start: loadavg().map((v) => Math.round(v * 100) / 100) },
  };
  if (parts.has('conv-folder')) {
    const runs: ConvFolderRun[] = [];
    for (let i = 0; i < options.runs; i++) {
      progress(`train conv folder vs PyTorch, run ${i + 1} of ${options.runs}`);
      runs.push(await benchConvFolder({ steps: options.convSteps, images: options.convImages, reference: options.reference }));
    }
    Object.assign(
      report,
      headline('train_conv_folder_vs_torch', runs, (i) => (typeof runs[i].torch_images_per_s === 'string' ? String(runs[i].torch_images_per_s) : null)),
      {
        train_conv_folder_images_per_s: medianOf(runs.map((r) => r.app_images_per_s)),
        torch_conv_folder_images_per_s: medianOf(runs.map((r) => r.torch_images_per_s)),
        train_conv_folder_detail: runs,
      },
    );
  }
  if (parts.has('ingest-pillow')) {
    const figures = [
      { name: 'ingest_vs_pillow', what: 'ingest', app: 'ingest_vs_pillow_app_images_per_s', pillow: 'pillow_images_per_s', files: {} },
      {
        name: 'ingest_photos_vs_pillow',
        what: 'ingest of photo-sized JPEGs',
        app: 'ingest_photos_app_images_per_s',
        pillow: 'pillow_photos_images_per_s',
        files: { images: PHOTO_IMAGES, side: PHOTO_SIDE },
      },
    ];
    for (const figure of figures) {
      const runs: IngestVsPillowRun[] = [];
      for (let i = 0; i < options.runs; i++) {
        progress(`${figure.what} vs Pillow, run ${i + 1} of ${options.runs}`);
        runs.push(await benchIngestVsPillow({ images: options.ingestImages, ...figure.files, reference: options.reference }));
      }
      Object.assign(
        report,
        headline(figure.name, runs, (i) => (typeof runs[i].pillow_images_per_s === 'string' ? String(runs[i].pillow_images_per_s) : null)),
        {
          [figure.app]: medianOf(runs.map((r) => r.app_images_per_s)),
          [figure.pillow]: medianOf(runs.map((r) => r.pillow_images_per_s)),
          [`${figure.name}_detail`]: runs,
        },
      );
    }
  }
  if (parts.has('first-view')) {
    const runs: FirstViewReport[] = [];
    for (let i = 0; i < options.runs; i++) {
      progress(`first view in Chromium, run ${i + 1} of ${options.runs}`);
      runs.push(await benchFirstView());
    }
    report.first_view_ms = medianOf(runs.map((r) => r.first_view_ms));
    report.serve_listening_ms = medianOf(runs.map((r) => r.serve_listening_ms));
    report.launch_to_cloud_ms = medianOf(runs.map((r) => r.launch_to_cloud_ms));
    report.first_view_runs = runs;
    const skipped = runs.find((r) => typeof r.first_view_skipped === 'string');
    if (report.first_view_ms === null && skipped) report.first_view_skipped = skipped.first_view_skipped;
  }
  return report;
}
