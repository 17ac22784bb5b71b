// The server end of perf tests in iperf3's protocol: one TCP listener for control and data
// connections and one UDP socket on the same port number; one test at a time (a second client is
// told ACCESS_DENIED, like iperf3). Serves `toolkit perf` and a real `iperf3 -c`. Nothing a client
// does ends the server: every step has a time limit, garbage and resets end that connection only,
// and failed accepts are reported and retried (accept.ts, as every listener does).
import { formatHostPort } from "./address.ts";
import { netErrorFrom } from "./errors.ts";
import { acceptConns, type ServeFailure } from "./accept.ts";
import { cpuUtilization, startCpuMeter } from "./perf_cpu.ts";
import {
  ControlReader,
  cookieSize,
  encodeJson,
  encodeServerError,
  encodeState,
  IperfErrno,
  isUdpConnect,
  paramsFromWire,
  type PerfParams,
  PerfProtocolError,
  PerfRefusal,
  PerfState,
  resultsFromWire,
  resultsToWire,
  sameCookie,
  udpConnectReply,
} from "./perf_protocol.ts";
import { peerStreams, type PerfResult, type PerfStream, Transfer } from "./perf_session.ts";

/** Limits a server enforces on what clients ask for. */
export interface PerfLimits {
  /** Longest test accepted, in ms. */
  maxTimeMs: number;
  maxParallel: number;
}

/** What happened, for the command to report. `client` is the control connection's address. */
export type PerfServerEvent =
  | { type: "open"; client: string; params: PerfParams }
  | { type: "result"; client: string; result: PerfResult }
  | { type: "failed"; client: string; params?: PerfParams; error: Error; result?: PerfResult }
  | { type: "refused"; client: string; reason: string }
  | { type: "dropped"; client: string; reason: string }
  | { type: "acceptFailed"; failure: ServeFailure };

/** Options for {@linkcode servePerf}. */
export interface PerfServerOptions {
  /** Serve this many tests (finished or failed), then return. Default: until the signal. */
  count?: number;
  limits: PerfLimits;
  signal?: AbortSignal;
  onEvent(event: PerfServerEvent): void | Promise<void>;
  /** How long each step of the handshake and of the results exchange may take. Default 5 s. */
  handshakeMs?: number;
  /** A receiving test ends when no data came for this long. Default 5 s. */
  idleMs?: number;
  /** Connections still sending their cookie, at most; more are closed at once. Default 64. */
  maxPending?: number;
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
 * import assert from "node:assert/strict";
 * import { bindPerfServer } from "./perf_server.ts";
 *
 * const { listener, udp } = bindPerfServer("127.0.0.1", 0);
 * // TCP and UDP on the same port number, as iperf3 expects.
 * assert.equal((udp.addr as Deno.NetAddr).port, listener.addr.port);
 * listener.close();
 * udp.close();
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

/** The test being served. */
interface Test {
  cookie: Uint8Array;
  client: string;
  clientHost: string;
  control: Deno.TcpConn;
  phase: "params" | "streams" | "running" | "ending";
  params?: PerfParams;
  tcp: Deno.Conn[];
  /** Stream index by the client's UDP source port (every stream comes from `clientHost`). */
  udpIndex: Map<number, number>;
  udpPeers: Deno.NetAddr[];
  transfer?: Transfer;
  wake: () => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function closeQuietly(c: { close(): void }) {
  try {
    c.close();
  } catch { /* closed */ }
}

function addrText(addr: Deno.Addr): string {
  return addr.transport === "tcp" || addr.transport === "udp"
    ? formatHostPort(addr.hostname, addr.port)
    : String(addr.transport);
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

// What iperf3 clients send first: 36 printable characters and a NUL. Anything else (an HTTP
// request, a port scanner's probe) is dropped before it can claim the server.
function looksLikeCookie(c: Uint8Array): boolean {
  if (c.length !== cookieSize || c[cookieSize - 1] !== 0) return false;
  for (let i = 0; i < cookieSize - 1; i++) if (c[i] < 0x21 || c[i] > 0x7e) return false;
  return true;
}

/**
 * Serves tests until `count` tests were served or the signal aborts. Never throws for what a
 * client does; only closing the sockets under it ends the loop.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   encodeJson,
 *   encodeServerError,
 *   IperfErrno,
 *   makeCookie,
 *   PerfState,
 * } from "./perf_protocol.ts";
 * import { bindPerfServer, servePerf } from "./perf_server.ts";
 *
 * const sockets = bindPerfServer("127.0.0.1", 0);
 * const stop = new AbortController();
 * const events: string[] = [];
 * const served = servePerf(sockets, {
 *   limits: { maxTimeMs: 60_000, maxParallel: 16 },
 *   signal: stop.signal,
 *   onEvent: (e) => void events.push(e.type === "refused" ? `refused: ${e.reason}` : e.type),
 * });
 * // A client that asks for more streams than the limit is refused with iperf3's error number.
 * const control = await Deno.connect({ hostname: "127.0.0.1", port: sockets.listener.addr.port });
 * await control.write(makeCookie());
 * const state = new Uint8Array(1);
 * await control.read(state);
 * assert.equal(state[0], PerfState.paramExchange);
 * await control.write(encodeJson({ tcp: true, time: 1, parallel: 17, len: 1024 }));
 * const reply = new Uint8Array(9);
 * let got = 0;
 * while (got < reply.length) {
 *   const n = await control.read(reply.subarray(got));
 *   if (n === null) break;
 *   got += n;
 * }
 * assert.deepEqual(reply, encodeServerError(IperfErrno.numStreams));
 * control.close();
 * stop.abort(); // a refused client is not a test served: only the signal ends this server
 * assert.equal(await served, 0);
 * assert.deepEqual(events, ["refused: at most 16 parallel streams are allowed"]);
 * ```
 */
export async function servePerf(sockets: PerfSockets, options: PerfServerOptions): Promise<number> {
  const { listener, udp } = sockets;
  const handshakeMs = options.handshakeMs ?? 5000;
  const idleMs = options.idleMs ?? 5000;
  const maxPending = options.maxPending ?? 64;
  const stopper = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, stopper.signal])
    : stopper.signal;
  let served = 0;
  let pending = 0;
  let current: Test | undefined;
  const report = (e: PerfServerEvent) => Promise.resolve(options.onEvent(e)).catch(() => {});
  const stop = () => {
    stopper.abort();
    closeQuietly(listener);
    closeQuietly(udp);
  };
  signal.addEventListener("abort", () => {
    closeQuietly(listener);
    closeQuietly(udp);
    // iperf3 tells its client when the server is stopped mid-test.
    const t = current;
    if (t) {
      t.control.write(encodeState(PerfState.serverTerminate)).catch(() => {}).finally(() => {
        closeQuietly(t.control);
        for (const c of t.tcp) closeQuietly(c);
      });
    }
  }, { once: true });

  const udpLoop = (async () => {
    const buf = new Uint8Array(64 * 1024);
    let failures = 0;
    while (!signal.aborted) {
      let data: Uint8Array;
      let from: Deno.NetAddr;
      try {
        const [d, f] = await udp.receive(buf);
        data = d;
        from = f as Deno.NetAddr;
        failures = 0;
      } catch (err) {
        if (signal.aborted || err instanceof Deno.errors.BadResource) return;
        // ICMP errors for datagrams we sent surface here as ECONNREFUSED: not the socket's end.
        if (++failures > 100) await sleep(10);
        continue;
      }
      // Per datagram only what a data datagram needs: no strings, no allocation, one clock read.
      const t = current;
      if (!t?.params || t.params.protocol !== "udp" || from.hostname !== t.clientHost) continue;
      if (t.phase === "streams") {
        if (!isUdpConnect(data)) continue;
        if (!t.udpIndex.has(from.port) && t.udpPeers.length < t.params.parallel) {
          t.udpIndex.set(from.port, t.udpPeers.length);
          t.udpPeers.push({ transport: "udp", hostname: from.hostname, port: from.port });
        }
        if (t.udpIndex.has(from.port)) udp.send(udpConnectReply, from).catch(() => {});
        t.wake();
      } else if ((t.phase === "running" || t.phase === "ending") && !t.params.reverse) {
        // Datagrams still arrive while the test ends (the drain after TEST_END counts them).
        const index = t.udpIndex.get(from.port);
        if (index !== undefined) t.transfer?.datagram(index, data, performance.now());
      }
    }
  })();

  const runTest = async (t: Test, reader: ControlReader) => {
    let outcome: PerfServerEvent;
    try {
      outcome = await negotiate(t, reader);
      if (t.params) outcome = await serveTest(t, t.params, reader);
    } catch (err) {
      outcome = { type: "failed", client: t.client, params: t.params, error: asError(err) };
    } finally {
      // The server is free again before anyone hears how this test went.
      if (current === t) current = undefined;
      closeQuietly(t.control);
      for (const c of t.tcp) closeQuietly(c);
    }
    await report(outcome);
    if (options.count !== undefined && served >= options.count && t.params) stop();
  };

  // PARAM_EXCHANGE: read the client's parameters and either take the test (`t.params` set, an
  // `open` event) or refuse it with iperf3's error number (a `refused` event).
  const negotiate = async (t: Test, reader: ControlReader): Promise<PerfServerEvent> => {
    const refuse = async (ierrno: number, reason: string): Promise<PerfServerEvent> => {
      await t.control.write(encodeServerError(ierrno)).catch(() => {});
      return { type: "refused", client: t.client, reason };
    };
    t.control.setNoDelay(true);
    await t.control.write(encodeState(PerfState.paramExchange));
    let params: PerfParams;
    try {
      params = paramsFromWire(await reader.json(handshakeMs));
    } catch (err) {
      if (err instanceof PerfRefusal) return await refuse(err.ierrno, err.message);
      const why = err instanceof Deno.errors.TimedOut
        ? "no parameters"
        : asError(err).message.replace(/^the peer/, "the client");
      return await refuse(IperfErrno.recvParams, why);
    }
    const limits = options.limits;
    if (params.parallel > limits.maxParallel) {
      return await refuse(
        IperfErrno.numStreams,
        `at most ${limits.maxParallel} parallel streams are allowed`,
      );
    }
    if (params.timeMs > limits.maxTimeMs) {
      return await refuse(
        IperfErrno.duration,
        `tests may last at most ${limits.maxTimeMs / 1000}s`,
      );
    }
    if (params.protocol === "udp" && (params.omitSeconds ?? 0) > 0) {
      return await refuse(IperfErrno.notImplemented, "--omit is not supported for UDP");
    }
    t.params = params;
    served++;
    const open: PerfServerEvent = { type: "open", client: t.client, params };
    await report(open);
    return open;
  };

  const serveTest = async (
    t: Test,
    params: PerfParams,
    reader: ControlReader,
  ): Promise<PerfServerEvent> => {
    t.phase = "streams";
    await t.control.write(encodeState(PerfState.createStreams));
    const ready = () =>
      (params.protocol === "tcp" ? t.tcp.length : t.udpPeers.length) >= params.parallel;
    const deadline = Date.now() + handshakeMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0 || signal.aborted) {
        await t.control.write(encodeServerError(IperfErrno.streamAccept)).catch(() => {});
        throw new Error(`the client did not open its ${params.parallel} stream(s) in time`);
      }
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.min(left, 100));
        t.wake = () => {
          clearTimeout(timer);
          r();
        };
      });
    }
    const streams: PerfStream[] = params.protocol === "tcp"
      ? t.tcp.map((conn) => ({ kind: "tcp", conn }))
      : t.udpPeers.map((peer) => ({ kind: "udp", socket: udp, peer }));
    const role = params.reverse ? "sender" : "receiver";
    const transfer = new Transfer(role, params, streams);
    t.transfer = transfer;
    await t.control.write(encodeState(PerfState.testStart));
    await t.control.write(encodeState(PerfState.testRunning));
    startCpuMeter();
    transfer.start();
    t.phase = "running";

    // The client ends the test; bound it anyway, and end it when the client goes quiet.
    const omitMs = (params.omitSeconds ?? 0) * 1000;
    const limitMs = (params.timeMs > 0 ? params.timeMs : options.limits.maxTimeMs) + omitMs +
      Math.max(10_000, handshakeMs);
    const startedAt = performance.now();
    const next = reader.state().then((s) => s, (err) => asError(err));
    let message: number | Error | undefined;
    next.then((m) => message = m);
    while (message === undefined) {
      const now = performance.now();
      if (signal.aborted) throw new Error("the server was stopped");
      if (transfer.error) throw asError(transfer.error);
      if (now - startedAt > limitMs) {
        throw new Error(`the test ran past ${Math.round(limitMs / 1000)}s without ending`);
      }
      if (role === "receiver" && now - transfer.lastActivity > idleMs + omitMs) {
        throw new Error(`no data from the client for ${idleMs / 1000}s`);
      }
      await Promise.race([next, sleep(20)]);
    }
    t.phase = "ending";
    const stopSending = async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([transfer.stop(), new Promise((r) => timer = setTimeout(r, 500))]);
      clearTimeout(timer);
    };
    if (message !== PerfState.testEnd) {
      if (role === "sender") await stopSending();
      else await transfer.drain(0, 0);
      const result = partialResult(transfer, params);
      const error = message === PerfState.clientTerminate
        ? new Error("the client has terminated")
        : message instanceof Error
        ? new Error(message.message.replace(/^the peer/, "the client"))
        : new Error(`unexpected control state ${message}`);
      return { type: "failed", client: t.client, params, error, result };
    }
    // Take what is still in flight (a toolkit client half-closes its streams, so TCP ends at
    // once; an iperf3 client's last bytes are already here or arrive within a few ms).
    if (role === "sender") await stopSending();
    else await transfer.drain(100, params.protocol === "tcp" ? 1000 : 500);
    for (const c of t.tcp) closeQuietly(c);
    await t.control.write(encodeState(PerfState.exchangeResults));
    let theirs;
    try {
      theirs = resultsFromWire(await reader.json(handshakeMs));
    } catch (err) {
      throw new Error(`no results from the client: ${asError(err).message}`);
    }
    const peer = peerStreams(
      theirs.streams,
      params.reverse ? "receiver" : "sender",
      params.protocol,
    );
    await t.control.write(encodeJson(resultsToWire(transfer.wireStreams(), cpuUtilization())));
    await t.control.write(encodeState(PerfState.displayResults));
    // The client's IPERF_DONE (or its close) ends the conversation.
    await reader.state(handshakeMs).catch(() => {});
    const peerSeconds = theirs.streams.reduce((m, s) => Math.max(m, s.end_time - s.start_time), 0);
    const result: PerfResult = {
      params,
      [role]: transfer.side(),
      [role === "sender" ? "receiver" : "sender"]: { seconds: peerSeconds, streams: peer },
    };
    return { type: "result", client: t.client, result };
  };

  const handle = async (conn: Deno.TcpConn) => {
    const client = addrText(conn.remoteAddr);
    if (pending >= maxPending) {
      closeQuietly(conn);
      await report({ type: "dropped", client, reason: "too many connections waiting" });
      return;
    }
    const reader = new ControlReader(conn);
    let cookie: Uint8Array;
    pending++;
    try {
      cookie = await reader.exact(cookieSize, handshakeMs);
    } catch (err) {
      closeQuietly(conn);
      const why = err instanceof Deno.errors.TimedOut
        ? `sent no cookie within ${handshakeMs / 1000}s`
        : err instanceof PerfProtocolError
        ? "closed before sending a cookie"
        : asError(err).message;
      if (!signal.aborted) await report({ type: "dropped", client, reason: why });
      return;
    } finally {
      pending--;
    }
    const t = current;
    if (t && t.phase === "params" && sameCookie(cookie, t.cookie)) {
      // A stream that came before CREATE_STREAMS went out (iperf3 would leave it in the backlog
      // until then): wait for the parameters to be read.
      const until = Date.now() + handshakeMs;
      while (t.phase === "params" && current === t && Date.now() < until) await sleep(10);
    }
    if (t) {
      const stream = t.phase === "streams" && t.params?.protocol === "tcp" &&
        sameCookie(cookie, t.cookie) && t.tcp.length < t.params.parallel;
      if (stream) {
        t.tcp.push(conn);
        t.wake();
        return;
      }
      // Like iperf3: one test at a time, everyone else is told ACCESS_DENIED.
      await conn.write(encodeState(PerfState.accessDenied)).catch(() => {});
      closeQuietly(conn);
      if (!sameCookie(cookie, t.cookie)) {
        await report({ type: "refused", client, reason: "the server is busy running a test" });
      }
      return;
    }
    if (!looksLikeCookie(cookie)) {
      closeQuietly(conn);
      await report({ type: "dropped", client, reason: "not an iperf3 client (bad cookie)" });
      return;
    }
    const remote = conn.remoteAddr as Deno.NetAddr;
    const test: Test = {
      cookie,
      client,
      clientHost: remote.hostname,
      control: conn,
      phase: "params",
      tcp: [],
      udpIndex: new Map(),
      udpPeers: [],
      wake: () => {},
    };
    current = test;
    await runTest(test, reader);
  };

  const handlers = new Set<Promise<void>>();
  const accepted = acceptConns(listener, {
    signal,
    onFailure: (failure) => report({ type: "acceptFailed", failure }),
  });
  for await (const conn of accepted) {
    const h = handle(conn).catch(() => {}).finally(() => handlers.delete(h));
    handlers.add(h);
  }
  closeQuietly(udp);
  await Promise.all(handlers);
  await udpLoop;
  return served;
}

function partialResult(transfer: Transfer, params: PerfParams): PerfResult {
  return { params, interrupted: true, [transfer.role]: transfer.side() };
}
