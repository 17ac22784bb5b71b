// Limits a collector puts on each lab machine and each address, so one student cannot fill the
// teacher's disk or drown the log: a rate (a token bucket: COUNT at once, then COUNT per PERIOD),
// and a throttle that lets one log line through per key and window and counts the rest.

/** A rate: `count` submissions per `periodMs`, `count` of them at once. */
export interface Rate {
  count: number;
  periodMs: number;
}

const periods: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

/**
 * Parses `COUNT/PERIOD` (`30/min`, `5/s`, `600/h`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRate } from "./limits.ts";
 *
 * assert.deepEqual(parseRate("30/min"), { count: 30, periodMs: 60000 });
 * assert.deepEqual(parseRate("5 / s"), { count: 5, periodMs: 1000 });
 * assert.throws(() => parseRate("30 per minute"), SyntaxError);
 * ```
 */
export function parseRate(text: string): Rate {
  const m = /^(\d{1,6})\s*\/\s*([a-z]+)$/i.exec(text.trim());
  const periodMs = m ? periods[m[2].toLowerCase()] : undefined;
  if (!m || periodMs === undefined || Number(m[1]) < 1) {
    throw new SyntaxError(`Cannot parse rate "${text}": use COUNT/PERIOD, such as 30/min or 5/s`);
  }
  return { count: Number(m[1]), periodMs };
}

/**
 * A rate as people say it: `30 a minute`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeRate, parseRate } from "./limits.ts";
 *
 * assert.equal(describeRate({ count: 30, periodMs: 60000 }), "30 a minute");
 * assert.equal(describeRate(parseRate("600/h")), "600 an hour");
 * ```
 */
export function describeRate(rate: Rate): string {
  const unit = rate.periodMs === 1000
    ? "second"
    : rate.periodMs === 60_000
    ? "minute"
    : rate.periodMs === 3_600_000
    ? "hour"
    : `${rate.periodMs} ms`;
  return `${rate.count} ${unit === "hour" ? "an" : "a"} ${unit}`;
}

/** Keys kept before full buckets are forgotten (a full bucket is the same as no entry). */
const maxKeys = 10_000;

/**
 * Token buckets by key (an address, a machine name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateLimiter } from "./limits.ts";
 *
 * let now = 0; // a clock of our own, so the example does not wait
 * const limiter = new RateLimiter({ count: 2, periodMs: 60_000 }, () => now);
 * assert.deepEqual(limiter.take("pc01"), { ok: true });
 * assert.deepEqual(limiter.take("pc01"), { ok: true });
 * assert.deepEqual(limiter.take("pc01"), { ok: false, retryAfterMs: 30000 });
 * assert.deepEqual(limiter.take("pc02"), { ok: true }); // every key has its own bucket
 * now = 30_000;
 * assert.deepEqual(limiter.take("pc01"), { ok: true });
 * ```
 */
export class RateLimiter {
  readonly rate: Rate;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(rate: Rate, now: () => number = () => performance.now()) {
    this.rate = rate;
    this.#now = now;
  }

  #level(key: string, now: number): number {
    const b = this.#buckets.get(key);
    if (!b) return this.rate.count;
    return Math.min(
      this.rate.count,
      b.tokens + (now - b.at) * this.rate.count / this.rate.periodMs,
    );
  }

  /**
   * Whether `key` may go on now without spending anything (and when it may, if not).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { RateLimiter } from "./limits.ts";
   *
   * const limiter = new RateLimiter({ count: 1, periodMs: 60_000 }, () => 0);
   * assert.deepEqual(limiter.check("10.0.0.7"), { ok: true });
   * assert.deepEqual(limiter.check("10.0.0.7"), { ok: true }); // checking spends nothing
   * limiter.take("10.0.0.7");
   * assert.deepEqual(limiter.check("10.0.0.7"), { ok: false, retryAfterMs: 60000 });
   * ```
   */
  check(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.#now();
    const level = this.#level(key, now);
    if (level >= 1) return { ok: true };
    return {
      ok: false,
      retryAfterMs: Math.ceil((1 - level) * this.rate.periodMs / this.rate.count),
    };
  }

  /**
   * Spends one from `key`'s bucket, or says how long until one is there.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { RateLimiter } from "./limits.ts";
   *
   * const limiter = new RateLimiter({ count: 1, periodMs: 1000 }, () => 0);
   * assert.equal(limiter.take("10.0.0.7").ok, true);
   * assert.equal(limiter.take("10.0.0.7").ok, false);
   * ```
   */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const verdict = this.check(key);
    if (!verdict.ok) return verdict;
    const now = this.#now();
    if (this.#buckets.size >= maxKeys) this.#forgetFull(now);
    this.#buckets.set(key, { tokens: this.#level(key, now) - 1, at: now });
    return verdict;
  }

  #forgetFull(now: number): void {
    for (const key of this.#buckets.keys()) {
      if (this.#level(key, now) >= this.rate.count) this.#buckets.delete(key);
    }
  }
}

/**
 * One report per key and window; the others are counted and the count goes with the next one
 * let through (a log that 7,500 wrong tokens would fill says it once per address and window).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Throttle } from "./limits.ts";
 *
 * let now = 0;
 * const t = new Throttle(10_000, () => now);
 * assert.deepEqual(t.admit("10.0.0.7 401"), { show: true, suppressed: 0 });
 * assert.deepEqual(t.admit("10.0.0.7 401"), { show: false, suppressed: 0 });
 * assert.deepEqual(t.admit("10.0.0.7 401"), { show: false, suppressed: 0 });
 * now = 10_000; // the next window: shown, with how many were not
 * assert.deepEqual(t.admit("10.0.0.7 401"), { show: true, suppressed: 2 });
 * ```
 */
export class Throttle {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, { at: number; suppressed: number }>();

  constructor(windowMs: number, now: () => number = () => performance.now()) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Whether to report this one; `suppressed` is how many were not reported since the last. */
  admit(key: string): { show: boolean; suppressed: number } {
    const now = this.#now();
    const k = this.#keys.get(key);
    if (k && now - k.at < this.#windowMs) {
      k.suppressed++;
      return { show: false, suppressed: 0 };
    }
    if (this.#keys.size >= maxKeys) {
      for (const [key, v] of this.#keys) if (now - v.at >= this.#windowMs) this.#keys.delete(key);
    }
    this.#keys.set(key, { at: now, suppressed: 0 });
    return { show: true, suppressed: k?.suppressed ?? 0 };
  }
}
