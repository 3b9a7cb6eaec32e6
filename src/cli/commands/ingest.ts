/**
 * `latentscape ingest PATH [--size 64] [--color rgb] [--fit cover|contain] [--background white|black|#rrggbb]`
 * Loads an image folder into the dataset cache and reports what was found, loaded and skipped.
 * --background: what transparent pixels are flattened onto (and contain pads with), default white.
 * final: {"found","loaded","skipped":[{"file","reason"}],"images_per_s","cache","seconds"}
 * (No tensors are involved: --backend is accepted like everywhere, and ignored.)
 */
import { stat } from 'node:fs/promises';
import { ingestFolder } from '../../engine/data/image-folder';
import { backgroundOption } from '../common';
import { CancelledError, UsageError, choiceOption, createOutput, intOption, numberOption } from '../io';
import { DEFAULT_BACKGROUND } from '../../shared/vocabulary';
import { plural } from '../../shared/plural';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(COMMAND_SPECS.ingest, argv);
  if (positionals.length !== 1) {
    throw new UsageError(
      `ingest takes one folder: latentscape ingest PATH [--size 64] [--color rgb] [--fit cover|contain] [--background white|black|#rrggbb]${positionals.length ? ` (got ${positionals.length} paths)` : ''}`,
    );
  }
  const path = positionals[0];
  const size = intOption('size', values.size, 64, 4, 1024);
  const color = choiceOption('color', values.color, ['gray', 'rgb'] as const, 'rgb');
  const fit = choiceOption('fit', values.fit, ['cover', 'contain'] as const, 'cover');
  const testFraction = numberOption('test-fraction', values['test-fraction'], 0.1, 0, 0.99);
  const seed = intOption('seed', values.seed, 0, 0, 2 ** 31 - 1);
  const background = backgroundOption(values.background) ?? DEFAULT_BACKGROUND;

  const info = await stat(path).catch(() => null);
  if (!info) throw new Error(`no such folder: ${path}`);
  if (!info.isDirectory()) throw new Error(`not a folder: ${path} (give the folder that holds the images)`);

  const out = createOutput(Boolean(values.json));
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const { report, dataset, cacheWrite } = await ingestFolder(path, {
      size,
      color,
      fit,
      background,
      testFraction,
      seed,
      cacheDir: values['cache-dir'],
      signal: controller.signal,
      onProgress: (p) => out.progress({ ...p }, { done: p.done, total: p.total, label: `ingest ${p.done}/${p.total}` }),
    });
    if (report.loaded === 0) {
      const examples = report.skipped
        .slice(0, 3)
        .map((s) => `${s.file}: ${s.reason}`)
        .join('; ');
      throw new Error(
        report.found === 0
          ? `no images in ${path}: the folder holds no files`
          : `no images in ${path}: ${report.found === 1 ? 'the 1 file was' : `all ${plural(report.found, 'file')} were`} skipped (${examples}${report.skipped.length > 3 ? '; …' : ''})`,
      );
    }
    // The report's seconds end with the dataset; the command ends once its cache file is written too.
    const cacheWarning = await cacheWrite;
    if (cacheWarning) out.info(`warning: ${cacheWarning}`);
    if (!out.json) {
      for (const s of report.skipped) out.info(`skipped ${s.file}: ${s.reason}`);
      out.info(
        `${dataset.name}: ${report.loaded} images at ${size}×${size} ${color} on ${background}, ${dataset.labelNames.length ? `${dataset.labelNames.length} labels (${dataset.labelNames.slice(0, 8).join(', ')}${dataset.labelNames.length > 8 ? ', …' : ''})` : 'no labels (flat folder)'}`,
      );
    }
    out.final({
      found: report.found,
      loaded: report.loaded,
      skipped: report.skipped,
      images_per_s: Math.round(report.images_per_s),
      cache: report.cache,
      seconds: Math.round(report.seconds * 1000) / 1000,
      ...(cacheWarning ? { cache_warning: cacheWarning } : {}),
    });
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw new CancelledError();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
