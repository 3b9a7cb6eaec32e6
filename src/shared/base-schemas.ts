/**
 * Schemas more than one part of the contract uses (the main table in contract.ts and the library's in
 * library-schemas.ts, which contract.ts imports): absolute paths, byte arrays and decoded images.
 *
 * Self-contained (zod, the limits and the vocabulary only); contract.ts re-exports everything here.
 */
import { z } from 'zod';
import { MAX_PATH_CHARS } from './limits';
import { ChannelsSchema } from './vocabulary';

const int = z.number().int();

/** An absolute path (POSIX "/…", Windows "C:\…" or "\\server\…"). Whether the user chose it is the service's check. */
export const AbsolutePath = z
  .string()
  .min(1, 'path is empty')
  .max(MAX_PATH_CHARS, 'path is too long')
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte')
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'path must be absolute');

export const Uint8ArraySchema = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected a Uint8Array' });

export const ImagesSchema = z.strictObject({
  count: int.nonnegative(),
  height: int.positive(),
  width: int.positive(),
  channels: ChannelsSchema,
  /** count × height × width × channels bytes, row-major HWC. */
  pixels: Uint8ArraySchema,
});
export type Images = z.infer<typeof ImagesSchema>;
