// One perf test seen from one end, after the handshake: the sender pushes bytes on every stream
// until the time or byte budget is spent, the receiver counts them, then they swap totals over the
// control connection. Client and server both run this; only who sends differs (`--reverse`).
// Every test is bounded: a watchdog closes all sockets at the requested time plus a grace period,
// and a peer that vanishes (control connection closed, or no data for `idleMs`) ends the test.
import {
  encodeMessage,
  type LineReader,
  type PerfMessage,
  type PerfParams,
  type StreamReceived,
  type StreamSent,
  udpHeaderSize,
  writeUdpHeaderTo,
} from "./perf_protocol.ts";
import { type Interval, IntervalMeter, UdpReceiver } from "./perf_stats.ts";

/** An interval line with, for a UDP receiver, what was lost in that interval. */
export interface PerfInterval extends Interval {
  /** UDP receiver only: datagrams missing in this interval, jitter so far, reordered. */
  lost?: number;
  expected?: number;
  jitterMs?: number;
  outOfOrder?: number;
}

/** Both ends' totals once a test is over. */
export interface PerfResult {
  params: PerfParams;
  /** Seconds from start to the sender's last write. */
  senderSeconds: number;
  /** Seconds from start to the last byte the receiver saw. */
  receiverSeconds: number;
  sent: StreamSent[];
  received: StreamReceived[];
}

/** A source of datagrams for a UDP receiver (a socket loop the caller owns). */
export interface UdpInbox {
  /** Routes every datagram to `handler` until `detach` is called. */
  attach(handler: (data: Uint8Array, arrivedMs: number) => void): void;
  detach(): void;
}

/** Where a UDP sender sends stream `i`. */
export interface UdpOutbox {
  sockets: Deno.DatagramConn[];
  targets: Deno.NetAddr[];
}

/** Everything a session needs. */
export interface SessionOptions {
  role: "sender" | "receiver";
  params: PerfParams;
  cookie: number;
  control: Deno.Conn;
  reader: LineReader;
  /** TCP: one connection per stream, with bytes already read past the stream line (receiver). */
  tcp?: { conns: Deno.Conn[]; initial?: Uint8Array[] };
  /** UDP sender: sockets and targets per stream. */
  udpOut?: UdpOutbox;
  /** UDP receiver: the datagram source. */
  udpIn?: UdpInbox;
  /** Interval length in ms; 0 for none. */
  intervalMs: number;
  onInterval?: (interval: PerfInterval) => void;
  signal?: AbortSignal;
  /** A receiver ends the test when no data came for this long. Default 5 s. */
  idleMs?: number;
  /** Extra time past `params.timeMs` before the watchdog closes everything. Default 5 s. */
  graceMs?: number;
}

/** Why a session ended early. */
export class PerfAborted extends Error {
  readonly reason: "interrupted" | "peer vanished" | "timed out";
  constructor(reason: "interrupted" | "peer vanished" | "timed out", detail?: string) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = "PerfAborted";
    this.reason = reason;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs the data phase of a test from `start` to the exchange of totals.
 *
 * @example
 * ```ts
 * const result = await runSession({ role: "sender", params, cookie, control, reader,
 *   tcp: { conns }, intervalMs: 1000, onInterval: (i) => console.log(i) });
 * ```
 */
export async function runSession(o: SessionOptions): Promise<PerfResult> {
  const p = o.params;
  const start = performance.now();
  const meter = new IntervalMeter(start);
  const graceMs = o.graceMs ?? 5000;
  const idleMs = o.idleMs ?? 5000;
  let aborted: PerfAborted | undefined;
  const closers: (() => void)[] = [];
  const abort = (why: PerfAborted) => {
    if (aborted) return;
    aborted = why;
    for (const close of closers) {
      try {
        close();
      } catch { /* already closed */ }
    }
  };
  for (const c of o.tcp?.conns ?? []) closers.push(() => c.close());
  closers.push(() => o.control.close());
  const onSignal = () => abort(new PerfAborted("interrupted"));
  o.signal?.addEventListener("abort", onSignal, { once: true });
  if (o.signal?.aborted) onSignal();
  const watchdog = setTimeout(
    () => abort(new PerfAborted("timed out", `test still running after ${p.timeMs + graceMs} ms`)),
    p.timeMs + graceMs,
  );
  const udpReceivers = Array.from({ length: p.parallel }, () => new UdpReceiver());
  let lastExpected = 0;
  let lastReceived = 0;
  const ticker = o.intervalMs > 0
    ? setInterval(() => o.onInterval?.(cutInterval(performance.now())), o.intervalMs)
    : undefined;
  // The last, partial interval ends when the data stops, not after the totals are exchanged.
  function finalInterval(now: number) {
    if (ticker !== undefined) clearInterval(ticker);
    if (o.intervalMs <= 0) return;
    const last = cutInterval(Math.max(now, start));
    // Like iperf3, a sliver of an interval at the end is not worth a line (totals include it).
    if (last.end - last.start > Math.max(0.05, o.intervalMs / 10000)) o.onInterval?.(last);
  }
  function cutInterval(now: number): PerfInterval {
    const interval: PerfInterval = meter.cut(now);
    if (o.role === "receiver" && p.protocol === "udp") {
      const expected = udpReceivers.reduce((n, r) => n + r.maxSeq + 1, 0);
      const received = udpReceivers.reduce((n, r) => n + r.received, 0);
      const dExpected = expected - lastExpected;
      const dReceived = received - lastReceived;
      lastExpected = expected;
      lastReceived = received;
      const reports = udpReceivers.map((r) => r.report());
      interval.expected = Math.max(dExpected, dReceived);
      interval.lost = Math.max(dExpected - dReceived, 0);
      interval.jitterMs = reports.reduce((s, r) => s + r.jitterMs, 0) / reports.length;
      interval.outOfOrder = reports.reduce((s, r) => s + r.outOfOrder, 0);
    }
    return interval;
  }

  try {
    let mine: { seconds: number; sent?: StreamSent[]; received?: StreamReceived[] };
    let theirs: PerfMessage | null;
    if (o.role === "sender") {
      // The peer's only message is its result; an early close means it vanished.
      const peer = o.reader.next().catch(() => null);
      peer.then((m) => {
        if (m === null) abort(new PerfAborted("peer vanished", "control connection closed"));
      });
      const sent = p.protocol === "tcp"
        ? await sendTcp(o, meter, () => aborted !== undefined)
        : await sendUdp(o, meter, () => aborted !== undefined);
      const seconds = (performance.now() - start) / 1000;
      if (aborted) throw aborted;
      finalInterval(performance.now());
      for (const c of o.tcp?.conns ?? []) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      mine = { seconds, sent };
      await o.control.write(encodeMessage({ type: "done", seconds, streams: sent }));
      theirs = await peer;
    } else {
      let done: PerfMessage | null | undefined;
      const peer = o.reader.next().catch(() => null).then((m) => {
        done = m;
        if (m === null) abort(new PerfAborted("peer vanished", "control connection closed"));
        return m;
      });
      let lastData = start;
      const received = p.protocol === "tcp"
        ? await receiveTcp(
          o,
          meter,
          (t) => lastData = t,
          () => aborted !== undefined,
          idleMs,
          abort,
        )
        : await receiveUdp(
          o,
          meter,
          udpReceivers,
          (t) => lastData = t,
          () => done !== undefined || aborted !== undefined,
          idleMs,
          abort,
        );
      theirs = await peer;
      if (aborted) throw aborted;
      finalInterval(lastData);
      const seconds = (lastData - start) / 1000;
      if (theirs?.type === "done" && p.protocol === "udp") {
        theirs.streams.forEach((s, i) => {
          if (received[i]) Object.assign(received[i], udpReport(udpReceivers[i], s.datagrams));
        });
      }
      mine = { seconds, received };
      await o.control.write(encodeMessage({ type: "result", seconds, streams: received }));
    }
    if (aborted) throw aborted;
    if (o.role === "sender") {
      if (theirs?.type !== "result") {
        throw new PerfAborted("peer vanished", "no result from the receiver");
      }
      return {
        params: p,
        senderSeconds: mine.seconds,
        receiverSeconds: theirs.seconds,
        sent: mine.sent!,
        received: theirs.streams,
      };
    }
    if (theirs?.type !== "done") {
      throw new PerfAborted("peer vanished", "no totals from the sender");
    }
    return {
      params: p,
      senderSeconds: theirs.seconds,
      receiverSeconds: mine.seconds,
      sent: theirs.streams,
      received: mine.received!,
    };
  } catch (err) {
    if (aborted) throw aborted;
    throw err;
  } finally {
    clearTimeout(watchdog);
    if (ticker !== undefined) clearInterval(ticker);
    o.signal?.removeEventListener("abort", onSignal);
    o.udpIn?.detach();
  }
}

function udpReport(r: UdpReceiver, sent: number): Partial<StreamReceived> {
  const rep = r.report(sent);
  return {
    lost: rep.lost,
    outOfOrder: rep.outOfOrder,
    duplicates: rep.duplicates,
    jitterMs: rep.jitterMs,
  };
}

/** Splits a byte budget and a rate over the streams. */
function shares(p: PerfParams) {
  return {
    bytes: p.bytes === null ? Infinity : p.bytes,
    bytesPerMs: p.rateBps > 0 ? p.rateBps / 8 / 1000 / p.parallel : 0,
  };
}

async function sendTcp(o: SessionOptions, meter: IntervalMeter, stopped: () => boolean) {
  const p = o.params;
  const { bytesPerMs } = shares(p);
  const budget = { left: p.bytes === null ? Infinity : p.bytes };
  const start = performance.now();
  const deadline = start + p.timeMs;
  const buf = new Uint8Array(p.length);
  crypto.getRandomValues(buf.subarray(0, Math.min(buf.length, 65536)));
  return await Promise.all(o.tcp!.conns.map(async (conn) => {
    const s: StreamSent = { bytes: 0, datagrams: 0 };
    try {
      while (!stopped()) {
        const n = Math.min(p.length, budget.left);
        if (n <= 0) break;
        budget.left -= n;
        if (bytesPerMs > 0) {
          const wait = start + s.bytes / bytesPerMs - performance.now();
          if (wait > 1) await sleep(Math.min(wait, deadline - performance.now()));
        }
        if (performance.now() >= deadline) break;
        let off = 0;
        while (off < n) off += await conn.write(buf.subarray(off, n));
        s.bytes += n;
        s.datagrams++;
        meter.add(n);
      }
    } catch (err) {
      if (!stopped()) throw err;
    }
    return s;
  }));
}

async function sendUdp(o: SessionOptions, meter: IntervalMeter, stopped: () => boolean) {
  const p = o.params;
  const out = o.udpOut!;
  const { bytesPerMs } = shares(p);
  const budget = { left: p.bytes === null ? Infinity : p.bytes };
  const start = performance.now();
  const deadline = start + p.timeMs;
  const origin = performance.timeOrigin;
  return await Promise.all(out.targets.map(async (target, index) => {
    const sock = out.sockets[index] ?? out.sockets[0];
    const s: StreamSent = { bytes: 0, datagrams: 0 };
    // One datagram in flight at a time: several concurrent sends are barely faster here and
    // can leave the socket out of order, which would then be reported as the network's doing.
    const buf = new Uint8Array(p.length);
    const view = new DataView(buf.buffer);
    const header = { cookie: o.cookie, stream: index, flags: 0, seq: 0, sentMs: 0 };
    let now = performance.now();
    try {
      while (now < deadline && budget.left > 0 && !stopped()) {
        if (bytesPerMs > 0) {
          const wait = start + s.bytes / bytesPerMs - now;
          if (wait > 1) await sleep(Math.min(wait, deadline - now));
        }
        header.sentMs = origin + now;
        writeUdpHeaderTo(view, header);
        header.seq++;
        budget.left -= p.length;
        try {
          await sock.send(buf, target);
        } catch (err) {
          // An ICMP port unreachable from an earlier datagram surfaces here; the receiver
          // will tell whether it is gone, so keep going.
          if (!(err instanceof Deno.errors.ConnectionRefused)) throw err;
        }
        s.bytes += p.length;
        s.datagrams++;
        meter.add(p.length);
        now = performance.now();
      }
    } catch (err) {
      if (!stopped()) throw err;
    }
    return s;
  }));
}

async function receiveTcp(
  o: SessionOptions,
  meter: IntervalMeter,
  mark: (t: number) => void,
  stopped: () => boolean,
  idleMs: number,
  abort: (why: PerfAborted) => void,
): Promise<StreamReceived[]> {
  let last = performance.now();
  const idle = setInterval(() => {
    if (performance.now() - last > idleMs) {
      abort(new PerfAborted("peer vanished", `no data for ${idleMs / 1000}s`));
    }
  }, Math.min(idleMs, 500));
  try {
    return await Promise.all(o.tcp!.conns.map(async (conn, i) => {
      const r: StreamReceived = { bytes: 0, datagrams: 0 };
      const first = o.tcp!.initial?.[i];
      if (first && first.length > 0) {
        r.bytes += first.length;
        meter.add(first.length);
      }
      const buf = new Uint8Array(Math.max(o.params.length, 256 * 1024));
      try {
        while (true) {
          const n = await conn.read(buf);
          if (n === null) break;
          last = performance.now();
          mark(last);
          r.bytes += n;
          r.datagrams++;
          meter.add(n);
        }
      } catch (err) {
        if (!stopped()) throw err;
      }
      return r;
    }));
  } finally {
    clearInterval(idle);
  }
}

async function receiveUdp(
  o: SessionOptions,
  meter: IntervalMeter,
  receivers: UdpReceiver[],
  mark: (t: number) => void,
  senderDone: () => boolean,
  idleMs: number,
  abort: (why: PerfAborted) => void,
): Promise<StreamReceived[]> {
  const totals = receivers.map(() => ({ bytes: 0, datagrams: 0 }));
  let last = performance.now();
  // Receive loops reuse one buffer, so one DataView per buffer reads every header in place.
  let viewOf: ArrayBufferLike | undefined;
  let view: DataView | undefined;
  o.udpIn!.attach((data, arrivedMs) => {
    if (data.length < udpHeaderSize) return;
    if (data.buffer !== viewOf) {
      viewOf = data.buffer;
      view = new DataView(data.buffer);
    }
    const at = data.byteOffset;
    const stream = view!.getUint16(at + 4);
    if (
      view!.getUint32(at) !== o.cookie || view!.getUint16(at + 6) !== 0 ||
      stream >= receivers.length
    ) return;
    const seq = view!.getUint32(at + 8) * 2 ** 32 + view!.getUint32(at + 12);
    last = arrivedMs - performance.timeOrigin;
    const before = receivers[stream].received;
    receivers[stream].record(seq, data.length, view!.getFloat64(at + 16), arrivedMs);
    if (receivers[stream].received > before) {
      totals[stream].bytes += data.length;
      totals[stream].datagrams++;
      meter.add(data.length);
    }
  });
  // The sender's `done` says how many it sent; then stragglers get a short drain.
  let doneAt: number | undefined;
  while (true) {
    await sleep(20);
    const now = performance.now();
    if (senderDone()) {
      doneAt ??= now;
      if (now - doneAt > 300 || now - last > 100) break;
    } else if (now - last > idleMs) {
      abort(new PerfAborted("peer vanished", `no datagrams for ${idleMs / 1000}s`));
      break;
    }
  }
  o.udpIn!.detach();
  if (totals.some((t) => t.datagrams > 0)) mark(last);
  return totals.map((t, i) => ({ ...t, ...udpReport(receivers[i], receivers[i].maxSeq + 1) }));
}

/** Smallest `--length` for UDP: the datagram header. */
export const minUdpLength = udpHeaderSize;

/** Totals of one end of a test, summed over streams. */
export interface PerfSideSummary {
  seconds: number;
  bytes: number;
  bitsPerSecond: number;
  /** Writes or datagrams (sender); reads or distinct datagrams (receiver). */
  datagrams: number;
}

/** What `perf` prints at the end: the sender's and the receiver's totals, UDP quality figures. */
export interface PerfSummary {
  protocol: "tcp" | "udp";
  reverse: boolean;
  parallel: number;
  sender: PerfSideSummary;
  receiver: PerfSideSummary & {
    lost?: number;
    lossPercent?: number;
    outOfOrder?: number;
    duplicates?: number;
    jitterMs?: number;
  };
  /** Per stream, in stream order, with `--parallel` above 1. */
  streams?: { sent: StreamSent; received: StreamReceived }[];
}

/**
 * Sums a result's streams into one summary (UDP loss over all streams, jitter averaged).
 *
 * @example
 * ```ts
 * const s = summarizePerf(result);
 * s.receiver.bitsPerSecond;
 * ```
 */
export function summarizePerf(r: PerfResult): PerfSummary {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const sentBytes = sum(r.sent.map((s) => s.bytes));
  const receivedBytes = sum(r.received.map((s) => s.bytes));
  const summary: PerfSummary = {
    protocol: r.params.protocol,
    reverse: r.params.reverse,
    parallel: r.params.parallel,
    sender: {
      seconds: r.senderSeconds,
      bytes: sentBytes,
      bitsPerSecond: r.senderSeconds > 0 ? (sentBytes * 8) / r.senderSeconds : 0,
      datagrams: sum(r.sent.map((s) => s.datagrams)),
    },
    receiver: {
      seconds: r.receiverSeconds,
      bytes: receivedBytes,
      bitsPerSecond: r.receiverSeconds > 0 ? (receivedBytes * 8) / r.receiverSeconds : 0,
      datagrams: sum(r.received.map((s) => s.datagrams)),
    },
  };
  if (r.params.protocol === "udp") {
    const sent = summary.sender.datagrams;
    const lost = Math.max(sent - summary.receiver.datagrams, 0);
    summary.receiver.lost = lost;
    summary.receiver.lossPercent = sent > 0 ? (lost * 100) / sent : 0;
    summary.receiver.outOfOrder = sum(r.received.map((s) => s.outOfOrder ?? 0));
    summary.receiver.duplicates = sum(r.received.map((s) => s.duplicates ?? 0));
    summary.receiver.jitterMs = r.received.length
      ? sum(r.received.map((s) => s.jitterMs ?? 0)) / r.received.length
      : 0;
  }
  if (r.params.parallel > 1) {
    summary.streams = r.sent.map((sent, i) => ({
      sent,
      received: r.received[i] ?? { bytes: 0, datagrams: 0 },
    }));
  }
  return summary;
}
