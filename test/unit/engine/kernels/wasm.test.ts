import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { WAT_PATH, compileAdamFlushedWat, compileKernelsWat, relaxedKernelsWat } from '../../../../src/engine/kernels/build-wasm';
import { ADAM_FLUSHED_WASM_BASE64 } from '../../../../src/engine/kernels/adam-flushed-wasm';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../../../../src/engine/kernels/kernels-wasm';

/** The text of one exported function of a wat source, from its `(func (export "name")` to the next one. */
function funcText(source: string, name: string): string {
  const start = source.indexOf(`(func (export "${name}")`);
  const next = source.indexOf('(func (export', start + 1);
  return source.slice(start, next < 0 ? undefined : next);
}

describe('kernels.wat', () => {
  it('the embedded wasm is kernels.wat compiled (rerun build-wasm.ts after editing it)', async () => {
    const fresh = Buffer.from(await compileKernelsWat()).toString('base64');
    expect(KERNELS_WASM_BASE64).toBe(fresh);
  });

  it('the embedded native Adam is adam-flushed.wat compiled (rerun build-wasm.ts after editing it)', async () => {
    expect(ADAM_FLUSHED_WASM_BASE64).toBe(Buffer.from(await compileAdamFlushedWat()).toString('base64'));
  });

  it('the embedded relaxed build is kernels.wat compiled with relaxed multiply-adds', async () => {
    const fresh = Buffer.from(await compileKernelsWat('relaxed')).toString('base64');
    expect(KERNELS_RELAXED_WASM_BASE64).toBe(fresh);
    expect(KERNELS_RELAXED_WASM_BASE64).not.toBe(KERNELS_WASM_BASE64);
  });

  it('the relaxed build fuses every product accumulation of matmul and filterGrad4, and leaves Adam as it is', async () => {
    const plain = await readFile(WAT_PATH, 'utf8');
    const { source, rewrites } = relaxedKernelsWat(plain);
    const accumulations = (text: string): number => text.match(/\(f32x4\.add \(local\.get \$c\d\d\)/g)?.length ?? 0;
    const madds = (text: string): number => text.match(/f32x4\.relaxed_madd/g)?.length ?? 0;
    for (const name of ['matmul', 'filterGrad4']) {
      expect(accumulations(funcText(plain, name))).toBeGreaterThan(0);
      expect(accumulations(funcText(source, name))).toBe(0);
      expect(madds(funcText(source, name))).toBe(accumulations(funcText(plain, name)));
    }
    expect(rewrites).toBe(accumulations(plain));
    expect(funcText(source, 'adam')).toBe(funcText(plain, 'adam'));
    // the operands move in front of the accumulator: relaxed_madd(x, y, acc) = x·y + acc
    expect(source).toContain('(f32x4.relaxed_madd (local.get $s) (local.get $x) (local.get $c00))');
  });
});
