// Binary-safe byte copying between stdin/stdout and sockets: large reads, at most two buffers in
// flight per direction (so a pipe of gigabytes never grows memory), one read overlapping one
// write, and TCP half-close (`shutdown(SHUT_WR)`) when the sending side reaches its end.
import { NetError, netErrorFrom } from "./errors.ts";
import { writeAll } from "./write_all.ts";

/** Bytes per read: large reads keep the per-chunk cost negligible next to the copy itself. */
export const copyBufferSize = 256 * 1024;

/**
 * Where bytes come from. `read` resolves to the next bytes or `null` at the end. It may fill and
 * return a view of `buf`, may detach `buf` (a BYOB stream; the returned view's buffer then replaces
 * it), or may return a chunk of its own.
 */
export interface ByteSource {
  read(buf: Uint8Array): Promise<Uint8Array | null>;
}

/** Where bytes go. `write` resolves once all of `chunk` is written and `chunk` may be reused. */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

/**
 * Reads a connection directly (no stream layer), naming `address` in any error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connSource } from "./copy.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using server = await listener.accept();
 * await client.write(new TextEncoder().encode("hi"));
 * await client.closeWrite();
 *
 * const src = connSource(server, `127.0.0.1:${listener.addr.port}`);
 * const buf = new Uint8Array(16);
 * assert.equal(new TextDecoder().decode((await src.read(buf))!), "hi");
 * assert.equal(await src.read(buf), null); // the peer's end
 * ```
 */
export function connSource(conn: Deno.Conn, address: string): ByteSource {
  return {
    async read(buf) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch (err) {
        throw netErrorFrom(err, address);
      }
      return n === null ? null : buf.subarray(0, n);
    },
  };
}

/**
 * Writes to a connection until every byte is written, naming `address` in any error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connSink } from "./copy.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * using server = await listener.accept();
 * await connSink(client, `127.0.0.1:${listener.addr.port}`).write(new TextEncoder().encode("hi"));
 * const buf = new Uint8Array(16);
 * const n = await server.read(buf);
 * assert.equal(new TextDecoder().decode(buf.subarray(0, n!)), "hi");
 * ```
 */
export function connSink(conn: Deno.Conn, address: string): ByteSink {
  return {
    async write(chunk) {
      try {
        await writeAll(conn, chunk);
      } catch (err) {
        throw netErrorFrom(err, address);
      }
    },
  };
}

/**
 * Reads a `ReadableStream` (stdin), with a BYOB reader when the stream is a byte stream so reads
 * land in the caller's buffers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamSource } from "./copy.ts";
 *
 * const bytes = new TextEncoder();
 * const src = streamSource(ReadableStream.from([bytes.encode("one"), bytes.encode("two")]));
 * const buf = new Uint8Array(16);
 * assert.equal(new TextDecoder().decode((await src.read(buf))!), "one");
 * assert.equal(new TextDecoder().decode((await src.read(buf))!), "two");
 * assert.equal(await src.read(buf), null);
 * ```
 */
export function streamSource(readable: ReadableStream<Uint8Array>): ByteSource {
  let byob: ReadableStreamBYOBReader | undefined;
  let plain: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    byob = readable.getReader({ mode: "byob" });
  } catch {
    plain = readable.getReader();
  }
  return {
    async read(buf) {
      if (byob) {
        const { value, done } = await byob.read(buf);
        return done || !value ? null : value;
      }
      for (;;) {
        const { value, done } = await plain!.read();
        if (done) return null;
        if (value.length > 0) return value;
      }
    },
  };
}

/**
 * Reads an input (stdin) through its direct `read` when it has one, its stream otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inputSource } from "./copy.ts";
 *
 * // An FsFile, like Deno.stdin, has both a direct read and a stream: the direct read is used.
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello");
 * using file = await Deno.open(path);
 * const buf = new Uint8Array(16);
 * const src = inputSource(file);
 * assert.equal(new TextDecoder().decode((await src.read(buf))!), "hello");
 * assert.equal(await src.read(buf), null);
 * await Deno.remove(path);
 * ```
 */
export function inputSource(input: {
  readonly readable: ReadableStream<Uint8Array>;
  read?(buf: Uint8Array): Promise<number | null>;
}): ByteSource {
  return input.read ? readerSource(input.read.bind(input)) : streamSource(input.readable);
}

/** A source from a `read` that fills `buf` and says how many bytes it put there (`null` at end). */
function readerSource(read: (buf: Uint8Array) => Promise<number | null>): ByteSource {
  return {
    async read(buf) {
      const n = await read(buf);
      return n === null ? null : buf.subarray(0, n);
    },
  };
}

/**
 * Reads an open file. A regular file is read synchronously: such a read never waits for another
 * process, and it skips the thread hop of an async file read (a bulk copy takes about half the
 * time). A FIFO or device is read asynchronously.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileSource } from "./copy.ts";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array(1000).fill(7));
 * using file = await Deno.open(path);
 * const src = await fileSource(file);
 * assert.equal((await src.read(new Uint8Array(600)))?.length, 600);
 * assert.equal((await src.read(new Uint8Array(600)))?.length, 400);
 * assert.equal(await src.read(new Uint8Array(600)), null);
 * await Deno.remove(path);
 * ```
 */
export async function fileSource(file: Deno.FsFile): Promise<ByteSource> {
  const regular = (await file.stat()).isFile;
  return readerSource(
    regular ? (buf) => Promise.resolve(file.readSync(buf)) : (buf) => file.read(buf),
  );
}

/**
 * Wraps a sink so that every LF not already preceded by CR is sent as CRLF (ncat `--crlf`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crlfSink } from "./copy.ts";
 *
 * let sent = "";
 * const sink = crlfSink({ write: async (chunk) => void (sent += new TextDecoder().decode(chunk)) });
 * await sink.write(new TextEncoder().encode("HELO a\nMAIL FROM:<b>\r\n"));
 * await sink.write(new TextEncoder().encode("\n")); // a bare LF is still one line end
 * assert.equal(sent, "HELO a\r\nMAIL FROM:<b>\r\n\r\n");
 * ```
 */
export function crlfSink(sink: ByteSink): ByteSink {
  let previous = 0;
  return {
    write(chunk) {
      let lone = 0;
      let prev = previous;
      for (const b of chunk) {
        if (b === 10 && prev !== 13) lone++;
        prev = b;
      }
      if (lone === 0) {
        previous = prev;
        return sink.write(chunk);
      }
      const out = new Uint8Array(chunk.length + lone);
      let j = 0;
      for (const b of chunk) {
        if (b === 10 && previous !== 13) out[j++] = 13;
        out[j++] = b;
        previous = b;
      }
      return sink.write(out);
    },
  };
}

/** Options for {@linkcode copyBytes}. */
export interface CopyOptions {
  /** Bytes per read. Default {@linkcode copyBufferSize}. */
  bufferSize?: number;
  /** Called after each chunk is read, with its size (progress, idle timers). */
  onChunk?: (size: number) => void;
  /** Called after each chunk is written, with its size: the bytes moved so far, also on failure. */
  onWritten?: (size: number) => void;
}

/**
 * Copies `src` to `sink` until `src` ends, reading the next chunk while the previous one is being
 * written. Resolves to the number of bytes copied. Memory stays at two buffers. A failed write
 * ends the copy at once; a failed read (a reset) first lets the write in flight finish, so every
 * byte read is delivered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ByteSink, copyBytes, streamSource } from "./copy.ts";
 *
 * const chunks = [new Uint8Array(3), new Uint8Array(5)];
 * const written: number[] = [];
 * const sink: ByteSink = { write: (chunk) => Promise.resolve(void written.push(chunk.length)) };
 * assert.equal(await copyBytes(streamSource(ReadableStream.from(chunks)), sink), 8);
 * assert.deepEqual(written, [3, 5]);
 * ```
 */
export async function copyBytes(
  src: ByteSource,
  sink: ByteSink,
  options: CopyOptions = {},
): Promise<number> {
  const size = options.bufferSize ?? copyBufferSize;
  const bufs = [new Uint8Array(size), new Uint8Array(size)];
  let i = 0;
  let total = 0;
  const { onChunk, onWritten } = options;
  const write = onWritten
    ? (c: Uint8Array) => sink.write(c).then(() => onWritten(c.length))
    : (c: Uint8Array) => sink.write(c);
  // Told as soon as a read completes, not after the write beside it: an idle timer must see it.
  const read = onChunk
    ? (b: Uint8Array) =>
      src.read(b).then((c) => {
        if (c !== null) onChunk(c.length);
        return c;
      })
    : (b: Uint8Array) => src.read(b);
  let chunk = await read(bufs[0]);
  while (chunk !== null) {
    if (bufs[i].byteLength === 0) bufs[i] = new Uint8Array(chunk.buffer as ArrayBuffer);
    total += chunk.length;
    i ^= 1;
    const written = write(chunk);
    // Both settle, or a failed write wins at once; a failed read waits for the write in flight.
    // Neither rejection is ever left unobserved.
    const [, next] = await Promise.all([
      written,
      read(bufs[i]).catch((err) => written.then(() => Promise.reject(err))),
    ]);
    chunk = next;
  }
  return total;
}

/** A watchdog that fires once when nothing happened for a while. */
export interface IdleWatch {
  /** Records activity. */
  touch(): void;
  /** Stops watching. */
  stop(): void;
  /** Whether it fired. */
  readonly fired: boolean;
}

/**
 * How long a watch that finds the time up waits for reads that already completed to be heard
 * of before it fires (see {@linkcode watchIdle}).
 */
export const idleGraceMs = 20;

/**
 * Calls `onIdle` once when `touch` has not been called for `ms` milliseconds; `undefined` ms
 * watches nothing. Idle means no traffic: a process that was stopped (SIGSTOP) or starved of CPU
 * runs its timers before the reads that completed meanwhile, so when the time is up the watch
 * first gives them a turn of the event loop with I/O and {@linkcode idleGraceMs}; anything heard
 * of by then starts the wait over (socat -T does the same through `select`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { watchIdle } from "./copy.ts";
 *
 * const { promise, resolve } = Promise.withResolvers<void>();
 * const started = Date.now();
 * const idle = watchIdle(50, resolve);
 * await promise;
 * assert.ok(idle.fired);
 * assert.ok(Date.now() - started >= 50);
 *
 * // Touched often enough, it never fires.
 * const busy = watchIdle(200, () => assert.fail("fired"));
 * for (let i = 0; i < 5; i++) {
 *   await new Promise((r) => setTimeout(r, 20));
 *   busy.touch();
 * }
 * busy.stop();
 * assert.equal(busy.fired, false);
 * ```
 */
export function watchIdle(ms: number | undefined, onIdle: () => void): IdleWatch {
  let last = Date.now();
  let activity = 0;
  let fired = false;
  let stopped = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(grace);
  };
  const timer = ms === undefined ? undefined : setInterval(() => {
    if (grace !== undefined || Date.now() - last < ms) return;
    const seen = activity;
    grace = setTimeout(() => {
      grace = undefined;
      if (stopped || activity !== seen) return;
      fired = true;
      stop();
      onIdle();
    }, idleGraceMs);
  }, Math.max(10, Math.min(ms / 4, 1000)));
  return {
    touch: () => {
      last = Date.now();
      activity++;
    },
    stop,
    get fired() {
      return fired;
    },
  };
}

/** Options for {@linkcode duplex}. */
export interface DuplexOptions {
  /** The address named in errors (`127.0.0.1:9000`, a socket path). */
  address: string;
  /** Bytes for the peer (stdin). Without it nothing is sent. */
  input?: ByteSource;
  /** Wraps the socket sink (for `--crlf`). */
  wrapSink?: (sink: ByteSink) => ByteSink;
  /** Bytes from the peer go here (stdout). */
  output: ByteSink;
  /**
   * Shut down the sending side when `input` ends (the peer reads EOF) and keep receiving until the
   * peer closes. Without it the socket is left open for writing. Default `true`.
   */
  halfClose?: boolean;
  /**
   * After the peer has closed, keep sending `input` until it ends (the peer may only have
   * half-closed). Default `true`; pass `false` for an interactive terminal.
   */
  drainInputAfterPeerClose?: boolean;
  /** Fail with "timed out" when no byte moves either way for this long. */
  idleTimeoutMs?: number;
  /** Closing the connection on abort; `duplex` then resolves. */
  signal?: AbortSignal;
  /**
   * Kept up to date as bytes move, so that a caller knows them also when `duplex` throws (a
   * connection reset); `duplex` resolves to this object. Default: a fresh one.
   */
  counts?: DuplexResult;
}

/**
 * Bytes moved by {@linkcode duplex}: `received` read from the socket, `sent` written to it (a
 * chunk counts once the socket took all of it).
 */
export interface DuplexResult {
  sent: number;
  received: number;
}

/**
 * Runs a connection both ways, like nc: `input` to the socket, the socket to `output`, half-closing
 * when `input` ends. Resolves when the peer has closed (and `input` is drained); the connection is
 * closed afterwards. A peer that goes away while we still send ends the sending quietly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { duplex, streamSource } from "./copy.ts";
 *
 * // An echo server on loopback; the client sends "ping", half-closes, and reads the echo.
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const echo = listener.accept().then(async (conn) => {
 *   await conn.readable.pipeTo(conn.writable);
 * });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * let received = "";
 * const counts = await duplex(conn, {
 *   address: `127.0.0.1:${listener.addr.port}`,
 *   input: streamSource(ReadableStream.from([new TextEncoder().encode("ping")])),
 *   output: { write: async (chunk) => void (received += new TextDecoder().decode(chunk)) },
 * });
 * await echo;
 * assert.equal(received, "ping");
 * assert.deepEqual(counts, { sent: 4, received: 4 });
 * ```
 */
export async function duplex(conn: Deno.Conn, options: DuplexOptions): Promise<DuplexResult> {
  const { address, signal } = options;
  const halfClose = options.halfClose ?? true;
  let closed = false;
  let stopped!: () => void;
  const stop = new Promise<void>((resolve) => (stopped = resolve));
  const close = () => {
    if (closed) return;
    closed = true;
    stopped();
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  const onAbort = () => close();
  signal?.addEventListener("abort", onAbort, { once: true });
  const idle = watchIdle(options.idleTimeoutMs, close);
  const touch = idle.touch;
  const idleError = () =>
    idle.fired
      ? new NetError("timed out", `${address}: idle for ${options.idleTimeoutMs! / 1000}s`)
      : undefined;
  const result: DuplexResult = options.counts ?? { sent: 0, received: 0 };
  let peerClosed = false;
  const sending = (async () => {
    if (options.input) {
      const raw = connSink(conn, address);
      const sink = options.wrapSink ? options.wrapSink(raw) : raw;
      try {
        await copyBytes(options.input, sink, {
          onWritten: (n) => {
            touch();
            result.sent += n;
          },
        });
      } catch (err) {
        // The peer went away while we were still sending: the receiving side tells the story.
        if (closed || (err instanceof NetError && isGone(err))) return;
        throw err;
      }
    }
    if (halfClose && !closed) await conn.closeWrite().catch(() => {});
  })();
  sending.catch(() => {}); // awaited below when it matters; never an unhandled rejection meanwhile
  try {
    try {
      await copyBytes(connSource(conn, address), options.output, {
        onChunk: (n) => {
          touch();
          result.received += n;
        },
      });
      peerClosed = true;
    } catch (err) {
      if (idle.fired) throw idleError();
      if (signal?.aborted) return result;
      throw err;
    }
    if (peerClosed && options.drainInputAfterPeerClose !== false && options.input) {
      await Promise.race([sending, stop]);
    } else sending.catch(() => {});
    if (idle.fired) throw idleError();
    return result;
  } finally {
    idle.stop();
    signal?.removeEventListener("abort", onAbort);
    close();
  }
}

function isGone(err: NetError): boolean {
  return err.failure === "broken pipe" || err.failure === "connection reset";
}
