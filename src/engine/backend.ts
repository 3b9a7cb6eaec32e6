/**
 * Picks the tfjs backend at run time: webgpu on a real GPU (./webgpu-adapter) → native tensorflow
 * (tfjs-node, an optional dependency that may not have installed) → wasm → cpu.
 * `LATENTSCAPE_BACKEND` or an explicit request forces one (webgpu then also on a software adapter).
 *
 * A backend is chosen only after it passed a smoke check (./backend-smoke: a tiny VAE's forward
 * pass, gradient and Adam step against the cpu backend's numbers); each one passed over leaves its
 * reason in `fallbacks`, which the status bar and every CLI JSON line show.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerReluGradOnTensorflow } from './kernels/bias-grad';
import { shareSameShapeReshapeOnTensorflow } from './kernels/identity';
import { createRequire } from 'node:module';
import { backendName, chosenBackend, setChosenBackend, type BackendInfo } from './backend-choice';
import { smokeCheck } from './backend-smoke';
import { settleIntraOpThreads } from './native-threads';
import { restoreNodeUtil } from './node-util-shim';
import { adapterLabel, findWebgpuAdapter, NO_WEBGPU_ADAPTER, type WebgpuAdapter } from './webgpu-adapter';
import { BACKEND_NAMES, type BackendName } from '../shared/vocabulary';

// Loaded with require, not import: these are CommonJS, and an ES import has Node scan each one's
// files (megabytes, and every package @tensorflow/tfjs re-exports) for export names before running
// them. The packages and tfjs-core are the same either way (Node's ES import of tfjs-core loads its
// CommonJS main too). tfjs-core alone registers no gradients; the @tensorflow/tfjs bundle registers
// them (and is what tfjs-node builds on, so both share one tfjs-core).
const requireCommonJs = createRequire(import.meta.url);
requireCommonJs('@tensorflow/tfjs');
requireCommonJs('@tensorflow/tfjs-backend-cpu');
requireCommonJs('@tensorflow/tfjs-backend-wasm');

export type { BackendInfo, BackendName };
export { backendName };
export type BackendRequest = BackendName | 'auto';
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', ...BACKEND_NAMES];

/**
 * The module that provides the tensorflow backend: tfjs-node, or what LATENTSCAPE_TFJS_NODE names
 * (e.g. @tensorflow/tfjs-node-gpu; the tests point it at stand-ins that are missing or broken).
 */
function tfjsNodeModule(): string {
  return process.env.LATENTSCAPE_TFJS_NODE || '@tensorflow/tfjs-node';
}

/** Reasons are shown to users and logged: keep the install location out of them. */
export function withoutPaths(message: string): string {
  return message
    .replace(/(?:[A-Za-z]:)?[\\/][^\s'"()]*?node_modules[\\/]/g, 'node_modules/')
    .replace(/(^|[\s'"(])(?:[A-Za-z]:)?[\\/](?:[^\s'"()\\/]+[\\/])+([^\s'"()\\/]+)/g, '$1…/$2');
}

function firstLine(err: unknown): string {
  return withoutPaths(String((err as Error)?.message ?? err).split('\n')[0]);
}

async function loadTensorflow(): Promise<string | null> {
  // tfjs-node 4.22.0 calls util.isNullOrUndefined, gone since Node 23 (see node-util-shim).
  restoreNodeUtil();
  // libtensorflow logs its start-up (oneDNN, CPU features) to stderr unless told otherwise.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // libtensorflow sizes its thread pool as it loads.
  settleIntraOpThreads();
  try {
    // require, as above: an ES import of tfjs-node cost ~130 ms more per engine start (docs/PERFORMANCE.md).
    // A variable specifier keeps bundlers and the type checker from requiring the optional package.
    requireCommonJs(tfjsNodeModule());
  } catch (err) {
    return `tfjs-node is not installed or failed to load (${firstLine(err)})`;
  }
  if (!tf.findBackend('tensorflow')) {
    return 'tfjs-node loaded a different @tensorflow/tfjs-core than the engine (versions must match exactly)';
  }
  return null;
}

/** The webgpu adapter Dawn opened in this process (kept: a second open would make a second device). */
let webgpu: WebgpuAdapter | string | undefined;

/** Why a backend was passed over; `noGpu` when that only says this machine has no GPU to use (BackendInfo.noGpu). */
interface Refusal {
  why: string;
  noGpu?: boolean;
}

const refusal = (why: string | null): Refusal | null => (why === null ? null : { why });

/**
 * Opens the webgpu adapter and decides whether it may run: a real GPU under `auto`, a software one
 * only when asked for by name. (The engine reads every result with `await data()`, src/engine/tensor-read.ts,
 * the only read Dawn under Node has.)
 */
async function prepareWebgpu(explicit: boolean): Promise<Refusal | null> {
  webgpu ??= await findWebgpuAdapter(firstLine);
  if (typeof webgpu === 'string') return { why: webgpu, noGpu: webgpu === NO_WEBGPU_ADAPTER };
  const label = adapterLabel(webgpu);
  if (webgpu.software && !explicit) {
    return { why: `${label} — passed over: a software adapter is slower than the CPU backends (--backend webgpu uses it)`, noGpu: true };
  }
  return refusal(await webgpu.register());
}

/** Gives the webgpu device back when the backend was passed over, so it keeps neither memory nor the process alive. */
function releaseWebgpu(): void {
  if (webgpu && typeof webgpu !== 'string') webgpu.release();
  webgpu = undefined;
}

async function activate(name: BackendName, explicit: boolean): Promise<Refusal | null> {
  if (name === 'tensorflow') {
    const why = await loadTensorflow();
    if (why) return { why };
    shareSameShapeReshapeOnTensorflow();
    registerReluGradOnTensorflow();
  }
  if (name === 'webgpu') {
    const refused = await prepareWebgpu(explicit);
    if (refused) {
      releaseWebgpu();
      return refused;
    }
    const failed = await activateChecked(name);
    if (failed) releaseWebgpu();
    return refusal(failed);
  }
  return refusal(await activateChecked(name));
}

async function activateChecked(name: BackendName): Promise<string | null> {
  try {
    // tfjs logs and returns false when a backend fails to initialise.
    const ok = await withQuietConsole(() => tf.setBackend(name));
    if (!ok) return `${name} backend failed to initialise`;
    await tf.ready();
  } catch (err) {
    return `${name} backend failed to initialise (${firstLine(err)})`;
  }
  // cpu is the reference the others are checked against. Its first tensor prints tfjs's advertisement
  // for tfjs-node: made here, where the console is quiet.
  if (name === 'cpu') {
    await withQuietConsole(async () => tf.scalar(0).dispose());
    return null;
  }
  try {
    return await withQuietConsole(() => smokeCheck(name));
  } catch (err) {
    return `smoke check failed (${firstLine(err)})`;
  }
}

async function withQuietConsole<T>(fn: () => Promise<T>): Promise<T> {
  const { warn, log } = console;
  // tfjs prints an advertisement for tfjs-node when another backend starts in Node.
  console.log = (...a: unknown[]) => {
    if (typeof a[0] === 'string' && a[0].includes('tfjs-node')) return;
    if (typeof a[0] === 'string' && a[0].startsWith('=====')) return;
    log(...a);
  };
  console.warn = (...a: unknown[]) => {
    if (typeof a[0] === 'string' && a[0].includes('tfjs-node')) return;
    warn(...a);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

export function requestedBackend(explicit?: string): BackendRequest {
  const raw = (explicit || process.env.LATENTSCAPE_BACKEND || 'auto').toLowerCase();
  if (!(BACKEND_REQUESTS as readonly string[]).includes(raw)) {
    throw new Error(`unknown backend "${raw}": use one of ${BACKEND_REQUESTS.join(', ')}`);
  }
  return raw as BackendRequest;
}

function webgpuLabel(): string | undefined {
  return webgpu && typeof webgpu !== 'string' ? adapterLabel(webgpu) : undefined;
}

/** Initialises the backend once per process; later calls return the same choice. */
export async function initBackend(explicit?: string): Promise<BackendInfo> {
  const request = requestedBackend(explicit);
  const current = chosenBackend();
  if (current && (request === 'auto' || request === current.name)) return current;
  const fallbacks: string[] = [];
  let noGpu: string | undefined;
  const order: BackendName[] = request === 'auto' ? [...BACKEND_NAMES] : [request];
  for (const name of order) {
    const refused = await activate(name, request !== 'auto');
    if (refused === null) {
      const adapter = name === 'webgpu' ? webgpuLabel() : undefined;
      return setChosenBackend({ name, fallbacks, ...(adapter ? { adapter } : {}), ...(noGpu ? { noGpu } : {}) });
    }
    const entry = `${name}: ${refused.why}`;
    fallbacks.push(entry);
    if (refused.noGpu) noGpu = entry;
  }
  throw new Error(`no usable tfjs backend (${fallbacks.join('; ')})`);
}
