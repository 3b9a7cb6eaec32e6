/**
 * What a second core could do for the wasm backend (issue 22, item 4; docs/PERFORMANCE.md): two probes,
 * neither used by the app.
 *
 * --split: kernels.wat's relaxed build importing a *shared* memory, its `matmul` rows split between
 *   this thread and one worker_threads worker that runs its own instance on the same memory (Atomics
 *   for the hand-off; the worker loads no tfjs). Prints one-thread and two-thread medians per product
 *   of the MLP step, and whether both give the same floats (a row split keeps every sum's order).
 * --tfjs: tfjs-backend-wasm's threaded-SIMD build under Node. tfjs turns threads off in Node
 *   (WASM_HAS_MULTITHREAD_SUPPORT is false there) and hands its Emscripten workers Blob URLs, which
 *   Node's workers cannot load; the shims below write them to files. Prints the threads XNNPACK
 *   reports, whether the heap is shared, and matMul medians on fresh operands.
 *
 *   node24 --import tsx scripts/wasm-threads-probe.ts --split
 *   node24 --import tsx scripts/wasm-threads-probe.ts --tfjs [--threads 2]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { WAT_PATH, relaxedKernelsWat } from '../src/engine/kernels/build-wasm';

const { values } = parseArgs({ options: { split: { type: 'boolean' }, tfjs: { type: 'boolean' }, threads: { type: 'string', default: '2' } } });
const SHAPES: [number, number, number][] = [
  [128, 784, 400],
  [784, 128, 400],
  [400, 784, 128],
  [128, 400, 20],
];
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1];
type Matmul = (a: number, b: number, bias: number, c: number, m: number, k: number, n: number, flags: number) => void;

async function sharedKernels(): Promise<WebAssembly.Module> {
  const wabt = await (await import('wabt')).default();
  const source = relaxedKernelsWat(readFileSync(WAT_PATH, 'utf8')).source.replace('(memory 0))', '(memory 0 16384 shared))');
  const parsed = wabt.parseWat('kernels.wat', source, { simd: true, bulk_memory: true, relaxed_simd: true, threads: true });
  try {
    parsed.resolveNames();
    return new WebAssembly.Module(new Uint8Array(parsed.toBinary({ log: false, write_debug_names: false }).buffer)); // V8 validates
  } finally {
    parsed.destroy();
  }
}

async function split(): Promise<void> {
  const module = await sharedKernels();
  const memory = new WebAssembly.Memory({ initial: 2048, maximum: 16384, shared: true });
  const { matmul } = new WebAssembly.Instance(module, { env: { memory } }).exports as { matmul: Matmul };
  // [0]: the call's generation (−1: stop), [1]: the generation the worker finished, [2..9]: its arguments
  const control = new Int32Array(new SharedArrayBuffer(64));
  const worker = new Worker(
    `const { module, memory, control } = require('node:worker_threads').workerData;
     const { matmul } = new WebAssembly.Instance(module, { env: { memory } }).exports;
     for (let seen = 0; ; ) {
       Atomics.wait(control, 0, seen);
       seen = Atomics.load(control, 0);
       if (seen < 0) break;
       matmul(...control.subarray(2, 10));
       Atomics.store(control, 1, seen);
       Atomics.notify(control, 1);
     }`,
    { eval: true, workerData: { module, memory, control } },
  );
  const twoThreads = (a: number, b: number, c: number, m: number, k: number, n: number): void => {
    const mine = (m >> 3) << 2; // about half the rows, a multiple of 4 (whole register blocks)
    control.set([a + mine * k * 4, b, 0, c + mine * n * 4, m - mine, k, n, 0], 2);
    const generation = Atomics.add(control, 0, 1) + 1;
    Atomics.notify(control, 0);
    matmul(a, b, 0, c, mine, k, n, 0);
    for (let done = Atomics.load(control, 1); done !== generation; done = Atomics.load(control, 1)) Atomics.wait(control, 1, done);
  };
  for (const [m, k, n] of SHAPES) {
    const a = 1 << 20;
    const b = a + m * k * 4 + 64;
    const one = b + k * n * 4 + 64;
    const two = one + m * n * 4 + 64;
    const heap = new Float32Array(memory.buffer);
    for (let i = 0; i < m * k; i++) heap[a / 4 + i] = Math.random() - 0.5;
    for (let i = 0; i < k * n; i++) heap[b / 4 + i] = Math.random() - 0.5;
    const times = { one: [] as number[], two: [] as number[] };
    for (let r = 0; r < 60; r++) {
      let t = performance.now();
      matmul(a, b, 0, one, m, k, n, 0);
      times.one.push(performance.now() - t);
      t = performance.now();
      twoThreads(a, b, two, m, k, n);
      times.two.push(performance.now() - t);
    }
    const same = heap.subarray(one / 4, one / 4 + m * n).every((v, i) => Object.is(v, heap[two / 4 + i]));
    const [t1, t2] = [median(times.one), median(times.two)];
    console.log(`${m}×${k}×${n}: one thread ${t1.toFixed(3)} ms, two ${t2.toFixed(3)} ms, two/one ${(t2 / t1).toFixed(2)}, same floats ${same}`);
  }
  Atomics.store(control, 0, -1);
  Atomics.notify(control, 0);
  await worker.terminate();
}

async function tfjsThreaded(threads: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-wasm-threads-'));
  const mainScript = join(dir, 'main.cjs');
  const workerScript = join(dir, 'worker.cjs');
  const texts = new WeakMap<Blob, string>();
  const NodeBlob = globalThis.Blob;
  globalThis.Blob = class extends NodeBlob {
    constructor(parts: BlobPart[] = [], options?: BlobPropertyBag) {
      super(parts, options);
      if (!parts.every((p) => typeof p === 'string')) return;
      const text = parts.join('');
      texts.set(this, text);
      // The factory's source names the bundle's own requires by their bundled names.
      if (text.startsWith('var WasmBackendModuleThreadedSimd'))
        writeFileSync(
          mainScript,
          `var commonjsGlobal = globalThis, require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os');\n${text}`,
        );
    }
  };
  const createObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (blob: Blob): string => {
    const text = texts.get(blob);
    if (!text?.includes('ENVIRONMENT_IS_PTHREAD')) return createObjectURL(blob);
    writeFileSync(workerScript, `URL.createObjectURL = () => ${JSON.stringify(mainScript)}; URL.revokeObjectURL = () => {};\n${text}`);
    return workerScript;
  };
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs-core');
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  if (threads > 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  await tf.setBackend('wasm');
  // The threaded build imports its memory (no asm.memory: heap.ts would find none and run its loops).
  const backend = tf.backend() as unknown as { wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: unknown }; PThread?: { runningWorkers: unknown[] } } };
  const shared = backend.wasm.wasmMemory?.buffer instanceof SharedArrayBuffer;
  for (const [m, k, n] of SHAPES) {
    const times: number[] = [];
    for (let r = 0; r < 40; r++) {
      const [a, b] = [tf.randomNormal([m, k]), tf.randomNormal([k, n])]; // fresh, as in a training step
      const t = performance.now();
      const c = tf.matMul(a, b);
      times.push(performance.now() - t);
      tf.dispose([a, b, c]);
    }
    console.log(`${m}×${k}×${n}: ${median(times).toFixed(3)} ms`);
  }
  console.log(
    `asked ${threads} threads; XNNPACK reports ${wasm.getThreadsCount()}; shared heap ${shared}; asm.memory ${backend.wasm.asm?.memory !== undefined}; pthreads running ${backend.wasm.PThread?.runningWorkers.length ?? 'none'}`,
  );
}

if (values.split) await split();
if (values.tfjs) await tfjsThreaded(Number(values.threads));
process.exit(0);
