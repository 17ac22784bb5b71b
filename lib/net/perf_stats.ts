// Measurements `toolkit perf` reports: bytes per interval, and for UDP the receiver's view of a
// datagram stream (loss, reordering, duplicates and RFC 3550 interarrival jitter). Pure values and
// arithmetic; the sockets live in lib/net/perf_session.ts.

/**
 * Counts bytes (and datagrams) and cuts them into intervals, like iperf3's `-i` lines. Times come
 * out in whole milliseconds since the start (timers and event-loop turns make finer digits noise),
 * rates in whole bits per second.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IntervalMeter } from "./perf_stats.ts";
 *
 * const meter = new IntervalMeter(0);
 * meter.add(600);
 * meter.add(400);
 * assert.deepEqual(meter.cut(1000), {
 *   startMs: 0,
 *   endMs: 1000,
 *   bytes: 1000,
 *   datagrams: 2,
 *   bitsPerSecond: 8000,
 * });
 * meter.add(500);
 * assert.deepEqual(meter.cut(1500), {
 *   startMs: 1000,
 *   endMs: 1500,
 *   bytes: 500,
 *   datagrams: 1,
 *   bitsPerSecond: 8000,
 * });
 * assert.equal(meter.totalBytes, 1500);
 * ```
 */
export class IntervalMeter {
  #start: number;
  #origin: number;
  #bytes = 0;
  #datagrams = 0;
  /** Bytes since the meter started. */
  totalBytes = 0;
  /** Datagrams (or writes) since the meter started. */
  totalDatagrams = 0;

  /** `origin` is the test's start in ms (performance.now()); intervals are relative to it. */
  constructor(origin: number) {
    this.#origin = origin;
    this.#start = origin;
  }

  /** Starts counting afresh from `now` (the end of iperf3's `--omit` seconds). */
  restart(now: number): void {
    this.#origin = now;
    this.#start = now;
    this.#bytes = 0;
    this.#datagrams = 0;
    this.totalBytes = 0;
    this.totalDatagrams = 0;
  }

  /** Records `bytes` moved in one write or datagram. */
  add(bytes: number): void {
    this.#bytes += bytes;
    this.#datagrams++;
    this.totalBytes += bytes;
    this.totalDatagrams++;
  }

  /** Closes the current interval at `now` (ms) and starts the next one. */
  cut(now: number): Interval {
    now = Math.max(now, this.#start);
    const interval = {
      startMs: Math.round(this.#start - this.#origin),
      endMs: Math.round(now - this.#origin),
      bytes: this.#bytes,
      datagrams: this.#datagrams,
      bitsPerSecond: Math.round(rate(this.#bytes, now - this.#start)),
    };
    this.#start = now;
    this.#bytes = 0;
    this.#datagrams = 0;
    return interval;
  }
}

/** One interval line: ms since the start, bytes moved, and the rate in bits per second. */
export interface Interval {
  startMs: number;
  endMs: number;
  bytes: number;
  datagrams: number;
  bitsPerSecond: number;
}

/**
 * Rounds a measured value to `decimals` places: what the measurement supports, without the
 * binary noise of `0.9902840090000001`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { roundTo } from "./perf_stats.ts";
 *
 * assert.equal(roundTo(0.9902840090000001, 3), 0.99);
 * assert.equal(roundTo(12.3456, 2), 12.35);
 * ```
 */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * Bits per second for `bytes` moved in `ms` milliseconds (0 for an empty span).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rate } from "./perf_stats.ts";
 *
 * assert.equal(rate(125_000, 1000), 1_000_000);
 * assert.equal(rate(125_000, 0), 0);
 * ```
 */
export function rate(bytes: number, ms: number): number {
  return ms > 0 ? (bytes * 8 * 1000) / ms : 0;
}

/** What a UDP receiver saw, in total or for one interval. */
export interface UdpReceiveReport {
  /** Distinct datagrams received. */
  received: number;
  bytes: number;
  /** Datagrams missing below the highest sequence number seen (iperf3's count: gaps only). */
  lost: number;
  /** `lost` as a percentage of what was expected. */
  lossPercent: number;
  /** Datagrams that arrived after one with a higher sequence number. */
  outOfOrder: number;
  duplicates: number;
  /** RFC 3550 interarrival jitter, in milliseconds. */
  jitterMs: number;
}

/**
 * The receiving side of a UDP stream: feed it each datagram's sequence number and timestamps.
 * Jitter follows RFC 3550 section 6.4.1: J += (|D(i-1,i)| - J) / 16, where D is the difference of
 * the transit times of consecutive arrivals. Sender and receiver clocks need not agree: only
 * differences of transit times are used, so a constant offset cancels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UdpReceiver } from "./perf_stats.ts";
 *
 * const rx = new UdpReceiver();
 * rx.record(0, 64, 10.0, 10.5);
 * rx.record(2, 64, 12.0, 12.5);
 * rx.record(2, 64, 12.0, 12.6); // the same datagram twice
 * rx.record(3, 64, 13.0, 14.5); // 1 ms more in transit than the one before
 * assert.deepEqual(rx.report(), {
 *   received: 3,
 *   bytes: 192,
 *   lost: 1, // seq 1
 *   lossPercent: 25,
 *   outOfOrder: 0,
 *   duplicates: 1,
 *   jitterMs: 1 / 16,
 * });
 * ```
 */
export class UdpReceiver {
  // Which of the last `window` sequence numbers arrived, as a ring of bits: constant memory and
  // no allocation per datagram, so the receiver keeps up with small datagrams.
  static readonly window = 1 << 20;
  #bits = new Uint8Array(UdpReceiver.window / 8);
  #maxSeq = -1;
  #transit: number | undefined;
  #jitter = 0;
  #received = 0;
  #bytes = 0;
  #outOfOrder = 0;
  #duplicates = 0;

  /** Records one datagram: its sequence number, size, send time and arrival time (both ms). */
  record(seq: number, bytes: number, sentMs: number, arrivedMs: number): void {
    const w = UdpReceiver.window;
    if (seq > this.#maxSeq) {
      // Forget the slots the window slides past.
      if (seq - this.#maxSeq >= w) this.#bits.fill(0);
      else for (let s = this.#maxSeq + 1; s < seq; s++) this.#clear(s % w);
      this.#maxSeq = seq;
    } else if (this.#maxSeq - seq < w) {
      if (this.#has(seq % w)) {
        this.#duplicates++;
        return;
      }
      this.#outOfOrder++;
    } else {
      this.#outOfOrder++; // too late to tell a duplicate from a straggler; count it once
    }
    this.#set(seq % w);
    this.#received++;
    this.#bytes += bytes;
    const transit = arrivedMs - sentMs;
    if (this.#transit !== undefined) {
      const d = Math.abs(transit - this.#transit);
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#transit = transit;
  }

  #has(i: number): boolean {
    return (this.#bits[i >>> 3] & (1 << (i & 7))) !== 0;
  }
  #set(i: number): void {
    this.#bits[i >>> 3] |= 1 << (i & 7);
  }
  #clear(i: number): void {
    this.#bits[i >>> 3] &= ~(1 << (i & 7));
  }

  /** Highest sequence number seen, or -1. */
  get maxSeq(): number {
    return this.#maxSeq;
  }

  /** Distinct datagrams received so far. */
  get received(): number {
    return this.#received;
  }

  /**
   * The totals so far: what was expected is the highest sequence number seen plus one, so a
   * datagram still in flight after the last one that arrived is not counted lost (iperf3's rule).
   */
  report(): UdpReceiveReport {
    const expected = Math.max(this.#maxSeq + 1, this.#received);
    const lost = expected - this.#received;
    return {
      received: this.#received,
      bytes: this.#bytes,
      lost,
      lossPercent: expected > 0 ? (lost * 100) / expected : 0,
      outOfOrder: this.#outOfOrder,
      duplicates: this.#duplicates,
      jitterMs: this.#jitter,
    };
  }
}

/**
 * Formats a byte count the way iperf3 does (binary units): `1.10 GBytes`, `64.0 KBytes`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatBytes } from "./perf_stats.ts";
 *
 * assert.equal(formatBytes(1_181_116_006), "1.10 GBytes");
 * assert.equal(formatBytes(65_536), "64.0 KBytes");
 * assert.equal(formatBytes(512), "512 Bytes");
 * ```
 */
export function formatBytes(bytes: number): string {
  return scaled(bytes, 1024, ["Bytes", "KBytes", "MBytes", "GBytes", "TBytes"]);
}

/**
 * Formats a rate the way iperf3 does (decimal units): `941 Mbits/sec`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatBits } from "./perf_stats.ts";
 *
 * assert.equal(formatBits(941_000_000), "941 Mbits/sec");
 * assert.equal(formatBits(99_960), "100 Kbits/sec"); // rounds up to three digits, as iperf3 does
 * ```
 */
export function formatBits(bitsPerSecond: number): string {
  return scaled(bitsPerSecond, 1000, [
    "bits/sec",
    "Kbits/sec",
    "Mbits/sec",
    "Gbits/sec",
    "Tbits/sec",
  ]);
}

function scaled(value: number, base: number, units: string[]): string {
  let v = value;
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : threeDigits(v)} ${units[i]}`;
}

// iperf3's unit_snprintf: the thresholds are where rounding would add a digit (99.96 -> "100").
function threeDigits(v: number): string {
  return v >= 99.95 ? v.toFixed(0) : v >= 9.995 ? v.toFixed(1) : v.toFixed(2);
}

/**
 * Parses a size or rate with an optional K/M/G suffix (decimal for rates like iperf3's `-b 10M`,
 * binary for sizes like `-n 1G` when `binary` is set). The value is rounded to a whole number,
 * unless `exact` is set: then one that is not whole (`1.5` bytes) is a `RangeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseQuantity } from "./perf_stats.ts";
 *
 * assert.equal(parseQuantity("10M"), 10_000_000);
 * assert.equal(parseQuantity("2G", { binary: true }), 2147483648);
 * assert.throws(() => parseQuantity("1.5", { exact: true }), RangeError);
 * assert.throws(() => parseQuantity("10 Mbit"), SyntaxError);
 * ```
 */
export function parseQuantity(
  text: string,
  options: { binary?: boolean; exact?: boolean } = {},
): number {
  const m = /^(\d+(?:\.\d+)?)([kmgt])?$/i.exec(text.trim());
  if (!m) throw new SyntaxError(`Cannot parse "${text}": use a number with an optional K, M or G`);
  const base = options.binary ? 1024 : 1000;
  const power = m[2] ? "kmgt".indexOf(m[2].toLowerCase()) + 1 : 0;
  const value = Number(m[1]) * base ** power;
  if (!Number.isFinite(value)) throw new RangeError(`Quantity "${text}" is too large`);
  if (options.exact && !Number.isInteger(value)) {
    throw new RangeError(`Quantity "${text}" is not a whole number`);
  }
  return Math.round(value);
}
