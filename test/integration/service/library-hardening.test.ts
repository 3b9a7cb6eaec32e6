/**
 * The library with the REAL engine, against damaged and half-written model folders: an import checks
 * the weights before copying (and says why it refuses), the listing marks a model whose weights are
 * damaged, and a model left in a hidden stage by a killed save comes back at the service's start and
 * in the listing, the dead writer's other stages swept.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkNodeEngine } from '../../../src/service/node-engine';
import { AppService } from '../../../src/service/service';
import type { CallOutput } from '../../../src/shared/contract';
import { call, refusal, tempDirs } from './service-calls';

const DEFAULT_MODEL = resolve('resources/default-model');
const tempDir = tempDirs('ls-libh');

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

/** A copy of the default model at `dir`, with `damage` applied to its weights.bin (and manifest). */
function damagedCopy(dir: string, damage: (weights: string, manifest: Record<string, any>) => void): string {
  cpSync(DEFAULT_MODEL, dir, { recursive: true });
  const manifestFile = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  damage(join(dir, 'weights.bin'), manifest);
  writeFileSync(manifestFile, JSON.stringify(manifest));
  return dir;
}

describe('the library against damaged and half-written models (real engine)', () => {
  let service: AppService;
  let dataDir: string;
  let root: string;
  const models = (): string => join(dataDir, 'models');
  const list = (): Promise<CallOutput<'modelsList'>> => call(service, 'modelsList', {});
  const dead = deadPid();

  beforeAll(async () => {
    root = tempDir('root');
    dataDir = tempDir('data');
    // A save killed before the service started: the model sits in its .old stage, a partial run beside it.
    mkdirSync(models());
    cpSync(DEFAULT_MODEL, join(models(), `.saved.old-${dead}-ab12`), { recursive: true });
    mkdirSync(join(models(), `.saved.tmp-${dead}-cd34`));
    mkdirSync(join(models(), `.run-1.tmp-${dead}-ef56`));
    writeFileSync(join(models(), `.run-1.tmp-${dead}-ef56`, 'weights.bin'), 'partial');
    service = new AppService({ dataDir, spawnEngine: () => forkNodeEngine(), backend: 'wasm', defaultModelDir: DEFAULT_MODEL, allowedRoots: [root] });
    await service.start();
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('the start puts a killed save’s model back and sweeps the dead writer’s stages', () => {
    expect(readdirSync(models()).sort()).toEqual(['saved']);
  });

  it('the listing recovers a model an engine killed mid-save left in a hidden stage', async () => {
    const pid = deadPid();
    renameSync(join(models(), 'saved'), join(models(), `.saved.old-${pid}-0a`));
    cpSync(DEFAULT_MODEL, join(models(), `.saved.new-${pid}-0b`), { recursive: true });
    const listed = await list();
    expect(listed.models.map((m) => m.id)).toContain('saved');
    expect(readdirSync(models()).sort()).toEqual(['saved']);
  });

  it('refuses to import a truncated, corrupt, NaN or linked weights.bin, or a manifest.json that is a named pipe, saying why and copying nothing', async () => {
    const before = readdirSync(models()).sort();
    const cases: [string, string, RegExp][] = [
      [damagedCopy(join(root, 'truncated'), (w) => truncateSync(w, 1000)), 'bad-model', /truncated/],
      [damagedCopy(join(root, 'flipped'), (w) => writeFileSync(w, Buffer.alloc(readFileSync(w).length, 7))), 'bad-model', /checksum/],
      [
        damagedCopy(join(root, 'nan'), (w, m) => {
          const bytes = readFileSync(w);
          bytes.writeFloatLE(Number.NaN, 0);
          writeFileSync(w, bytes);
          m.weights.sha256 = createHash('sha256').update(bytes).digest('hex');
        }),
        'bad-model',
        /not finite/,
      ],
      [
        damagedCopy(join(root, 'linked'), (w) => {
          renameSync(w, join(root, 'elsewhere.bin'));
          symlinkSync(join(root, 'elsewhere.bin'), w);
        }),
        'bad-model',
        /symbolic link/,
      ],
    ];
    const fifo = join(root, 'piped');
    mkdirSync(fifo);
    expect(spawnSync('mkfifo', [join(fifo, 'manifest.json')]).status).toBe(0);
    cases.push([fifo, 'not-a-model', /manifest\.json is a named pipe/]);
    for (const [path, code, message] of cases) {
      expect(await refusal(service, 'modelImport', { path }), path).toMatchObject({ code, message: expect.stringMatching(message) });
    }
    expect(readdirSync(models()).sort()).toEqual(before);
  });

  it('lists a model whose weights are damaged as unreadable, with the reason', async () => {
    damagedCopy(join(models(), 'damaged'), (w) => truncateSync(w, 1000));
    const listed = await list();
    expect(listed.models.map((m) => m.id)).not.toContain('damaged');
    expect(listed.unreadable).toEqual([{ id: 'damaged', reason: expect.stringMatching(/truncated/) }]);
    expect(existsSync(join(models(), 'damaged', 'weights.bin'))).toBe(true); // marked, not touched
  });
});
