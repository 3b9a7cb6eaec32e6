/**
 * tar below 7.5.x is in the range of several path-traversal / race advisories (node-tar hardlink and
 * symlink escapes; no 6.x release fixes them). package.json `overrides` pins every copy to a fixed 7.x;
 * the packages that pull it in (cmake-js via jpeg-turbo, tfjs-node and node-pre-gyp) call only
 * `tar.x/extract(options)` as a stream, which tar 7 keeps: checked here by running that very call.
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const FIXED = [7, 5, 4];

function atLeast(version: string, min: number[]): boolean {
  const parts = version.split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) if (parts[i] !== min[i]) return parts[i] > min[i];
  return true;
}

describe('tar', () => {
  it('every tar in the lock file is a fixed 7.x release', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string }> };
    const tars = Object.entries(lock.packages).filter(([path]) => /(^|\/)node_modules\/tar$/.test(path));
    expect(tars.length).toBeGreaterThan(0);
    for (const [path, entry] of tars) expect(atLeast(entry.version ?? '0.0.0', FIXED), `${path}@${entry.version}`).toBe(true);
  });

  const dir = mkdtempSync(join(tmpdir(), 'tar-compat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('extracts the way cmake-js, node-pre-gyp and tfjs-node call it (a stream from tar.extract(options))', async () => {
    const require = createRequire(import.meta.url);
    const tar = require('tar') as {
      c(opts: object, files: string[]): NodeJS.ReadableStream;
      extract(opts: object): NodeJS.WritableStream;
      x(opts: object): NodeJS.WritableStream;
    };
    mkdirSync(join(dir, 'src', 'pkg'), { recursive: true });
    writeFileSync(join(dir, 'src', 'pkg', 'hello.txt'), 'hello');
    const chunks: Buffer[] = [];
    for await (const chunk of tar.c({ gzip: true, cwd: join(dir, 'src') }, ['pkg']) as AsyncIterable<Buffer>) chunks.push(chunk);
    const tgz = Buffer.concat(chunks);
    // cmake-js: gunzip.pipe(tar.extract({ cwd, strip })) ; node-pre-gyp: tar.extract({ cwd, strip: 1, onentry })
    mkdirSync(join(dir, 'a'));
    await pipeline(Readable.from([tgz]), createGunzip(), tar.extract({ cwd: join(dir, 'a'), strip: 1 }));
    expect(readFileSync(join(dir, 'a', 'hello.txt'), 'utf8')).toBe('hello');
    // tfjs-node: response.pipe(zlib.createGunzip()).pipe(tar.x({ C, strict: true }))
    mkdirSync(join(dir, 'b'));
    await pipeline(Readable.from([tgz]), createGunzip(), tar.x({ C: join(dir, 'b'), strict: true }));
    expect(readFileSync(join(dir, 'b', 'pkg', 'hello.txt'), 'utf8')).toBe('hello');
  });
});
