/** Which adapters count as a real GPU: decided from WebGPU's adapter info alone. */
import { describe, expect, it } from 'vitest';
import { adapterLabel, classifyAdapter, type AdapterFacts } from '../../../src/engine/webgpu-adapter';

describe('classifyAdapter', () => {
  it.each<[string, AdapterFacts, { software: boolean; label: string }]>([
    // What Dawn reports for Chromium's SwiftShader Vulkan driver (read on this machine).
    [
      'SwiftShader through Dawn',
      {
        vendor: 'google',
        architecture: 'swiftshader',
        device: 'swiftshader-device-subzero-',
        description: 'SwiftShader driver 5.0.0',
        isFallbackAdapter: true,
      },
      { software: true, label: 'SwiftShader' },
    ],
    ['SwiftShader without the fallback flag', { vendor: 'google', architecture: 'swiftshader' }, { software: true, label: 'SwiftShader' }],
    ["Mesa's llvmpipe", { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, { software: true, label: 'llvmpipe' }],
    ["Mesa's lavapipe", { vendor: 'mesa', device: 'lavapipe' }, { software: true, label: 'lavapipe' }],
    ["Windows' WARP", { vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }, { software: true, label: 'Microsoft Basic Render Driver' }],
    ['an unnamed fallback adapter', { vendor: 'acme', description: 'Acme Raster', isFallbackAdapter: true }, { software: true, label: 'Acme Raster' }],
    [
      'an NVIDIA GPU',
      { vendor: 'nvidia', architecture: 'ada', description: 'NVIDIA GeForce RTX 4090', isFallbackAdapter: false },
      { software: false, label: 'NVIDIA GeForce RTX 4090' },
    ],
    ['an AMD GPU without a description', { vendor: 'amd', architecture: 'rdna-3' }, { software: false, label: 'amd rdna-3' }],
    ['an Apple GPU', { vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' }, { software: false, label: 'Apple M2' }],
    [
      'an Intel GPU',
      { vendor: 'intel', architecture: 'gen-12lp', description: 'Intel(R) Iris(R) Xe Graphics' },
      { software: false, label: 'Intel(R) Iris(R) Xe Graphics' },
    ],
    ['an adapter that says nothing', {}, { software: false, label: 'an unnamed adapter' }],
  ])('%s', (_, facts, kind) => {
    expect(classifyAdapter(facts)).toEqual(kind);
  });

  it('labels a software adapter as such for the status bar and fallbacks', () => {
    expect(adapterLabel({ software: true, label: 'SwiftShader' })).toBe('SwiftShader (software)');
    expect(adapterLabel({ software: false, label: 'NVIDIA GeForce RTX 4090' })).toBe('NVIDIA GeForce RTX 4090');
  });
});
