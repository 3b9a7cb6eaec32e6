/**
 * `latentscape interpolate`: keyframes (dataset indices encoded to μ, or latent vectors) → a path
 * through latent space → frames decoded in batches → GIF, WebM, a sprite sheet PNG or a folder of
 * PNG frames. The path can be loaded from / saved to a path JSON file (the format the app saves).
 */
import { readFile } from 'node:fs/promises';
import { imageBytes } from '../../engine/data/dataset';
import { exportAnimation, exportKindFor, ExportCancelledError, UnknownExportTypeError, writeFileAtomic, type FrameSet } from '../../engine/export';
import { interpolatePath } from '../../engine/latent/interpolate';
import { makePathSpec, parsePathSpec, pathFromSpec, PathSpecError, serializePathSpec, type KeyframeSource, type PathOptions } from '../../shared/latent-path';
import { EASINGS, MAX_FRAMES, SEGMENT_MODES, SPACINGS } from '../../shared/vocabulary';
import type { Vae } from '../../engine/model/vae';
import { loadModel } from '../../engine/train/checkpoint';
import { required, startBackend } from '../common';
import { CancelledError, choiceOption, createOutput, intOption, UsageError } from '../io';
import { datasetForModel } from '../model-data';
import { parseCommandArgs } from '../options';
import { COMMAND_SPECS } from '../command-specs';

/** Latents decoded per batch: big enough to amortise a backend call, small enough for any model. */
const DECODE_BATCH = 64;

/** A keyframe as given on the command line, before it is resolved against the model. */
type KeyframeArg = { kind: 'index'; index: number; raw: string; option: string } | { kind: 'vector'; values: number[]; raw: string; option: string };

export function parseKeyframeArg(option: string, raw: string): KeyframeArg {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return { kind: 'index', index: Number(text), raw, option };
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  if (parts.length < 2 || parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v))) {
    throw new UsageError(`--${option} "${raw}" is neither a dataset index (a whole number) nor a latent vector (comma-separated numbers)`);
  }
  return { kind: 'vector', values, raw, option };
}

/** Turns keyframe arguments into latents: vectors are checked for the model's size, indices encoded to μ. */
async function resolveKeyframes(
  args: KeyframeArg[],
  vae: Vae,
  loadData: () => ReturnType<typeof datasetForModel>,
): Promise<{ keyframes: Float32Array[]; sources: (KeyframeSource | undefined)[]; dataset?: string }> {
  const d = vae.config.latentDim;
  const keyframes: Float32Array[] = [];
  const sources: (KeyframeSource | undefined)[] = [];
  let datasetName: string | undefined;
  const indices = args.filter((a) => a.kind === 'index');
  const dataset = indices.length ? (await loadData()).dataset : undefined;
  for (const arg of args) {
    if (arg.kind === 'vector') {
      if (arg.values.length !== d) {
        throw new UsageError(`--${arg.option} has ${arg.values.length} values but the model's latent size is ${d}`);
      }
      keyframes.push(Float32Array.from(arg.values));
      sources.push(undefined);
      continue;
    }
    if (!dataset) throw new Error('dataset not loaded');
    datasetName = dataset.name;
    if (arg.index >= dataset.count) {
      throw new UsageError(`--${arg.option} ${arg.index} is out of range: ${dataset.name} has ${dataset.count} images (indices 0 to ${dataset.count - 1})`);
    }
    const size = imageBytes(dataset);
    const mu = await vae.embed(dataset.pixels.subarray(arg.index * size, (arg.index + 1) * size), 1);
    keyframes.push(mu);
    const label = dataset.labels[arg.index];
    sources.push(label >= 0 ? { index: arg.index, label: dataset.labelNames[label] ?? String(label) } : { index: arg.index });
  }
  return { keyframes, sources, dataset: datasetName };
}

/** Decodes n × d latents into uint8 HWC frames, DECODE_BATCH at a time. */
export async function decodeFrames(vae: Vae, latents: Float32Array, onBatch?: (done: number, total: number) => void): Promise<FrameSet> {
  const { height, width, channels, latentDim: d } = vae.config;
  const count = latents.length / d;
  const size = height * width * channels;
  const pixels = new Uint8Array(count * size);
  for (let start = 0; start < count; start += DECODE_BATCH) {
    const n = Math.min(DECODE_BATCH, count - start);
    pixels.set(await vae.decodeToPixels(latents.subarray(start * d, (start + n) * d), n), start * size);
    onBatch?.(start + n, count);
  }
  return { width, height, channels, count, pixels };
}

/**
 * parseArgs reads a value starting with "-" as another option; latent vectors often do
 * ("--from -1.5,0.3"), so glue such values to their option ("--from=-1.5,0.3") first.
 */
export function attachNegativeVectors(argv: string[], options: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (options.includes(arg.replace(/^--/, '')) && arg.startsWith('--') && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs(COMMAND_SPECS.interpolate, attachNegativeVectors(argv, ['from', 'to', 'via']));
  const out = createOutput(Boolean(values.json));
  const modelDir = required('model', values.model);
  const target = required('out', values.out);
  const fps = intOption('fps', values.fps, 30, 1, 60);
  const scale = intOption('scale', values.scale, 4, 1, 8);
  const kind = await exportKindFor(target).catch((err) => {
    throw err instanceof UnknownExportTypeError ? new UsageError(`--out: ${err.message}`) : err;
  });

  // Either a saved path file, or keyframes and path options on the command line.
  const pathFile = values['load-path'];
  let keyframeArgs: KeyframeArg[] = [];
  let options: PathOptions | undefined;
  if (pathFile !== undefined) {
    const clash = (['from', 'to', 'via', 'frames', 'path', 'ease', 'loop', 'spacing'] as const).filter((k) => values[k] !== undefined);
    if (clash.length) throw new UsageError(`--load-path gives the whole path; drop ${clash.map((k) => `--${k}`).join(', ')}`);
  } else {
    const from = values.from;
    const to = values.to;
    if (from === undefined || to === undefined) throw new UsageError('--from and --to are required (or --load-path FILE)');
    keyframeArgs = [parseKeyframeArg('from', from), ...(values.via ?? []).map((v) => parseKeyframeArg('via', v)), parseKeyframeArg('to', to)];
    const loop = values.loop ? 'ping-pong' : 'none';
    options = {
      frames: intOption('frames', values.frames, 60, loop === 'ping-pong' ? 3 : 2, MAX_FRAMES),
      mode: choiceOption('path', values.path, SEGMENT_MODES, 'linear'),
      easing: choiceOption('ease', values.ease, EASINGS, 'linear'),
      loop,
      spacing: choiceOption('spacing', values.spacing, SPACINGS, 'length'),
    };
  }
  let pathText: string | undefined;
  if (pathFile !== undefined) {
    try {
      pathText = await readFile(pathFile, 'utf8');
    } catch (err) {
      throw new UsageError(
        `cannot read --load-path ${pathFile}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      );
    }
  }

  const backend = await startBackend(values.backend, out);
  for (const why of backend.fallbacks) out.info(`backend: ${why}`);
  const { vae, manifest } = await loadModel(modelDir);
  const controller = new AbortController();
  const onSigint = (): void => {
    out.info('cancelling: nothing will be written');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const d = vae.config.latentDim;
    let keyframes: Float32Array[];
    let sources: (KeyframeSource | undefined)[] = [];
    let datasetName: string | undefined;
    if (pathText !== undefined) {
      let spec;
      try {
        spec = parsePathSpec(pathText, d, `path file ${pathFile}`);
      } catch (err) {
        throw err instanceof PathSpecError ? new UsageError(err.message) : err;
      }
      ({ keyframes, options } = pathFromSpec(spec));
      sources = spec.keyframes.map((k) => k.source);
    } else {
      ({ keyframes, sources, dataset: datasetName } = await resolveKeyframes(keyframeArgs, vae, () => datasetForModel(manifest, values.data)));
    }
    const pathOptions = options as PathOptions;
    const spec = makePathSpec(keyframes, { ...pathOptions, fps, sources });

    const started = performance.now();
    const latents = interpolatePath(keyframes, pathOptions);
    const frames = await decodeFrames(vae, latents, (done, total) => out.progress({ stage: 'decode', done, total }, { done, total, label: 'decode' }));
    const decodeMs = performance.now() - started;

    const exportStarted = performance.now();
    let lastReported = 0;
    const result = await exportAnimation(frames, target, {
      scale,
      fps,
      signal: controller.signal,
      extraFiles: kind === 'frames' ? { 'path.json': serializePathSpec(spec) } : undefined,
      onProgress: (done, total) => {
        // JSON gets about ten lines per export; the TTY bar moves every frame.
        const step = Math.max(1, Math.ceil(total / 10));
        if (out.json && done !== total && done - lastReported < step) return;
        lastReported = done;
        out.progress({ stage: 'export', done, total }, { done, total, label: kind });
      },
    });
    const exportMs = performance.now() - exportStarted;
    if (values['save-path'] !== undefined) await writeFileAtomic(values['save-path'], new TextEncoder().encode(serializePathSpec(spec)));

    out.final({
      out: result.path,
      kind: result.kind,
      frames: frames.count,
      width: frames.width * scale,
      height: frames.height * scale,
      channels: frames.channels,
      fps,
      scale,
      bytes: result.bytes,
      files: result.files,
      keyframes: keyframes.length,
      latent: d,
      path: spec.segments.every((m) => m === spec.segments[0]) ? spec.segments[0] : spec.segments.join('+'),
      ease: spec.easing,
      loop: spec.loop,
      ...(datasetName ? { dataset: datasetName } : {}),
      decode_ms: Math.round(decodeMs * 10) / 10,
      export_ms: Math.round(exportMs * 10) / 10,
      backend: backend.name,
    });
  } catch (err) {
    if (err instanceof ExportCancelledError) throw new CancelledError('cancelled: nothing was written');
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    vae.dispose();
  }
}
