// How long a step may wait: its own `timeout`, or the default of its kind. The session waits that
// long; the runner, told the same limit, stops a step that overstays it.
import { drillDurationMs, type Step, stepAction } from "./schema.ts";

/** Default wait of steps that wait (expect, accept, connect, sockets). */
export const defaultStepTimeoutMs = 2000;
/** Default limit of a `run` step. */
export const defaultRunTimeoutMs = 10_000;

/**
 * A step's `timeout` in milliseconds, or `fallback` when it has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultStepTimeoutMs, stepTimeoutMs } from "./step_limits.ts";
 *
 * assert.equal(stepTimeoutMs("1.5s", defaultStepTimeoutMs), 1500);
 * assert.equal(stepTimeoutMs(undefined, defaultStepTimeoutMs), 2000);
 * ```
 */
export function stepTimeoutMs(value: string | number | undefined, fallback: number): number {
  return value === undefined ? fallback : drillDurationMs(value, "timeout");
}

/**
 * How long a step may take at most, so the runner can stop one that hangs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepLimitMs } from "./step_limits.ts";
 *
 * assert.equal(stepLimitMs({ sleep: "250ms" }), 250);
 * assert.equal(stepLimitMs({ expect: { conn: "c", text: "hi", timeout: 5 } }), 5000);
 * assert.equal(stepLimitMs({ run: { command: "subnet same 10.0.0.1 10.0.0.2 /8" } }), 10_000);
 * assert.equal(stepLimitMs({ close: "c" }), 2000);
 * ```
 */
export function stepLimitMs(step: Step): number {
  const { kind, action } = stepAction(step);
  if (kind === "sleep") return drillDurationMs(action, "sleep");
  if (kind === "run") return stepTimeoutMs(action.timeout, defaultRunTimeoutMs);
  if (action && typeof action === "object" && "timeout" in action) {
    return stepTimeoutMs(action.timeout, defaultStepTimeoutMs);
  }
  return defaultStepTimeoutMs;
}
