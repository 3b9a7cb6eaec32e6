import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ingestFolder } from '../../../../src/engine/data/image-folder';
import { cacheWritesDone } from '../../../../src/engine/data/ingest/cache';
import { enormousPng, noise, small, solid, tempDir } from './image-fixtures';

describe('ingestFolder: formats, bad files, names', () => {
  let dir: string;
  let cacheDir: string;
  const nonUtf8 = Buffer.from([0x66, 0xe9, 0x2e, 0x70, 0x6e, 0x67]); // "f\xe9.png" (latin1 é: not UTF-8)

  beforeAll(async () => {
    dir = await tempDir('mixed');
    cacheDir = await tempDir('mixed-cache');
    const p = (name: string): string => join(dir, name);
    // Good files, one per format sharp reads.
    await solid(40, 30, [200, 10, 10]).jpeg().toFile(p('a.jpg'));
    await solid(40, 30, [10, 200, 10], 0.5).png().toFile(p('b.png'));
    await solid(40, 30, [10, 10, 200]).webp().toFile(p('c.webp'));
    const frame1 = await solid(20, 20, [0, 255, 0]).png().toBuffer();
    const frame2 = await solid(20, 20, [0, 0, 255]).png().toBuffer();
    await sharp([frame1, frame2], { join: { animated: true } })
      .gif()
      .toFile(p('d.gif'));
    await solid(40, 30, [120, 120, 0]).avif().toFile(p('e.avif'));
    await solid(40, 30, [0, 120, 120]).tiff().toFile(p('f.tiff'));
    await solid(24, 24, [90, 90, 90]).toColourspace('rgb16').png().toFile(p('g16.png'));
    await writeFile(p('h.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="20" height="20" fill="#f0f"/></svg>');
    await solid(30, 30, [1, 2, 3]).png().toFile(p('no-extension'));
    // Odd names that are still good files.
    await solid(10, 10, [50, 60, 70]).png().toFile(p('with space & ünïcødé 🙂.png'));
    await solid(10, 10, [50, 60, 70]).png().toFile(p('new\nline.png'));
    await solid(10, 10, [50, 60, 70]).png().toFile(p('-dash.png'));
    await writeFile(Buffer.concat([Buffer.from(dir + '/'), nonUtf8]), await solid(10, 10, [5, 6, 7]).png().toBuffer());
    // Bad files.
    await writeFile(p('empty.jpg'), '');
    await writeFile(p('notes.txt'), 'these are my holiday photos\n');
    await writeFile(p('fake.jpg'), 'not a jpeg at all, just text with a .jpg name');
    const jpeg = await noise(64, 64).jpeg({ quality: 95 }).toBuffer();
    await writeFile(p('truncated.jpg'), jpeg.subarray(0, jpeg.length >> 1));
    const png = await noise(64, 64, 7).png().toBuffer();
    await writeFile(p('truncated.png'), png.subarray(0, png.length >> 1));
    await writeFile(p('enormous.png'), await enormousPng());
    await symlink('self-link', p('self-link'));
    await symlink('does-not-exist.png', p('dangling.png'));
    await mkdir(p('sub'));
    await symlink('..', p('sub/up'));
    await solid(12, 12, [3, 3, 3]).png().toFile(p('sub/inner.png'));
    spawnSync('mkfifo', [p('pipe')]); // reading it would block forever: must be skipped unread
    // Ignored: metadata dot-files are not dataset images.
    await writeFile(p('.DS_Store'), 'junk');
  });

  it('loads every good file and skips each bad one with a reason naming the problem', async () => {
    const { dataset, report } = await ingestFolder(dir, { ...small, cacheDir });
    const good = [
      '-dash.png',
      'a.jpg',
      'b.png',
      'c.webp',
      'd.gif',
      'e.avif',
      'f.tiff',
      'f\uFFFD.png',
      'g16.png',
      'h.svg',
      'new\nline.png',
      'no-extension',
      'sub/inner.png',
      'with space & ünïcødé 🙂.png',
    ];
    expect([...(dataset.files ?? [])].sort()).toEqual([...good].sort());
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.file, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual([
      'dangling.png',
      'empty.jpg',
      'enormous.png',
      'fake.jpg',
      'notes.txt',
      'pipe',
      'self-link',
      'sub/up/',
      'truncated.jpg',
      'truncated.png',
    ]);
    expect(reasons['empty.jpg']).toMatch(/empty file \(0 bytes\)/);
    expect(reasons['notes.txt']).toMatch(/not an image/);
    expect(reasons['fake.jpg']).toMatch(/not an image/);
    expect(reasons['truncated.jpg']).toMatch(/corrupt or truncated.*premature end/i);
    expect(reasons['truncated.png']).toMatch(/corrupt or truncated/);
    expect(reasons['enormous.png']).toMatch(/image too large: 100000×100000 .*exceeds the 100-megapixel limit/);
    expect(reasons['self-link']).toMatch(/symlink loop/);
    expect(reasons['sub/up/']).toMatch(/symlink loop/);
    expect(reasons['dangling.png']).toMatch(/broken symlink/);
    expect(reasons['pipe']).toMatch(/not a regular file/);
    expect(report.found).toBe(good.length + 10);
    expect(report.loaded).toBe(good.length);
    expect(report.cache).toBe('miss');
    expect(report.images_per_s).toBeGreaterThan(0);
    expect(report.seconds).toBeGreaterThan(0);
  });

  it('returns a complete Dataset: source, name, uint8 pixels, labels, thumbnails, split, fingerprint', async () => {
    const { dataset, report } = await ingestFolder(dir, { ...small, cacheDir, thumbSize: 8, testFraction: 0.25, seed: 3 });
    const n = report.loaded;
    expect(dataset.source).toEqual({ kind: 'folder', path: dir });
    expect(dataset.name).toBe(dir.split('/').pop());
    expect([dataset.height, dataset.width, dataset.channels, dataset.count]).toEqual([16, 16, 3, n]);
    expect(dataset.pixels).toBeInstanceOf(Uint8Array);
    expect(dataset.pixels.length).toBe(n * 16 * 16 * 3);
    // Files at the root have no label; the one first-level subfolder is the only label.
    expect(dataset.labelNames).toEqual(['sub']);
    expect([...dataset.labels]).toEqual(dataset.files!.map((f) => (f === 'sub/inner.png' ? 0 : -1)));
    expect(dataset.thumbnails?.size).toBe(8);
    expect(dataset.thumbnails?.pixels.length).toBe(n * 8 * 8 * 3);
    expect(dataset.split.test.length).toBe(Math.round(n * 0.25));
    expect(dataset.split.train.length + dataset.split.test.length).toBe(n);
    expect(dataset.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // The first image, a.jpg after '-dash.png', is solid red; its thumbnail too.
    const a = dataset.files!.indexOf('a.jpg');
    const px = dataset.pixels.subarray(a * 768, a * 768 + 3);
    expect(Math.abs(px[0] - 200)).toBeLessThan(6);
    expect(px[1]).toBeLessThan(20);
    const th = dataset.thumbnails!.pixels.subarray(a * 192, a * 192 + 3);
    expect([...th]).toEqual([...px]);
  });

  it('thumbnails at the model size are the pixels themselves (no second array)', async () => {
    const { dataset } = await ingestFolder(dir, { ...small, cacheDir, thumbSize: 16 });
    expect(dataset.thumbnails?.pixels).toBe(dataset.pixels);
  });
});

describe('ingestFolder: preprocessing', () => {
  let dir: string;
  let cacheDir: string;
  beforeAll(async () => {
    dir = await tempDir('pre');
    cacheDir = await tempDir('pre-cache');
    // 40 wide × 20 high, left half red, right half blue, stored with EXIF orientation 6 (rotate 90° CW):
    // shown upright it is 20 wide × 40 high, red on top.
    const halves = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) halves.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
    await sharp(halves, { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toFile(join(dir, 'rotated.jpg'));
    await solid(20, 20, [0, 255, 0], 0).png().toFile(join(dir, 'transparent.png'));
    await solid(20, 20, [77, 77, 77]).toColourspace('b-w').png().toFile(join(dir, 'grey.png'));
  });

  const at = (d: { pixels: Uint8Array; channels: number; width: number }, image: number, x: number, y: number): number[] => {
    const o = ((image * d.width + y) * d.width + x) * d.channels;
    return [...d.pixels.subarray(o, o + d.channels)];
  };

  it('applies EXIF orientation and pads contain with the background', async () => {
    const { dataset } = await ingestFolder(dir, { size: 32, color: 'rgb', fit: 'contain', background: '#00ff00', cacheDir });
    const i = dataset.files!.indexOf('rotated.jpg');
    expect(at(dataset, i, 16, 4)[0]).toBeGreaterThan(200); // top is red: rotated upright
    expect(at(dataset, i, 16, 28)[2]).toBeGreaterThan(200); // bottom is blue
    expect(at(dataset, i, 1, 16)).toEqual([0, 255, 0]); // tall image: padding left and right
    expect(at(dataset, i, 30, 16)).toEqual([0, 255, 0]);
  });

  it('flattens alpha onto the background; gray output has one channel', async () => {
    const rgb = await ingestFolder(dir, { size: 8, color: 'rgb', fit: 'cover', background: '#ff0000', cacheDir });
    expect(at(rgb.dataset, rgb.dataset.files!.indexOf('transparent.png'), 4, 4)).toEqual([255, 0, 0]);
    const grey = rgb.dataset.files!.indexOf('grey.png');
    const g = at(rgb.dataset, grey, 4, 4);
    expect(g[0]).toBe(g[1]); // a one-channel source becomes three equal channels in rgb mode
    expect(g[1]).toBe(g[2]);
    const gray = await ingestFolder(dir, { size: 8, color: 'gray', fit: 'cover', background: '#ffffff', cacheDir });
    expect(gray.dataset.channels).toBe(1);
    expect(gray.dataset.pixels.length).toBe(3 * 64);
    expect(at(gray.dataset, gray.dataset.files!.indexOf('transparent.png'), 4, 4)).toEqual([255]);
  });

  it('rejects bad options and paths with clear errors', async () => {
    await expect(ingestFolder(dir, { size: 0, color: 'rgb', fit: 'cover', cacheDir })).rejects.toThrow(/size must be an integer/);
    await expect(ingestFolder(dir, { size: 8, color: 'cmyk' as 'rgb', fit: 'cover', cacheDir })).rejects.toThrow(/color must be/);
    await expect(ingestFolder(dir, { size: 8, color: 'rgb', fit: 'fill' as 'cover', cacheDir })).rejects.toThrow(/fit must be/);
    await expect(ingestFolder(dir, { size: 8, color: 'rgb', fit: 'cover', background: 'sparkly', cacheDir })).rejects.toThrow(/background must be "white"/);
    await expect(ingestFolder(join(dir, 'missing'), { size: 8, color: 'rgb', fit: 'cover', cacheDir })).rejects.toThrow(/folder not found/);
    await expect(ingestFolder(join(dir, 'grey.png'), { size: 8, color: 'rgb', fit: 'cover', cacheDir })).rejects.toThrow(/not a folder/);
  });
});

describe('ingestFolder: labels', () => {
  it('takes labels from first-level subfolders (sorted names), −1 for files at the root', async () => {
    const dir = await tempDir('labels');
    for (const [rel, rgb] of [
      ['zebra/z1.png', [1, 1, 1]],
      ['cat/c1.png', [2, 2, 2]],
      ['cat/c2.png', [3, 3, 3]],
      ['dog/puppies/p1.png', [4, 4, 4]],
      ['dog/d1.png', [5, 5, 5]],
      ['loose.png', [6, 6, 6]],
    ] as const) {
      await mkdir(join(dir, rel, '..'), { recursive: true });
      await solid(8, 8, [...rgb])
        .png()
        .toFile(join(dir, rel));
    }
    await mkdir(join(dir, 'empty-class'));
    const { dataset } = await ingestFolder(dir, { ...small, cacheDir: await tempDir('labels-cache') });
    expect(dataset.labelNames).toEqual(['cat', 'dog', 'zebra']);
    const byFile = Object.fromEntries(dataset.files!.map((f, i) => [f, dataset.labels[i]]));
    expect(byFile).toEqual({ 'cat/c1.png': 0, 'cat/c2.png': 0, 'dog/d1.png': 1, 'dog/puppies/p1.png': 1, 'loose.png': -1, 'zebra/z1.png': 2 });
  });
});

/** A folder of `count` 16² noise PNGs (seeds from `seed`), an empty cache folder, and 8² RGB cover options into it. */
async function noiseFolder(name: string, count: number, seed: number) {
  const dir = await tempDir(name);
  const cacheDir = await tempDir(`${name}-cache`);
  for (let i = 0; i < count; i++)
    await noise(16, 16, seed + i)
      .png()
      .toFile(join(dir, `x${i}.png`));
  return { dir, cacheDir, options: { size: 8, color: 'rgb', fit: 'cover', cacheDir } as const };
}

describe('ingestFolder: cache', () => {
  it('hits on reopen, reuses unchanged files, and notices added, removed and changed ones', async () => {
    const dir = await tempDir('cache');
    const cacheDir = await tempDir('cache-cache');
    for (let i = 0; i < 12; i++)
      await noise(24, 24, i + 1)
        .png()
        .toFile(join(dir, `img${String(i).padStart(2, '0')}.png`));
    await writeFile(join(dir, 'broken.jpg'), 'nope');
    const options = { size: 8, color: 'rgb', fit: 'cover', cacheDir } as const;

    const first = await ingestFolder(dir, options);
    expect(first.report.cache).toBe('miss');
    expect(first.report.loaded).toBe(12);
    const second = await ingestFolder(dir, options);
    expect(second.report.cache).toBe('hit');
    expect(second.report.loaded).toBe(12);
    expect(second.report.skipped).toEqual(first.report.skipped); // remembered reasons come back too
    expect(second.dataset.pixels).toEqual(first.dataset.pixels);
    expect(second.dataset.thumbnails?.pixels).toEqual(first.dataset.thumbnails?.pixels);
    expect(second.dataset.fingerprint).toBe(first.dataset.fingerprint);

    // Added.
    await noise(24, 24, 99).png().toFile(join(dir, 'img99.png'));
    const added = await ingestFolder(dir, options);
    expect(added.report.cache).toBe('partial');
    expect(added.report.loaded).toBe(13);
    expect(added.dataset.pixels.subarray(0, 12 * 192)).toEqual(first.dataset.pixels);
    expect(added.dataset.fingerprint).not.toBe(first.dataset.fingerprint);
    expect((await ingestFolder(dir, options)).report.cache).toBe('hit');

    // Removed.
    await rm(join(dir, 'img00.png'));
    const removed = await ingestFolder(dir, options);
    expect(removed.report.cache).toBe('partial');
    expect(removed.report.loaded).toBe(12);
    expect(removed.dataset.files![0]).toBe('img01.png');
    expect(removed.dataset.pixels.subarray(0, 192)).toEqual(first.dataset.pixels.subarray(192, 384));

    // Changed: new content and a new mtime.
    await solid(24, 24, [255, 255, 255]).png().toFile(join(dir, 'img05.png'));
    const later = new Date(Date.now() + 5000);
    await utimes(join(dir, 'img05.png'), later, later);
    const changed = await ingestFolder(dir, options);
    expect(changed.report.cache).toBe('partial');
    const i = changed.dataset.files!.indexOf('img05.png');
    expect([...changed.dataset.pixels.subarray(i * 192, i * 192 + 3)]).toEqual([255, 255, 255]);

    // Other settings are another cache entry.
    expect((await ingestFolder(dir, { ...options, size: 12 })).report.cache).toBe('miss');
    expect((await ingestFolder(dir, { ...options, color: 'gray' })).report.cache).toBe('miss');
    expect((await ingestFolder(dir, options)).report.cache).toBe('hit');
  });

  it('ignores and rebuilds a damaged cache file, never failing because of it', async () => {
    const { dir, cacheDir, options } = await noiseFolder('corrupt', 5, 10);
    const first = await ingestFolder(dir, options);
    expect(await first.cacheWrite).toBeNull();
    const [file] = (await readdir(cacheDir)).filter((f) => f.endsWith('.bin'));
    const path = join(cacheDir, file);
    const good = await readFile(path);

    // Flipped pixel bytes: the CRC catches it.
    const flipped = Buffer.from(good);
    for (let k = 1; k <= 8; k++) flipped[flipped.length - k * 13] ^= 0xff;
    await writeFile(path, flipped);
    const a = await ingestFolder(dir, options);
    expect(a.report.cache).toBe('miss');
    expect(a.dataset.pixels).toEqual(first.dataset.pixels);
    expect((await ingestFolder(dir, options)).report.cache).toBe('hit'); // rebuilt

    for (const damaged of [
      good.subarray(0, good.length - 100),
      Buffer.from('garbage'),
      Buffer.alloc(0),
      Buffer.concat([good.subarray(0, 12), Buffer.from('{"format":1,')]),
    ]) {
      await writeFile(path, damaged);
      const r = await ingestFolder(dir, options);
      expect(r.report.cache).toBe('miss');
      expect(r.dataset.pixels).toEqual(first.dataset.pixels);
      // Its rebuilt file is written behind it: done before the next damage is written over it.
      expect(await r.cacheWrite).toBeNull();
    }
    // No temp files are left behind by the atomic writes.
    expect((await readdir(cacheDir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('ingestFolder: the cache written behind the dataset', () => {
  it('returns the dataset before its cache file exists, and the next ingest still finds that file', async () => {
    const { dir, cacheDir, options } = await noiseFolder('behind', 6, 40);
    const first = await ingestFolder(dir, options);
    expect(first.report.loaded).toBe(6);
    // Nothing of the file yet (not even its temp): the write starts after the caller's turn.
    expect(readdirSync(cacheDir)).toEqual([]);
    // Not awaited: an ingest of the same folder waits for this process's write before it reads.
    const second = await ingestFolder(dir, options);
    expect(second.report.cache).toBe('hit');
    expect(second.dataset.pixels).toEqual(first.dataset.pixels);
    expect(await first.cacheWrite).toBeNull();
    expect(await second.cacheWrite).toBeNull();
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    await cacheWritesDone();
    expect(readdirSync(cacheDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('says why through cacheWrite when the file cannot be written, and still returns the dataset', async () => {
    const dir = await tempDir('behind-fail');
    await noise(16, 16, 77).png().toFile(join(dir, 'only.png'));
    // A cache folder below a plain file cannot be made (ENOTDIR), whoever runs the test.
    const blocker = join(await tempDir('behind-fail-cache'), 'a-file');
    await writeFile(blocker, 'not a folder');
    const run = await ingestFolder(dir, { size: 8, color: 'rgb', fit: 'cover', cacheDir: join(blocker, 'cache') });
    expect(run.report.loaded).toBe(1);
    expect(await run.cacheWrite).toMatch(/^the ingest cache was not written/);
  });
});

describe('ingestFolder: progress, cancel, worker threads', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('many');
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        noise(32, 32, i + 100)
          .jpeg()
          .toFile(join(dir, `n${String(i).padStart(2, '0')}.jpg`)),
      ),
    );
  });

  it('reports progress up to done = total', async () => {
    const events: { done: number; total: number; loaded: number; skipped: number }[] = [];
    await ingestFolder(dir, { ...small, cacheDir: await tempDir('progress-cache'), onProgress: (p) => events.push(p) });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toEqual({ done: 40, total: 40, loaded: 40, skipped: 0 });
    for (let k = 1; k < events.length; k++) expect(events[k].done).toBeGreaterThanOrEqual(events[k - 1].done);
  });

  it('cancels with an AbortError, before or during the work', async () => {
    const cacheDir = await tempDir('cancel-cache');
    await expect(ingestFolder(dir, { ...small, cacheDir, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const controller = new AbortController();
    const run = ingestFolder(dir, {
      ...small,
      cacheDir,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 5) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    await expect(run).rejects.toBeInstanceOf(Error);
    // Nothing half-done was cached.
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.bin'))).toEqual([]);
  });

  it('decodes the same pixels on worker threads as in-process', async () => {
    const before = process.env.LATENTSCAPE_INGEST_WORKERS;
    try {
      process.env.LATENTSCAPE_INGEST_WORKERS = '0';
      const local = await ingestFolder(dir, { ...small, fit: 'contain', cacheDir: await tempDir('local-cache') });
      process.env.LATENTSCAPE_INGEST_WORKERS = '2';
      const threaded = await ingestFolder(dir, { ...small, fit: 'contain', cacheDir: await tempDir('threads-cache') });
      expect(threaded.report.loaded).toBe(40);
      expect(threaded.dataset.pixels).toEqual(local.dataset.pixels);
      expect(threaded.dataset.thumbnails?.pixels).toEqual(local.dataset.thumbnails?.pixels);
    } finally {
      if (before === undefined) delete process.env.LATENTSCAPE_INGEST_WORKERS;
      else process.env.LATENTSCAPE_INGEST_WORKERS = before;
    }
  });
});
