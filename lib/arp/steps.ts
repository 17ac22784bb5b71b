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
 * import assert from "node:assert/strict";
 * import { runSteps, type Steps } from "./steps.ts";
 *
 * function* count(n: number): Steps<number> {
 *   let sum = 0;
 *   for (let i = 1; i <= n; i++) {
 *     sum += i;
 *     yield; // a point where a caller may pause
 *   }
 *   return sum;
 * }
 * assert.equal(runSteps(count(100)), 5050);
 * ```
 */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs `steps` to the end, giving the event loop a turn every 20 ms (signals, timers, I/O), and
 * stops with `signal.reason` once `signal` is aborted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runStepsYielding, type Steps } from "./steps.ts";
 *
 * function* forever(): Steps<never> {
 *   for (;;) yield;
 * }
 * // Runs until the signal aborts: the timer fires because the loop lets the event loop run.
 * await assert.rejects(
 *   runStepsYielding(forever(), { signal: AbortSignal.timeout(50) }),
 *   (err: Error) => err.name === "TimeoutError",
 * );
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
