// The client end of a perf test, in iperf3's protocol: send the cookie and the parameters, open
// the streams the server asks for, move bytes until the time or byte budget is spent (or Ctrl-C),
// then swap totals with the server. Works against `toolkit perf-server` and a real `iperf3 -s`.
import { formatHostPort, type HostPort } from "./address.ts";
import { NetError, netErrorFrom, type NetFailure } from "./errors.ts";
import {
  ControlReader,
  encodeJson,
  encodeState,
  iperfErrorText,
  isUdpConnectReply,
  makeCookie,
  paramsToWire,
  type PerfParams,
  PerfProtocolError,
  PerfState,
  resultsFromWire,
  resultsToWire,
  udpConnectMessage,
  type WireResults,
} from "./perf_protocol.ts";
import {
  peerStreams,
  type PerfInterval,
  type PerfResult,
  type PerfStream,
  type ReceivedStream,
  type SentStream,
  Transfer,
} from "./perf_session.ts";
import { cpuUtilization, startCpuMeter } from "./perf_cpu.ts";
import { openUdpClient } from "./udp.ts";

/**
 * The server answered but would not run the test (busy with another client, or its limits), or
 * ended it; the message is the server's reason in iperf3's words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetError } from "./errors.ts";
 * import { PerfRefused } from "./perf_client.ts";
 *
 * const err = new PerfRefused("the server is busy running a test", "127.0.0.1:5201");
 * assert.equal(err.message, "server refused the test: the server is busy running a test (127.0.0.1:5201)");
 * assert.ok(err instanceof NetError); // a network error to the CLI: exit 3
 * ```
 */
export class PerfRefused extends NetError {
  constructor(reason: string, address: string, failure: NetFailure = "connection refused") {
    super(failure, address);
    this.name = "PerfRefused";
    this.message = `server refused the test: ${reason} (${address})`;
  }
}

/** Options for {@linkcode runPerfClient}. */
export interface PerfClientOptions {
  /** Interval lines every this many ms; 0 for none. */
  intervalMs: number;
  onInterval?: (interval: PerfInterval) => void;
  /** Called once the server started the test. */
  onStart?: () => Promise<void> | void;
  /** Ctrl-C: the test stops and the totals so far come back, marked `interrupted`. */
  signal?: AbortSignal;
  /** How long connecting, each step of the handshake and a silent server may take. Default 5 s. */
  timeoutMs?: number;
}

/** A test's outcome: the totals, and why it ended early when it did. */
export interface PerfClientResult extends PerfResult {
  /** Set when the server or the network ended the test early (the totals are this end's so far). */
  error?: Error;
}

/** Thrown when Ctrl-C comes before the test started: there is nothing to report. */
export class PerfInterrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "PerfInterrupted";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs one test against an iperf3-protocol server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runPerfClient } from "./perf_client.ts";
 * import { bindPerfServer, servePerf } from "./perf_server.ts";
 *
 * // A perf server on loopback for one test, and a client that sends it 1 MiB (iperf3 -n 1M).
 * const sockets = bindPerfServer("127.0.0.1", 0);
 * const port = sockets.listener.addr.port;
 * const served = servePerf(sockets, {
 *   count: 1,
 *   limits: { maxTimeMs: 10_000, maxParallel: 4 },
 *   onEvent: () => {},
 * });
 * const result = await runPerfClient(
 *   { host: "127.0.0.1", port, family: "ipv4" },
 *   {
 *     protocol: "tcp",
 *     reverse: false,
 *     parallel: 1,
 *     length: 65536,
 *     timeMs: 0,
 *     bytes: 1 << 20,
 *     rateBps: 0,
 *   },
 *   { intervalMs: 0 },
 * );
 * assert.equal(await served, 1);
 * assert.equal(result.error, undefined);
 * assert.deepEqual(result.sender?.streams, [{ bytes: 1 << 20 }]);
 * assert.deepEqual(result.receiver?.streams, [{ bytes: 1 << 20 }]); // the server's count
 * ```
 */
export async function runPerfClient(
  target: HostPort,
  params: PerfParams,
  options: PerfClientOptions,
): Promise<PerfClientResult> {
  const address = formatHostPort(target.host, target.port);
  const timeoutMs = options.timeoutMs ?? 5000;
  const signal = options.signal ?? new AbortController().signal;
  const opened: { close(): void }[] = [];
  const closeAll = () => {
    for (const c of opened.splice(0)) {
      try {
        c.close();
      } catch { /* closed */ }
    }
  };
  // Ctrl-C during the handshake closes everything, which ends whatever read is pending.
  const onAbort = () => closeAll();
  signal.addEventListener("abort", onAbort, { once: true });
  const guard = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      if (signal.aborted) throw new PerfInterrupted();
      if (err instanceof PerfProtocolError) {
        throw new NetError("connection reset", `${address}: ${err.message}`, { cause: err });
      }
      throw netErrorFrom(err, address);
    }
  };
  const expect = async (reader: ControlReader, wanted: number) => {
    const state = await guard(reader.state(timeoutMs));
    if (state === wanted) return;
    if (state === PerfState.accessDenied) {
      throw new PerfRefused("the server is busy running a test", address);
    }
    if (state === PerfState.serverError) {
      const ierrno = await guard(reader.int32(timeoutMs));
      const errno = await guard(reader.int32(timeoutMs));
      throw new PerfRefused(iperfErrorText(ierrno, errno), address);
    }
    if (state === PerfState.serverTerminate) {
      throw new PerfRefused("the server has terminated", address, "connection reset");
    }
    throw new NetError("connection reset", `${address}: unexpected control state ${state}`);
  };
  const connect = async () => {
    const conn = await guard(withTimeout(
      Deno.connect({ hostname: target.host, port: target.port }),
      timeoutMs,
      address,
    ));
    opened.push(conn);
    return conn;
  };
  try {
    const control = await connect();
    control.setNoDelay(true);
    const reader = new ControlReader(control);
    const cookie = makeCookie();
    await guard(control.write(cookie));
    await expect(reader, PerfState.paramExchange);
    await guard(control.write(encodeJson(paramsToWire(params))));
    await expect(reader, PerfState.createStreams);

    const streams: PerfStream[] = [];
    for (let i = 0; i < params.parallel; i++) {
      if (params.protocol === "tcp") {
        const conn = await connect();
        await guard(conn.write(cookie));
        streams.push({ kind: "tcp", conn });
      } else {
        const socket = openUdpClient(target);
        opened.push(socket);
        const peer: Deno.NetAddr = { transport: "udp", hostname: target.host, port: target.port };
        await guard(udpHello(socket, peer, timeoutMs));
        streams.push({ kind: "udp", socket, peer });
      }
    }
    await expect(reader, PerfState.testStart);
    await expect(reader, PerfState.testRunning);

    // From here on Ctrl-C ends the data phase in order (totals so far, CLIENT_TERMINATE).
    signal.removeEventListener("abort", onAbort);
    const role = params.reverse ? "receiver" : "sender";
    const transfer = new Transfer(role, params, streams);
    // In reverse UDP the sockets are read from now on; datagrams before `start` are not counted.
    const udpLoops = params.protocol === "udp" && params.reverse
      ? streams.map((s, i) => receiveLoop(s, i, transfer))
      : [];
    startCpuMeter();
    transfer.start();
    await options.onStart?.();
    const ticker = options.intervalMs > 0
      ? setInterval(() => options.onInterval?.(transfer.cut(performance.now())), options.intervalMs)
      : undefined;
    // The server says nothing while the test runs; anything it does say ends the test.
    const peerState = reader.state().then((s) => s, (err) => err as Error);
    let ending: "done" | "interrupted" | Error;
    try {
      ending = await dataPhase(transfer, params, signal, peerState, timeoutMs);
    } finally {
      if (ticker !== undefined) clearInterval(ticker);
    }
    const finalInterval = () => {
      if (options.intervalMs <= 0) return;
      // The last interval ends with the test, not with the goodbyes after it.
      const last = transfer.cut(transfer.endedAt);
      // Like iperf3, a sliver of an interval at the end is not worth a line (totals include it).
      if (last.endMs - last.startMs > Math.max(50, options.intervalMs / 10)) {
        options.onInterval?.(last);
      }
    };

    if (ending !== "done") {
      // Ctrl-C, or the server ended the test: stop, tell the server (iperf3 sends CLIENT_TERMINATE)
      // and report this end's totals so far.
      await stopWithin(transfer, 1000);
      if (ending === "interrupted") {
        await control.write(encodeState(PerfState.clientTerminate)).catch(() => {});
      }
      finalInterval();
      closeAll();
      await Promise.all(udpLoops);
      const local = transfer.side();
      const result: PerfClientResult = { params, interrupted: true, [role]: local };
      if (ending !== "interrupted") result.error = describe(ending, address);
      return result;
    }

    // Ctrl-C during the goodbyes closes the sockets again; the totals so far are this end's.
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await finish(transfer, streams, control, reader, peerState, finalInterval);
    } catch (err) {
      if (!(err instanceof PerfInterrupted)) throw err;
      return { params, interrupted: true, [role]: transfer.side() };
    } finally {
      closeAll();
      await Promise.all(udpLoops);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    closeAll();
  }

  // TEST_END, the results both ways, DISPLAY_RESULTS and IPERF_DONE.
  async function finish(
    transfer: Transfer,
    streams: PerfStream[],
    control: Deno.TcpConn,
    reader: ControlReader,
    peerState: Promise<number | Error>,
    finalInterval: () => void,
  ): Promise<PerfClientResult> {
    const role = transfer.role;
    if (role === "sender") {
      await stopWithin(transfer, 2000);
      // Half-close each stream so a toolkit server knows every byte has arrived (iperf3 ignores it).
      for (const s of streams) if (s.kind === "tcp") await s.conn.closeWrite().catch(() => {});
    }
    await guard(control.write(encodeState(PerfState.testEnd)));
    if (role === "receiver") {
      // The server stops sending when it reads TEST_END and then closes the TCP streams; what was
      // in flight still counts, so both ends agree.
      if (params.protocol === "tcp") await transfer.drain(1000, 3000);
      else await transfer.drain(100, 500);
    }
    finalInterval();
    const state = await guard(withTimeout(peerState, timeoutMs, address));
    if (state instanceof Error) {
      throw signal.aborted ? new PerfInterrupted() : netErrorFrom(state, address);
    }
    if (state !== PerfState.exchangeResults) {
      if (state === PerfState.serverError) {
        const ierrno = await guard(reader.int32(timeoutMs));
        throw new PerfRefused(
          iperfErrorText(ierrno, await guard(reader.int32(timeoutMs))),
          address,
        );
      }
      throw new NetError("connection reset", `${address}: unexpected control state ${state}`);
    }
    const mine = transfer.wireStreams();
    await guard(control.write(encodeJson(resultsToWire(mine, cpuUtilization()))));
    let theirs: WireResults;
    try {
      theirs = resultsFromWire(await guard(reader.json(timeoutMs)));
    } catch (err) {
      throw err instanceof PerfProtocolError
        ? new NetError("connection reset", `${address}: ${err.message}`)
        : err;
    }
    await expect(reader, PerfState.displayResults);
    await control.write(encodeState(PerfState.iperfDone)).catch(() => {});
    const peer = peerStreams(
      theirs.streams,
      role === "sender" ? "receiver" : "sender",
      params.protocol,
    );
    const peerSeconds = theirs.streams.reduce((m, s) => Math.max(m, s.end_time - s.start_time), 0);
    if (role === "sender") {
      return {
        params,
        sender: transfer.side(),
        receiver: { seconds: peerSeconds, streams: peer as ReceivedStream[] },
      };
    }
    const sent = peer as SentStream[];
    return {
      params,
      sender: { seconds: peerSeconds, streams: sent },
      receiver: transfer.side(),
    };
  }
}

/** How long a test that `--bytes` alone ends may run at most: perf-server's default limit. */
export const bytesOnlyLimitMs = 600_000;

/** Waits for the end of the data phase: time or bytes spent, Ctrl-C, the server, or a failure. */
async function dataPhase(
  transfer: Transfer,
  params: PerfParams,
  signal: AbortSignal,
  peerState: Promise<number | Error>,
  idleMs: number,
): Promise<"done" | "interrupted" | Error> {
  let peer: number | Error | undefined;
  peerState.then((s) => peer = s);
  const timeMs = params.timeMs > 0 ? params.timeMs : bytesOnlyLimitMs;
  const omitMs = (params.omitSeconds ?? 0) * 1000;
  const deadline = performance.now() + timeMs + omitMs;
  let senderDone = false;
  transfer.senderDone.then(() => senderDone = true);
  while (true) {
    if (signal.aborted) return "interrupted";
    if (peer !== undefined) {
      if (peer instanceof Error) return peer;
      if (peer === PerfState.serverTerminate) return new Error("the server has terminated");
      if (peer === PerfState.serverError) return new Error("the server reported an error");
      return new Error(`unexpected control state ${peer}`);
    }
    if (transfer.error) return transfer.error as Error;
    const now = performance.now();
    if (now >= deadline) return "done";
    if (transfer.role === "sender" && senderDone) return "done";
    if (transfer.role === "receiver") {
      if (params.bytes !== null && transfer.bytes >= params.bytes) return "done";
      if (now - transfer.lastActivity > Math.max(idleMs, 1000) + omitMs) {
        return new Deno.errors.TimedOut(`no data from the server for ${idleMs / 1000}s`);
      }
    }
    await sleep(Math.min(10, Math.max(deadline - now, 0)));
  }
}

function describe(err: Error, address: string): Error {
  if (err instanceof NetError) return err;
  const wrapped = netErrorFrom(err, address);
  if (wrapped instanceof NetError) return wrapped;
  return new NetError("connection reset", `${address}: ${err.message}`, { cause: err });
}

async function stopWithin(transfer: Transfer, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([transfer.stop(), new Promise((r) => timer = setTimeout(r, ms))]);
  clearTimeout(timer);
}

/** Says hello on a new UDP stream (iperf_udp_connect) and waits for the server's answer. */
async function udpHello(
  socket: Deno.DatagramConn,
  peer: Deno.NetAddr,
  timeoutMs: number,
): Promise<void> {
  await socket.send(udpConnectMessage, peer);
  const buf = new Uint8Array(64 * 1024);
  const deadline = Date.now() + timeoutMs;
  // A few data datagrams may come first in reverse mode; iperf3 allows for that too.
  for (let i = 0; i < 16; i++) {
    const [data, from] = await withTimeout(
      socket.receive(buf),
      Math.max(deadline - Date.now(), 0),
      formatHostPort(peer.hostname, peer.port),
    );
    const f = from as Deno.NetAddr;
    if (f.port === peer.port && isUdpConnectReply(data)) return;
  }
  throw new PerfProtocolError("no answer to the UDP stream's hello");
}

/** Reads one reverse-mode UDP stream's socket into the transfer until it is closed. */
async function receiveLoop(s: PerfStream, index: number, transfer: Transfer): Promise<void> {
  if (s.kind !== "udp") return;
  const buf = new Uint8Array(64 * 1024);
  while (true) {
    try {
      const [data, from] = await s.socket.receive(buf);
      if ((from as Deno.NetAddr).port !== s.peer.port) continue;
      transfer.datagram(index, data, performance.now());
    } catch (err) {
      // An ICMP error for an earlier datagram is not the end of the stream; a closed socket is.
      if (err instanceof Deno.errors.ConnectionRefused) continue;
      return;
    }
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
