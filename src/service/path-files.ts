/**
 * Paths as files: the contract's PathDoc (keyframes as a Float32Array) ↔ the path JSON document of
 * src/engine/latent/interpolate.ts (what `latentscape interpolate --load-path/--save-path` reads and
 * writes), and reading/writing such a file. Validation is the engine's parsePathSpec, so the app and
 * the CLI accept and refuse exactly the same files.
 */
import { ContractError, type PathDoc } from '../shared/contract';
import { makePathSpec, parsePathSpec, PathSpecError, serializePathSpec, type PathSpec } from '../engine/latent/interpolate';
import { writeFileAtomic } from '../engine/export/common';
import { readRegularFile, UnsafeFileError } from '../engine/safe-read';

/** Largest path file read (a path of 1000 keyframes of 4096 numbers is far less). */
const MAX_PATH_FILE_BYTES = 64 * 1024 * 1024;

export function docToSpec(doc: PathDoc): PathSpec {
  const d = doc.latentDim;
  const k = doc.keyframes.length / d;
  if (!Number.isInteger(k) || k < 2) throw new ContractError('bad-arguments', `the path's keyframes must hold k × ${d} numbers with k ≥ 2, got ${doc.keyframes.length}`);
  if (doc.sources.length !== 0 && doc.sources.length !== k) throw new ContractError('bad-arguments', `the path has ${k} keyframes but ${doc.sources.length} sources`);
  const keyframes = Array.from({ length: k }, (_, i) => doc.keyframes.subarray(i * d, (i + 1) * d));
  try {
    const spec = makePathSpec(keyframes, {
      frames: doc.frames,
      mode: doc.segments,
      easing: doc.easing,
      loop: doc.loop,
      spacing: doc.spacing,
      ...(doc.fps !== undefined ? { fps: doc.fps } : {}),
      sources: doc.sources.map((s) => s ?? undefined),
    });
    return spec;
  } catch (err) {
    throw new ContractError('bad-arguments', `the path is invalid: ${(err as Error).message}`);
  }
}

export function specToDoc(spec: PathSpec): PathDoc {
  const d = spec.latentDim;
  const keyframes = new Float32Array(spec.keyframes.length * d);
  spec.keyframes.forEach((k, i) => keyframes.set(k.z, i * d));
  return {
    latentDim: d,
    keyframes,
    sources: spec.keyframes.map((k) => (k.source ? { ...k.source } : null)),
    segments: [...spec.segments],
    frames: spec.frames,
    easing: spec.easing,
    loop: spec.loop,
    spacing: spec.spacing,
    ...(spec.fps !== undefined ? { fps: spec.fps } : {}),
  };
}

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
