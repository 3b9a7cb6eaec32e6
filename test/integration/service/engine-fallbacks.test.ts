/**
 * The status the app shows about its backend comes from the real engine's choice: here the engine
 * process is given a tensorflow backend whose first op throws (test/fixtures/broken-tfjs-node.cjs),
 * and the status must say that it runs on wasm and why tensorflow was passed over.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkNodeEngine } from '../../../src/service/node-engine';
import { AppService } from '../../../src/service/service';

const BROKEN = join(__dirname, '..', '..', 'fixtures', 'broken-tfjs-node.cjs');
/** Dawn's stand-in with no adapter, so that webgpu is passed over the same way on every machine. */
const NO_WEBGPU = join(__dirname, '..', '..', 'fixtures', 'webgpu-standin.mjs');

describe('the backend fallbacks in the status', () => {
  let dataDir: string;
  let service: AppService;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-fallbacks-'));
    const env = {
      LATENTSCAPE_BACKEND: '',
      LATENTSCAPE_TFJS_NODE: BROKEN,
      BROKEN_TFJS_NODE: 'throw',
      LATENTSCAPE_WEBGPU_MODULE: NO_WEBGPU,
      WEBGPU_STANDIN: 'no-adapter',
    };
    service = new AppService({ dataDir, spawnEngine: () => forkNodeEngine({ env }) });
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the backend the engine chose and why it passed tensorflow over', () => {
    const status = service.status();
    expect(status.backend).toBe('wasm');
    expect(status.fallbacks).toEqual([
      'webgpu: no WebGPU adapter found (no GPU driver that Dawn can use)',
      'tensorflow: smoke check threw: (0 , util_1.isNullOrUndefined) is not a function',
    ]);
    // The engine marks the first as this machine's ordinary state (no GPU); the second is a fault.
    expect(status.noGpu).toBe('webgpu: no WebGPU adapter found (no GPU driver that Dawn can use)');
  });
});
