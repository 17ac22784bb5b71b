// Long loops over a table (parsing 600,000 lines, checking them) written once as generators that
// pause every few thousand items, then run either at once (the library's synchronous API) or
// letting the event loop in between, so Ctrl-C is heard and stops the work within milliseconds.

/** A computation in pieces: each `yield` is a point where it may be paused. */
export type Steps<T> = Generator<void, T, void>;

/** The longest the event loop waits while a computation runs. */
const sliceMs = 20;

/**
 * Runs `steps` to the end without pausing.
 *
 * @example
 * ```ts
 * function* count(): Steps<number> { yield; return 2; }
 * runSteps(count()); // 2
 * ```
 */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs `steps` to the end, giving the event loop a turn every {@linkcode sliceMs} ms (signals,
 * timers, I/O), and stops with `signal.reason` once `signal` is aborted.
 *
 * @example
 * ```ts
 * const table = await runStepsYielding(tableSteps(text), { signal: io.signal });
 * ```
 */
export async function runStepsYielding<T>(
  steps: Steps<T>,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  options.signal?.throwIfAborted();
  let since = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      options.signal?.throwIfAborted();
      since = performance.now();
    }
  }
}
