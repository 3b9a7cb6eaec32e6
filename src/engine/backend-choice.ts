/**
 * The backend this process chose (./backend's initBackend sets it). Its own module because the
 * trainer reports the backend's name, and ./backend's smoke check runs the trainer's step: kept in
 * ./backend, the two would import each other.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../shared/vocabulary';

export interface BackendInfo {
  name: BackendName;
  /** Why the preferred backends were passed over, e.g. "tensorflow: tfjs-node is not installed". */
  fallbacks: string[];
  /** The adapter the webgpu backend runs on, e.g. "NVIDIA GeForce RTX 3060" or "SwiftShader (software)". */
  adapter?: string;
  /**
   * The entry of `fallbacks` that only says this machine has no GPU to use (Dawn found no adapter, or only
   * a software one that `auto` passes over): the ordinary state of many machines, not a fault to warn of.
   */
  noGpu?: string;
}

let chosen: BackendInfo | null = null;

export function chosenBackend(): BackendInfo | null {
  return chosen;
}

export function setChosenBackend(info: BackendInfo): BackendInfo {
  chosen = info;
  return info;
}

export function backendName(): BackendName {
  return (chosen?.name ?? tf.getBackend()) as BackendName;
}

/**
 * The version of the TensorFlow C library under the tensorflow backend (e.g. "2.21.0"), or null where
 * that backend is not loaded. Read for reports only: users' installs and CI's run different libraries,
 * at different speeds (docs/PERFORMANCE.md).
 */
export function nativeTensorflowVersion(): string | null {
  const version = (tf.findBackend('tensorflow') as { binding?: { TF_Version?: unknown } } | undefined)?.binding?.TF_Version;
  return typeof version === 'string' ? version : null;
}
