// The server end of perf tests: one TCP listener for control and data connections, one UDP
// socket on the same port number, one test at a time (others are told the server is busy, like
// iperf3). A client that vanishes mid-test ends that test only; the server goes on serving.
import { formatHostPort } from "./address.ts";
import { netErrorFrom } from "./errors.ts";
import {
  clockMs,
  encodeMessage,
  LineReader,
  type PerfMessage,
  type PerfParams,
  perfVersion,
  readUdpHeader,
  udpHeaderSize,
  udpHelloFlag,
} from "./perf_protocol.ts";
import { type PerfResult, runSession } from "./perf_session.ts";

/** Limits a server enforces on what clients ask for. */
export interface PerfLimits {
  /** Longest test accepted, in ms. */
  maxTimeMs: number;
  maxParallel: number;
}

/** A finished or failed test, as the server reports it. */
export type PerfServerEvent =
  | { type: "test"; client: string; result: PerfResult }
  | { type: "failed"; client: string; params?: PerfParams; error: Error }
  | { type: "refused"; client: string; reason: string };

/** Options for {@linkcode servePerf}. */
export interface PerfServerOptions {
  /** Serve this many tests (finished or failed), then return. Default: until the signal. */
  count?: number;
  limits: PerfLimits;
  signal?: AbortSignal;
  onEvent(event: PerfServerEvent): void | Promise<void>;
  /** How long a new connection may take to say what it is, and a client to open its streams. */
  handshakeMs?: number;
  /** A test ends when no data came for this long. Default 5 s. */
  idleMs?: number;
}

/** A listening perf server: the TCP listener and the UDP socket on the same port. */
export interface PerfSockets {
  listener: Deno.TcpListener;
  udp: Deno.DatagramConn;
}

/**
 * Binds the TCP listener and a UDP socket on the same port number. With port 0 the kernel picks
 * the TCP port and the UDP socket takes the same number (retrying if that UDP port is taken).
 *
 * @example
 * ```ts
 * const { listener, udp } = bindPerfServer("127.0.0.1", 0);
 * ```
 */
export function bindPerfServer(hostname: string, port: number): PerfSockets {
  for (let attempt = 0;; attempt++) {
    let listener: Deno.TcpListener;
    try {
      listener = Deno.listen({ hostname, port, transport: "tcp" });
    } catch (err) {
      throw netErrorFrom(err, formatHostPort(hostname, port));
    }
    const bound = (listener.addr as Deno.NetAddr).port;
    try {
      const udp = Deno.listenDatagram({ hostname, port: bound, transport: "udp" });
      return { listener, udp };
    } catch (err) {
      listener.close();
      if (port !== 0 || attempt >= 10 || !(err instanceof Deno.errors.AddrInUse)) {
        throw netErrorFrom(err, formatHostPort(hostname, bound));
      }
    }
  }
}

interface PendingTest {
  cookie: number;
  params: PerfParams;
  conns: Deno.Conn[];
  initial: Uint8Array[];
  arrived: () => void;
  udpTargets: (Deno.NetAddr | undefined)[];
}

/**
 * Serves tests until `count` tests were served or the signal aborts. Never throws for what a
 * client does; errors of the listener itself (closed under it) end the loop.
 *
 * @example
 * ```ts
 * const sockets = bindPerfServer("127.0.0.1", 0);
 * await servePerf(sockets, { count: 1, limits: { maxTimeMs: 60_000, maxParallel: 16 },
 *   onEvent: (e) => console.log(e.type) });
 * ```
 */
export async function servePerf(sockets: PerfSockets, options: PerfServerOptions): Promise<number> {
  const { listener, udp } = sockets;
  const handshakeMs = options.handshakeMs ?? 5000;
  let served = 0;
  let current: PendingTest | undefined;
  let udpHandler: ((data: Uint8Array, arrivedMs: number) => void) | undefined;
  let finished: () => void = () => {};
  const allDone = new Promise<void>((r) => finished = r);
  const stop = () => {
    try {
      listener.close();
    } catch { /* closed */ }
    finished();
  };
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.signal?.aborted) stop();

  const udpLoop = (async () => {
    const buf = new Uint8Array(65536);
    const view = new DataView(buf.buffer);
    try {
      while (true) {
        const [data, from] = await udp.receive(buf);
        const arrivedMs = clockMs();
        if (!current || data.length < udpHeaderSize || view.getUint32(0) !== current.cookie) {
          continue;
        }
        if (view.getUint16(6) & udpHelloFlag) {
          const h = readUdpHeader(data)!;
          if (h.stream < current.udpTargets.length && !current.udpTargets[h.stream]) {
            current.udpTargets[h.stream] = from as Deno.NetAddr;
            current.arrived();
          }
        } else udpHandler?.(data, arrivedMs);
      }
    } catch { /* socket closed */ }
  })();

  const runTest = async (control: Deno.Conn, reader: LineReader, hello: PerfMessage) => {
    const client = formatAddr(control.remoteAddr);
    if (hello.type !== "hello") return;
    const params = hello.params;
    const reason = refusal(hello, options.limits);
    if (reason) {
      await control.write(encodeMessage({ type: "refuse", reason })).catch(() => {});
      control.close();
      await options.onEvent({ type: "refused", client, reason });
      return;
    }
    let wake: () => void = () => {};
    const test: PendingTest = {
      cookie: hello.cookie,
      params,
      conns: [],
      initial: [],
      arrived: () => wake(),
      udpTargets: Array.from({ length: params.parallel }, () => undefined),
    };
    current = test;
    const streams: Deno.Conn[] = test.conns;
    try {
      await control.write(
        encodeMessage({ type: "accept", udpPort: (udp.addr as Deno.NetAddr).port }),
      );
      const ready = () =>
        params.protocol === "tcp"
          ? test.conns.length >= params.parallel
          : !params.reverse || test.udpTargets.every((t) => t !== undefined);
      const deadline = Date.now() + handshakeMs;
      while (!ready()) {
        const left = deadline - Date.now();
        if (left <= 0 || options.signal?.aborted) {
          throw new Error(`the client did not open its ${params.parallel} stream(s) in time`);
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(left, 100));
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
      }
      await control.write(encodeMessage({ type: "start" }));
      const result = await runSession({
        role: params.reverse ? "sender" : "receiver",
        params,
        cookie: test.cookie,
        control,
        reader,
        tcp: params.protocol === "tcp" ? { conns: test.conns, initial: test.initial } : undefined,
        udpOut: params.protocol === "udp" && params.reverse
          ? { sockets: [udp], targets: test.udpTargets as Deno.NetAddr[] }
          : undefined,
        udpIn: params.protocol === "udp" && !params.reverse
          ? { attach: (h) => udpHandler = h, detach: () => udpHandler = undefined }
          : undefined,
        intervalMs: 0,
        signal: options.signal,
        idleMs: options.idleMs,
      });
      await options.onEvent({ type: "test", client, result });
    } catch (err) {
      await options.onEvent({
        type: "failed",
        client,
        params,
        error: err instanceof Error ? err : new Error(String(err)),
      });
    } finally {
      udpHandler = undefined;
      current = undefined;
      for (const c of [control, ...streams]) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      served++;
      if (options.count !== undefined && served >= options.count) stop();
    }
  };

  const handle = async (conn: Deno.Conn) => {
    const reader = new LineReader(conn);
    let first: PerfMessage | null;
    try {
      first = await reader.next(handshakeMs);
    } catch {
      first = null;
    }
    if (first?.type === "hello") {
      if (current) {
        const reason = "the server is busy running a test";
        await conn.write(encodeMessage({ type: "refuse", reason })).catch(() => {});
        conn.close();
        await options.onEvent({ type: "refused", client: formatAddr(conn.remoteAddr), reason });
        return;
      }
      await runTest(conn, reader, first);
      return;
    }
    if (first?.type === "stream" && current && first.cookie === current.cookie) {
      current.conns.push(conn);
      current.initial.push(reader.takeRest());
      current.arrived();
      return;
    }
    try {
      conn.close();
    } catch { /* closed */ }
  };

  const tests: Promise<void>[] = [];
  const acceptLoop = (async () => {
    try {
      for await (const conn of listener) {
        if (options.signal?.aborted) {
          conn.close();
          break;
        }
        const t = handle(conn).catch(() => {});
        tests.push(t);
        t.finally(() => tests.splice(tests.indexOf(t), 1));
      }
    } catch { /* listener closed */ }
    finished();
  })();

  await allDone;
  await acceptLoop;
  await Promise.all(tests);
  try {
    udp.close();
  } catch { /* closed */ }
  await udpLoop;
  options.signal?.removeEventListener("abort", stop);
  return served;
}

function refusal(hello: PerfMessage & { type: "hello" }, limits: PerfLimits): string | undefined {
  if (hello.version !== perfVersion) return `protocol version ${hello.version} is not supported`;
  const p = hello.params;
  if (!p || (p.protocol !== "tcp" && p.protocol !== "udp")) return "unknown protocol";
  if (!Number.isSafeInteger(p.parallel) || p.parallel < 1 || p.parallel > limits.maxParallel) {
    return `at most ${limits.maxParallel} parallel streams are allowed`;
  }
  if (!(p.timeMs > 0) || p.timeMs > limits.maxTimeMs) {
    return `tests may last at most ${limits.maxTimeMs / 1000}s`;
  }
  const minLength = p.protocol === "udp" ? udpHeaderSize : 1;
  const maxLength = p.protocol === "udp" ? 65507 : 16 * 1024 * 1024;
  if (!Number.isSafeInteger(p.length) || p.length < minLength || p.length > maxLength) {
    return `length ${p.length} is out of range`;
  }
  return undefined;
}

function formatAddr(addr: Deno.Addr): string {
  return addr.transport === "tcp" || addr.transport === "udp"
    ? formatHostPort(addr.hostname, addr.port)
    : String(addr.transport);
}
