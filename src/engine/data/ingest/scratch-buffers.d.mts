/** Types for scratch-buffers.mjs. */
export class ScratchBuffers {
  constructor(maxCount: number, maxBytes: number);
  readonly free: Buffer[];
  take(bytes: number): Buffer;
  give(buffer: Buffer): void;
}
