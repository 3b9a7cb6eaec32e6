/**
 * The ingest cache: one file per (folder, preprocessing settings) holding every decoded image and
 * thumbnail plus, per file, the (size, mtime) it was decoded from. Reopening a folder reuses every
 * entry whose file is unchanged and decodes only the rest.
 *
 * Layout: "LSINGST1" | u32le header length | header JSON | zero pad to 8 | pixels | thumbnails.
 * Written to a temp file and renamed, so readers never see a half-written cache; the header carries
 * CRC-32s of both blocks, so a damaged file (or one renamed after a crash before its data reached the
 * disk) is detected and rebuilt rather than trusted. Nothing here throws for a bad cache file. A temp that a
 * writer killed mid-write left is removed by a later write of the same file, once it is an hour old.
 */
import { lstat, open, mkdir, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { asDiskFull } from '../../../node/files';
import { readFully } from '../../../node/safe-read';

const MAGIC = Buffer.from('LSINGST1', 'latin1');
const SHORT_CACHE = 'cache file shorter than its header says';
const FORMAT = 1;
/** Reads and writes go in chunks: fs calls are limited to 2 GiB and big chunks cost memory. */
const CHUNK = 64 * 1024 * 1024;

/** One file as recorded in the cache: its slot in the pixel block, or why it was skipped. */
export type CacheRecord = [key: string, size: number, mtimeNs: string, slotOrReason: number | string];

export interface CacheHeader {
  format: number;
  settings: string;
  root: string;
  count: number;
  imageBytes: number;
  thumbBytes: number;
  pixelsCrc: number;
  thumbsCrc: number;
  records: CacheRecord[];
}

export interface OpenCache {
  path: string;
  header: CacheHeader;
  dataStart: number;
}

function isRecord(r: unknown): r is CacheRecord {
  return (
    Array.isArray(r) &&
    r.length === 4 &&
    typeof r[0] === 'string' &&
    typeof r[1] === 'number' &&
    typeof r[2] === 'string' &&
    (typeof r[3] === 'string' || (Number.isInteger(r[3]) && (r[3] as number) >= 0))
  );
}

/** Reads and checks the header; null when the file is missing, foreign, damaged or for other settings. */
export async function openCache(path: string, settings: string): Promise<OpenCache | null> {
  await cacheWritesDone(path);
  let fh: FileHandle | null = null;
  try {
    fh = await open(path, 'r');
    const { size: fileSize } = await fh.stat();
    const head = Buffer.alloc(12);
    if ((await fh.read(head, 0, 12, 0)).bytesRead !== 12 || !head.subarray(0, 8).equals(MAGIC)) return null;
    const headerLength = head.readUInt32LE(8);
    if (headerLength <= 0 || 12 + headerLength > fileSize) return null;
    const json = Buffer.alloc(headerLength);
    if ((await fh.read(json, 0, headerLength, 12)).bytesRead !== headerLength) return null;
    const header = JSON.parse(json.toString('utf8')) as CacheHeader;
    if (header?.format !== FORMAT || header.settings !== settings || !Array.isArray(header.records)) return null;
    if (![header.count, header.imageBytes, header.thumbBytes, header.pixelsCrc, header.thumbsCrc].every((n) => Number.isInteger(n) && n >= 0)) return null;
    if (!header.records.every(isRecord)) return null;
    const slots = header.records.filter((r) => typeof r[3] === 'number').map((r) => r[3] as number);
    if (slots.length !== header.count || slots.some((s, i) => s !== i)) return null;
    const dataStart = align8(12 + headerLength);
    if (fileSize !== dataStart + header.count * (header.imageBytes + header.thumbBytes)) return null;
    return { path, header, dataStart };
  } catch {
    return null;
  } finally {
    await fh?.close().catch(() => {});
  }
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * Copies cached images into place: `destOf[slot]` is the destination index of cached slot `slot`
 * (−1: not needed). Verifies both CRCs over the whole blocks; false means the cache is damaged and
 * nothing copied may be trusted.
 */
export async function readCached(
  cache: OpenCache,
  destOf: Int32Array,
  pixels: Uint8Array,
  thumbs: Uint8Array | null,
  checkAbort: () => void,
): Promise<boolean> {
  const { header, dataStart } = cache;
  let fh: FileHandle | null = null;
  try {
    fh = await open(cache.path, 'r');
    const identity = destOf.every((d, i) => d === i);
    const blocks: { start: number; bytes: number; crc: number; dest: Uint8Array | null }[] = [
      { start: dataStart, bytes: header.imageBytes, crc: header.pixelsCrc, dest: pixels },
      { start: dataStart + header.count * header.imageBytes, bytes: header.thumbBytes, crc: header.thumbsCrc, dest: thumbs },
    ];
    for (const block of blocks) {
      const total = header.count * block.bytes;
      if (total === 0) continue;
      let crc = 0;
      if (identity && block.dest && block.dest.length >= total) {
        // Cache hit in the same order: read straight into the dataset's array, no extra copy.
        for (let pos = 0; pos < total; pos += CHUNK) {
          checkAbort();
          const len = Math.min(CHUNK, total - pos);
          await readFully(fh, block.dest, pos, len, block.start + pos, SHORT_CACHE);
          crc = crc32(block.dest.subarray(pos, pos + len), crc);
        }
      } else {
        // Stream whole images through a chunk buffer, copying the ones still wanted.
        const perChunk = Math.max(1, Math.floor(CHUNK / block.bytes));
        const buf = Buffer.allocUnsafe(perChunk * block.bytes);
        for (let first = 0; first < header.count; first += perChunk) {
          checkAbort();
          const n = Math.min(perChunk, header.count - first);
          const len = n * block.bytes;
          await readFully(fh, buf, 0, len, block.start + first * block.bytes, SHORT_CACHE);
          crc = crc32(buf.subarray(0, len), crc);
          if (!block.dest) continue;
          for (let i = 0; i < n; i++) {
            const dest = destOf[first + i];
            if (dest >= 0) block.dest.set(buf.subarray(i * block.bytes, (i + 1) * block.bytes), dest * block.bytes);
          }
        }
      }
      if (crc >>> 0 !== block.crc) return false;
    }
    return true;
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    return false;
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** This process's cache writes still under way, by cache path (writeCacheBehind). */
const writesUnderWay = new Map<string, Promise<string | null>>();

/**
 * writeCache after the caller has moved on: the ingest hands its dataset over as soon as the images are
 * decoded, and the file (~15 MB for 1,000 images at 64²) is written behind it. Writes to one path run in
 * turn, and openCache waits for this process's write to its path, so an ingest of the same folder right
 * after reads the file this one wrote. Resolves as writeCache does (null, or why the file was not kept);
 * never rejects. `pixels` and `thumbs` must stay unchanged until it resolves (a dataset's arrays are
 * read-only); their CRCs are taken at the start, so a change would only make the file fail its check.
 */
export function writeCacheBehind(...args: Parameters<typeof writeCache>): Promise<string | null> {
  const path = args[0];
  const before = writesUnderWay.get(path) ?? Promise.resolve(null);
  // setImmediate: the caller's own continuation (the dataset handed over) runs before the CRCs are taken.
  const write = before
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(() => writeCache(...args))
    .catch((err: Error) => `the ingest cache was not written: ${err?.message ?? String(err)}`);
  writesUnderWay.set(path, write);
  void write.then(() => {
    if (writesUnderWay.get(path) === write) writesUnderWay.delete(path);
  });
  return write;
}

/** Resolves once this process has no cache write under way (for `path` only, where given). */
export async function cacheWritesDone(path?: string): Promise<void> {
  await Promise.all(path === undefined ? [...writesUnderWay.values()] : [writesUnderWay.get(path)]);
}

/**
 * Writes the cache atomically. `pixels`/`thumbs` hold exactly `count` images (the records' slots).
 * Returns null when written, else why not (read-only or full disk): the cache is an optimisation,
 * never a reason for an ingest to fail, but the caller says that it was not kept.
 */
export async function writeCache(
  path: string,
  fields: Omit<CacheHeader, 'format' | 'pixelsCrc' | 'thumbsCrc'>,
  pixels: Uint8Array,
  thumbs: Uint8Array | null,
): Promise<string | null> {
  const pixelBytes = fields.count * fields.imageBytes;
  const thumbBytes = fields.count * fields.thumbBytes;
  const pixelData = pixels.subarray(0, pixelBytes);
  const thumbData = thumbs ? thumbs.subarray(0, thumbBytes) : new Uint8Array(0);
  const header: CacheHeader = { format: FORMAT, ...fields, pixelsCrc: crcOf(pixelData), thumbsCrc: crcOf(thumbData) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(align8(12 + json.length));
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(json.length, 8);
  json.copy(prefix, 12);
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let fh: FileHandle | null = null;
  try {
    await mkdir(dirname(path), { recursive: true });
    await removeStaleTemps(path);
    fh = await open(temp, 'w');
    await writeFully(fh, prefix);
    for (const data of [pixelData, thumbData]) {
      for (let pos = 0; pos < data.length; pos += CHUNK) await writeFully(fh, data.subarray(pos, Math.min(data.length, pos + CHUNK)));
    }
    await fh.close();
    fh = null;
    await rename(temp, path);
    return null;
  } catch (err) {
    await fh?.close().catch(() => {});
    await unlink(temp).catch(() => {});
    const why = asDiskFull(err, 'the ingest cache', prefix.length + pixelData.length + thumbData.length, dirname(path)) as Error;
    return `the ingest cache was not written (the next ingest of this folder decodes every image again): ${why?.message ?? String(why)}`;
  }
}

/** How old a dead writer's temp must be before it is removed (a writer on another machine sharing the folder is not seen). */
export const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Removes the temps of this cache file (`<file>.tmp-<pid>-<hex>`, writeCache's own names) that a process killed
 * mid-write left: a writer no longer running here, and an hour old. Nothing else in the folder is touched, and a
 * temp that cannot be read or removed is left as it is.
 */
async function removeStaleTemps(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const writer = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length)) : null;
    if (!writer || processRuns(Number(writer[1]))) continue;
    const temp = join(dir, name);
    const info = await lstat(temp).catch(() => null);
    if (info?.isFile() && Date.now() - info.mtimeMs >= STALE_TEMP_MS) await unlink(temp).catch(() => {});
  }
}

/** Whether a process with this pid runs on this machine (one we may not signal runs too). */
function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function crcOf(data: Uint8Array): number {
  let crc = 0;
  for (let pos = 0; pos < data.length; pos += CHUNK) crc = crc32(data.subarray(pos, Math.min(data.length, pos + CHUNK)), crc);
  return crc >>> 0;
}

async function writeFully(fh: FileHandle, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done);
    done += bytesWritten;
  }
}
