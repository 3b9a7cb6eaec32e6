/**
 * What the MP4 export's settings and its callers need without the encoder: mp4-export.ts (mediabunny,
 * a quarter of the page's script) is imported only when a window asks about H.264 or encodes.
 */

/** The MP4 bitrates offered (kbit/s); latent walks are small, so even the lowest looks clean at ×4. */
export const MP4_BITRATES_KBPS = [250, 500, 1000, 2000, 4000, 8000] as const;
export const DEFAULT_MP4_KBPS = 2000;

export class Mp4CancelledError extends Error {}
