/**
 * At most one request in flight and the latest one pending: while a request runs, a new one
 * replaces the pending one (the replaced one is dropped, never sent). Results arrive in order,
 * each with the input that produced it, so what is shown always matches what was asked.
 */
export class LatestOnly<I, O> {
  private inFlight = false;
  private pending: { input: I } | null = null;
  /** Requests sent, replaced while pending (dropped), and answered. */
  readonly stats = { sent: 0, dropped: 0, delivered: 0, failed: 0 };

  constructor(
    private readonly run: (input: I) => Promise<O>,
    private readonly deliver: (input: I, output: O) => void,
    private readonly fail: (input: I, error: unknown) => void = () => {},
  ) {}

  get busy(): boolean {
    return this.inFlight;
  }

  push(input: I): void {
    if (this.inFlight) {
      if (this.pending) this.stats.dropped++;
      this.pending = { input };
      return;
    }
    this.start(input);
  }

  /** Forgets the pending request (the one in flight still completes). */
  clear(): void {
    if (this.pending) this.stats.dropped++;
    this.pending = null;
  }

  private start(input: I): void {
    this.inFlight = true;
    this.stats.sent++;
    this.run(input)
      .then(
        (output) => {
          this.stats.delivered++;
          try {
            this.deliver(input, output);
          } catch (error) {
            this.fail(input, error);
          }
        },
        (error: unknown) => {
          this.stats.failed++;
          this.fail(input, error);
        },
      )
      .finally(() => {
        this.inFlight = false;
        const next = this.pending;
        this.pending = null;
        if (next) this.start(next.input);
      });
  }
}
