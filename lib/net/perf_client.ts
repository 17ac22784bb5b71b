// The client end of a perf test: handshake with a perf server, open the data streams, run the
// session (sending, or receiving with `reverse`) and return both ends' totals.
import { formatHostPort, type HostPort } from "./address.ts";
import { NetError, netErrorFrom } from "./errors.ts";
import {
  clockMs,
  encodeMessage,
  LineReader,
  type PerfParams,
  perfVersion,
  udpHeaderSize,
  udpHelloFlag,
  writeUdpHeader,
} from "./perf_protocol.ts";
import { PerfAborted, type PerfInterval, type PerfResult, runSession } from "./perf_session.ts";
import { openUdpClient } from "./udp.ts";

/**
 * The server answered but would not run the test (busy with another client, or limits).
 *
 * @example
 * ```ts
 * throw new PerfRefused("the server is busy running a test", "127.0.0.1:5201");
 * ```
 */
export class PerfRefused extends NetError {
  constructor(reason: string, address: string) {
    super("connection refused", address);
    this.name = "PerfRefused";
    this.message = `server refused the test: ${reason} (${address})`;
  }
}

/** Options for {@linkcode runPerfClient}. */
export interface PerfClientOptions {
  /** Interval lines every this many ms; 0 for none. */
  intervalMs: number;
  onInterval?: (interval: PerfInterval) => void;
  /** Called once the server accepted the test and the streams are open. */
  onStart?: () => Promise<void> | void;
  signal?: AbortSignal;
  /** How long connecting and the handshake may take. Default 5 s. */
  connectTimeoutMs?: number;
}

/**
 * Runs one test against a perf server.
 *
 * @example
 * ```ts
 * const result = await runPerfClient({ host: "127.0.0.1", port: 5201, family: "ipv4" },
 *   { protocol: "tcp", reverse: false, parallel: 1, length: 131072, timeMs: 2000, bytes: null,
 *     rateBps: 0 }, { intervalMs: 1000 });
 * ```
 */
export async function runPerfClient(
  target: HostPort,
  params: PerfParams,
  options: PerfClientOptions,
): Promise<PerfResult> {
  const address = formatHostPort(target.host, target.port);
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  const opened: { close(): void }[] = [];
  const closeAll = () => {
    for (const c of opened) {
      try {
        c.close();
      } catch { /* closed */ }
    }
  };
  const onAbort = () => closeAll();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const connect = async () => {
    try {
      const conn = await withTimeout(
        Deno.connect({ hostname: target.host, port: target.port }),
        timeoutMs,
        address,
      );
      opened.push(conn);
      return conn;
    } catch (err) {
      throw netErrorFrom(err, address);
    }
  };
  try {
    const control = await connect();
    const reader = new LineReader(control);
    const cookie = crypto.getRandomValues(new Uint32Array(1))[0];
    await control.write(encodeMessage({ type: "hello", version: perfVersion, cookie, params }));
    const answer = await next(reader, timeoutMs, address);
    if (answer?.type === "refuse") throw new PerfRefused(answer.reason, address);
    if (answer?.type !== "accept") throw new NetError("connection reset", address);

    let tcp: { conns: Deno.Conn[] } | undefined;
    let udpSockets: Deno.DatagramConn[] = [];
    if (params.protocol === "tcp") {
      const conns: Deno.Conn[] = [];
      for (let i = 0; i < params.parallel; i++) {
        const conn = await connect();
        await conn.write(encodeMessage({ type: "stream", cookie, index: i }));
        conns.push(conn);
      }
      tcp = { conns };
    } else {
      udpSockets = Array.from({ length: params.parallel }, () => openUdpClient(target));
      opened.push(...udpSockets);
    }
    const udpTarget: Deno.NetAddr = {
      transport: "udp",
      hostname: target.host,
      port: answer.udpPort,
    };
    // In reverse UDP the server learns where to send from a hello datagram on each socket,
    // repeated until it says start (a datagram may be lost).
    let helloTimer: ReturnType<typeof setInterval> | undefined;
    if (params.protocol === "udp" && params.reverse) {
      const hello = new Uint8Array(udpHeaderSize);
      const sendHellos = () => {
        udpSockets.forEach((sock, i) => {
          writeUdpHeader(hello, { cookie, stream: i, flags: udpHelloFlag, seq: 0, sentMs: 0 });
          sock.send(hello.slice(), udpTarget).catch(() => {});
        });
      };
      sendHellos();
      helloTimer = setInterval(sendHellos, 100);
    }
    // Receive loops start before `start` so no early datagram is missed.
    let handler: ((data: Uint8Array, arrivedMs: number) => void) | undefined;
    const loops = params.protocol === "udp" && params.reverse
      ? udpSockets.map(async (sock) => {
        const buf = new Uint8Array(65536);
        try {
          while (true) {
            const [data] = await sock.receive(buf);
            handler?.(data, clockMs());
          }
        } catch { /* socket closed */ }
      })
      : [];
    let started;
    try {
      started = await next(reader, timeoutMs, address);
    } finally {
      if (helloTimer !== undefined) clearInterval(helloTimer);
    }
    if (started?.type === "refuse") throw new PerfRefused(started.reason, address);
    if (started?.type !== "start") throw new NetError("connection reset", address);
    await options.onStart?.();
    try {
      return await runSession({
        role: params.reverse ? "receiver" : "sender",
        params,
        cookie,
        control,
        reader,
        tcp,
        udpOut: params.protocol === "udp" && !params.reverse
          ? { sockets: udpSockets, targets: udpSockets.map(() => udpTarget) }
          : undefined,
        udpIn: params.protocol === "udp" && params.reverse
          ? { attach: (h) => handler = h, detach: () => handler = undefined }
          : undefined,
        intervalMs: options.intervalMs,
        onInterval: options.onInterval,
        signal: options.signal,
      });
    } catch (err) {
      if (err instanceof PerfAborted && err.reason === "peer vanished") {
        throw new NetError("connection reset", address, { cause: err });
      }
      if (err instanceof PerfAborted && err.reason === "timed out") {
        throw new NetError("timed out", address, { cause: err });
      }
      throw netErrorFrom(err, address);
    } finally {
      closeAll();
      await Promise.all(loops);
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    closeAll();
  }
}

async function next(reader: LineReader, timeoutMs: number, address: string) {
  try {
    return await reader.next(timeoutMs);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new NetError("network error", `${address} is not a toolkit perf-server`, {
        cause: err,
      });
    }
    throw netErrorFrom(err, address);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, address: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new NetError("timed out", address)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
