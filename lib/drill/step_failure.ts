// How a step fails: an expectation that did not hold, or a wait that ran out of time. Both are
// thrown as a `StepFailure` and become the step's outcome (its message and byte diff), never a
// crash of the drill.
import type { ByteDiff } from "./result.ts";

/**
 * A failed expectation, carried as an error to the step's end, with the bytes that differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { byteDiff } from "./result.ts";
 * import { StepFailure } from "./step_failure.ts";
 *
 * const enc = new TextEncoder();
 * const diff = byteDiff(enc.encode("hi"), enc.encode("ho"));
 * const failure = new StepFailure("received bytes differ", diff);
 * assert.equal(failure.message, "received bytes differ");
 * assert.equal(failure.diff?.offset, 1);
 * ```
 */
export class StepFailure extends Error {
  readonly diff?: ByteDiff;
  constructor(message: string, diff?: ByteDiff) {
    super(message);
    this.name = "StepFailure";
    this.diff = diff;
  }
}

/**
 * `p`, or a {@linkcode StepFailure} `timed out after Ns WHAT` once `ms` have passed. What `p`
 * resolves to after that goes to `onLate` (a connection that came too late is closed there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StepFailure, withTimeout } from "./step_failure.ts";
 *
 * assert.equal(await withTimeout(Promise.resolve(7), 1000, "waiting for seven"), 7);
 * const late = new Promise<string>((resolve) => setTimeout(() => resolve("late"), 50));
 * let closed: string | undefined;
 * await assert.rejects(
 *   withTimeout(late, 10, "waiting for a reply", (v) => closed = v),
 *   new StepFailure("timed out after 0.01s waiting for a reply"),
 * );
 * await late;
 * assert.equal(closed, "late");
 * ```
 */
export function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  what: string,
  onLate?: (v: T) => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.then((v) => onLate?.(v), () => {});
      reject(new StepFailure(`timed out after ${ms / 1000}s ${what}`));
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
