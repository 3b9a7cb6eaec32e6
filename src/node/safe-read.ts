/**
 * Reading files that arrive inside shared folders (models, projects) or by a typed path: only plain
 * names inside their own folder, only regular files, and the size checked before a byte is read.
 *
 * The file is opened non-blocking and without following a final symlink, and checked on the open
 * descriptor (fstat), so a named pipe cannot hang the reader, a device cannot stream forever, and
 * nothing can be swapped in between the check and the read.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export class UnsafeFileError extends Error {
  readonly code = 'bad-file';
  constructor(
    message: string,
    /** Why: the file is missing, not a regular file, of the wrong size, too large, or unreadable. */
    readonly reason: 'missing' | 'kind' | 'size' | 'large' | 'io' | 'name' = 'io',
  ) {
    super(message);
  }
}

/** A plain file or folder name: no separators, no "..", no leading dot, no control characters. */
export function isPlainName(name: unknown): name is string {
  return typeof name === 'string' && name.length >= 1 && name.length <= 200 && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) && !name.includes('..');
}

/** `name` inside `dir`, or an UnsafeFileError when it is not a plain name. */
export function childPath(dir: string, name: unknown, what: string): string {
  if (!isPlainName(name))
    throw new UnsafeFileError(`${what} must be a plain file name inside its folder, got ${JSON.stringify(String(name).slice(0, 80))}`, 'name');
  return join(dir, name);
}

export interface ReadOptions {
  /** Refuse larger files (before reading them). */
  maxBytes: number;
  /** Refuse a file of any other size (before reading it). */
  exactBytes?: number;
  /** Refuse a symlink as the file itself (files inside shared folders). Default true. */
  noFollow?: boolean;
  /** Names the file in messages (default: its path). */
  what?: string;
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a regular file of at most `maxBytes`. Errors are UnsafeFileError with a message that names
 * the file but never its contents (nor, when refused, the size of something that is not a regular file).
 */
export async function readRegularFile(path: string, options: ReadOptions): Promise<Buffer> {
  return withCheckedFile(path, options, async (handle, size, what) => {
    const bytes = Buffer.alloc(size);
    await readExactly(handle, bytes, 0, what);
    return bytes;
  });
}

/**
 * Reads a regular file as consecutive parts of the given sizes, each into an ArrayBuffer of its own (a
 * model's weights, one per tensor: the file is never held whole besides them). The sizes must add up to
 * the file's; the checks and errors are readRegularFile's.
 */
export async function readRegularFileParts(path: string, options: ReadOptions, partBytes: number[]): Promise<Uint8Array[]> {
  return withCheckedFile(path, options, async (handle, size, what) => {
    const total = partBytes.reduce((a, b) => a + b, 0);
    if (total !== size) throw new UnsafeFileError(`expected ${total} bytes, found ${size}`, 'size');
    const parts: Uint8Array[] = [];
    let position = 0;
    for (const n of partBytes) {
      const part = new Uint8Array(new ArrayBuffer(n));
      await readExactly(handle, part, position, what);
      parts.push(part);
      position += n;
    }
    return parts;
  });
}

/** Opens `path` as readRegularFile describes, checks it, and runs `read` on it. */
async function withCheckedFile<T>(path: string, options: ReadOptions, read: (handle: FileHandle, size: number, what: string) => Promise<T>): Promise<T> {
  const what = options.what ?? path;
  const flags = OPEN_FLAGS | (options.noFollow === false ? 0 : (constants.O_NOFOLLOW ?? 0));
  let handle;
  try {
    handle = await open(path, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UnsafeFileError(`${what} is missing`, 'missing');
    if (code === 'ELOOP') throw new UnsafeFileError(`${what} is a symbolic link: only regular files are read`, 'kind');
    if (code === 'EISDIR') throw new UnsafeFileError(`${what} is a folder, not a file`, 'kind');
    throw new UnsafeFileError(`cannot read ${what} (${code ?? 'error'})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UnsafeFileError(`${what} is not a regular file`, 'kind');
    if (options.exactBytes !== undefined && info.size !== options.exactBytes) {
      throw new UnsafeFileError(`expected ${options.exactBytes} bytes, found ${info.size}`, 'size');
    }
    if (info.size > options.maxBytes) throw new UnsafeFileError(`${what} is too large (${info.size} bytes; at most ${options.maxBytes})`, 'large');
    return await read(handle, info.size, what);
  } finally {
    await handle.close();
  }
}

/**
 * Reads `length` bytes at `position` into `into` from `offset`, through short reads; a file that ends
 * first throws `whenShort` (the caller's words for a file shorter than its header says).
 */
export async function readFully(fh: FileHandle, into: Uint8Array, offset: number, length: number, position: number, whenShort: string): Promise<void> {
  for (let done = 0; done < length;) {
    const { bytesRead } = await fh.read(into, offset + done, length - done, position + done);
    if (bytesRead === 0) throw new Error(whenShort);
    done += bytesRead;
  }
}

/** Fills `into` from the file at `position`; a file that ends early changed while it was read. */
async function readExactly(handle: FileHandle, into: Uint8Array, position: number, what: string): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const { bytesRead } = await handle.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  if (done !== into.byteLength) throw new UnsafeFileError(`${what} changed while it was read`);
}

/** JSON.parse whose error says where, never what (V8's SyntaxError message quotes the text). */
export function parseJsonQuietly(text: string, describe: (where: string) => string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new UnsafeFileError(describe(at ? `error at character ${at}` : 'it ends too early or is empty'), 'io');
  }
}
