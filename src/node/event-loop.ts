/** Lets other work run (a cancel, a decode request, an abort event) between slices of a long job. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
