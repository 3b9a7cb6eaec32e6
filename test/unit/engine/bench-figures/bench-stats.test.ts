/** The pure parts of the `*_vs_*` bench figures: ratio and median maths, result parsing, the synthetic set. */
import { afterEach, describe, expect, it } from 'vitest';
import { median, ratio, summariseRuns, withMachineState } from '../../../../src/engine/bench-figures/bench-stats';
import { engineThreads, folderRecipe, syntheticColourSet } from '../../../../src/engine/bench-figures/conv-folder-bench';
import { ingestParallelism } from '../../../../src/engine/bench-figures/ingest-vs-pillow';
import { workerCount } from '../../../../src/engine/data/ingest/pool';
import { defaultIntraOpThreads } from '../../../../src/engine/native-threads';
import { lastJsonLine, runReferenceScript } from '../../../../src/engine/bench-figures/reference-python';

const saved = { python: process.env.LATENTSCAPE_REFERENCE_PYTHON, intra: process.env.TF_NUM_INTRAOP_THREADS, workers: process.env.LATENTSCAPE_INGEST_WORKERS };
afterEach(() => {
  for (const [key, value] of [
    ['LATENTSCAPE_REFERENCE_PYTHON', saved.python],
    ['TF_NUM_INTRAOP_THREADS', saved.intra],
    ['LATENTSCAPE_INGEST_WORKERS', saved.workers],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('ratio and median', () => {
  it('takes the middle value, the mean of the two middle ones for an even count, and ignores non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, Number.NaN, 1, Infinity, 3])).toBe(3);
    expect(median([])).toBeNull();
  });

  it('divides ours by the reference, and gives null rather than a misleading ratio of a zero or missing rate', () => {
    expect(ratio(300, 200)).toBe(1.5);
    expect(ratio(300, 0)).toBeNull();
    expect(ratio(0, 200)).toBeNull();
    expect(ratio(Number.NaN, 200)).toBeNull();
    expect(ratio(300, Infinity)).toBeNull();
  });

  it('summarises runs: each rounded, the median over the runs that had a reference', () => {
    expect(summariseRuns([0.4123, null, 0.5, 0.45])).toEqual({ runs: [0.41, null, 0.5, 0.45], median: 0.45 });
    expect(summariseRuns([null, null])).toEqual({ runs: [null, null], median: null });
  });

  it('records the load average before and after the measurement, and the cores', async () => {
    const { result, machine } = await withMachineState(async () => 7);
    expect(result).toBe(7);
    expect(machine.load_before).toHaveLength(3);
    expect(machine.load_after).toHaveLength(3);
    expect(machine.cores).toBeGreaterThanOrEqual(1);
  });
});

describe('the reference scripts', () => {
  it('reads the last JSON object line of the output, past a library’s log lines and a broken line', () => {
    expect(lastJsonLine('loading\n{"images_per_s": 12.5, "images": 3}\n{not json\n')).toEqual({ images_per_s: 12.5, images: 3 });
    expect(lastJsonLine('{"a": 1}\n{"a": 2}\n')).toEqual({ a: 2 });
    expect(lastJsonLine('no result here\n[1, 2]\n')).toBeNull();
  });

  it('says why instead of a number when no Python is found', async () => {
    process.env.LATENTSCAPE_REFERENCE_PYTHON = '/nonexistent/python3';
    const r = await runReferenceScript('torch_conv_bench.py', ['--data', '/nonexistent'], 'torch');
    expect(r).toMatch(/^unavailable \(no Python with torch: \/nonexistent\/python3: /);
  });

  it('says why when the script is not there', async () => {
    expect(await runReferenceScript('no_such_script.py', [], 'Pillow')).toBe('unavailable: scripts/reference/no_such_script.py is not here');
  });
});

describe('the conv folder figure', () => {
  it('makes the same synthetic colour set for the same seed, a different one for another', () => {
    const a = syntheticColourSet(8, 1);
    expect(a.length).toBe(8 * 32 * 32 * 3);
    expect(Buffer.from(syntheticColourSet(8, 1)).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(syntheticColourSet(8, 2)).equals(Buffer.from(a))).toBe(false);
  });

  it('makes images that are coloured and differ from one another (not trivial to learn)', () => {
    const side = 32 * 32 * 3;
    const set = syntheticColourSet(16, 1);
    const images = Array.from({ length: 16 }, (_, i) => Buffer.from(set.subarray(i * side, (i + 1) * side)));
    expect(new Set(images.map((b) => b.toString('base64'))).size).toBe(16);
    // Colour: some pixel of the first image has channels that differ; and more than two distinct values.
    const first = images[0];
    let coloured = false;
    for (let p = 0; p < side; p += 3) if (first[p] !== first[p + 1] || first[p + 1] !== first[p + 2]) coloured = true;
    expect(coloured).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(10);
  });

  it('takes the app’s folder recipe: conv, 32×32 RGB, d = 32, learned-scale Gaussian, batch 32, the default filters', () => {
    const { recipe, config } = folderRecipe(256);
    expect(config).toMatchObject({
      arch: 'conv',
      height: 32,
      width: 32,
      channels: 3,
      latentDim: 32,
      likelihood: 'gaussian',
      learnedScale: true,
      filters: [32, 64],
    });
    expect(recipe.batchSize).toBe(32);
  });

  it('names the threads the engine computes on: TensorFlow’s intra-op pool where set, its default otherwise, one on wasm', () => {
    process.env.TF_NUM_INTRAOP_THREADS = '3';
    expect(engineThreads('tensorflow')).toBe(3);
    expect(engineThreads('wasm')).toBe(1);
    delete process.env.TF_NUM_INTRAOP_THREADS;
    expect(engineThreads('tensorflow')).toBe(defaultIntraOpThreads());
  });
});

describe('the ingest figure', () => {
  it('gives Pillow as many processes as the app decodes at once', () => {
    process.env.LATENTSCAPE_INGEST_WORKERS = '3';
    expect(ingestParallelism(1000, 8)).toBe(3);
    process.env.LATENTSCAPE_INGEST_WORKERS = '0';
    // In-process: libuv's pool (4 unless UV_THREADPOOL_SIZE says otherwise), at most one per core.
    expect(ingestParallelism(1000, 2, {})).toBe(2);
    expect(ingestParallelism(1000, 16, {})).toBe(4);
    expect(ingestParallelism(1000, 16, { UV_THREADPOOL_SIZE: '8' })).toBe(8);
  });

  it('runs one decode worker per core but the main thread’s, up to 8, none below 4 cores or 500 files', () => {
    delete process.env.LATENTSCAPE_INGEST_WORKERS;
    expect(workerCount(2000, 2)).toBe(0);
    expect(workerCount(2000, 4)).toBe(3);
    expect(workerCount(2000, 6)).toBe(5);
    expect(workerCount(2000, 32)).toBe(8);
    expect(workerCount(100, 32)).toBe(0);
    // Pillow gets the same number of processes.
    expect(ingestParallelism(2000, 6, {})).toBe(5);
  });
});
