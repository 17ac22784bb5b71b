// Serving a stream listener (TCP or Unix) the way `nc -l` and `ncat -l -k` do: one connection wired
// to stdin/stdout, or connection after connection (concurrently, bounded) with stdin sent to every
// connected client, or an echo service.
import { acceptConn, type ServeFailure } from "./accept.ts";
import { addrText } from "./tcp.ts";
import {
  type ByteSink,
  type ByteSource,
  connSink,
  connSource,
  copyBytes,
  duplex,
  type DuplexResult,
  watchIdle,
} from "./copy.ts";
import { NetError, netErrorFrom } from "./errors.ts";

function idleFailure(remote: string, ms: number): NetError {
  return new NetError("timed out", `${remote}: idle for ${ms / 1000}s`);
}

/** Options for {@linkcode serveListener}. */
export interface ServeOptions {
  /** `stdio`: the peer's bytes to `output`, `input` to the peer; `echo`: bytes go straight back. */
  mode: "stdio" | "echo";
  /** Serve connection after connection instead of one. */
  keepOpen: boolean;
  /** With `keepOpen`, how many connections are served at once (others wait in the backlog). */
  maxConns: number;
  /** Half-close when `input` ends (see {@linkcode DuplexOptions}). */
  halfClose: boolean;
  /** For a single connection: keep sending `input` after the peer closed. Default `true`. */
  drainInputAfterPeerClose?: boolean;
  input?: ByteSource;
  output: ByteSink;
  /** Wraps each socket sink (for `--crlf`). */
  wrapSink?: (sink: ByteSink) => ByteSink;
  /** Close a connection with no traffic for this long. */
  idleTimeoutMs?: number;
  signal: AbortSignal;
  /** Told about each accepted connection (its remote address). */
  onOpen?: (remote: string) => void | Promise<void>;
  /**
   * Told when a connection ends; `error` is set when it ended badly. With `keepOpen` an error is
   * only reported here; for a single connection it is thrown as well.
   */
  onClose?: (remote: string, result: DuplexResult, error?: unknown) => void | Promise<void>;
  /**
   * Told when accepting failed without ending the server: a connection reset before it was
   * accepted (skipped), or out of file descriptors (retried after `retryInMs`).
   */
  onAcceptFailure?: (failure: ServeFailure) => void | Promise<void>;
}

/**
 * Accepts and serves connections until done (one, or with `keepOpen` until `signal` aborts).
 * Closes the listener before resolving. Resolves to the number of connections served.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveListener } from "./serve.ts";
 * import { listenTcp } from "./tcp.ts";
 *
 * // An echo server for one connection on loopback (nc -l with the bytes sent straight back).
 * const listener = listenTcp({ host: "127.0.0.1", port: 0, family: "ipv4" });
 * const opened: string[] = [];
 * const served = serveListener(listener, {
 *   mode: "echo",
 *   keepOpen: false,
 *   maxConns: 1,
 *   halfClose: true,
 *   output: { write: () => Promise.resolve() },
 *   signal: new AbortController().signal,
 *   onOpen: (remote) => void opened.push(remote),
 * });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * await conn.write(new TextEncoder().encode("hello"));
 * await conn.closeWrite();
 * const reply = new Uint8Array(5);
 * let got = 0;
 * while (got < reply.length) {
 *   const n = await conn.read(reply.subarray(got));
 *   if (n === null) break;
 *   got += n;
 * }
 * assert.equal(new TextDecoder().decode(reply), "hello");
 * conn.close();
 * assert.equal(await served, 1); // connections served; the listener is closed now
 * assert.deepEqual(opened, [`127.0.0.1:${(conn.localAddr as Deno.NetAddr).port}`]);
 * ```
 */
export async function serveListener(
  listener: Deno.Listener,
  options: ServeOptions,
): Promise<number> {
  const local = addrText(listener.addr);
  const onAbort = () => {
    try {
      listener.close();
    } catch { /* already closed */ }
  };
  options.signal.addEventListener("abort", onAbort, { once: true });
  try {
    return options.keepOpen
      ? await serveMany(listener, options)
      : await serveOne(listener, options);
  } catch (err) {
    if (options.signal.aborted) return 0;
    throw netErrorFrom(err, local);
  } finally {
    options.signal.removeEventListener("abort", onAbort);
    onAbort();
  }
}

function accept(listener: Deno.Listener, o: ServeOptions): Promise<Deno.Conn | null> {
  return acceptConn(listener, { signal: o.signal, onFailure: o.onAcceptFailure });
}

async function serveOne(listener: Deno.Listener, o: ServeOptions): Promise<number> {
  const conn = await accept(listener, o);
  if (!conn) return 0;
  listener.close(); // like nc -l: one peer, nobody else queues behind it
  const remote = addrText(conn.remoteAddr);
  await o.onOpen?.(remote);
  let result: DuplexResult = { sent: 0, received: 0 };
  try {
    result = o.mode === "echo" ? await echoLoop(conn, remote, o, result) : await duplex(conn, {
      address: remote,
      input: o.input,
      output: o.output,
      wrapSink: o.wrapSink,
      halfClose: o.halfClose,
      drainInputAfterPeerClose: o.drainInputAfterPeerClose,
      idleTimeoutMs: o.idleTimeoutMs,
      signal: o.signal,
      counts: result,
    });
  } catch (err) {
    await o.onClose?.(remote, result, err);
    throw err;
  }
  await o.onClose?.(remote, result);
  return 1;
}

/** Read size for `--echo` connections. */
const echoBufferSize = 32 * 1024;

/**
 * Copies a connection back to itself until the peer closes, then closes it. `counts` is kept up
 * to date (read, and written back), so it holds the bytes moved also when the peer resets.
 */
async function echoLoop(
  conn: Deno.Conn,
  remote: string,
  o: ServeOptions,
  counts: DuplexResult,
): Promise<DuplexResult> {
  const onAbort = () => {
    try {
      conn.close();
    } catch { /* closed */ }
  };
  o.signal.addEventListener("abort", onAbort, { once: true });
  const idle = watchIdle(o.idleTimeoutMs, onAbort);
  try {
    await copyBytes(connSource(conn, remote), connSink(conn, remote), {
      onChunk: (n) => {
        idle.touch();
        counts.received += n;
      },
      onWritten: (n) => {
        idle.touch();
        counts.sent += n;
      },
      // Echo serves many small peers at once: 2 x 256 KiB zeroed per connection slowed the accept
      // loop enough for bursts of 2,000 connects to overflow the kernel's accept queue (resets).
      bufferSize: echoBufferSize,
    });
    await conn.closeWrite().catch(() => {});
    return counts;
  } catch (err) {
    if (idle.fired) throw idleFailure(remote, o.idleTimeoutMs!);
    if (o.signal.aborted) return counts;
    throw err;
  } finally {
    idle.stop();
    o.signal.removeEventListener("abort", onAbort);
    onAbort();
  }
}

async function serveMany(listener: Deno.Listener, o: ServeOptions): Promise<number> {
  const active = new Set<Promise<void>>();
  const clients = new Map<Deno.Conn, ByteSink>();
  let inputEnded = false;
  let served = 0;
  const halfCloseAll = () => {
    for (const conn of clients.keys()) conn.closeWrite().catch(() => {});
  };
  if (o.mode === "stdio" && o.input) {
    // stdin goes to every connected client (ncat -k); a client that fails is dropped.
    const broadcast: ByteSink = {
      async write(chunk) {
        await Promise.all(
          [...clients].map(([conn, sink]) => sink.write(chunk).catch(() => clients.delete(conn))),
        );
      },
    };
    copyBytes(o.input, broadcast).catch(() => {}).finally(() => {
      inputEnded = true;
      if (o.halfClose) halfCloseAll();
    });
  }
  const closeAll = () => {
    for (const conn of clients.keys()) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };
  o.signal.addEventListener("abort", closeAll, { once: true });
  try {
    while (!o.signal.aborted) {
      while (active.size >= o.maxConns) await Promise.race(active);
      const conn = await accept(listener, o);
      if (!conn) break;
      served++;
      const task: Promise<void> = serveClient(conn, o, clients, () => inputEnded)
        .catch(() => {}) // a connection's failure was reported through onClose
        .finally(() => active.delete(task));
      active.add(task);
    }
    await Promise.all(active);
    return served;
  } finally {
    o.signal.removeEventListener("abort", closeAll);
  }
}

async function serveClient(
  conn: Deno.Conn,
  o: ServeOptions,
  clients: Map<Deno.Conn, ByteSink>,
  inputEnded: () => boolean,
): Promise<void> {
  const remote = addrText(conn.remoteAddr);
  const result: DuplexResult = { sent: 0, received: 0 };
  // Echo watches its own connection; here bytes either way (stdin sent to it too) are traffic.
  const idle = o.mode === "stdio" ? watchIdle(o.idleTimeoutMs, () => conn.close()) : undefined;
  try {
    if (idle) {
      // Registered before anyone hears of it, so no stdin chunk can slip past this client.
      const raw = connSink(conn, remote);
      const sink = o.wrapSink ? o.wrapSink(raw) : raw;
      clients.set(conn, {
        write: async (chunk) => {
          await sink.write(chunk);
          idle.touch();
          result.sent += chunk.length;
        },
      });
      if (inputEnded() && o.halfClose) await conn.closeWrite().catch(() => {});
    }
    await o.onOpen?.(remote);
    if (!idle) {
      await echoLoop(conn, remote, o, result);
    } else {
      try {
        await copyBytes(connSource(conn, remote), o.output, {
          onChunk: (n) => {
            idle.touch();
            result.received += n;
          },
        });
      } catch (err) {
        throw idle.fired ? idleFailure(remote, o.idleTimeoutMs!) : err;
      }
    }
    await o.onClose?.(remote, result);
  } catch (err) {
    await o.onClose?.(remote, result, o.signal.aborted ? undefined : err);
  } finally {
    idle?.stop();
    clients.delete(conn);
    try {
      conn.close();
    } catch { /* closed */ }
  }
}
