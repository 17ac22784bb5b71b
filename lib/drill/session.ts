// The steps of a drill, run one after another inside the sandbox Worker. Every socket a step
// opens is named and owned by the session, so a failed or timed-out drill closes all of them.
import { formatHostPort, type HostPort, parseHostPort } from "../net/address.ts";
import { acceptConn, acceptConns, retryServing } from "../net/accept.ts";
import { netErrorFrom } from "../net/errors.ts";
import { parseHex } from "../net/payload.ts";
import {
  activeScope,
  bindsInScope,
  checkDestination,
  confinePath,
  confineSocketPath,
  localBindFor,
  scopeErrorFrom,
} from "../scope/mod.ts";
import type { CommandHostModule, CommandRun } from "./command_host.ts";
import { splitCommand } from "./command_line.ts";
import { type ByteDiff, byteDiff } from "./result.ts";
import type {
  ConnectStep,
  DeniedAction,
  ListenStep,
  MatchFields,
  Payload,
  PayloadFields,
  RunStep,
  SocketsStep,
  Step,
} from "./schema.ts";
import { drillDurationMs, stepKind } from "./schema.ts";
import { canonicalHost, readTcpSockets, type TcpSocket } from "./tcp_states.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The local address a UDP socket toward `target` binds: inside the drill's scope (lib/scope). */
function clientBind(target: HostPort | undefined): string {
  if (!target) return "127.0.0.1";
  return localBindFor(target.host, bindsInScope(activeScope()));
}

/** Default wait of steps that wait (expect, accept, connect, sockets). */
export const defaultStepTimeoutMs = 2000;
/** Default limit of a `run` step. */
export const defaultRunTimeoutMs = 10_000;

/** What a step reports back; a thrown error is a failure too. */
export interface StepOutcome {
  ok: boolean;
  message?: string;
  diff?: ByteDiff;
  denied?: { kind: string; resource: string };
}

/** A failed expectation, carried as an error to the step's end. */
class StepFailure extends Error {
  readonly diff?: ByteDiff;
  constructor(message: string, diff?: ByteDiff) {
    super(message);
    this.name = "StepFailure";
    this.diff = diff;
  }
}

/** Wakes waiters when a socket's state changes, and times their waits out. */
class Changes {
  #waiters = new Set<() => void>();
  notify(): void {
    for (const w of [...this.#waiters]) w();
  }
  wait<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const run = () => {
        const v = check();
        if (v !== undefined) done(v);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const done = (v: T | undefined) => {
        clearTimeout(timer);
        this.#waiters.delete(run);
        resolve(v);
      };
      this.#waiters.add(run);
      run();
    });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A stream connection with everything received so far buffered by a background reader. */
class StreamConn {
  buffer: Uint8Array = new Uint8Array(0);
  eof = false;
  error?: unknown;
  closed = false;
  readonly changes = new Changes();
  readonly local: string;
  readonly remote: string;
  constructor(readonly conn: Deno.Conn) {
    this.local = describeAddr(conn.localAddr);
    this.remote = describeAddr(conn.remoteAddr);
    this.#pump();
  }
  async #pump() {
    const chunk = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await this.conn.read(chunk);
        if (n === null) break;
        this.buffer = concat(this.buffer, chunk.subarray(0, n));
        this.changes.notify();
      }
    } catch (err) {
      if (!this.closed) this.error = err;
    }
    this.eof = true;
    this.changes.notify();
  }
  /** How the stream ended, for failure messages: a clean FIN or an error such as a reset. */
  endedBy(): string {
    if (!this.error) return "the stream ended";
    const failure = netErrorFrom(this.error, this.remote);
    return `the connection failed (${(failure as Error).message ?? failure})`;
  }
  consume(n: number): void {
    this.buffer = this.buffer.slice(n);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.conn);
  }
}

interface Received {
  data: Uint8Array;
  from: Deno.NetAddr;
}

/** A UDP socket whose datagrams queue up for `udp-expect`, unless a reply mode serves them. */
class UdpSocket {
  queue: Received[] = [];
  lastFrom?: Deno.NetAddr;
  closed = false;
  readonly changes = new Changes();
  constructor(
    readonly sock: Deno.DatagramConn,
    serve?: (d: Received) => Promise<void>,
    readonly onError: (err: unknown) => void = () => {},
  ) {
    this.#pump(serve);
  }
  async #pump(serve?: (d: Received) => Promise<void>) {
    try {
      for (;;) {
        // An ICMP error surfacing on the socket is one peer's, not the end of this socket.
        const got = await retryServing(() => this.sock.receive());
        if (got === null) break;
        const [data, addr] = got;
        const d = { data, from: addr as Deno.NetAddr };
        if (serve) await serve(d).catch(this.onError);
        else {
          this.queue.push(d);
          this.changes.notify();
        }
      }
    } catch { /* closed */ }
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.sock);
  }
}

/** A TCP or Unix listener, either serving by itself or handing connections to `accept`. */
class StreamListener {
  readonly served = new Set<Deno.Conn>();
  closed = false;
  constructor(
    readonly listener: Deno.Listener,
    readonly step: ListenStep,
    readonly onError: (err: unknown) => void = () => {},
  ) {
    if (step.reply || step.replies) this.#serve();
  }
  async #serve() {
    try {
      // A client that resets before it is accepted, or a moment out of descriptors, is ridden
      // out: the drill's server keeps serving.
      for await (const conn of acceptConns(this.listener)) {
        this.served.add(conn);
        this.#handle(conn).finally(() => this.served.delete(conn));
      }
    } catch { /* closed */ }
  }
  async #handle(conn: Deno.Conn) {
    const buf = new Uint8Array(65536);
    const replies = (this.step.replies ?? []).map(payloadBytes);
    let next = 0;
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) {
          if (this.step.reply === "echo") await conn.closeWrite();
          break;
        }
        if (this.step.reply === "echo") {
          await writeAll(conn, buf.slice(0, n));
        } else if (next < replies.length) {
          await writeAll(conn, replies[next++]);
          if (next === replies.length) {
            const then = this.step.then ?? "close";
            if (then === "close") break;
            if (then === "close-write") await conn.closeWrite();
          }
        }
      }
    } catch (err) {
      if (!this.closed) this.onError(err);
    }
    closeQuietly(conn);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.listener);
    for (const c of this.served) {
      closeQuietly(c);
    }
  }
}

/** Closes a socket or listener that may be closed already. */
function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch { /* already closed */ }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
}

function describeAddr(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return formatHostPort(canonicalHost(addr.hostname), addr.port);
  }
  return (addr as Deno.UnixAddr).path ?? "unix";
}

/**
 * Bytes of a reply or send payload.
 *
 * @example
 * ```ts
 * payloadBytes({ hex: "68 69" }); // Uint8Array [104, 105]
 * ```
 */
export function payloadBytes(p: Payload | PayloadFields): Uint8Array {
  if (typeof p === "string") return encoder.encode(p);
  if ("hex" in p && p.hex !== undefined) return parseHex(p.hex);
  return encoder.encode((p as { text: string }).text);
}

function stepTimeout(value: string | number | undefined, fallback: number): number {
  return value === undefined ? fallback : drillDurationMs(value, "timeout");
}

/**
 * How long a step may take at most, so the runner can stop one that hangs.
 *
 * @example
 * ```ts
 * stepLimitMs({ sleep: "250ms" }); // 250
 * ```
 */
export function stepLimitMs(step: Step): number {
  const kind = stepKind(step);
  // deno-lint-ignore no-explicit-any
  const a = (step as any)[kind];
  if (kind === "sleep") return drillDurationMs(a, "sleep");
  if (kind === "run") return stepTimeout(a.timeout, defaultRunTimeoutMs);
  if (a && typeof a === "object" && "timeout" in a) {
    return stepTimeout(a.timeout, defaultStepTimeoutMs);
  }
  return defaultStepTimeoutMs;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, onLate?: (v: T) => void) {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.then((v) => onLate?.(v), () => {});
      reject(new StepFailure(`timed out after ${ms / 1000}s ${what}`));
    }, ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One drill's sockets and the code of each step kind. Runs inside the sandbox Worker, where every
 * access goes through Deno's permission checks for the drill's scope.
 *
 * @example
 * ```ts
 * const session = new DrillSession({ net: ["127.0.0.1:9000"] });
 * await session.run({ sleep: "10ms" });
 * session.closeAll();
 * ```
 */
export class DrillSession {
  readonly conns = new Map<string, StreamConn>();
  readonly listeners = new Map<string, StreamListener>();
  readonly udp = new Map<string, UdpSocket>();
  #running?: CommandRun;
  #host?: Promise<CommandHostModule>;
  /** What the sandbox refused in the last passing `expect-denied`. */
  #refused?: { kind: string; resource: string };
  /** Failures of servers running in the background, told with the next failing step. */
  #background: string[] = [];

  /** `commandHost`: the module that runs toolkit commands for `run` steps (none: they fail). */
  constructor(readonly commandHost?: string) {}

  /** Runs one step; resolves to its outcome. Failures are outcomes, not exceptions. */
  async run(step: Step): Promise<StepOutcome> {
    const outcome = await this.#outcome(step);
    if (!outcome.ok && this.#background.length) {
      outcome.message = `${outcome.message}; meanwhile ${this.#background.join("; ")}`;
      this.#background = [];
    }
    return outcome;
  }

  #noteBackground(name: string): (err: unknown) => void {
    return (err) => {
      const scope = scopeErrorFrom(err);
      this.#background.push(
        scope
          ? `"${name}" could not reply: denied by the sandbox: ${scope.kind} access to ${scope.resource}`
          : `"${name}" failed: ${(err as Error)?.message ?? err}`,
      );
    };
  }

  async #outcome(step: Step): Promise<StepOutcome> {
    try {
      this.#refused = undefined;
      const message = await this.#dispatch(step);
      return {
        ok: true,
        ...(message ? { message } : {}),
        ...(this.#refused ? { denied: this.#refused } : {}),
      };
    } catch (err) {
      const scope = scopeErrorFrom(err);
      if (scope) {
        return {
          ok: false,
          message: `denied by the sandbox: ${scope.kind} access to ${scope.resource}` +
            " is outside the drill's scope",
          denied: { kind: scope.kind, resource: scope.resource },
        };
      }
      if (err instanceof StepFailure) return { ok: false, message: err.message, diff: err.diff };
      return { ok: false, message: (err as Error)?.message ?? String(err) };
    }
  }

  /** Closes every socket, listener and served connection; stops a running command. */
  closeAll(): void {
    this.#running?.interrupt();
    for (const c of this.conns.values()) c.close();
    for (const l of this.listeners.values()) l.close();
    for (const u of this.udp.values()) u.close();
  }

  #dispatch(step: Step): Promise<string | undefined> {
    const kind = stepKind(step);
    // deno-lint-ignore no-explicit-any
    const a = (step as any)[kind];
    switch (kind) {
      case "listen":
        return this.#listen(a);
      case "accept":
        return this.#accept(a);
      case "connect":
        return this.#connect(a);
      case "send":
        return this.#send(a);
      case "expect":
        return this.#expect(a);
      case "close-write":
        return this.#closeWrite(typeof a === "string" ? a : a.conn);
      case "close":
        return Promise.resolve(this.#close(typeof a === "string" ? a : a.conn));
      case "udp-send":
        return this.#udpSend(a);
      case "udp-expect":
        return this.#udpExpect(a);
      case "sleep":
        return new Promise((r) => setTimeout(() => r(undefined), drillDurationMs(a, "sleep")));
      case "run":
        return this.#run(a);
      case "sockets":
        return this.#sockets(a);
      case "expect-denied":
        return this.#expectDenied(a);
    }
  }

  #conn(name: string): StreamConn {
    const c = this.conns.get(name);
    if (!c) throw new StepFailure(`no connection named "${name}"`);
    return c;
  }

  async #listen(a: ListenStep): Promise<string> {
    const proto = a.proto ?? "tcp";
    if (proto === "unix") {
      const listener = Deno.listen({ transport: "unix", path: await confineSocketPath(a.path!) });
      this.listeners.set(a.as, new StreamListener(listener, a, this.#noteBackground(a.as)));
      return `listening on ${a.path}`;
    }
    const hp = parseHostPort(a.address!, { allowPortZero: true });
    const where = formatHostPort(hp.host, hp.port);
    if (proto === "udp") {
      let sock: Deno.DatagramConn;
      try {
        sock = Deno.listenDatagram({ transport: "udp", hostname: hp.host, port: hp.port });
      } catch (err) {
        throw netErrorFrom(err, where);
      }
      const replies = (a.replies ?? []).map(payloadBytes);
      let next = 0;
      const serve = a.reply === "echo"
        ? async (d: Received) => void (await sock.send(d.data, d.from))
        : a.replies
        ? async (d: Received) => {
          if (next < replies.length) await sock.send(replies[next++], d.from);
        }
        : undefined;
      this.udp.set(a.as, new UdpSocket(sock, serve, this.#noteBackground(a.as)));
      return `listening on udp ${describeAddr(sock.addr)}`;
    }
    let listener: Deno.Listener;
    try {
      listener = Deno.listen({ hostname: hp.host, port: hp.port });
    } catch (err) {
      throw netErrorFrom(err, where);
    }
    this.listeners.set(a.as, new StreamListener(listener, a, this.#noteBackground(a.as)));
    return `listening on tcp ${describeAddr(listener.addr)}`;
  }

  async #accept(a: { listener: string; as: string; timeout?: string | number }) {
    const l = this.listeners.get(a.listener);
    if (!l) throw new StepFailure(`no listener named "${a.listener}"`);
    if (l.step.reply || l.step.replies) {
      throw new StepFailure(`listener "${a.listener}" serves by itself (reply/replies)`);
    }
    const ms = stepTimeout(a.timeout, defaultStepTimeoutMs);
    const conn = await withTimeout(
      acceptConn(l.listener),
      ms,
      `waiting for a connection on ${a.listener}`,
      (late) => late?.close(),
    );
    if (conn === null) throw new StepFailure(`listener "${a.listener}" is closed`);
    const c = new StreamConn(conn);
    this.conns.set(a.as, c);
    return `accepted ${c.remote}`;
  }

  async #connect(a: ConnectStep) {
    const ms = stepTimeout(a.timeout, defaultStepTimeoutMs);
    let target: string;
    let pending: Promise<Deno.Conn>;
    if (a.path !== undefined) {
      target = a.path;
      pending = confineSocketPath(a.path).then((path) => Deno.connect({ transport: "unix", path }));
    } else {
      const hp: HostPort = parseHostPort(a.to!);
      target = formatHostPort(hp.host, hp.port);
      pending = Deno.connect({ hostname: hp.host, port: hp.port });
    }
    let conn: Deno.Conn;
    try {
      conn = await withTimeout(pending, ms, `connecting to ${target}`, (late) => late.close());
    } catch (err) {
      throw netErrorFrom(err, target);
    }
    const c = new StreamConn(conn);
    this.conns.set(a.as, c);
    return `connected ${c.local} -> ${c.remote}`;
  }

  async #send(a: { conn: string } & PayloadFields) {
    const c = this.#conn(a.conn);
    const data = payloadBytes(a);
    try {
      await writeAll(c.conn, data);
    } catch (err) {
      throw netErrorFrom(err, c.remote);
    }
    return `sent ${data.length} bytes`;
  }

  async #expect(a: { conn: string; timeout?: string | number } & MatchFields) {
    const c = this.#conn(a.conn);
    const ms = stepTimeout(a.timeout, defaultStepTimeoutMs);
    if (a.eof) {
      const r = await c.changes.wait(() => c.buffer.length > 0 || c.eof ? true : undefined, ms);
      if (r === undefined) {
        throw new StepFailure(`timed out after ${ms / 1000}s waiting for end of stream`);
      }
      if (c.buffer.length > 0) {
        const extra = c.buffer;
        throw new StepFailure(
          `expected end of stream, received ${extra.length} more bytes`,
          byteDiff(new Uint8Array(0), extra),
        );
      }
      if (c.error) throw netErrorFrom(c.error, c.remote);
      return "end of stream";
    }
    if (a.regex !== undefined) {
      const re = new RegExp(a.regex);
      const found = await c.changes.wait(() => {
        const m = re.exec(decoder.decode(c.buffer));
        return m ? m : c.eof ? null : undefined;
      }, ms);
      if (!found) {
        const why = found === null ? c.endedBy() : `timed out after ${ms / 1000}s`;
        throw new StepFailure(`${why} before /${a.regex}/ matched`, {
          ...byteDiff(new Uint8Array(0), c.buffer),
          expected: `/${a.regex}/`,
          expectedHex: "",
          offset: -1,
        });
      }
      const used = encoder.encode(decoder.decode(c.buffer).slice(0, found.index + found[0].length))
        .length;
      c.consume(Math.min(used, c.buffer.length));
      return `matched ${JSON.stringify(found[0])}`;
    }
    if (a.bytes !== undefined) {
      const n = a.bytes;
      const got = await c.changes.wait(
        () => c.buffer.length >= n ? true : c.eof ? false : undefined,
        ms,
      );
      if (!got) {
        const why = got === false ? c.endedBy() : `timed out after ${ms / 1000}s`;
        throw new StepFailure(`${why} after ${c.buffer.length} of ${n} bytes`);
      }
      c.consume(n);
      return `received ${n} bytes`;
    }
    const want = payloadBytes(a);
    const verdict = await c.changes.wait(() => {
      const have = c.buffer;
      for (let i = 0; i < Math.min(have.length, want.length); i++) {
        if (have[i] !== want[i]) return "differ" as const;
      }
      if (have.length >= want.length) return "match" as const;
      return c.eof ? "ended" as const : undefined;
    }, ms);
    if (verdict === "match") {
      c.consume(want.length);
      return `received ${want.length} bytes`;
    }
    const received = c.buffer.slice(0, Math.max(want.length, Math.min(c.buffer.length, 4096)));
    const why = verdict === "differ"
      ? "received bytes differ from the expected ones"
      : verdict === "ended"
      ? `${c.endedBy()} after ${c.buffer.length} of ${want.length} expected bytes`
      : `timed out after ${ms / 1000}s with ${c.buffer.length} of ${want.length} expected bytes`;
    throw new StepFailure(why, byteDiff(want, received));
  }

  async #closeWrite(name: string) {
    const c = this.#conn(name);
    try {
      await c.conn.closeWrite();
    } catch (err) {
      throw netErrorFrom(err, c.remote);
    }
    return "sent FIN";
  }

  #close(name: string): string {
    const c = this.conns.get(name);
    if (c) {
      c.close();
      return `closed ${c.local} -> ${c.remote}`;
    }
    const l = this.listeners.get(name);
    if (l) {
      l.close();
      return "listener closed";
    }
    const u = this.udp.get(name);
    if (u) {
      u.close();
      return "socket closed";
    }
    throw new StepFailure(`nothing named "${name}" to close`);
  }

  async #udpSend(a: { socket: string; to?: string; bind?: string } & PayloadFields) {
    let u = this.udp.get(a.socket);
    const target = a.to === undefined ? undefined : parseHostPort(a.to);
    if (!u) {
      if (target) checkDestination(target.host, target.port);
      const bind = a.bind !== undefined
        ? parseHostPort(a.bind, { allowPortZero: true })
        : { host: clientBind(target), port: 0 };
      let sock: Deno.DatagramConn;
      try {
        sock = Deno.listenDatagram({ transport: "udp", hostname: bind.host, port: bind.port });
      } catch (err) {
        throw netErrorFrom(err, formatHostPort(bind.host, bind.port));
      }
      u = new UdpSocket(sock);
      this.udp.set(a.socket, u);
    }
    const to = target
      ? { transport: "udp" as const, hostname: target.host, port: target.port }
      : u.lastFrom;
    if (!to) throw new StepFailure(`no "to" given and nothing received on "${a.socket}" yet`);
    const data = payloadBytes(a);
    const where = formatHostPort(to.hostname, to.port);
    try {
      await u.sock.send(data, to);
    } catch (err) {
      throw netErrorFrom(err, where);
    }
    return `sent ${data.length} bytes to ${where}`;
  }

  async #udpExpect(a: { socket: string; from?: string; timeout?: string | number } & MatchFields) {
    const u = this.udp.get(a.socket);
    if (!u) throw new StepFailure(`no UDP socket named "${a.socket}"`);
    const ms = stepTimeout(a.timeout, defaultStepTimeoutMs);
    const from = a.from === undefined ? undefined : parseHostPort(a.from);
    const matchesFrom = (d: Received) =>
      !from || (canonicalHost(d.from.hostname) === canonicalHost(from.host) &&
        d.from.port === from.port);
    const d = await u.changes.wait(() => {
      const i = u.queue.findIndex(matchesFrom);
      return i < 0 ? undefined : u.queue.splice(i, 1)[0];
    }, ms);
    if (!d) {
      throw new StepFailure(
        `timed out after ${ms / 1000}s: no datagram${from ? ` from ${a.from}` : ""}`,
      );
    }
    u.lastFrom = d.from;
    const sender = describeAddr(d.from);
    if (a.regex !== undefined) {
      if (!new RegExp(a.regex).test(decoder.decode(d.data))) {
        throw new StepFailure(`the datagram from ${sender} does not match /${a.regex}/`, {
          ...byteDiff(new Uint8Array(0), d.data),
          expected: `/${a.regex}/`,
          expectedHex: "",
          offset: -1,
        });
      }
    } else if (a.bytes !== undefined) {
      if (d.data.length !== a.bytes) {
        throw new StepFailure(
          `the datagram from ${sender} has ${d.data.length} bytes, not ${a.bytes}`,
        );
      }
    } else {
      const want = payloadBytes(a);
      const diff = byteDiff(want, d.data);
      if (diff.offset >= 0) {
        throw new StepFailure(`the datagram from ${sender} differs from the expected bytes`, diff);
      }
    }
    return `${d.data.length} bytes from ${sender}`;
  }

  async #run(a: RunStep) {
    const argv = typeof a.command === "string" ? splitCommand(a.command) : a.command;
    const ms = stepTimeout(a.timeout, defaultRunTimeoutMs);
    if (!this.commandHost) throw new StepFailure("this drill runner cannot run toolkit commands");
    this.#host ??= import(this.commandHost) as Promise<CommandHostModule>;
    const io = (await this.#host).runCommand(argv, { stdin: a.stdin });
    this.#running = io;
    let code: number;
    try {
      code = await withTimeout(io.done, ms, `running toolkit ${argv.join(" ")}`);
    } catch (err) {
      io.interrupt();
      throw err;
    } finally {
      this.#running = undefined;
    }
    const stdout = io.stdoutText();
    const stderr = io.stderrText();
    const wantExit = a.exit ?? 0;
    const problems: string[] = [];
    let diff: ByteDiff | undefined;
    if (code !== wantExit) problems.push(`exit code ${code}, expected ${wantExit}`);
    if (a.stdout !== undefined && stdout !== a.stdout) {
      problems.push("stdout differs from the expected output");
      diff = byteDiff(encoder.encode(a.stdout), io.stdoutBytes());
    }
    if (a["stdout-match"] !== undefined && !new RegExp(a["stdout-match"], "m").test(stdout)) {
      problems.push(`stdout does not match /${a["stdout-match"]}/`);
      diff ??= {
        ...byteDiff(new Uint8Array(0), io.stdoutBytes()),
        expected: `/${a["stdout-match"]}/`,
        expectedHex: "",
        offset: -1,
      };
    }
    if (a["stderr-match"] !== undefined && !new RegExp(a["stderr-match"], "m").test(stderr)) {
      problems.push(`stderr does not match /${a["stderr-match"]}/`);
    }
    const output = a["output-match"];
    if (output !== undefined && !new RegExp(output, "m").test(stdout + stderr)) {
      problems.push(`output does not match /${output}/`);
      diff ??= {
        ...byteDiff(new Uint8Array(0), encoder.encode(stdout + stderr)),
        expected: `/${output}/`,
        expectedHex: "",
        offset: -1,
      };
    }
    if (problems.length) {
      const err = stderr.trim() ? `; stderr: ${stderr.trim().split("\n")[0]}` : "";
      throw new StepFailure(problems.join("; ") + err, diff);
    }
    return `exit ${code}`;
  }

  async #sockets(a: SocketsStep) {
    const ms = stepTimeout(a.timeout, defaultStepTimeoutMs);
    let local = a.local;
    let remote = a.remote;
    if (a.conn !== undefined) {
      const c = this.#conn(a.conn);
      [local, remote] = a.side === "peer" ? [c.remote, c.local] : [c.local, c.remote];
    }
    const want = (text: string | undefined) => {
      if (text === undefined) return undefined;
      const hp = parseHostPort(text);
      return { host: canonicalHost(hp.host), port: hp.port };
    };
    const l = want(local);
    const r = want(remote);
    const same = (s: TcpSocket) =>
      (!l || (s.localHost === l.host && s.localPort === l.port)) &&
      (!r || (s.remoteHost === r.host && s.remotePort === r.port));
    const deadline = Date.now() + ms;
    let seen: TcpSocket[] = [];
    for (;;) {
      seen = (await readTcpSockets()).filter(same);
      const has = seen.some((s) => s.state === a.state);
      if (has !== (a.absent === true)) {
        return a.absent ? `no socket in ${a.state}` : `found in ${a.state}`;
      }
      if (Date.now() >= deadline) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const who = [local ?? "*", remote ?? "*"].join(" -> ");
    const states = [...new Set(seen.map((s) => s.state))];
    if (a.absent) {
      throw new StepFailure(`${who} is still in ${a.state} after ${ms / 1000}s`);
    }
    throw new StepFailure(
      `no socket ${who} in ${a.state} within ${ms / 1000}s (` +
        (states.length ? `seen: ${states.join(", ")}` : "no such socket") + ")",
    );
  }

  async #expectDenied(a: DeniedAction): Promise<string> {
    const [what, target] = Object.entries(a)[0] as [string, string];
    const attempt = async (): Promise<string> => {
      switch (what) {
        case "connect": {
          const hp = parseHostPort(target);
          const conn = await withTimeout(
            Deno.connect({ hostname: hp.host, port: hp.port }),
            defaultStepTimeoutMs,
            `connecting to ${target}`,
            (late) => late.close(),
          );
          conn.close();
          return `connected to ${target}`;
        }
        case "listen": {
          const hp = parseHostPort(target, { allowPortZero: true });
          Deno.listen({ hostname: hp.host, port: hp.port }).close();
          return `listened on ${target}`;
        }
        case "udp-send": {
          const hp = parseHostPort(target);
          const sock = Deno.listenDatagram({ transport: "udp", hostname: clientBind(hp), port: 0 });
          try {
            await sock.send(encoder.encode("drill"), {
              transport: "udp",
              hostname: hp.host,
              port: hp.port,
            });
          } finally {
            sock.close();
          }
          return `sent a datagram to ${target}`;
        }
        case "read": {
          (await Deno.open(await confinePath(target, "read"), { read: true })).close();
          return `opened ${target} for reading`;
        }
        case "write": {
          // Opening without create or truncate changes nothing when it is (wrongly) allowed.
          (await Deno.open(await confinePath(target, "write"), { write: true })).close();
          return `opened ${target} for writing`;
        }
        case "env":
          Deno.env.get(target);
          return `read the environment variable ${target}`;
        case "run": {
          // Asked, not attempted: a wrongly allowed command must not run.
          const state = (await Deno.permissions.query({ name: "run", command: target })).state;
          if (state !== "granted") {
            throw new Deno.errors.NotCapable(`Requires run access to "${target}"`);
          }
          return `run access to ${target} is granted`;
        }
      }
      throw new StepFailure(`unknown action ${what}`);
    };
    try {
      const done = await attempt();
      throw new StepFailure(`not refused by the sandbox: ${done}`);
    } catch (err) {
      if (err instanceof StepFailure) throw err;
      const scope = scopeErrorFrom(err);
      if (scope) {
        this.#refused = { kind: scope.kind, resource: scope.resource };
        return `refused: ${scope.kind} access to ${scope.resource}`;
      }
      throw new StepFailure(
        `not refused by the sandbox: the attempt was made and failed with ${
          (err as Error).message
        }`,
      );
    }
  }
}
