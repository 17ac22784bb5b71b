// The wire protocol between `toolkit perf` and `toolkit perf-server`. Like iperf3: one TCP control
// connection carrying JSON lines, data on extra TCP connections to the same port (each opened by
// a `stream` line) or on UDP datagrams to the same port number with a small binary header.
// It is not iperf3's protocol: toolkit talks to toolkit only.

/** Protocol version carried in `hello`; a server refuses other versions. */
export const perfVersion = 1;

/** What a test does, as the client asks for it. */
export interface PerfParams {
  protocol: "tcp" | "udp";
  /** The server sends and the client receives. */
  reverse: boolean;
  /** Number of streams (TCP connections or UDP sockets). */
  parallel: number;
  /** Bytes per write (TCP) or per datagram (UDP). */
  length: number;
  /** How long the test runs at most, in ms. */
  timeMs: number;
  /** Stop after this many bytes in total (all streams), or `null` to run for `timeMs`. */
  bytes: number | null;
  /** Total target rate in bits per second over all streams; 0 is unlimited. */
  rateBps: number;
}

/** What one sending stream did. */
export interface StreamSent {
  bytes: number;
  /** Writes (TCP) or datagrams (UDP). */
  datagrams: number;
}

/** What one receiving stream saw. */
export interface StreamReceived {
  bytes: number;
  /** Reads (TCP) or distinct datagrams (UDP). */
  datagrams: number;
  /** UDP only. */
  lost?: number;
  outOfOrder?: number;
  duplicates?: number;
  jitterMs?: number;
}

/** Control messages, one JSON object a line. */
export type PerfMessage =
  | { type: "hello"; version: number; cookie: number; params: PerfParams }
  | { type: "accept"; udpPort: number }
  | { type: "refuse"; reason: string }
  | { type: "stream"; cookie: number; index: number }
  | { type: "start" }
  | { type: "done"; seconds: number; streams: StreamSent[] }
  | { type: "result"; seconds: number; streams: StreamReceived[] };

/** Longest control line accepted; anything longer is not a toolkit perf peer. */
export const maxLine = 16 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes a control message as one JSON line.
 *
 * @example
 * ```ts
 * await conn.write(encodeMessage({ type: "start" }));
 * ```
 */
export function encodeMessage(message: PerfMessage): Uint8Array {
  return encoder.encode(JSON.stringify(message) + "\n");
}

/**
 * Parses one control line, checking that it is an object with a known `type`.
 *
 * @example
 * ```ts
 * decodeMessage('{"type":"start"}'); // { type: "start" }
 * ```
 */
export function decodeMessage(line: string): PerfMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new SyntaxError(`Cannot parse perf control line "${line.slice(0, 60)}"`);
  }
  const type = (value as { type?: unknown } | null)?.type;
  const known = ["hello", "accept", "refuse", "stream", "start", "done", "result"];
  if (typeof type !== "string" || !known.includes(type)) {
    throw new SyntaxError(`Cannot parse perf control line "${line.slice(0, 60)}": unknown type`);
  }
  return value as PerfMessage;
}

/**
 * Reads JSON lines from a connection, keeping bytes that follow a line (data on a stream
 * connection starts right after its `stream` line).
 *
 * @example
 * ```ts
 * const reader = new LineReader(conn);
 * const hello = await reader.next(5000);
 * ```
 */
export class LineReader {
  #conn: Deno.Conn;
  #buffer = new Uint8Array(0);
  #pending: Promise<number | null> | undefined;
  #chunk = new Uint8Array(4096);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /**
   * The next message, or `null` when the peer closed. Throws `SyntaxError` for a malformed line
   * and a `Deno.errors.TimedOut` when nothing complete arrives within `timeoutMs`.
   */
  async next(timeoutMs = Infinity): Promise<PerfMessage | null> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const nl = this.#buffer.indexOf(10);
      if (nl >= 0) {
        const line = decoder.decode(this.#buffer.subarray(0, nl));
        this.#buffer = this.#buffer.slice(nl + 1);
        return decodeMessage(line);
      }
      if (this.#buffer.length > maxLine) {
        throw new SyntaxError(`Perf control line is longer than ${maxLine} bytes`);
      }
      this.#pending ??= this.#conn.read(this.#chunk);
      const left = deadline - Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const n = await (Number.isFinite(timeoutMs)
        ? Promise.race([
          this.#pending,
          new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), Math.max(left, 0))),
        ])
        : this.#pending).finally(() => clearTimeout(timer));
      if (n === "timeout") throw new Deno.errors.TimedOut("Timed out waiting for a control line");
      this.#pending = undefined;
      if (n === null) return null;
      const joined = new Uint8Array(this.#buffer.length + n);
      joined.set(this.#buffer);
      joined.set(this.#chunk.subarray(0, n), this.#buffer.length);
      this.#buffer = joined;
    }
  }

  /** Bytes read past the last line, handed over once: the start of a data stream. */
  takeRest(): Uint8Array {
    const rest = this.#buffer;
    this.#buffer = new Uint8Array(0);
    return rest;
  }
}

/** Size of the header at the start of every UDP perf datagram. */
export const udpHeaderSize = 24;

/** Flag in a datagram header: a reverse-mode client announcing its address, not data. */
export const udpHelloFlag = 1;

/** The header of a UDP perf datagram. */
export interface UdpHeader {
  cookie: number;
  stream: number;
  flags: number;
  seq: number;
  /** Send time in ms on the sender's clock (performance.timeOrigin + performance.now()). */
  sentMs: number;
}

/**
 * Writes a datagram header into `buf` (big-endian: cookie u32, stream u16, flags u16, seq as two
 * u32, send time as float64 ms).
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(64);
 * writeUdpHeader(buf, { cookie: 7, stream: 0, flags: 0, seq: 1, sentMs: 1.5 });
 * ```
 */
export function writeUdpHeader(buf: Uint8Array, h: UdpHeader): void {
  const v = new DataView(buf.buffer, buf.byteOffset, udpHeaderSize);
  writeUdpHeaderTo(v, h);
}

/**
 * {@linkcode writeUdpHeader} into a DataView the sender keeps per buffer (no allocation per
 * datagram on the hot path).
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(64);
 * const view = new DataView(buf.buffer);
 * writeUdpHeaderTo(view, { cookie: 7, stream: 0, flags: 0, seq: 1, sentMs: 1.5 });
 * ```
 */
export function writeUdpHeaderTo(v: DataView, h: UdpHeader): void {
  v.setUint32(0, h.cookie);
  v.setUint16(4, h.stream);
  v.setUint16(6, h.flags);
  v.setUint32(8, Math.floor(h.seq / 2 ** 32));
  v.setUint32(12, h.seq >>> 0);
  v.setFloat64(16, h.sentMs);
}

/**
 * Reads a datagram header, or `undefined` when the datagram is too short to carry one.
 *
 * @example
 * ```ts
 * readUdpHeader(buf)?.seq; // 1
 * ```
 */
export function readUdpHeader(buf: Uint8Array): UdpHeader | undefined {
  if (buf.length < udpHeaderSize) return undefined;
  const v = new DataView(buf.buffer, buf.byteOffset, udpHeaderSize);
  return {
    cookie: v.getUint32(0),
    stream: v.getUint16(4),
    flags: v.getUint16(6),
    seq: v.getUint32(8) * 2 ** 32 + v.getUint32(12),
    sentMs: v.getFloat64(16),
  };
}

/**
 * The sender's clock for datagram timestamps, in ms.
 *
 * @example
 * ```ts
 * const t = clockMs();
 * ```
 */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}
