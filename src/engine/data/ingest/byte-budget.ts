/**
 * Admits work while the bytes it holds stay under a limit: the ingest's file reads (image-folder.ts) and
 * its decodes (pool.ts). One piece bigger than the limit still goes, alone, so nothing waits forever.
 */
export class ByteBudget {
  private used = 0;
  private highest = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}

  /** The most bytes held at once so far. */
  get peak(): number {
    return this.highest;
  }

  async take(n: number): Promise<void> {
    while (this.used > 0 && this.used + n > this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.used += n;
    this.highest = Math.max(this.highest, this.used);
  }

  give(n: number): void {
    this.used -= n;
    this.waiting.splice(0).forEach((wake) => wake());
  }
}
