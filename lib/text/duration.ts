// Durations as people write them on the command line and in drill files (`2`, `1.5s`, `250ms`,
// `1m`), read into milliseconds within bounds: a JavaScript timer longer than 2^31-1 ms fires at
// once instead of never, so nothing past that can be a duration here.

/** The longest delay `setTimeout` honours (2^31-1 ms, about 24.8 days); longer ones fire at once. */
export const maxTimerMs = 2 ** 31 - 1;

/**
 * A duration in milliseconds in the largest unit that writes it exactly: `60m`, `1.5s`, `250ms`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./duration.ts";
 *
 * assert.equal(formatDuration(3_600_000), "60m");
 * assert.equal(formatDuration(1500), "1.5s");
 * assert.equal(formatDuration(250), "250ms");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * Parses a duration: `1.5` or `1.5s` seconds, `250ms`, `2m`. Returns whole milliseconds. Throws
 * `SyntaxError` for anything else (negative, `NaN`, `1e3`, `0x10`) and `RangeError` outside
 * `min` (default 0) and `max` (default and at most {@linkcode maxTimerMs}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./duration.ts";
 *
 * assert.equal(parseDuration("250ms"), 250);
 * assert.equal(parseDuration("2"), 2000);
 * assert.equal(parseDuration("1.5s"), 1500);
 * assert.throws(() => parseDuration("0", { min: 1 }), {
 *   name: "RangeError",
 *   message: 'Duration "0" is too short: at least 1ms',
 * });
 * assert.throws(() => parseDuration("-1"), SyntaxError);
 * ```
 */
export function parseDuration(
  text: string,
  options: { min?: number; max?: number } = {},
): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) {
    const why = /^\s*-/.test(text)
      ? "a duration cannot be negative"
      : "use e.g. 2, 1.5s, 250ms, 1m";
    throw new SyntaxError(`Cannot parse duration "${text}": ${why}`);
  }
  const n = Number(m[1]);
  const ms = Math.round(m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000);
  const min = options.min ?? 0;
  const max = Math.min(options.max ?? maxTimerMs, maxTimerMs);
  if (ms < min) {
    throw new RangeError(`Duration "${text}" is too short: at least ${formatDuration(min)}`);
  }
  if (ms > max) {
    const why = max === maxTimerMs
      ? " (about 24.8 days, the longest timer JavaScript can set)"
      : "";
    throw new RangeError(`Duration "${text}" is too long: at most ${formatDuration(max)}${why}`);
  }
  return ms;
}
