/**
 * sample64_maxrss_mb and strip_maxrss_mb for `latentscape bench`: the peak resident memory (maxRSS) of
 * `latentscape sample --n 64` and of a library strip (the engine's modelSamples, MAX_MODEL_SAMPLES
 * images), each run alone in a child process, on the largest model the caps allow. That model's
 * weights are random, written into a temp folder made for the run and removed after it. Memory, not
 * time: the figures hold on a busy machine.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { backendName } from '../engine/backend';
import { decodeActivationBytes } from '../engine/model/activation-bytes';
import { MAX_CONV_LAYERS, MAX_FILTERS, MAX_IMAGE_SIZE, Vae, parameterShapes, validateConfig, type VaeConfig } from '../engine/model/vae';
import { saveModel } from '../engine/train/checkpoint';
import { MAX_LATENT } from '../shared/limits';

const CHILD_ENTRY = fileURLToPath(new URL('./memory-bench-child.ts', import.meta.url));

export type MemoryWork = 'idle' | 'sample64' | 'strip';

/** What a child reports when its work is done: its own peak resident memory. */
export interface ChildReport {
  maxrss_kb: number;
}

function parameterCount(c: VaeConfig): number {
  return parameterShapes(c).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Non-decreasing lists of `length` powers of two up to `max`: the shapes conv encoders take. */
function filterLists(length: number, max: number, from = 1): number[][] {
  if (length === 0) return [[]];
  const lists: number[][] = [];
  for (let f = from; f <= max; f *= 2) for (const rest of filterLists(length - 1, max, f)) lists.push([f, ...rest]);
  return lists;
}

/**
 * The conv model at the largest image size, RGB, widest latent, whose one-image decode takes the most
 * activation bytes the caps allow (ties: the most parameters). Every cap of validateConfig holds.
 */
export function largestAllowedModel(): VaeConfig {
  let best: { config: VaeConfig; bytes: number; params: number } | null = null;
  for (const filters of filterLists(MAX_CONV_LAYERS, MAX_FILTERS)) {
    const config: VaeConfig = {
      arch: 'conv',
      latentDim: MAX_LATENT,
      height: MAX_IMAGE_SIZE,
      width: MAX_IMAGE_SIZE,
      channels: 3,
      likelihood: 'bernoulli',
      learnedScale: false,
      hidden: 400,
      filters,
    };
    try {
      validateConfig(config);
    } catch {
      continue;
    }
    const bytes = decodeActivationBytes(config);
    const params = parameterCount(config);
    if (!best || bytes > best.bytes || (bytes === best.bytes && params > best.params)) best = { config, bytes, params };
  }
  if (!best) throw new Error('no conv model fits the caps');
  return best.config;
}

function runChild(work: MemoryWork, modelDir: string, outDir: string): Promise<ChildReport> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return new Promise((resolve, reject) => {
    const child = fork(CHILD_ENTRY, [work, modelDir, outDir, backendName()], { execArgv: ['--import', tsx], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let report: ChildReport | null = null;
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => void (stderr = (stderr + chunk).slice(-2000)));
    child.on('message', (msg) => void (report = msg as ChildReport));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (report && code === 0) resolve(report);
      else reject(new Error(`${work} child exited with ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

const toMb = (kb: number): number => Math.round(kb / 1024);

export async function benchMemory(progress: (stage: string) => void = () => {}): Promise<Record<string, number | string | null>> {
  const config = largestAllowedModel();
  const report: Record<string, number | string | null> = {
    memory_model: `conv ${config.height}² × ${config.channels}, d = ${config.latentDim}, filters [${config.filters.join(', ')}]`,
    memory_model_parameters: parameterCount(config),
    memory_model_decode_mb_per_image: Math.round(decodeActivationBytes(config) / 2 ** 20),
  };
  const dir = await mkdtemp(join(tmpdir(), 'latentscape-memory-bench-'));
  try {
    progress('memory: writing the largest allowed model (random weights)');
    const vae = Vae.create(config, 1);
    try {
      await saveModel(join(dir, 'model'), vae, { epochsCompleted: 0 });
    } finally {
      vae.dispose();
    }
    for (const work of ['idle', 'sample64', 'strip'] as const) {
      progress(`memory: ${work}`);
      try {
        report[`${work}_maxrss_mb`] = toMb((await runChild(work, join(dir, 'model'), dir)).maxrss_kb);
      } catch (err) {
        report[`${work}_maxrss_mb`] = null;
        report[`${work}_maxrss_error`] = (err as Error).message;
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return report;
}
