/** Quiet by default: the native start-up lines no log level reaches are taken out of stderr (issue 25, CLI). */
import { describe, expect, it } from 'vitest';
import { needsStderrFilter } from '../../../src/cli/filtered-stderr';
import { isNativeStartUpLine, nativeLineFilter } from '../../../src/cli/native-logs';

const ABSL = 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR';
const ONEDNN =
  'I0000 00:00:1796586907.978429   25027 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.';

function filtered(chunks: string[]): string {
  let out = '';
  const filter = nativeLineFilter((text) => (out += text));
  for (const c of chunks) filter.push(c);
  filter.end();
  return out;
}

describe('the native start-up lines', () => {
  it('are recognised, and nothing else is', () => {
    expect(isNativeStartUpLine(ABSL)).toBe(true);
    expect(isNativeStartUpLine(ONEDNN)).toBe(true);
    expect(isNativeStartUpLine('latentscape train: oneDNN custom operations are on')).toBe(false);
    expect(isNativeStartUpLine('I0000 00:00:1796586916.910745   25240 cpu_feature_guard.cc:227] This TensorFlow binary is optimized')).toBe(false);
  });

  it('are taken out however the text is cut into chunks; the rest passes unchanged', () => {
    const text = `${ABSL}\n${ONEDNN}\nbackend: tensorflow\nthis model has no fitted latent density\n`;
    const want = 'backend: tensorflow\nthis model has no fitted latent density\n';
    expect(filtered([text])).toBe(want);
    for (const size of [1, 7, 40, 101]) {
      const chunks = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      expect(filtered(chunks), `chunks of ${size}`).toBe(want);
    }
  });

  it("take out Dawn's report of a Vulkan driver it cannot use, and the loader's XDG_RUNTIME_DIR complaint, however cut", () => {
    const dawn = [
      'error: XDG_RUNTIME_DIR is invalid or not set in the environment.',
      'error: XDG_RUNTIME_DIR is invalid or not set in the environment.',
      'Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.',
      ' - While initializing adapter (backend=BackendType::Vulkan)',
      '    at InitializeImpl (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/PhysicalDeviceVk.cpp:257)',
      '',
    ].join('\n');
    const text = `${dawn}\nout=/tmp/s.png  n=4\nWarning: the model has no fitted latent density\n    at most 3 images\n\n`;
    const want = 'out=/tmp/s.png  n=4\nWarning: the model has no fitted latent density\n    at most 3 images\n\n';
    expect(filtered([text])).toBe(want);
    for (const size of [1, 7, 40, 101]) {
      const chunks = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      expect(filtered(chunks), `chunks of ${size}`).toBe(want);
    }
    expect(filtered(['Warning: last words'])).toBe('Warning: last words');
    expect(filtered(['Warning: last words\n'])).toBe('Warning: last words\n');
  });

  it('a progress bar redrawn with \\r passes at once, without waiting for a newline', () => {
    let out = '';
    const filter = nativeLineFilter((text) => (out += text));
    filter.push('\r\x1b[2Ktrain [###...] 10% ETA 20 s');
    expect(out).toBe('\r\x1b[2Ktrain [###...] 10% ETA 20 s');
    filter.push('W');
    expect(out).toBe('\r\x1b[2Ktrain [###...] 10% ETA 20 s');
    filter.push('ARNING: disk almost full\n');
    expect(out).toBe('\r\x1b[2Ktrain [###...] 10% ETA 20 s' + 'WARNING: disk almost full\n');
  });
});

describe('which commands run behind the filter', () => {
  it('those that may load native TensorFlow, unless --verbose', () => {
    expect(needsStderrFilter('sample', [], {})).toBe(true);
    expect(needsStderrFilter('train', ['--backend', 'tensorflow'], {})).toBe(true);
    expect(needsStderrFilter('train', ['--backend=wasm'], {})).toBe(false);
    expect(needsStderrFilter('train', [], { LATENTSCAPE_BACKEND: 'cpu' })).toBe(false);
    expect(needsStderrFilter('train', ['--backend', 'tensorflow'], { LATENTSCAPE_BACKEND: 'wasm' })).toBe(true);
    expect(needsStderrFilter('train', ['--verbose'], {})).toBe(false);
    expect(needsStderrFilter('serve', [], {})).toBe(false);
    expect(needsStderrFilter('completion', [], {})).toBe(false);
    // The child itself runs as it is.
    expect(needsStderrFilter('sample', [], { LATENTSCAPE_STDERR_FILTERED: '1' })).toBe(false);
  });
});
