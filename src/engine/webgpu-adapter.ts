/**
 * The WebGPU backend under Node: Dawn's `webgpu` package (dawn.node, Node-API) gives the device that
 * @tensorflow/tfjs-backend-webgpu runs on. Both load lazily, so a missing or broken package, or a
 * machine without an adapter, costs a fallback reason and never the engine.
 *
 * Which adapter Dawn found decides whether `auto` may choose it: a real GPU only. A software adapter
 * (SwiftShader, llvmpipe, lavapipe, Microsoft Basic Render/WARP) is slower than the CPU backends and is
 * used only when asked for by name (`--backend webgpu`, LATENTSCAPE_BACKEND=webgpu, the tests).
 */
import * as tf from '@tensorflow/tfjs-core';

/** What WebGPU's GPUAdapterInfo says about an adapter (all optional: browsers and Dawn fill in different parts). */
export interface AdapterFacts {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** The spec's flag for an adapter that emulates a GPU in software (GPUAdapterInfo or the older GPUAdapter field). */
  isFallbackAdapter?: boolean;
}

export interface AdapterKind {
  /** True for a CPU rasteriser posing as a GPU. */
  software: boolean;
  /** A short human name, e.g. "NVIDIA GeForce RTX 3060" or "SwiftShader". */
  label: string;
}

/** Software Vulkan/D3D/GL implementations, by the names their drivers report. */
const SOFTWARE_RENDERERS: readonly [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render|\bwarp\b/i, 'Microsoft Basic Render Driver'],
];

/** Classifies an adapter from its info: software when it says it is a fallback or names a software renderer. */
export function classifyAdapter(facts: AdapterFacts): AdapterKind {
  const words = [facts.description, facts.device, facts.architecture, facts.vendor].filter((w): w is string => Boolean(w?.trim()));
  const text = words.join(' ');
  const renderer = SOFTWARE_RENDERERS.find(([pattern]) => pattern.test(text));
  if (renderer) return { software: true, label: renderer[1] };
  const named = [facts.vendor, facts.architecture, facts.device].filter((w): w is string => Boolean(w?.trim())).join(' ');
  const label = facts.description?.trim() || named || 'an unnamed adapter';
  return { software: facts.isFallbackAdapter === true, label };
}

/** How the status bar and `fallbacks` name an adapter: "NVIDIA GeForce RTX 3060" or "SwiftShader (software)". */
export function adapterLabel(kind: AdapterKind): string {
  return kind.software ? `${kind.label} (software)` : kind.label;
}

export interface WebgpuAdapter extends AdapterKind {
  /** Opens the device and registers tfjs's `webgpu` backend on it (once); returns why not, or null. */
  register(): Promise<string | null>;
  /** Gives the device back (when the backend is passed over) so that it keeps nothing alive. */
  release(): void;
}

/** Why Dawn's synchronous read cannot work under Node: the reason a read that needs it throws. */
export const NO_SYNC_READ = 'webgpu under Node reads GPU results only asynchronously (tfjs reads synchronously through an OffscreenCanvas, which Node has not)';

/** The module that provides Dawn: `webgpu`, or what LATENTSCAPE_WEBGPU_MODULE names (the tests point it at stand-ins). */
function dawnModule(): string {
  return process.env.LATENTSCAPE_WEBGPU_MODULE || 'webgpu';
}

type Loose = Record<string, unknown>;

interface DawnDevice {
  destroy(): void;
}

interface DawnAdapter {
  info?: AdapterFacts;
  isFallbackAdapter?: boolean;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor: unknown): Promise<DawnDevice>;
}

interface Dawn {
  create(options: string[]): { requestAdapter(options?: unknown): Promise<DawnAdapter | null> };
  globals: Loose;
}

type BackendClass = new (device: unknown, info: unknown) => tf.KernelBackend;

/** tfjs-backend-webgpu checks `navigator.gpu` in its constructor; Node 20 has no navigator, Node ≥ 21 one without `gpu`. */
function exposeGpu(gpu: unknown): void {
  const g = globalThis as unknown as Loose;
  if (g.navigator && typeof g.navigator === 'object') Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

/** Drops the `gpu` reference again: dawn.node keeps the process alive while it is reachable. */
function hideGpu(): void {
  const nav = (globalThis as unknown as Loose).navigator as Loose | undefined;
  if (nav && 'gpu' in nav) delete nav.gpu;
}

/** The limits tfjs-backend-webgpu's own factory asks for (its base.ts): the adapter's maxima. */
function deviceDescriptor(adapter: DawnAdapter): unknown {
  const names = [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ];
  return {
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: Object.fromEntries(names.map((n) => [n, adapter.limits[n]])),
  };
}

function facts(adapter: DawnAdapter): AdapterFacts {
  const info = adapter.info ?? {};
  // GPUAdapterInfo's fields are getters on its prototype: copied by name.
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
  };
}

/** Loads tfjs-backend-webgpu; returns its backend class, or why not. */
async function loadTfjsWebgpu(firstLine: (err: unknown) => string): Promise<BackendClass | string> {
  try {
    // Loaded before navigator.gpu exists, so that its own factory (which asks navigator for an adapter) stays unregistered.
    const module = (await import(/* @vite-ignore */ '@tensorflow/tfjs-backend-webgpu')) as { WebGPUBackend?: BackendClass };
    if (!module.WebGPUBackend || tf.getKernelsForBackend('webgpu').length === 0) {
      return 'tfjs-backend-webgpu loaded a different @tensorflow/tfjs-core than the engine (versions must match exactly)';
    }
    return module.WebGPUBackend;
  } catch (err) {
    return `tfjs-backend-webgpu failed to load (${firstLine(err)})`;
  }
}

/** Why webgpu is passed over on a machine whose drivers offer Dawn no adapter (most machines without a GPU). */
export const NO_WEBGPU_ADAPTER = 'no WebGPU adapter found (no GPU driver that Dawn can use)';

/**
 * Asks Dawn for its best adapter and classifies it; the device is opened only by `register`, so an
 * adapter passed over costs no device. Returns the adapter, or why there is none (one line, for `fallbacks`).
 */
export async function findWebgpuAdapter(firstLine: (err: unknown) => string): Promise<WebgpuAdapter | string> {
  let dawn: Dawn;
  try {
    dawn = (await import(/* @vite-ignore */ dawnModule())) as Dawn;
  } catch (err) {
    return `the webgpu package (Dawn) is not installed or failed to load (${firstLine(err)})`;
  }
  let gpu: ReturnType<Dawn['create']> | null;
  let adapter: DawnAdapter | null;
  try {
    gpu = dawn.create([]);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return `Dawn could not look for an adapter (${firstLine(err)})`;
  }
  if (!adapter) return NO_WEBGPU_ADAPTER;
  const found = adapter;
  const kind = classifyAdapter(facts(found));
  let device: DawnDevice | null = null;
  return {
    ...kind,
    async register() {
      if (tf.findBackendFactory('webgpu')) return null;
      const Backend = await loadTfjsWebgpu(firstLine);
      if (typeof Backend === 'string') return Backend;
      try {
        device = await found.requestDevice(deviceDescriptor(found));
      } catch (err) {
        return `${adapterLabel(kind)}: the device could not be opened (${firstLine(err)})`;
      }
      // tfjs-backend-webgpu names GPUBufferUsage, GPUMapMode… as globals, as a browser has them.
      Object.assign(globalThis, dawn.globals);
      exposeGpu(gpu);
      const NodeBackend = nodeBackendClass(Backend);
      const opened = device;
      tf.registerBackend('webgpu', () => new NodeBackend(opened, found.info), 0);
      return null;
    },
    release() {
      if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
      device?.destroy();
      device = null;
      gpu = null;
      hideGpu();
    },
  };
}

interface WebgpuInternals {
  tensorMap: { get(dataId: object): { values: unknown; dtype: string } };
}

/**
 * tfjs-backend-webgpu with a readSync that says why it cannot read: its own reads through an
 * OffscreenCanvas and throws "OffscreenCanvas is not defined" under Node. Values already on the CPU
 * (uploaded, or read once with `await data()`) are still returned.
 */
function nodeBackendClass(Base: BackendClass): BackendClass {
  return class NodeWebgpuBackend extends Base {
    override readSync(dataId: object): ReturnType<tf.KernelBackend['readSync']> {
      const data = (this as unknown as WebgpuInternals).tensorMap.get(dataId);
      if (data.values != null || data.dtype === 'string' || (globalThis as unknown as Loose).OffscreenCanvas !== undefined) return super.readSync(dataId);
      throw new Error(`${NO_SYNC_READ}: read with await data() (src/engine/tensor-read.ts)`);
    }
  };
}
