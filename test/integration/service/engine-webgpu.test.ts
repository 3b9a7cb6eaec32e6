/**
 * Under `auto` the engine process chooses webgpu first on a real GPU, and the status names the adapter.
 * The engine is given Dawn's stand-in (test/fixtures/webgpu-standin.mjs) in `disguise` mode: Dawn's real
 * adapter (SwiftShader here) reporting itself as an NVIDIA GPU, so the choice is a real GPU's while the
 * smoke check runs on Dawn for real. Skipped with the reason where Dawn finds no adapter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkNodeEngine } from '../../../src/service/node-engine';
import { AppService } from '../../../src/service/service';
import { softwareAdapterEnv, webgpuMissing } from '../../webgpu-status';

const STANDIN = join(__dirname, '..', '..', 'fixtures', 'webgpu-standin.mjs');
const GPU = { vendor: 'nvidia', architecture: 'ada', device: '', description: 'NVIDIA GeForce RTX 4090' };
const missing = webgpuMissing();

describe.skipIf(missing !== null)(`the engine process on a real GPU${missing ? ` — skipped: ${missing}` : ''}`, () => {
  let dataDir: string;
  let service: AppService;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ls-engine-webgpu-'));
    const env = {
      ...softwareAdapterEnv(),
      LATENTSCAPE_BACKEND: '',
      LATENTSCAPE_WEBGPU_MODULE: STANDIN,
      WEBGPU_STANDIN: 'disguise',
      WEBGPU_STANDIN_INFO: JSON.stringify(GPU),
    };
    service = new AppService({ dataDir, spawnEngine: () => forkNodeEngine({ env }) });
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says backend webgpu, with the adapter named and nothing passed over', () => {
    const status = service.status();
    expect(status.backend).toBe('webgpu');
    expect(status.adapter).toBe('NVIDIA GeForce RTX 4090');
    expect(status.fallbacks).toEqual([]);
  });
});
