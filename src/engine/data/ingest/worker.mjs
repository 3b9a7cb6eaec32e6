// @ts-check
/**
 * Ingest worker thread: decodes the files the main thread sends, several at once. Running sharp in
 * a few workers spreads its per-call JavaScript and option-parsing cost over every core (in one
 * thread that cost alone caps ingest well below the decoder's speed).
 *
 * in:  workerData = DecodeSettings; messages { id, path: raw path bytes as a latin1 string, size },
 *      and { grant: id } when job id may start decoding
 * out: { ready: true } once, then per job { id, need: bytes } (asks the pool's byte budget before a
 *      decode; the bytes go back with the result) and { id, pixels, thumb } or { id, skip, remember }
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDecoder } from './decode-core.mjs';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const decoder = await createDecoder(workerData);
/** Jobs waiting for the pool to grant their bytes. @type {Map<number, () => void>} */
const grants = new Map();
const released = () => {};
port.on('message', async (/** @type {{ id: number; path: string; size: number } | { grant: number }} */ msg) => {
  if ('grant' in msg) {
    grants.get(msg.grant)?.();
    grants.delete(msg.grant);
    return;
  }
  const job = msg;
  /** @type {import('./decode-core.d.mts').Admit} */
  const admit = (bytes) =>
    new Promise((resolve) => {
      grants.set(job.id, () => resolve(released));
      port.postMessage({ id: job.id, need: bytes });
    });
  let result;
  try {
    result = await decoder.decodeFile(Buffer.from(job.path, 'latin1'), job.size, true, admit);
  } catch (err) {
    result = { skip: `cannot decode: ${/** @type {Error} */ (err)?.message ?? String(err)}`, remember: false };
  }
  // The arrays are fresh per image: hand them over instead of copying.
  const transfer = 'pixels' in result ? [result.pixels.buffer, ...(result.thumb ? [result.thumb.buffer] : [])] : [];
  port.postMessage({ id: job.id, ...result }, /** @type {ArrayBuffer[]} */ (transfer));
});
port.postMessage({ ready: true });
