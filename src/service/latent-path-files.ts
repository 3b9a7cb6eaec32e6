/**
 * Reading and writing path files (the format is src/shared/latent-path.ts): a write is atomic, and a
 * missing, corrupt, foreign or oversized file (or one that is not a regular file) is refused with a message.
 */
import { ContractError, type PathDoc } from '../shared/contract';
import { docToSpec, parsePathSpec, PathSpecError, serializePathSpec, specToDoc } from '../shared/latent-path';
import { writeFileAtomic } from '../node/files';
import { readRegularFile, UnsafeFileError } from '../node/safe-read';

/** Largest path file read (a path of 1000 keyframes of 4096 numbers is far less). */
const MAX_PATH_FILE_BYTES = 64 * 1024 * 1024;

export async function writePathFile(path: string, doc: PathDoc): Promise<number> {
  const bytes = new TextEncoder().encode(serializePathSpec(docToSpec(doc)));
  await writeFileAtomic(path, bytes);
  return bytes.byteLength;
}

/** Reads a path file; a missing, corrupt or foreign file (or one for another latent size) is refused with a message. */
export async function readPathFile(path: string, expectedLatentDim?: number): Promise<PathDoc> {
  let text: string;
  try {
    // A regular file only (a named pipe would hang the read), its size checked before reading it.
    text = (await readRegularFile(path, { maxBytes: MAX_PATH_FILE_BYTES, noFollow: false, what: `the path file ${path}` })).toString('utf8');
  } catch (err) {
    if (!(err instanceof UnsafeFileError)) throw err;
    if (err.reason === 'missing') throw new ContractError('bad-file', `cannot read the path file ${path}: no such file`);
    throw new ContractError('bad-file', err.message);
  }
  try {
    return specToDoc(parsePathSpec(text, expectedLatentDim, `the path file ${path}`));
  } catch (err) {
    if (err instanceof PathSpecError) throw new ContractError('bad-file', err.message);
    throw err;
  }
}
