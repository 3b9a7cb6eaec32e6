/**
 * A process killed (SIGKILL) at every step of a checkpoint swap, and of the recovery after it: the
 * model's folder must then open, resume and sample as one of the two complete checkpoints, and the
 * crashed writer's hidden stages must be gone once it does.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadModel, readManifest } from '../../../src/engine/train/checkpoint';
import { inspectOutDir, outDirRefusal } from '../../../src/engine/train/out-dir';
import { sweepFolder } from '../../../src/node/dir-swap';
import { writeDirAtomic } from '../../../src/node/files';
import { runCli, tempDir, useTestBackend } from '../../unit/helpers';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'swap-crash-child.ts');

beforeAll(useTestBackend);

let dir: { path: string; cleanup: () => Promise<void> };
let model: string;
beforeEach(async () => {
  dir = await tempDir();
  model = join(dir.path, 'model');
});
afterEach(() => dir.cleanup());

/** Runs the child; kills it with SIGKILL when it stops at `stopAt`. Resolves with the step it was killed at (null: it finished). */
function runChild(mode: 'save' | 'write' | 'recover', target: string, stopAt: string, generation = 1): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, target, stopAt, String(generation)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killedAt: string | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const stopped = /stopped (\S+)/.exec(out);
      if (stopped && killedAt === null) {
        killedAt = stopped[1];
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    // 'exit' comes after the child is reaped: its pid is dead for the recovery's liveness check.
    child.on('exit', (code, signal) => {
      if (killedAt !== null && signal === 'SIGKILL') resolve(killedAt);
      else if (code === 0 && out.includes('done')) resolve(null);
      else reject(new Error(`child ${mode} ended with ${code ?? signal}: ${err.slice(-800)}`));
    });
  });
}

async function expectOnlyModel(): Promise<void> {
  expect(await readdir(dir.path)).toEqual(['model']);
}

describe('a checkpoint save killed at each step', () => {
  // The epochs the model at --out holds after the kill: the old checkpoint (1) until the new one (2) is complete.
  const steps: [string, number][] = [
    ['filled', 1],
    ['ready', 1],
    ['moved-old', 2],
    ['placed', 2],
    ['none', 2],
  ];

  it.each(steps)('killed at %s: open, resume and sample find the checkpoint of epoch %i', async (step, epochs) => {
    expect(await runChild('save', model, 'none', 1)).toBeNull();
    expect(await runChild('save', model, step, 2)).toBe(step === 'none' ? null : step);
    if (step === 'moved-old') expect(await readdir(dir.path)).not.toContain('model'); // the instant that used to lose the model

    const loaded = await loadModel(model, { withOptimizer: true }); // what `sample` and `--resume` load
    expect(loaded.manifest.epochsCompleted).toBe(epochs);
    loaded.vae.dispose();
    const state = await inspectOutDir(model); // `train --resume`'s check, which also sweeps the crashed stages
    expect(state).toEqual({ kind: 'model', epochsCompleted: epochs });
    expect(outDirRefusal(model, state, { resume: true, force: false })).toBeNull();
    await expectOnlyModel();
  });

  it.each([
    ['filled', null],
    ['ready', 2],
  ] as const)('a first save killed at %s leaves a model of epoch %s or nothing, and no stage after the sweep', async (step, epochs) => {
    expect(await runChild('save', model, step, 2)).toBe(step);
    if (epochs === null) await expect(readManifest(model)).rejects.toThrow(/model directory not found/);
    else expect((await readManifest(model)).epochsCompleted).toBe(epochs);
    await sweepFolder(dir.path);
    expect(await readdir(dir.path)).toEqual(epochs === null ? [] : ['model']);
  });

  it('`latentscape sample` finds the model a save killed between its two renames left hidden', async () => {
    await runChild('save', model, 'none', 1);
    expect(await runChild('save', model, 'moved-old', 2)).toBe('moved-old');
    const png = join(dir.path, 'grid.png');
    const run = runCli(['sample', '--model', model, '--out', png, '--n', '4', '--backend', 'cpu', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines.at(-1)).toMatchObject({ out: png, n: 4, final: true });
  });

  it.each(['recovering', 'recovered'])('a recovery killed at %s is recovered by the next open', async (step) => {
    await runChild('save', model, 'none', 1);
    expect(await runChild('save', model, 'moved-old', 2)).toBe('moved-old');
    expect(await runChild('recover', model, step)).toBe(step);
    expect((await readManifest(model)).epochsCompleted).toBe(2);
    await inspectOutDir(model);
    await expectOnlyModel();
  });
});

describe('writeDirAtomic killed at each step', () => {
  it.each([
    ['filled', '1'],
    ['ready', '1'],
    ['moved-old', '2'],
    ['placed', '2'],
  ])('killed at %s: the folder holds generation %s after the sweep', async (step, generation) => {
    await mkdir(model);
    expect(await runChild('write', model, 'none', 1)).toBeNull();
    expect(await runChild('write', model, step, 2)).toBe(step);
    await sweepFolder(dir.path);
    expect(await readFile(join(model, 'generation'), 'utf8')).toBe(generation);
    await expectOnlyModel();
  });

  it('the next write of the same folder after a kill at moved-old brings it back, checks it and replaces it', async () => {
    await mkdir(model);
    await runChild('write', model, 'none', 1);
    expect(await runChild('write', model, 'moved-old', 2)).toBe('moved-old');
    await writeDirAtomic(
      model,
      (fresh) => writeFile(join(fresh, 'generation'), '3'),
      (name) => name === 'generation',
    );
    expect(await readFile(join(model, 'generation'), 'utf8')).toBe('3');
    await expectOnlyModel();
  });
});
