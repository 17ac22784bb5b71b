// The step interpreter: the steps of a drill, run one after another inside the sandbox Worker.
// Every socket a step opens is named and owned by the session (sockets.ts), so a failed or
// timed-out drill closes all of them; a step's failure is its outcome, never an exception.
import { formatHostPort, parseHostPort } from "../net/address.ts";
import { acceptConn } from "../net/accept.ts";
import { netErrorFrom } from "../net/errors.ts";
import { checkDestination, confineSocketPath, scopeErrorFrom } from "../scope/mod.ts";
import type { CommandHostModule, CommandRun } from "./command_host.ts";
import { splitCommand } from "./command_line.ts";
import { expectDenied, type Refusal } from "./expect_denied.ts";
import { payloadBytes } from "./payload.ts";
import { type ByteDiff, byteDiff, regexDiff } from "./result.ts";
import {
  type AcceptStep,
  type ConnectStep,
  connName,
  type DeniedAction,
  drillDurationMs,
  type ExpectStep,
  type ListenStep,
  type RunStep,
  type SendStep,
  type SocketsStep,
  type Step,
  stepAction,
  type UdpExpectStep,
  type UdpSendStep,
} from "./schema.ts";
import {
  clientBind,
  type Datagram,
  describeAddr,
  StreamConn,
  StreamListener,
  udpReplies,
  UdpSocket,
  writeAll,
} from "./sockets.ts";
import { StepFailure, withTimeout } from "./step_failure.ts";
import { defaultRunTimeoutMs, defaultStepTimeoutMs, stepTimeoutMs } from "./step_limits.ts";
import { canonicalHost, readTcpSockets, type TcpSocket } from "./tcp_states.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a step reports back; a thrown error is a failure too. */
export interface StepOutcome {
  ok: boolean;
  message?: string;
  diff?: ByteDiff;
  denied?: Refusal;
}

/** `call()`, with a network failure named after `where` (lib/net/errors.ts). */
async function netErrorsAt<T>(where: string, call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw netErrorFrom(err, where);
  }
}

/**
 * One drill's sockets and the code of each step kind. Runs inside the sandbox Worker, where every
 * access goes through Deno's permission checks for the drill's scope.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DrillSession } from "./session.ts";
 *
 * // Outside a sandbox (as here) the steps run with this process's permissions.
 * const session = new DrillSession();
 * try {
 *   const echo = { as: "echo", address: "127.0.0.1:0", reply: "echo" } as const;
 *   const listen = await session.run({ listen: echo });
 *   assert.match(listen.message!, /^listening on tcp 127\.0\.0\.1:\d+$/);
 *   const to = listen.message!.split(" ").at(-1)!;
 *   assert.equal((await session.run({ connect: { as: "c", to } })).ok, true);
 *   assert.equal((await session.run({ send: { conn: "c", text: "hi" } })).message, "sent 2 bytes");
 *   const wrong = await session.run({ expect: { conn: "c", text: "ho", timeout: "1s" } });
 *   assert.equal(wrong.ok, false);
 *   assert.equal(wrong.message, "received bytes differ from the expected ones");
 *   assert.equal(wrong.diff?.offset, 1);
 *   // Without a command host (the CLI hands one to its drills), `run` steps fail.
 *   const run = await session.run({ run: { command: "subnet same 10.0.0.1 10.0.0.2 /8" } });
 *   assert.equal(run.message, "this drill runner cannot run toolkit commands");
 * } finally {
 *   session.closeAll();
 * }
 * ```
 */
export class DrillSession {
  readonly conns = new Map<string, StreamConn>();
  readonly listeners = new Map<string, StreamListener>();
  readonly udp = new Map<string, UdpSocket>();
  #running?: CommandRun;
  #host?: Promise<CommandHostModule>;
  /** What the sandbox refused in the last passing `expect-denied`. */
  #refused?: Refusal;
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
    const { kind, action: a } = stepAction(step);
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
        return this.#closeWrite(connName(a));
      case "close":
        return Promise.resolve(this.#close(connName(a)));
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
      const sock = await netErrorsAt(
        where,
        () => Deno.listenDatagram({ transport: "udp", hostname: hp.host, port: hp.port }),
      );
      this.udp.set(a.as, new UdpSocket(sock, udpReplies(sock, a), this.#noteBackground(a.as)));
      return `listening on udp ${describeAddr(sock.addr)}`;
    }
    const listener = await netErrorsAt(
      where,
      () => Deno.listen({ hostname: hp.host, port: hp.port }),
    );
    this.listeners.set(a.as, new StreamListener(listener, a, this.#noteBackground(a.as)));
    return `listening on tcp ${describeAddr(listener.addr)}`;
  }

  async #accept(a: AcceptStep) {
    const l = this.listeners.get(a.listener);
    if (!l) throw new StepFailure(`no listener named "${a.listener}"`);
    if (l.step.reply || l.step.replies) {
      throw new StepFailure(`listener "${a.listener}" serves by itself (reply/replies)`);
    }
    const ms = stepTimeoutMs(a.timeout, defaultStepTimeoutMs);
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
    const ms = stepTimeoutMs(a.timeout, defaultStepTimeoutMs);
    let target: string;
    let pending: Promise<Deno.Conn>;
    if (a.path !== undefined) {
      target = a.path;
      pending = confineSocketPath(a.path).then((path) => Deno.connect({ transport: "unix", path }));
    } else {
      const hp = parseHostPort(a.to!);
      target = formatHostPort(hp.host, hp.port);
      pending = Deno.connect({ hostname: hp.host, port: hp.port });
    }
    const conn = await netErrorsAt(
      target,
      () => withTimeout(pending, ms, `connecting to ${target}`, (late) => late.close()),
    );
    const c = new StreamConn(conn);
    this.conns.set(a.as, c);
    return `connected ${c.local} -> ${c.remote}`;
  }

  async #send(a: SendStep) {
    const c = this.#conn(a.conn);
    const data = payloadBytes(a);
    await netErrorsAt(c.remote, () => writeAll(c.conn, data));
    return `sent ${data.length} bytes`;
  }

  async #expect(a: ExpectStep) {
    const c = this.#conn(a.conn);
    const ms = stepTimeoutMs(a.timeout, defaultStepTimeoutMs);
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
        throw new StepFailure(`${why} before /${a.regex}/ matched`, regexDiff(a.regex, c.buffer));
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
    await netErrorsAt(c.remote, () => c.conn.closeWrite());
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

  async #udpSend(a: UdpSendStep) {
    let u = this.udp.get(a.socket);
    const target = a.to === undefined ? undefined : parseHostPort(a.to);
    if (!u) {
      if (target) checkDestination(target.host, target.port);
      const bind = a.bind !== undefined
        ? parseHostPort(a.bind, { allowPortZero: true })
        : { host: clientBind(target), port: 0 };
      const sock = await netErrorsAt(
        formatHostPort(bind.host, bind.port),
        () => Deno.listenDatagram({ transport: "udp", hostname: bind.host, port: bind.port }),
      );
      u = new UdpSocket(sock);
      this.udp.set(a.socket, u);
    }
    const to = target
      ? { transport: "udp" as const, hostname: target.host, port: target.port }
      : u.lastFrom;
    if (!to) throw new StepFailure(`no "to" given and nothing received on "${a.socket}" yet`);
    const data = payloadBytes(a);
    const where = formatHostPort(to.hostname, to.port);
    await netErrorsAt(where, () => u.sock.send(data, to));
    return `sent ${data.length} bytes to ${where}`;
  }

  async #udpExpect(a: UdpExpectStep) {
    const u = this.udp.get(a.socket);
    if (!u) throw new StepFailure(`no UDP socket named "${a.socket}"`);
    const ms = stepTimeoutMs(a.timeout, defaultStepTimeoutMs);
    const from = a.from === undefined ? undefined : parseHostPort(a.from);
    const matchesFrom = (d: Datagram) =>
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
        throw new StepFailure(
          `the datagram from ${sender} does not match /${a.regex}/`,
          regexDiff(a.regex, d.data),
        );
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
    const ms = stepTimeoutMs(a.timeout, defaultRunTimeoutMs);
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
      diff ??= regexDiff(a["stdout-match"], io.stdoutBytes());
    }
    if (a["stderr-match"] !== undefined && !new RegExp(a["stderr-match"], "m").test(stderr)) {
      problems.push(`stderr does not match /${a["stderr-match"]}/`);
    }
    const output = a["output-match"];
    if (output !== undefined && !new RegExp(output, "m").test(stdout + stderr)) {
      problems.push(`output does not match /${output}/`);
      diff ??= regexDiff(output, encoder.encode(stdout + stderr));
    }
    if (problems.length) {
      const err = stderr.trim() ? `; stderr: ${stderr.trim().split("\n")[0]}` : "";
      throw new StepFailure(problems.join("; ") + err, diff);
    }
    return `exit ${code}`;
  }

  async #sockets(a: SocketsStep) {
    const ms = stepTimeoutMs(a.timeout, defaultStepTimeoutMs);
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
    const refused = await expectDenied(a);
    this.#refused = refused;
    return `refused: ${refused.kind} access to ${refused.resource}`;
  }
}
