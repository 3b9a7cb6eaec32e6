import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from '../../unit/helpers';

function cli(...args: string[]): CliRun {
  return runCli(args);
}

let dir: { path: string; cleanup: () => Promise<void> };
let images: string;
let cache: string;
beforeAll(async () => {
  dir = await tempDir('latentscape-ingest-cli-');
  images = join(dir.path, 'photos');
  cache = join(dir.path, 'cache');
  for (const label of ['cats', 'dogs']) {
    await mkdir(join(images, label), { recursive: true });
    for (let i = 0; i < 3; i++) {
      await sharp({ create: { width: 30 + i, height: 20, channels: 3, background: { r: 40 * i, g: label === 'cats' ? 200 : 20, b: 90 } } })
        .jpeg()
        .toFile(join(images, label, `${i}.jpg`));
    }
  }
  await writeFile(join(images, 'cats', 'broken.jpg'), 'not an image');
  await mkdir(join(dir.path, 'nothing-here'));
  await writeFile(join(dir.path, 'nothing-here', 'readme.txt'), 'no pictures');
});
afterAll(() => dir.cleanup());

describe('latentscape ingest', () => {
  it('--json: progress lines, then the final report; a second run is a cache hit', () => {
    const first = cli('ingest', images, '--size', '32', '--color', 'rgb', '--fit', 'contain', '--cache-dir', cache, '--json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const final = first.lines.at(-1)!;
    expect(final).toMatchObject({ found: 7, loaded: 6, cache: 'miss', final: true });
    expect(final.skipped).toEqual([{ file: 'cats/broken.jpg', reason: 'not an image (unrecognised or unsupported format)' }]);
    expect(typeof final.images_per_s).toBe('number');
    expect(first.lines.slice(0, -1).every((l) => typeof l.done === 'number' && typeof l.total === 'number' && !('final' in l))).toBe(true);
    const again = cli('ingest', images, '--size', '32', '--fit', 'contain', '--cache-dir', cache, '--json');
    expect(again.lines.at(-1)).toMatchObject({ loaded: 6, cache: 'hit', final: true });
  });

  it('--background: each background is a separate cache entry; white is the default', () => {
    const own = join(dir.path, 'cache-background');
    const ingest = (...more: string[]): Record<string, unknown> => cli('ingest', images, '--size', '16', '--cache-dir', own, '--json', ...more).lines.at(-1)!;
    expect(ingest('--background', 'black')).toMatchObject({ loaded: 6, cache: 'miss' });
    expect(ingest('--background', 'black')).toMatchObject({ cache: 'hit' });
    expect(ingest('--background', '#FFF')).toMatchObject({ cache: 'miss' });
    expect(ingest()).toMatchObject({ cache: 'hit' });
    const text = cli('ingest', images, '--size', '16', '--cache-dir', own, '--background', '#336699');
    expect(text.stderr).toMatch(/6 images at 16×16 rgb on #336699/);
  });

  it('without --json prints a readable summary (skips and labels on stderr)', () => {
    const r = cli('ingest', images, '--size', '16', '--cache-dir', cache);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/found=7\s+loaded=6/);
    expect(r.stderr).toMatch(/skipped cats\/broken\.jpg: not an image/);
    expect(r.stderr).toMatch(/2 labels \(cats, dogs\)/);
  });

  it('fails clearly, with a non-zero exit, for a missing path, a file, a folder without images and bad options', () => {
    const missing = cli('ingest', join(dir.path, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/latentscape ingest: no such folder: .*nope/);
    const file = cli('ingest', join(images, 'cats', '0.jpg'));
    expect(file.code).toBe(1);
    expect(file.stderr).toMatch(/not a folder/);
    const empty = cli('ingest', join(dir.path, 'nothing-here'), '--cache-dir', cache);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no images in .*nothing-here: the 1 file was skipped \(readme\.txt: not an image/);
    const usage = cli('ingest', images, '--fit', 'stretch');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--fit must be one of cover, contain/);
    const colour = cli('ingest', images, '--background', 'sparkly');
    expect(colour.code).toBe(2);
    expect(colour.stderr).toMatch(/latentscape ingest: --background must be "white", "black" or a colour like "#336699", got "sparkly"/);
    expect(cli('ingest').code).toBe(2);
  });
});
