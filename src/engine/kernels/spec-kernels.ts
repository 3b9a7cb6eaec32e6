/**
 * Registers a small kernel on wasm and cpu from one description: its inputs, its output's shape, its
 * call into kernels.wat (over the wasm heap, in place) and its JavaScript loop (the reference, run on
 * cpu, and on wasm where kernels.wat cannot be instantiated). The loops and the wat functions compute
 * in the same order, so both backends give the same floats.
 */
import * as tf from '@tensorflow/tfjs-core';
import { heapKernels, type CpuBackendLike, type HeapKernels, type WasmBackendLike } from './heap';

export interface KernelSpec {
  name: string;
  inputs: string[];
  /** The output's shape, from the first input's (and the others', when it needs them). */
  outShape: (x: tf.TensorInfo, all: tf.TensorInfo[]) => number[];
  /** The call into kernels.wat: input and output byte offsets, the first input, and all of them. */
  heap: (h: HeapKernels, inputs: number[], out: number, x: tf.TensorInfo, all: tf.TensorInfo[]) => void;
  loop: (inputs: Float32Array[], out: Float32Array, x: tf.TensorInfo, all: tf.TensorInfo[]) => void;
}

export const size = (shape: number[]): number => shape.reduce((p, q) => p * q, 1);

function wasmKernel(k: KernelSpec): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const ins = k.inputs.map((n) => inputs[n] as tf.TensorInfo);
    // Allocate before taking views or offsets: a heap that grows detaches older views.
    const out = wasm.makeOutput(k.outShape(ins[0], ins), 'float32');
    const heap = heapKernels(backend);
    if (heap)
      k.heap(
        heap,
        ins.map((t) => heap.offset(t)),
        heap.offset(out),
        ins[0],
        ins,
      );
    else
      k.loop(
        ins.map((t) => wasm.typedArrayFromHeap(t)),
        wasm.typedArrayFromHeap(out),
        ins[0],
        ins,
      );
    return out;
  };
}

function cpuKernel(k: KernelSpec): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const ins = k.inputs.map((n) => inputs[n] as tf.TensorInfo);
    const shape = k.outShape(ins[0], ins);
    const out = new Float32Array(size(shape));
    k.loop(
      ins.map((t) => cpu.data.get(t.dataId).values),
      out,
      ins[0],
      ins,
    );
    return cpu.makeTensorInfo(shape, 'float32', out);
  };
}

/** Registers each kernel on wasm and cpu unless a kernel of that name is there already. */
export function registerSpecKernels(specs: KernelSpec[]): void {
  for (const k of specs) {
    if (!tf.getKernel(k.name, 'wasm')) tf.registerKernel({ kernelName: k.name, backendName: 'wasm', kernelFunc: wasmKernel(k) });
    if (!tf.getKernel(k.name, 'cpu')) tf.registerKernel({ kernelName: k.name, backendName: 'cpu', kernelFunc: cpuKernel(k) });
  }
}

export function checkFloat(name: string, ...ts: tf.Tensor[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${name} needs float32, got ${t.dtype}`);
}
