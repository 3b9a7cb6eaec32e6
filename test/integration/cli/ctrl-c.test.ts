/** Ctrl-C: `train` stops after the current step, keeps the epochs it finished, and exits 130. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../unit/helpers';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'latentscape.js');

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('latentscape-ctrl-c-');
});
afterAll(() => dir.cleanup());

describe('Ctrl-C', () => {
  it('train exits 130 after the first epoch, its checkpoint kept', async () => {
    const out = join(dir.path, 'm');
    const args = ['train', '--data', 'mnist', '--limit', '500', '--epochs', '1000', '--out', out, '--json'];
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LATENTSCAPE_BACKEND: 'wasm' } });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
      // The first epoch line: the model is saved, stop it now.
      if (stdout.includes('"epoch":1') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    const final = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(final).toMatchObject({ final: true, cancelled: true });
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.epochsCompleted).toBeGreaterThanOrEqual(1);
  });
});
