import { describe, expect, it } from 'vitest';
import { compileKernelsWat } from '../../../../src/engine/kernels/build-wasm';
import { KERNELS_WASM_BASE64 } from '../../../../src/engine/kernels/kernels-wasm';

describe('kernels.wat', () => {
  it('the embedded wasm is kernels.wat compiled (rerun build-wasm.ts after editing it)', async () => {
    const fresh = Buffer.from(await compileKernelsWat()).toString('base64');
    expect(KERNELS_WASM_BASE64).toBe(fresh);
  });
});
