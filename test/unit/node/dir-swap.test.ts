import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLeftover, recoverDir, setSwapFaultHook, sweepFolder, type SwapStep } from '../../../src/node/dir-swap';
import { writeDirAtomic } from '../../../src/node/files';
import { tempDir } from '../helpers';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  setSwapFaultHook(null);
  await dir.cleanup();
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

async function stage(name: string, content = 'x'): Promise<void> {
  await mkdir(join(dir.path, name));
  await writeFile(join(dir.path, name, 'f'), content);
}

describe('dir-swap recovery and sweep', () => {
  it('reads the names it and older versions wrote, and nothing else', () => {
    expect(parseLeftover('.m.old-12-ab09')).toEqual({ name: '.m.old-12-ab09', base: 'm', kind: 'old', pid: 12 });
    expect(parseLeftover('.run-1.tmp-7-1733500000000.old')?.kind).toBe('old');
    expect(parseLeftover('.run-1.tmp-7-1733500000000')?.kind).toBe('tmp');
    for (const name of ['m', '.m', 'm.old-1-ab', '.m.old-x-ab', '.m.bak-1-ab', '.m.old-1-zz']) expect(parseLeftover(name), name).toBeNull();
  });

  it('leaves a live writer between its renames alone', async () => {
    await stage(`.m.old-${process.ppid}-aa`);
    await stage(`.m.new-${process.ppid}-bb`);
    expect(await recoverDir(join(dir.path, 'm'))).toBeNull();
    expect(await sweepFolder(dir.path)).toBe(0);
    expect((await readdir(dir.path)).sort()).toEqual([`.m.new-${process.ppid}-bb`, `.m.old-${process.ppid}-aa`]);
  });

  it("puts a dead writer's complete stage back (new before old) and deletes the rest, but not a user's files", async () => {
    const pid = deadPid();
    await stage(`.m.old-${pid}-aa`, 'old');
    await stage(`.m.new-${pid}-bb`, 'new');
    await stage(`.m.tmp-${pid}-cc`);
    await stage(`.other.tmp-${pid}-dd`);
    await writeFile(join(dir.path, '.m.backup'), 'mine');
    await writeFile(join(dir.path, `m.old-${pid}-aa`), 'mine too');
    expect(await sweepFolder(dir.path)).toBe(1);
    expect((await readdir(dir.path)).sort()).toEqual(['.m.backup', 'm', `m.old-${pid}-aa`]);
    expect(await readdir(join(dir.path, 'm'))).toEqual(['f']);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(join(dir.path, 'm', 'f'), 'utf8')).toBe('new');
  });

  it('without sweep (a folder the app does not own) only renames the model back', async () => {
    const pid = deadPid();
    await stage(`.m.old-${pid}-aa`);
    await stage(`.m.tmp-${pid}-cc`);
    expect(await recoverDir(join(dir.path, 'm'), { sweep: false })).toContain(`.m.old-${pid}-aa`);
    expect((await readdir(dir.path)).sort()).toEqual([`.m.tmp-${pid}-cc`, 'm']);
  });

  it.each(['ready', 'moved-old'] as SwapStep[])('a swap that fails (not a crash) at %s puts the previous folder back and leaves no stage', async (step) => {
    const target = join(dir.path, 'frames');
    await writeDirAtomic(
      target,
      (fresh) => writeFile(join(fresh, 'f'), 'old'),
      () => true,
    );
    setSwapFaultHook((reached) => {
      if (reached === step) throw new Error('injected failure');
    });
    await expect(
      writeDirAtomic(
        target,
        (fresh) => writeFile(join(fresh, 'f'), 'new'),
        () => true,
      ),
    ).rejects.toThrow('injected failure');
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(join(target, 'f'), 'utf8')).toBe('old');
    expect(await readdir(dir.path)).toEqual(['frames']);
  });
});
