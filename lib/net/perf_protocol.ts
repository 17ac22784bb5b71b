// iperf3's wire protocol, which `toolkit perf` and `toolkit perf-server` speak so that each works
// with the other and with a real `iperf3 -s` / `iperf3 -c` (read from esnet/iperf 3.12 and 3.19:
// src/iperf_api.c, iperf_client_api.c, iperf_server_api.c, iperf_tcp.c, iperf_udp.c, iperf.h).
// One TCP control connection: a 37-byte cookie, then single state bytes, JSON objects with a 4-byte
// big-endian length, and for SERVER_ERROR two 4-byte error numbers. Data: extra TCP connections
// to the same port that start with the cookie, or UDP sockets that say hello with a 4-byte magic
// datagram; UDP datagrams carry a send time (sec, usec) and a 32- or 64-bit sequence number.

import { formatHostPort, type HostPort, parseHostPort } from "./address.ts";
import { maxDatagram } from "./udp.ts";

/** The port iperf3 uses when none is given. */
export const defaultPerfPort = 5201;

/**
 * Where a perf client connects or a perf server listens, written the ways an iperf3 user writes
 * it: `HOST:PORT`, `[V6]:PORT`, or a host alone (a bare IPv6 address included) that takes `port`
 * (`-p`, else 5201); for a listener (`defaultHost`) a port alone too. `portGiven` says `-p` was
 * given, so a different port in the text is an error. Throws `SyntaxError` for bad text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perfAddress } from "./perf_protocol.ts";
 *
 * assert.deepEqual(perfAddress("::1", 5201), { host: "::1", port: 5201, family: "ipv6" });
 * assert.equal(perfAddress("5202", 5201, { defaultHost: "127.0.0.1" }).port, 5202);
 * // `-p 5201` and a different port in the text contradict each other.
 * assert.throws(() => perfAddress("127.0.0.1:5202", 5201, { portGiven: true }), SyntaxError);
 * ```
 */
export function perfAddress(
  text: string,
  port: number,
  options: { portGiven?: boolean; defaultHost?: string; allowPortZero?: boolean } = {},
): HostPort {
  const parse = { defaultHost: options.defaultHost, allowPortZero: options.allowPortZero };
  const bracketed = /^\[([^\]]*)\]$/.exec(text);
  const hostOnly = bracketed
    ? bracketed[1]
    : /^\d+$/.test(text) && options.defaultHost !== undefined
    ? undefined
    : !text.startsWith("[") && (text.split(":").length > 2 || !text.includes(":"))
    ? text
    : undefined;
  if (hostOnly !== undefined) {
    if (hostOnly === "") throw new SyntaxError(`Cannot parse "${text}": missing host`);
    return parseHostPort(formatHostPort(hostOnly, port), parse);
  }
  const target = parseHostPort(text, parse);
  if (options.portGiven && target.port !== port) {
    throw new SyntaxError(`"${text}" has port ${target.port} but --port says ${port}`);
  }
  return target;
}

/** Length of the test cookie: 36 characters and a NUL (iperf.h COOKIE_SIZE). */
export const cookieSize = 37;

/** The control states (iperf_api.h); each travels as one signed byte. */
export const PerfState = {
  testStart: 1,
  testRunning: 2,
  testEnd: 4,
  paramExchange: 9,
  createStreams: 10,
  serverTerminate: 11,
  clientTerminate: 12,
  exchangeResults: 13,
  displayResults: 14,
  iperfStart: 15,
  iperfDone: 16,
  accessDenied: -1,
  serverError: -2,
} as const;

/** iperf3's error numbers (`i_errno`) that travel in SERVER_ERROR, with iperf3's own wording. */
export const iperfErrors: Readonly<Record<number, string>> = {
  5: "test duration too long",
  6: "number of parallel streams too large",
  7: "block size too large",
  13: "an option you are trying to set is not implemented yet",
  20: "block size invalid",
  102: "unable to start listener for connections",
  114: "unable to receive parameters from client",
  117: "unable to receive results",
  119: "the client has terminated",
  120: "the server has terminated",
  121: "the server is busy running a test. try again later",
  131: "protocol does not exist",
  142: "test authorization failed",
  144: "idle timeout for receiving data",
  203: "unable to connect stream",
  204: "unable to accept stream connection",
};

/** The `i_errno` values a server sends when it refuses parameters. */
export const IperfErrno = {
  duration: 5,
  numStreams: 6,
  blockSize: 7,
  notImplemented: 13,
  udpBlockSize: 20,
  recvParams: 114,
  recvResults: 117,
  protocol: 131,
  streamAccept: 204,
} as const;

/**
 * Words for an iperf3 error number, as iperf3 prints them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { iperfErrorText } from "./perf_protocol.ts";
 *
 * assert.equal(iperfErrorText(121, 0), "the server is busy running a test. try again later");
 * assert.equal(iperfErrorText(203, 111), "unable to connect stream (errno 111)");
 * ```
 */
export function iperfErrorText(ierrno: number, errno: number): string {
  const text = iperfErrors[ierrno] ?? `iperf3 error ${ierrno}`;
  return errno ? `${text} (errno ${errno})` : text;
}

/**
 * A fresh test cookie: 36 characters from iperf3's alphabet and a NUL, as `make_cookie` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cookieSize, makeCookie } from "./perf_protocol.ts";
 *
 * const cookie = makeCookie();
 * assert.equal(cookie.length, cookieSize);
 * assert.equal(cookie[36], 0);
 * assert.match(new TextDecoder().decode(cookie.subarray(0, 36)), /^[a-z2-7]{36}$/);
 * ```
 */
export function makeCookie(): Uint8Array {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const out = crypto.getRandomValues(new Uint8Array(cookieSize));
  for (let i = 0; i < cookieSize - 1; i++) out[i] = alphabet.charCodeAt(out[i] % 32);
  out[cookieSize - 1] = 0;
  return out;
}

/**
 * Whether two cookies are the same test's (iperf3 compares them as C strings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeCookie, sameCookie } from "./perf_protocol.ts";
 *
 * const c = makeCookie();
 * assert.equal(sameCookie(c, c.slice()), true);
 * assert.equal(sameCookie(c, makeCookie()), false);
 * ```
 */
export function sameCookie(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
    if (a[i] === 0) return true;
  }
  return true;
}

/**
 * One state byte.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeState, PerfState } from "./perf_protocol.ts";
 *
 * assert.deepEqual(encodeState(PerfState.testEnd), new Uint8Array([4]));
 * assert.deepEqual(encodeState(PerfState.accessDenied), new Uint8Array([0xff]));
 * ```
 */
export function encodeState(state: number): Uint8Array {
  return new Uint8Array([state & 0xff]);
}

/**
 * SERVER_ERROR followed by iperf3's error number and an errno, both big-endian 32-bit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeServerError, IperfErrno } from "./perf_protocol.ts";
 *
 * assert.deepEqual(
 *   encodeServerError(IperfErrno.numStreams),
 *   new Uint8Array([0xfe, 0, 0, 0, 6, 0, 0, 0, 0]),
 * );
 * ```
 */
export function encodeServerError(ierrno: number, errno = 0): Uint8Array {
  const out = new Uint8Array(9);
  const v = new DataView(out.buffer);
  v.setInt8(0, PerfState.serverError);
  v.setInt32(1, ierrno);
  v.setInt32(5, errno);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * A JSON object as iperf3 sends it: its length as a big-endian 32-bit number, then the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeJson } from "./perf_protocol.ts";
 *
 * const bytes = encodeJson({ tcp: true, time: 10 });
 * assert.deepEqual(bytes.subarray(0, 4), new Uint8Array([0, 0, 0, 22]));
 * assert.equal(new TextDecoder().decode(bytes.subarray(4)), '{"tcp":true,"time":10}');
 * ```
 */
export function encodeJson(value: unknown): Uint8Array {
  const text = encoder.encode(JSON.stringify(value));
  const out = new Uint8Array(4 + text.length);
  new DataView(out.buffer).setUint32(0, text.length);
  out.set(text, 4);
  return out;
}

/** The peer broke the protocol: garbage, an unknown state, a JSON object that is not one. */
export class PerfProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PerfProtocolError";
  }
}

/** Longest JSON object accepted on the control connection (iperf3's own are under 2 KiB). */
export const maxJsonBytes = 64 * 1024;

/**
 * Reads exact byte counts from the control connection, each read bounded by a timeout, so a peer
 * that goes silent or sends garbage never holds the other end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ControlReader, encodeJson, encodeState, PerfState } from "./perf_protocol.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using server = await listener.accept();
 * await client.write(encodeState(PerfState.paramExchange));
 * await client.write(encodeJson({ tcp: true, time: 10 }));
 *
 * const reader = new ControlReader(server);
 * assert.equal(await reader.state(5000), PerfState.paramExchange);
 * assert.deepEqual(await reader.json(5000), { tcp: true, time: 10 });
 * // Nothing more comes: the read times out instead of waiting forever.
 * await assert.rejects(reader.state(50), Deno.errors.TimedOut);
 * ```
 */
export class ControlReader {
  #conn: Deno.Conn;
  #buffer = new Uint8Array(0);
  #pending: Promise<number | null> | undefined;
  #chunk = new Uint8Array(16 * 1024);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /**
   * Exactly `n` bytes. Throws `PerfProtocolError` when the peer closes first and
   * `Deno.errors.TimedOut` when they do not arrive within `timeoutMs`.
   */
  async exact(n: number, timeoutMs = Infinity): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buffer.length < n) {
      this.#pending ??= this.#conn.read(this.#chunk);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const got = await (Number.isFinite(timeoutMs)
        ? Promise.race([
          this.#pending,
          new Promise<"timeout">((r) => {
            timer = setTimeout(() => r("timeout"), Math.max(deadline - Date.now(), 0));
          }),
        ])
        : this.#pending).finally(() => clearTimeout(timer));
      if (got === "timeout") {
        throw new Deno.errors.TimedOut(`nothing from the peer for ${timeoutMs / 1000}s`);
      }
      this.#pending = undefined;
      if (got === null) {
        throw new PerfProtocolError(
          this.#buffer.length ? "the peer closed in the middle of a message" : "the peer closed",
        );
      }
      const joined = new Uint8Array(this.#buffer.length + got);
      joined.set(this.#buffer);
      joined.set(this.#chunk.subarray(0, got), this.#buffer.length);
      this.#buffer = joined;
    }
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.slice(n);
    return out;
  }

  /** The next state byte, as a signed number. */
  async state(timeoutMs = Infinity): Promise<number> {
    const [b] = await this.exact(1, timeoutMs);
    return b > 127 ? b - 256 : b;
  }

  /** A big-endian signed 32-bit number (the error numbers after SERVER_ERROR). */
  async int32(timeoutMs = Infinity): Promise<number> {
    const b = await this.exact(4, timeoutMs);
    return new DataView(b.buffer, b.byteOffset).getInt32(0);
  }

  /** One length-prefixed JSON object; anything else is a `PerfProtocolError`. */
  async json(timeoutMs = Infinity): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    const head = await this.exact(4, timeoutMs);
    const size = new DataView(head.buffer, head.byteOffset).getUint32(0);
    if (size === 0 || size > maxJsonBytes) {
      throw new PerfProtocolError(`a JSON message of ${size} bytes is out of range`);
    }
    const body = await this.exact(size, Math.max(deadline - Date.now(), 0));
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(body));
    } catch {
      throw new PerfProtocolError("a JSON message that does not parse");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new PerfProtocolError("a JSON message that is not an object");
    }
    return value as Record<string, unknown>;
  }
}

/** What a test does, as the client asks for it (iperf3's parameters, in our units). */
export interface PerfParams {
  protocol: "tcp" | "udp";
  /** The server sends and the client receives. */
  reverse: boolean;
  /** Number of streams (TCP connections or UDP sockets). */
  parallel: number;
  /** Bytes per write (TCP) or per datagram (UDP). */
  length: number;
  /** How long the test runs, in ms (the client ends it); 0 when `bytes` ends it. */
  timeMs: number;
  /** Stop after this many bytes in total (all streams), or `null` to run for `timeMs`. */
  bytes: number | null;
  /** Target rate of each stream in bits per second (iperf3's `-b`); 0 is unlimited. */
  rateBps: number;
  /** Seconds at the start left out of the totals (iperf3's `-O`); the server honours it. */
  omitSeconds?: number;
  /** 64-bit sequence numbers in UDP datagrams. */
  udpCounters64?: boolean;
}

/** iperf3's default write size for TCP and datagram size for UDP. */
export const defaultLength = { tcp: 128 * 1024, udp: 1460 } as const;

/** Smallest UDP datagram iperf3 accepts: the 16-byte header with a 64-bit counter. */
export const minUdpLength = 16;

/** Largest TCP write iperf3 accepts (MAX_BLOCKSIZE, 1 MiB). */
export const maxTcpLength = 1024 * 1024;

/** Most streams iperf3 allows (MAX_STREAMS). */
export const maxStreams = 128;

/**
 * The parameters as iperf3's `send_parameters` writes them. `time` is whole seconds (iperf3 reads
 * an integer; the client ends the test, so a fraction only rounds the server's own bound up).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type PerfParams, paramsToWire } from "./perf_protocol.ts";
 *
 * const params: PerfParams = {
 *   protocol: "tcp",
 *   reverse: false,
 *   parallel: 1,
 *   length: 131072,
 *   timeMs: 10_000,
 *   bytes: null,
 *   rateBps: 0,
 * };
 * assert.deepEqual(paramsToWire(params), {
 *   tcp: true,
 *   omit: 0,
 *   time: 10,
 *   num: 0,
 *   blockcount: 0,
 *   parallel: 1,
 *   len: 131072,
 *   pacing_timer: 1000,
 *   client_version: "3.12",
 * });
 * ```
 */
export function paramsToWire(p: PerfParams): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    [p.protocol]: true,
    omit: p.omitSeconds ?? 0,
    time: Math.ceil(p.timeMs / 1000),
    num: p.bytes ?? 0,
    blockcount: 0,
    parallel: p.parallel,
    len: p.length,
    pacing_timer: 1000,
    client_version: "3.12",
  };
  if (p.reverse) wire.reverse = true;
  if (p.rateBps > 0) wire.bandwidth = p.rateBps;
  if (p.udpCounters64) wire.udp_counters_64bit = 1;
  return wire;
}

/** The client asked for something this server does not do or allow; carries iperf3's number. */
export class PerfRefusal extends Error {
  readonly ierrno: number;
  constructor(ierrno: number, message: string) {
    super(message);
    this.name = "PerfRefusal";
    this.ierrno = ierrno;
  }
}

function wireInt(json: Record<string, unknown>, key: string, fallback: number): number {
  const v = json[key];
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new PerfRefusal(IperfErrno.recvParams, `parameter "${key}" is not a number`);
  }
  return Math.trunc(v);
}

/**
 * Reads a client's parameters the way iperf3's `get_parameters` does, refusing what iperf3 would
 * refuse and what this implementation does not do (bidirectional tests, SCTP, sending a file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paramsFromWire, PerfRefusal } from "./perf_protocol.ts";
 *
 * assert.deepEqual(paramsFromWire({ tcp: true, time: 10, parallel: 1, len: 131072 }), {
 *   protocol: "tcp",
 *   reverse: false,
 *   parallel: 1,
 *   length: 131072,
 *   timeMs: 10_000,
 *   bytes: null,
 *   rateBps: 0,
 *   omitSeconds: 0,
 *   udpCounters64: false,
 * });
 * // iperf3 refuses more than 128 streams with its error number 6.
 * assert.throws(
 *   () => paramsFromWire({ tcp: true, parallel: 200 }),
 *   (err) => err instanceof PerfRefusal && err.ierrno === 6,
 * );
 * ```
 */
export function paramsFromWire(json: Record<string, unknown>): PerfParams {
  if (json.sctp !== undefined) {
    throw new PerfRefusal(IperfErrno.notImplemented, "SCTP is not supported");
  }
  const protocol = json.udp !== undefined ? "udp" : json.tcp !== undefined ? "tcp" : undefined;
  if (!protocol) throw new PerfRefusal(IperfErrno.protocol, "no protocol was asked for");
  if (json.bidirectional !== undefined) {
    throw new PerfRefusal(IperfErrno.notImplemented, "bidirectional tests are not supported");
  }
  const time = wireInt(json, "time", 10);
  const num = wireInt(json, "num", 0);
  const blocks = wireInt(json, "blockcount", 0);
  const parallel = wireInt(json, "parallel", 1);
  const length = wireInt(json, "len", defaultLength[protocol]);
  const rate = wireInt(json, "bandwidth", 0);
  const omit = wireInt(json, "omit", 0);
  if (time < 0 || num < 0 || blocks < 0 || rate < 0 || omit < 0 || omit > 600) {
    throw new PerfRefusal(IperfErrno.recvParams, "a negative or huge parameter");
  }
  if (parallel < 1 || parallel > maxStreams) {
    throw new PerfRefusal(IperfErrno.numStreams, `${parallel} parallel streams`);
  }
  // iperf3's MAX_UDP_BLOCKSIZE is the largest IPv4 UDP payload, maxDatagram.
  const [min, max] = protocol === "udp" ? [minUdpLength, maxDatagram] : [1, maxTcpLength];
  if (length < min || length > max) {
    throw new PerfRefusal(
      protocol === "udp" ? IperfErrno.udpBlockSize : IperfErrno.blockSize,
      `length ${length} is out of range`,
    );
  }
  const counters64 = json.udp_counters_64bit !== undefined;
  if (protocol === "udp" && length < (counters64 ? 16 : 12)) {
    throw new PerfRefusal(IperfErrno.udpBlockSize, `length ${length} is out of range`);
  }
  const bytes = num > 0 ? num : blocks > 0 ? blocks * length : null;
  return {
    protocol,
    reverse: json.reverse !== undefined,
    parallel,
    length,
    timeMs: time * 1000,
    bytes,
    rateBps: rate,
    omitSeconds: omit,
    udpCounters64: counters64,
  };
}

/** One stream's totals as iperf3's `send_results` writes them. */
export interface WireStreamResult {
  id: number;
  bytes: number;
  retransmits: number;
  /** Seconds (iperf3 keeps jitter in seconds on the wire). */
  jitter: number;
  /** UDP: datagrams lost (receiver); 0 from a sender. */
  errors: number;
  /** UDP: datagrams sent (sender) or the highest sequence number seen (receiver). */
  packets: number;
  start_time: number;
  end_time: number;
  /** Extra, ignored by iperf3: datagrams that arrived after a later one. */
  out_of_order?: number;
}

/** A whole `send_results` object. */
export interface WireResults {
  streams: WireStreamResult[];
}

/**
 * The results object iperf3's `get_results` expects (3.12 and later: every number present).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsToWire, type WireStreamResult } from "./perf_protocol.ts";
 *
 * const stream: WireStreamResult = {
 *   id: 1,
 *   bytes: 10,
 *   retransmits: 0,
 *   jitter: 0,
 *   errors: 0,
 *   packets: 0,
 *   start_time: 0,
 *   end_time: 1,
 * };
 * assert.deepEqual(resultsToWire([stream], { total: 1.5, user: 1, system: 0.5 }), {
 *   cpu_util_total: 1.5,
 *   cpu_util_user: 1,
 *   cpu_util_system: 0.5,
 *   sender_has_retransmits: 0,
 *   streams: [{ ...stream, omitted_errors: 0, omitted_packets: 0 }],
 * });
 * ```
 */
export function resultsToWire(
  streams: WireStreamResult[],
  cpu: { total: number; user: number; system: number },
): Record<string, unknown> {
  return {
    cpu_util_total: cpu.total,
    cpu_util_user: cpu.user,
    cpu_util_system: cpu.system,
    // We cannot read TCP_INFO from Deno: no retransmit counts (iperf3 then shows no Retr column).
    sender_has_retransmits: 0,
    streams: streams.map((s) => ({ ...s, omitted_errors: 0, omitted_packets: 0 })),
  };
}

/**
 * Reads the peer's results, checking every field iperf3 requires.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PerfProtocolError, resultsFromWire } from "./perf_protocol.ts";
 *
 * const wire = {
 *   streams: [{ id: 1, bytes: 10, retransmits: -1, jitter: 0, errors: 0, packets: 0 }],
 * };
 * assert.equal(resultsFromWire(wire).streams[0].bytes, 10);
 * assert.equal(resultsFromWire(wire).streams[0].end_time, 0); // optional, read as 0
 * assert.throws(() => resultsFromWire({ streams: [{ id: 1 }] }), PerfProtocolError);
 * ```
 */
export function resultsFromWire(json: Record<string, unknown>): WireResults {
  const streams = json.streams;
  if (!Array.isArray(streams) || streams.length > 2 * maxStreams) {
    throw new PerfProtocolError("results without a list of streams");
  }
  const num = (o: Record<string, unknown>, k: string, required: boolean) => {
    const v = o[k];
    if (v === undefined && !required) return 0;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new PerfProtocolError(`results with a stream whose "${k}" is not a number`);
    }
    return v;
  };
  return {
    streams: streams.map((s) => {
      if (typeof s !== "object" || s === null) throw new PerfProtocolError("a malformed stream");
      const o = s as Record<string, unknown>;
      const out: WireStreamResult = {
        id: num(o, "id", true),
        bytes: num(o, "bytes", true),
        retransmits: num(o, "retransmits", true),
        jitter: num(o, "jitter", true),
        errors: num(o, "errors", true),
        packets: num(o, "packets", true),
        start_time: num(o, "start_time", false),
        end_time: num(o, "end_time", false),
      };
      if (typeof o.out_of_order === "number") out.out_of_order = o.out_of_order;
      return out;
    }),
  };
}

/**
 * Stream ids as iperf3 numbers them: 1, then 3, 4, 5... (iperf_add_stream keeps the gap at 2 for
 * compatibility between versions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamId } from "./perf_protocol.ts";
 *
 * assert.equal(streamId(0), 1);
 * assert.equal(streamId(1), 3);
 * ```
 */
export function streamId(index: number): number {
  return index === 0 ? 1 : index + 2;
}

/** The client's "I am here" datagram on a new UDP stream, as it leaves an x86 iperf3: "9876". */
export const udpConnectMessage: Uint8Array = new Uint8Array([0x39, 0x38, 0x37, 0x36]);

/** The server's answer to it, as it leaves an x86 iperf3: "6789". */
export const udpConnectReply: Uint8Array = new Uint8Array([0x36, 0x37, 0x38, 0x39]);

// iperf3 writes these magics in host byte order, and before 3.1 they were 123456789 / 987654321:
// accept each value in both byte orders.
const connectMagics = [0x39383736, 0x36373839, 123456789, 0x15cd5b07];
const replyMagics = [0x36373839, 0x39383736, 987654321, 0xb168de3a];

function magic(data: Uint8Array, values: number[]): boolean {
  if (data.length !== 4) return false;
  const v = new DataView(data.buffer, data.byteOffset, 4).getUint32(0);
  return values.includes(v);
}

/**
 * Whether a datagram is a UDP stream's hello (any byte order, old or new value).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUdpConnect, udpConnectMessage, udpConnectReply } from "./perf_protocol.ts";
 *
 * assert.equal(isUdpConnect(udpConnectMessage), true);
 * // iperf3 before 3.1 sent 123456789; a big-endian host sends "6789", the reply's bytes.
 * assert.equal(isUdpConnect(new Uint8Array([0x07, 0x5b, 0xcd, 0x15])), true);
 * assert.equal(isUdpConnect(udpConnectReply), true);
 * assert.equal(isUdpConnect(new TextEncoder().encode("9876\n")), false);
 * ```
 */
export function isUdpConnect(data: Uint8Array): boolean {
  return magic(data, connectMagics);
}

/**
 * Whether a datagram is the server's answer to a UDP stream's hello.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUdpConnectReply, udpConnectReply } from "./perf_protocol.ts";
 *
 * assert.equal(isUdpConnectReply(udpConnectReply), true);
 * // 987654321, the value before iperf3 3.1.
 * assert.equal(isUdpConnectReply(new Uint8Array([0x3a, 0xde, 0x68, 0xb1])), true);
 * assert.equal(isUdpConnectReply(new Uint8Array([0, 0, 0, 1])), false);
 * ```
 */
export function isUdpConnectReply(data: Uint8Array): boolean {
  return magic(data, replyMagics);
}

/** The header at the start of every UDP data datagram. */
export interface UdpHeader {
  /** Send time, in seconds and microseconds. */
  sec: number;
  usec: number;
  /** Sequence number, from 1. */
  seq: number;
}

/** Header size: sec and usec (4 bytes each) and a 4- or 8-byte sequence number. */
export function udpHeaderSize(counters64: boolean): number {
  return counters64 ? 16 : 12;
}

/**
 * Writes a datagram header (big-endian) into a view the sender keeps for its buffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeUdpHeader } from "./perf_protocol.ts";
 *
 * const buf = new Uint8Array(64);
 * writeUdpHeader(new DataView(buf.buffer), { sec: 1, usec: 5, seq: 2 }, false);
 * assert.deepEqual(buf.subarray(0, 12), new Uint8Array([0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 2]));
 * ```
 */
export function writeUdpHeader(v: DataView, h: UdpHeader, counters64: boolean): void {
  v.setUint32(0, h.sec);
  v.setUint32(4, h.usec);
  if (counters64) {
    v.setUint32(8, Math.floor(h.seq / 2 ** 32));
    v.setUint32(12, h.seq >>> 0);
  } else {
    v.setUint32(8, h.seq >>> 0);
  }
}

/**
 * Reads a datagram header, or `undefined` when the datagram is too short to carry one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readUdpHeader, writeUdpHeader } from "./perf_protocol.ts";
 *
 * const buf = new Uint8Array(64);
 * const view = new DataView(buf.buffer);
 * writeUdpHeader(view, { sec: 1, usec: 5, seq: 2 ** 40 }, true);
 * assert.deepEqual(readUdpHeader(view, buf.length, true), { sec: 1, usec: 5, seq: 2 ** 40 });
 * assert.equal(readUdpHeader(view, 8, false), undefined); // too short for a header
 * ```
 */
export function readUdpHeader(
  v: DataView,
  length: number,
  counters64: boolean,
): UdpHeader | undefined {
  if (length < udpHeaderSize(counters64)) return undefined;
  return {
    sec: v.getUint32(0),
    usec: v.getUint32(4),
    seq: counters64 ? v.getUint32(8) * 2 ** 32 + v.getUint32(12) : v.getUint32(8),
  };
}
