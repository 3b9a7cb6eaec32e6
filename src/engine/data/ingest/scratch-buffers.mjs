// @ts-check
/**
 * Decode buffers handed back and reused. TurboJPEG otherwise allocates a fresh output buffer per image
 * (192 KB for a 256² RGB JPEG) that lives only until the resample has read it. Its allocation, page
 * faults and garbage collection made 2,000 such decodes cost 836 CPU-ms against 557 into reused buffers
 * (measured on the 2-core dev machine). Plain JS (worker threads load it too); types in scratch-buffers.d.mts.
 */
export class ScratchBuffers {
  /**
   * @param {number} maxCount buffers kept for reuse (about the decodes in flight)
   * @param {number} maxBytes larger buffers are not kept: one big image should not pin its memory
   */
  constructor(maxCount, maxBytes) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
    /** @type {Buffer[]} */
    this.free = [];
  }

  /** A buffer of at least `bytes` (its contents are whatever the last user left). @param {number} bytes */
  take(bytes) {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = this.free[i].length;
      if (length >= bytes && (best < 0 || length < this.free[best].length)) best = i;
    }
    if (best < 0) return Buffer.allocUnsafeSlow(bytes);
    const [buffer] = this.free.splice(best, 1);
    return buffer;
  }

  /** Hands `buffer` back once nothing reads or writes it any more. @param {Buffer} buffer */
  give(buffer) {
    if (buffer.length > this.maxBytes) return;
    if (this.free.length >= this.maxCount) {
      // Keep the larger ones: a folder of mixed sizes then stops allocating soonest.
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) if (this.free[i].length < this.free[smallest].length) smallest = i;
      if (this.free[smallest].length >= buffer.length) return;
      this.free.splice(smallest, 1);
    }
    this.free.push(buffer);
  }
}
