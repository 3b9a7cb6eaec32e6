/** Unreadable files and folders are skipped with "permission denied" (as user nobody when run as root). */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ingestFolder } from '../../../../src/engine/data/image-folder';
import { repoRoot, small, solid, tempDir } from './image-fixtures';

describe('ingestFolder: permissions', () => {
  it('skips unreadable files and folders with "permission denied"', async () => {
    const dir = await tempDir('perm');
    const cacheDir = await tempDir('perm-cache');
    await solid(10, 10, [1, 2, 3]).png().toFile(join(dir, 'ok.png'));
    await solid(10, 10, [1, 2, 3]).png().toFile(join(dir, 'locked.png'));
    await mkdir(join(dir, 'locked-folder'));
    await solid(10, 10, [1, 2, 3])
      .png()
      .toFile(join(dir, 'locked-folder', 'inside.png'));
    await chmod(join(dir, 'locked.png'), 0o000);
    await chmod(join(dir, 'locked-folder'), 0o000);

    let report: { loaded: number; skipped: { file: string; reason: string }[] };
    if (process.getuid?.() !== 0) {
      report = (await ingestFolder(dir, { ...small, cacheDir })).report;
    } else {
      // Root reads everything, so permission checks cannot be seen from this process. Run the same
      // ingest as the unprivileged user "nobody" (uid 65534) in a child process instead.
      for (const d of [dir, cacheDir]) await chmod(d, 0o777);
      await chmod(join(dir, 'ok.png'), 0o644);
      const script = join(cacheDir, 'ingest-as-nobody.mts');
      await writeFile(
        script,
        [
          `import { ingestFolder } from ${JSON.stringify(join(repoRoot, 'src/engine/data/image-folder.ts'))};`,
          `const { report } = await ingestFolder(${JSON.stringify(dir)}, { size: 16, color: 'rgb', fit: 'cover', cacheDir: ${JSON.stringify(join(cacheDir, 'c'))} });`,
          'process.stdout.write(JSON.stringify(report));',
        ].join('\n'),
      );
      await chmod(script, 0o644);
      const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
        cwd: repoRoot,
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        env: { ...process.env, HOME: '/tmp' },
        timeout: 60_000,
      });
      expect(child.status, child.stderr.slice(0, 2000)).toBe(0);
      report = JSON.parse(child.stdout);
    }
    expect(report.loaded).toBe(1);
    expect(report.skipped).toEqual([
      { file: 'locked-folder/', reason: 'cannot read folder: permission denied' },
      { file: 'locked.png', reason: 'cannot read file: permission denied' },
    ]);
  });
});
