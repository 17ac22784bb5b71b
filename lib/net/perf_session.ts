// The data phase of a perf test at one end: the sender pushes bytes on every stream (paced per
// stream, as iperf3's `-b` is, and within a byte budget shared by the streams), the receiver counts
// them (for UDP: loss, reordering, duplicates and RFC 3550 jitter from iperf3's datagram header).
// The control conversation lives in perf_client.ts and perf_server.ts; this module only moves and
// counts bytes, and turns both ends' totals into the summary `perf` prints.
import { type PerfParams, type WireStreamResult, writeUdpHeader } from "./perf_protocol.ts";
import { type Interval, IntervalMeter, rate, roundTo, UdpReceiver } from "./perf_stats.ts";
import { writeAll } from "./write_all.ts";

/** One stream's socket: a TCP connection, or a UDP socket and the peer it sends to. */
export type PerfStream =
  | { kind: "tcp"; conn: Deno.Conn }
  | { kind: "udp"; socket: Deno.DatagramConn; peer: Deno.NetAddr };

/** An interval line with, for a UDP receiver, what was lost in that interval. */
export interface PerfInterval extends Omit<Interval, "datagrams"> {
  /** UDP only: datagrams sent (sender) or received (receiver) in this interval. */
  datagrams?: number;
  /** UDP receiver only: datagrams expected and missing in this interval, jitter so far, reordered. */
  lost?: number;
  expectedDatagrams?: number;
  jitterMs?: number;
  outOfOrder?: number;
}

/** What one stream moved, seen from this end. */
export interface LocalStreamTotals {
  bytes: number;
  /** UDP sender: datagrams sent; UDP receiver: distinct datagrams received. */
  packets: number;
  /** UDP receiver: highest sequence number seen (iperf3 numbers from 1). */
  highestSeq?: number;
  lost?: number;
  outOfOrder?: number;
  duplicates?: number;
  jitterMs?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// A socket op that completes at once resolves its promise without a trip through the event loop,
// so a loop of them (writes to a fast reader, reads of a full buffer) can keep timers and the
// control connection waiting for tens of ms: the server then heard TEST_END 30 to 70 ms late and
// sent hundreds of MB more than the client counted. Every few ms each loop gives the event loop a
// turn, through a MessageChannel (about 15 us here; `setTimeout(0)` took 2 ms and halved TCP).
const turnEveryMs = 1;

class Turns {
  #channel = new MessageChannel();
  #waiting: (() => void)[] = [];

  constructor() {
    this.#channel.port1.onmessage = () => this.#waiting.shift()?.();
  }

  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#channel.port2.postMessage(0);
    });
  }

  /** Closes the channel (an open one keeps the process alive). */
  close(): void {
    this.#channel.port1.close();
    this.#channel.port2.close();
    for (const w of this.#waiting.splice(0)) w();
  }
}

/**
 * The bytes of one test at one end. `start()` begins sending (or reading TCP streams); UDP
 * datagrams are handed in by whoever owns the socket with {@linkcode Transfer.datagram}; `stop()`
 * ends sending; `drain()` lets a receiver take what is still in flight.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PerfParams } from "./perf_protocol.ts";
 * import { Transfer } from "./perf_session.ts";
 *
 * // One TCP stream on loopback that ends after 1 MiB (iperf3's -n 1M).
 * const params: PerfParams = {
 *   protocol: "tcp",
 *   reverse: false,
 *   parallel: 1,
 *   length: 65536,
 *   timeMs: 0,
 *   bytes: 1 << 20,
 *   rateBps: 0,
 * };
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const server = await listener.accept();
 * const sender = new Transfer("sender", params, [{ kind: "tcp", conn: client }]);
 * const receiver = new Transfer("receiver", params, [{ kind: "tcp", conn: server }]);
 * receiver.start();
 * sender.start();
 * await sender.senderDone; // the byte budget is spent
 * client.close();
 * await receiver.drain(1000, 5000); // until the stream ends
 * server.close();
 * assert.deepEqual(sender.totals(), [{ bytes: 1 << 20, packets: 16 }]); // 16 writes of 64 KiB
 * assert.equal(receiver.totals()[0].bytes, 1 << 20);
 * assert.equal(receiver.cut(performance.now()).bytes, 1 << 20);
 * ```
 */
export class Transfer {
  readonly role: "sender" | "receiver";
  readonly params: PerfParams;
  readonly meter: IntervalMeter;
  /** performance.now() at start (moved to the end of the omitted seconds, if any). */
  startedAt = 0;
  /** performance.now() of the last byte moved. */
  lastActivity = 0;
  /** performance.now() when the test ended: stop(), drain(), or the byte budget spent. */
  #endedAt: number | undefined;
  /** The first error a stream hit (a reset, a refused datagram), if any. */
  error: unknown;
  #streams: PerfStream[];
  #totals: LocalStreamTotals[];
  #receivers: UdpReceiver[];
  #loops: Promise<void>[] = [];
  #stopped = false;
  #budget: number;
  #counters64: boolean;
  #lastExpected = 0;
  #lastReceived = 0;
  #omitTimer: ReturnType<typeof setTimeout> | undefined;
  #turns: Turns | undefined;

  constructor(role: "sender" | "receiver", params: PerfParams, streams: PerfStream[]) {
    this.role = role;
    this.params = params;
    this.#streams = streams;
    this.#totals = streams.map(() => ({ bytes: 0, packets: 0 }));
    this.#receivers = streams.map(() => new UdpReceiver());
    this.#budget = params.bytes ?? Infinity;
    this.#counters64 = params.udpCounters64 === true;
    this.meter = new IntervalMeter(0);
  }

  /** Starts the clock, the senders, and the TCP readers. */
  start(): void {
    this.startedAt = this.lastActivity = performance.now();
    this.meter.restart(this.startedAt);
    const omitMs = (this.params.omitSeconds ?? 0) * 1000;
    if (omitMs > 0) this.#omitTimer = setTimeout(() => this.#restart(), omitMs);
    const turns = this.#turns = new Turns();
    this.#loops = this.#streams.map((s, i) => {
      if (this.role === "sender") {
        return s.kind === "tcp" ? this.#sendTcp(s.conn, i) : this.#sendUdp(s.socket, s.peer, i);
      }
      return s.kind === "tcp" ? this.#receiveTcp(s.conn, i) : Promise.resolve();
    });
    Promise.all(this.#loops).finally(() => {
      turns.close();
      // Every sender returned by itself (the byte budget spent, or a failure): the test ended
      // with its last byte. A receiver's end is stop() or drain().
      if (this.role === "sender") this.markEnd(this.lastActivity);
    });
  }

  // iperf3's --omit: what moved in the first seconds does not count.
  #restart() {
    const now = performance.now();
    this.startedAt = now;
    this.meter.restart(now);
    this.#totals = this.#streams.map(() => ({ bytes: 0, packets: 0 }));
    this.#receivers = this.#streams.map(() => new UdpReceiver());
    this.#lastExpected = this.#lastReceived = 0;
  }

  /** Total bytes moved so far, all streams. */
  get bytes(): number {
    return this.#totals.reduce((n, t) => n + t.bytes, 0);
  }

  /** Whether every sender has used up the byte budget (or failed). */
  get senderDone(): Promise<void> {
    return Promise.all(this.#loops).then(() => {});
  }

  /** Stops sending; resolves when every send loop has returned. */
  async stop(): Promise<void> {
    this.markEnd();
    this.#stopped = true;
    clearTimeout(this.#omitTimer);
    if (this.role === "sender") await Promise.all(this.#loops);
  }

  /**
   * For a receiver: waits until every TCP stream has ended, or nothing arrived for `quietMs`, or
   * `maxMs` passed; what arrives meanwhile still counts.
   */
  async drain(quietMs: number, maxMs: number): Promise<void> {
    this.markEnd();
    clearTimeout(this.#omitTimer);
    const until = performance.now() + maxMs;
    let allEnded = false;
    const ended = Promise.all(this.#loops).then(() => allEnded = true);
    const tcp = this.#streams.every((s) => s.kind === "tcp");
    while (!(tcp && allEnded)) {
      const now = performance.now();
      if (now >= until || now - this.lastActivity >= quietMs) break;
      await Promise.race([ended, sleep(Math.min(20, until - now))]);
    }
    this.#stopped = true;
  }

  /**
   * A UDP datagram for stream `index`, arrived at `now` (performance.now()). Called once per
   * datagram at up to a few hundred thousand a second: it allocates nothing and reads the clock
   * not at all (the caller's `now` serves for the arrival time and the activity mark).
   */
  datagram(index: number, data: Uint8Array, now: number): void {
    if (this.#stopped || index >= this.#totals.length) return;
    const counters64 = this.#counters64;
    if (data.length < (counters64 ? 16 : 12)) return;
    const sec = word(data, 0);
    const usec = word(data, 4);
    const seq = counters64 ? word(data, 8) * 2 ** 32 + word(data, 12) : word(data, 8);
    if (seq < 1) return;
    const rx = this.#receivers[index];
    const before = rx.received;
    rx.record(seq - 1, data.length, sec * 1000 + usec / 1000, performance.timeOrigin + now);
    this.lastActivity = now;
    if (rx.received > before) {
      const t = this.#totals[index];
      t.bytes += data.length;
      t.packets++;
      this.meter.add(data.length);
    }
  }

  /** Closes the interval at `now` and describes it (UDP receivers: loss and jitter so far). */
  cut(now: number): PerfInterval {
    const { datagrams, ...rest } = this.meter.cut(now);
    const interval: PerfInterval = rest;
    if (this.params.protocol === "udp") interval.datagrams = datagrams;
    if (this.role === "receiver" && this.params.protocol === "udp") {
      const rs = this.#receivers;
      const expected = rs.reduce((n, r) => n + r.maxSeq + 1, 0);
      const received = rs.reduce((n, r) => n + r.received, 0);
      const dExpected = expected - this.#lastExpected;
      const dReceived = received - this.#lastReceived;
      this.#lastExpected = expected;
      this.#lastReceived = received;
      const reports = rs.map((r) => r.report());
      interval.expectedDatagrams = Math.max(dExpected, dReceived);
      interval.lost = Math.max(dExpected - dReceived, 0);
      interval.jitterMs = roundTo(reports.reduce((s, r) => s + r.jitterMs, 0) / reports.length, 3);
      interval.outOfOrder = reports.reduce((s, r) => s + r.outOfOrder, 0);
    }
    return interval;
  }

  /**
   * Marks the end of the test at `now` (the first mark counts): the time ran out, Ctrl-C, the peer
   * ended it, or the byte budget was spent. stop() and drain() mark it themselves.
   */
  markEnd(now: number = performance.now()): void {
    this.#endedAt ??= now;
  }

  /**
   * performance.now() at the end of the test, as iperf3 ends its streams: a sender's when the test
   * ended (a UDP sender at 8 Kbit/s is still sending in its last second, not done at its last
   * datagram), a receiver's the later of that and the last byte in flight to arrive.
   */
  get endedAt(): number {
    const end = this.#endedAt ?? this.lastActivity;
    return this.role === "receiver" ? Math.max(end, this.lastActivity) : end;
  }

  /** Seconds from the start (after any omitted seconds) to the end of the test. */
  get seconds(): number {
    return Math.max(this.endedAt - this.startedAt, 0) / 1000;
  }

  /**
   * Each stream's totals. A UDP receiver counts as lost what it did not get below the highest
   * sequence number it saw (gaps), as iperf3's receiver does: a datagram still in flight when the
   * test ended was never expected.
   */
  totals(): LocalStreamTotals[] {
    return this.#totals.map((t, i) => {
      if (this.params.protocol !== "udp" || this.role !== "receiver") return { ...t };
      const r = this.#receivers[i].report();
      return {
        ...t,
        highestSeq: this.#receivers[i].maxSeq + 1,
        lost: r.lost,
        outOfOrder: r.outOfOrder,
        duplicates: r.duplicates,
        jitterMs: r.jitterMs,
      };
    });
  }

  /** This end of the result: seconds and each stream in the shape {@linkcode PerfResult} keeps. */
  side(): { seconds: number; streams: (SentStream & ReceivedStream)[] } {
    const udp = this.params.protocol === "udp";
    return {
      seconds: this.seconds,
      streams: this.totals().map((t) => {
        if (!udp) return { bytes: t.bytes };
        if (this.role === "sender") return { bytes: t.bytes, packets: t.packets };
        return {
          bytes: t.bytes,
          packets: t.packets,
          lost: t.lost,
          outOfOrder: t.outOfOrder,
          jitterMs: t.jitterMs,
        };
      }),
    };
  }

  /** This end's totals as iperf3's `send_results` lists them. */
  wireStreams(): WireStreamResult[] {
    const end = this.seconds;
    return this.totals().map((t, i) => {
      const receiver = this.role === "receiver";
      const s: WireStreamResult = {
        id: i === 0 ? 1 : i + 2,
        bytes: t.bytes,
        retransmits: -1,
        jitter: receiver ? (t.jitterMs ?? 0) / 1000 : 0,
        errors: receiver ? (t.lost ?? 0) : 0,
        packets: receiver ? (t.highestSeq ?? 0) : t.packets,
        start_time: 0,
        end_time: end,
      };
      if (receiver && t.outOfOrder !== undefined) s.out_of_order = t.outOfOrder;
      return s;
    });
  }

  #take(n: number): number {
    const take = Math.min(n, this.#budget);
    this.#budget -= take;
    return take;
  }

  // How long stream `index` should wait before its next write to keep to its rate (ms; 0 when
  // it is on time or unpaced). A plain number, so an unpaced loop awaits nothing extra.
  #lag(index: number, now: number): number {
    const perMs = this.params.rateBps / 8 / 1000;
    if (perMs <= 0) return 0;
    const wait = this.startedAt + this.#totals[index].bytes / perMs - now;
    return wait > 1 ? Math.min(wait, 50) : 0;
  }

  async #sendTcp(conn: Deno.Conn, index: number): Promise<void> {
    const buf = new Uint8Array(this.params.length);
    crypto.getRandomValues(buf.subarray(0, Math.min(buf.length, 65536)));
    let turned = performance.now();
    try {
      while (!this.#stopped) {
        const lag = this.#lag(index, performance.now());
        if (lag > 0) {
          await sleep(lag);
          continue;
        }
        const n = this.#take(this.params.length);
        if (n <= 0) break;
        await writeAll(conn, buf.subarray(0, n));
        const t = this.#totals[index];
        t.bytes += n;
        t.packets++;
        this.meter.add(n);
        this.lastActivity = performance.now();
        if (this.lastActivity - turned > turnEveryMs) {
          await this.#turns!.turn();
          turned = performance.now();
        }
      }
    } catch (err) {
      if (!this.#stopped) this.error ??= err;
    }
  }

  async #sendUdp(sock: Deno.DatagramConn, peer: Deno.NetAddr, index: number): Promise<void> {
    // One datagram in flight at a time: several concurrent sends are barely faster here and can
    // leave the socket out of order, which the receiver would report as the network's doing.
    const buf = new Uint8Array(this.params.length);
    const view = new DataView(buf.buffer);
    const header = { sec: 0, usec: 0, seq: 0 };
    const origin = performance.timeOrigin;
    const counters64 = this.#counters64;
    let now = performance.now();
    let turned = now;
    try {
      while (!this.#stopped) {
        const lag = this.#lag(index, now);
        if (lag > 0) {
          await sleep(lag);
          now = performance.now();
          continue;
        }
        if (this.#take(this.params.length) <= 0) break;
        const us = Math.floor((origin + now) * 1000);
        header.sec = Math.floor(us / 1e6);
        header.usec = us % 1e6;
        header.seq++;
        writeUdpHeader(view, header, counters64);
        try {
          await sock.send(buf, peer);
        } catch (err) {
          // An ICMP port unreachable for an earlier datagram surfaces here; the receiver's report
          // tells whether it is gone, so keep going.
          if (!(err instanceof Deno.errors.ConnectionRefused)) throw err;
        }
        const t = this.#totals[index];
        t.bytes += buf.length;
        t.packets++;
        this.meter.add(buf.length);
        now = this.lastActivity = performance.now();
        if (now - turned > turnEveryMs) {
          await this.#turns!.turn();
          turned = now = performance.now();
        }
      }
    } catch (err) {
      if (!this.#stopped) this.error ??= err;
    }
  }

  async #receiveTcp(conn: Deno.Conn, index: number): Promise<void> {
    const buf = new Uint8Array(Math.max(this.params.length, 256 * 1024));
    let turned = performance.now();
    try {
      while (true) {
        const n = await conn.read(buf);
        if (n === null) break;
        this.lastActivity = performance.now();
        this.#totals[index].bytes += n;
        this.meter.add(n);
        if (this.lastActivity - turned > turnEveryMs) {
          await this.#turns!.turn();
          turned = performance.now();
        }
      }
    } catch (err) {
      if (!this.#stopped) this.error ??= err;
    }
  }
}

/** The big-endian 32-bit word at `at` (a datagram header field), without a DataView. */
function word(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** One stream as a sender counted it. */
export interface SentStream {
  bytes: number;
  /** UDP only: datagrams sent. */
  packets?: number;
}

/** One stream as a receiver counted it. */
export interface ReceivedStream {
  bytes: number;
  /** UDP only: distinct datagrams received, and what the receiver saw of their order and timing. */
  packets?: number;
  lost?: number;
  outOfOrder?: number;
  jitterMs?: number;
}

/** Both ends' totals once a test is over (one end only when it was interrupted). */
export interface PerfResult {
  params: PerfParams;
  sender?: { seconds: number; streams: SentStream[] };
  receiver?: { seconds: number; streams: ReceivedStream[] };
  /** The test was stopped early (Ctrl-C, or the peer terminated it): totals so far. */
  interrupted?: boolean;
}

/**
 * The other end's streams from its iperf3 results, in our terms. A receiver's `packets` on the wire
 * is its highest sequence number; the datagrams it received are that minus what it lost.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { peerStreams } from "./perf_session.ts";
 *
 * // A UDP receiver's results: highest sequence number 100, 4 of them lost, jitter in seconds.
 * const wire = [{
 *   id: 1,
 *   bytes: 96 * 1460,
 *   retransmits: -1,
 *   jitter: 0.0005,
 *   errors: 4,
 *   packets: 100,
 *   start_time: 0,
 *   end_time: 1,
 * }];
 * assert.deepEqual(peerStreams(wire, "receiver", "udp"), [
 *   { bytes: 96 * 1460, packets: 96, lost: 4, jitterMs: 0.5 },
 * ]);
 * assert.deepEqual(peerStreams(wire, "receiver", "tcp"), [{ bytes: 96 * 1460 }]);
 * ```
 */
export function peerStreams(
  streams: WireStreamResult[],
  role: "sender" | "receiver",
  protocol: "tcp" | "udp",
): (SentStream | ReceivedStream)[] {
  const sorted = [...streams].sort((a, b) => a.id - b.id);
  return sorted.map((s) => {
    if (protocol === "tcp") return { bytes: s.bytes };
    if (role === "sender") return { bytes: s.bytes, packets: s.packets };
    const r: ReceivedStream = {
      bytes: s.bytes,
      packets: Math.max(s.packets - s.errors, 0),
      lost: s.errors,
      jitterMs: s.jitter * 1000,
    };
    if (s.out_of_order !== undefined) r.outOfOrder = s.out_of_order;
    return r;
  });
}

/**
 * A test's parameters as `perf` and `perf-server` print them under `--json` (the `start` and
 * `open` events): what the user asked for, in the keys of the JSON convention.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paramsSummary } from "./perf_session.ts";
 *
 * const params = {
 *   protocol: "tcp",
 *   reverse: false,
 *   parallel: 1,
 *   length: 131072,
 *   timeMs: 10_000,
 *   bytes: null,
 *   rateBps: 0,
 * } as const;
 * assert.deepEqual(paramsSummary(params), {
 *   protocol: "tcp",
 *   reverse: false,
 *   parallel: 1,
 *   size: 131072,
 *   durationMs: 10_000,
 *   byteLimit: null,
 *   targetBitsPerSecond: 0,
 * });
 * ```
 */
export function paramsSummary(p: PerfParams): PerfParamsSummary {
  return {
    protocol: p.protocol,
    reverse: p.reverse,
    parallel: p.parallel,
    size: p.length,
    durationMs: p.timeMs,
    byteLimit: p.bytes,
    targetBitsPerSecond: p.rateBps,
  };
}

/** A test's parameters under `--json`. */
export interface PerfParamsSummary {
  protocol: "tcp" | "udp";
  reverse: boolean;
  parallel: number;
  /** Bytes per write (TCP) or per datagram (UDP). */
  size: number;
  /** How long the test runs; 0 when `byteLimit` ends it. */
  durationMs: number;
  /** The bytes that end the test (all streams), `null` when `durationMs` does. */
  byteLimit: number | null;
  /** Each stream's target rate (iperf3's `-b`); 0 is unlimited. */
  targetBitsPerSecond: number;
}

/** One end of the test in the summary. */
export interface PerfSideSummary {
  /** From the start to the last byte moved, in whole milliseconds. */
  durationMs: number;
  bytes: number;
  bitsPerSecond: number;
  /** UDP only: datagrams sent (sender) or distinct datagrams received (receiver). */
  datagrams?: number;
}

/** The receiver's end, with UDP's quality figures. */
export interface PerfReceiverSummary extends PerfSideSummary {
  lost?: number;
  lossPercent?: number;
  outOfOrder?: number;
  jitterMs?: number;
}

/** What `perf` prints at the end: the sender's and the receiver's totals, UDP quality figures. */
export interface PerfSummary {
  protocol: "tcp" | "udp";
  reverse: boolean;
  parallel: number;
  /** Missing when the test was interrupted before this end heard from the sender. */
  sender?: PerfSideSummary;
  receiver?: PerfReceiverSummary;
  /** Per stream, in stream order, with `--parallel` above 1. */
  streams?: { sender?: PerfSideSummary; receiver?: PerfReceiverSummary }[];
  interrupted?: true;
}

function side(secs: number, bytes: number, udp: boolean, packets?: number): PerfSideSummary {
  const s: PerfSideSummary = {
    durationMs: Math.round(secs * 1000),
    bytes,
    bitsPerSecond: Math.round(rate(bytes, secs * 1000)),
  };
  if (udp) s.datagrams = packets ?? 0;
  return s;
}

function receiverSide(secs: number, streams: ReceivedStream[], udp: boolean): PerfReceiverSummary {
  const sum = (f: (s: ReceivedStream) => number | undefined) =>
    streams.reduce((n, s) => n + (f(s) ?? 0), 0);
  const out: PerfReceiverSummary = side(secs, sum((s) => s.bytes), udp, sum((s) => s.packets));
  if (!udp) return out;
  // The receiver's own numbers, as iperf3 reports them: what it did not get below the highest
  // sequence number it saw, out of that many. Datagrams in flight when the test ended are in
  // neither (the sender's count says how many were sent).
  const lost = sum((s) => s.lost);
  const expected = (out.datagrams ?? 0) + lost;
  out.lost = lost;
  out.lossPercent = expected > 0 ? roundTo((lost * 100) / expected, 3) : 0;
  out.outOfOrder = sum((s) => s.outOfOrder);
  out.jitterMs = streams.length ? roundTo(sum((s) => s.jitterMs) / streams.length, 3) : 0;
  return out;
}

/**
 * Sums a result's streams into one summary: UDP loss as the receiver counted it (gaps below the
 * highest sequence number it saw, iperf3's rule), jitter averaged over streams, every measured value rounded (durations to the
 * ms, rates to the bit per second, jitter to the microsecond, loss to 0.001%).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizePerf } from "./perf_session.ts";
 *
 * const params = {
 *   protocol: "udp",
 *   reverse: false,
 *   parallel: 1,
 *   length: 1000,
 *   timeMs: 1000,
 *   bytes: null,
 *   rateBps: 1_000_000,
 * } as const;
 * const s = summarizePerf({
 *   params,
 *   sender: { seconds: 1, streams: [{ bytes: 125_000, packets: 125 }] },
 *   receiver: {
 *     seconds: 1.0004,
 *     streams: [{ bytes: 120_000, packets: 120, lost: 5, outOfOrder: 0, jitterMs: 0.0123456 }],
 *   },
 * });
 * assert.deepEqual(s, {
 *   protocol: "udp",
 *   reverse: false,
 *   parallel: 1,
 *   sender: { durationMs: 1000, bytes: 125_000, bitsPerSecond: 1_000_000, datagrams: 125 },
 *   receiver: {
 *     durationMs: 1000,
 *     bytes: 120_000,
 *     bitsPerSecond: 959_616, // over 1.0004 s
 *     datagrams: 120,
 *     lost: 5,
 *     lossPercent: 4,
 *     outOfOrder: 0,
 *     jitterMs: 0.012,
 *   },
 * });
 * ```
 */
export function summarizePerf(r: PerfResult): PerfSummary {
  const udp = r.params.protocol === "udp";
  const summary: PerfSummary = {
    protocol: r.params.protocol,
    reverse: r.params.reverse,
    parallel: r.params.parallel,
  };
  if (r.sender) {
    const bytes = r.sender.streams.reduce((n, s) => n + s.bytes, 0);
    const packets = r.sender.streams.reduce((n, s) => n + (s.packets ?? 0), 0);
    summary.sender = side(r.sender.seconds, bytes, udp, packets);
  }
  if (r.receiver) summary.receiver = receiverSide(r.receiver.seconds, r.receiver.streams, udp);
  if (r.params.parallel > 1) {
    summary.streams = Array.from({ length: r.params.parallel }, (_, i) => {
      const out: { sender?: PerfSideSummary; receiver?: PerfReceiverSummary } = {};
      const sent = r.sender?.streams[i];
      if (r.sender && sent) out.sender = side(r.sender.seconds, sent.bytes, udp, sent.packets);
      const got = r.receiver?.streams[i];
      if (r.receiver && got) {
        out.receiver = receiverSide(r.receiver.seconds, [got], udp);
      }
      return out;
    });
  }
  if (r.interrupted) summary.interrupted = true;
  return summary;
}

/**
 * An interval in the keys of the JSON convention: the bytes this end moved as `sent` (a sender)
 * or `received` (a receiver), counts of datagrams as `datagramCount` and `expectedDatagramCount`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intervalJson } from "./perf_session.ts";
 *
 * const interval = { startMs: 0, endMs: 1000, bytes: 125_000, bitsPerSecond: 1_000_000 };
 * assert.deepEqual(intervalJson(interval, "sender"), {
 *   startMs: 0,
 *   endMs: 1000,
 *   sent: 125_000,
 *   bitsPerSecond: 1_000_000,
 * });
 * const udp = { ...interval, datagrams: 120, expectedDatagrams: 125, lost: 5, jitterMs: 0.01 };
 * assert.deepEqual(intervalJson(udp, "receiver"), {
 *   startMs: 0,
 *   endMs: 1000,
 *   received: 125_000,
 *   bitsPerSecond: 1_000_000,
 *   datagramCount: 120,
 *   expectedDatagramCount: 125,
 *   lost: 5,
 *   jitterMs: 0.01,
 * });
 * ```
 */
export function intervalJson(
  i: PerfInterval,
  role: "sender" | "receiver",
): Record<string, number> {
  const { startMs, endMs, bytes, bitsPerSecond, datagrams, expectedDatagrams, ...udp } = i;
  return {
    startMs,
    endMs,
    [role === "sender" ? "sent" : "received"]: bytes,
    bitsPerSecond,
    ...(datagrams === undefined ? {} : { datagramCount: datagrams }),
    ...(expectedDatagrams === undefined ? {} : { expectedDatagramCount: expectedDatagrams }),
    ...udp,
  } as Record<string, number>;
}

/** One side of the summary in the keys of the JSON convention (see {@linkcode intervalJson}). */
function sideJson(
  side: PerfSideSummary | PerfReceiverSummary,
  role: "sender" | "receiver",
): Record<string, number> {
  const { durationMs, bytes, bitsPerSecond, datagrams, ...udp } = side;
  return {
    durationMs,
    [role === "sender" ? "sent" : "received"]: bytes,
    bitsPerSecond,
    ...(datagrams === undefined ? {} : { datagramCount: datagrams }),
    ...udp,
  } as Record<string, number>;
}

/**
 * The summary in the keys of the JSON convention, for `perf`'s `summary` and `perf-server`'s
 * `result` events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summaryJson } from "./perf_session.ts";
 *
 * const summary = {
 *   protocol: "tcp",
 *   reverse: false,
 *   parallel: 1,
 *   sender: { durationMs: 1000, bytes: 125_000, bitsPerSecond: 1_000_000 },
 *   receiver: { durationMs: 1001, bytes: 125_000, bitsPerSecond: 999_001 },
 * } as const;
 * assert.deepEqual(summaryJson(summary), {
 *   protocol: "tcp",
 *   reverse: false,
 *   parallel: 1,
 *   sender: { durationMs: 1000, sent: 125_000, bitsPerSecond: 1_000_000 },
 *   receiver: { durationMs: 1001, received: 125_000, bitsPerSecond: 999_001 },
 * });
 * ```
 */
export function summaryJson(s: PerfSummary): Record<string, unknown> {
  const pair = (p: { sender?: PerfSideSummary; receiver?: PerfReceiverSummary }) => ({
    ...(p.sender ? { sender: sideJson(p.sender, "sender") } : {}),
    ...(p.receiver ? { receiver: sideJson(p.receiver, "receiver") } : {}),
  });
  return {
    protocol: s.protocol,
    reverse: s.reverse,
    parallel: s.parallel,
    ...pair(s),
    ...(s.streams ? { streams: s.streams.map(pair) } : {}),
    ...(s.interrupted ? { interrupted: true } : {}),
  };
}
