// Runs one drill: binds its variables, starts a Worker whose permissions are exactly the drill's
// scope, watches every step's time limit and the drill's, and terminates the Worker at the end, on
// a timeout or on Ctrl-C, which closes every socket the drill opened.
import { Sandbox, type Scope } from "../scope/mod.ts";
import { drillScope, scopeBeyondOwn } from "./permissions.ts";
import type { DrillResult, StepResult } from "./result.ts";
import { stepTitle } from "./result.ts";
import { type Drill, drillDurationMs, type Step, stepAction, stepKind } from "./schema.ts";
import { allocatePorts, bindVariables, collectVariables } from "./variables.ts";
import type { DrillWorkerMessage } from "./worker.ts";

/** Default limit of a whole drill. */
export const defaultDrillTimeoutMs = 30_000;
/** Extra time a step gets beyond its own limit before the runner stops it. */
const graceMs = 1500;
/** How long the Worker gets to close its sockets before it is terminated regardless. */
const closeWaitMs = 1000;
/** How long the sandbox Worker may take to load before its first step. */
const startupMs = 60_000;

/** Options for {@linkcode runDrill}. */
export interface RunDrillOptions {
  /** `built-in` or the file name, for reports. */
  source: string;
  signal?: AbortSignal;
  /** Run a drill whose scope reaches beyond loopback (default: refuse it, the drill fails). */
  allowRemote?: boolean;
  /**
   * Run a drill whose scope reaches this machine beyond its own ports and tmp directory (another
   * program's port or socket, the user's files, programs other than `ss`, environment variables).
   */
  allowLocal?: boolean;
  /** Relative paths in the drill's scope start here (the drill file's directory). */
  base?: string;
  /**
   * How `run` steps run toolkit commands: the URL of a module exporting `runCommand` (see
   * command_host.ts) and the module files the sandbox must read to load it. Without it, `run`
   * steps fail.
   */
  commands?: { host: URL; modules: readonly string[] };
}

/**
 * Runs a validated drill in its own sandbox Worker and resolves to its result. Never throws for a
 * failing drill: failures, denials and timeouts are in the result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDrill } from "./load.ts";
 * import { runDrill } from "./runner.ts";
 *
 * // An echo server on a port chosen now, a client, and a port outside the drill's scope.
 * const drill = parseDrill(
 *   `name: echo
 * steps:
 *   - listen: { as: echo, address: "127.0.0.1:{{port.echo}}", reply: echo }
 *   - connect: { as: c, to: "127.0.0.1:{{port.echo}}" }
 *   - send: { conn: c, text: hello }
 *   - expect: { conn: c, text: hello }
 *   - expect-denied: { connect: "127.0.0.1:9" }
 * `,
 *   "echo.yaml",
 * );
 * const result = await runDrill(drill, { source: "echo.yaml" });
 * assert.equal(result.status, "pass");
 * assert.deepEqual(result.steps.map((s) => s.title), [
 *   "listen echo tcp 127.0.0.1:{{port.echo}} (echo)",
 *   "connect c to 127.0.0.1:{{port.echo}}",
 *   'send c "hello"',
 *   'expect c "hello"',
 *   "expect-denied connect 127.0.0.1:9",
 * ]);
 * // The sandbox refused the connection before anything was sent.
 * assert.deepEqual(result.steps[4].denied, { kind: "net", resource: "127.0.0.1:9" });
 * ```
 */
export async function runDrill(drill: Drill, options: RunDrillOptions): Promise<DrillResult> {
  const started = performance.now();
  const vars = collectVariables(drill);
  const portList = allocatePorts(vars.ports.length);
  const ports = Object.fromEntries(vars.ports.map((n, i) => [n, portList[i]]));
  const tmp = vars.tmp ? await Deno.makeTempDir({ prefix: "toolkit-drill-" }) : undefined;
  const bound = anchorPaths(bindVariables(drill, { ports, tmp }), options.base);
  // Titles come from the drill as written ({{port.echo}}, not 41873), so a step keeps its name
  // from run to run in JUnit and TAP histories; the bound addresses are in the step messages.
  const steps: StepResult[] = drill.steps.map((step, i) => ({
    index: i + 1,
    kind: stepKind(step),
    title: stepTitle(step),
    status: "skip",
    durationMs: 0,
  }));
  let box: Sandbox<DrillWorkerMessage, DrillWorkerMessage> | undefined;
  try {
    const runs = bound.steps.some((step) => stepKind(step) === "run");
    let scope: Scope;
    try {
      scope = await drillScope(bound.scope, portList, {
        base: options.base,
        commandModules: runs ? options.commands?.modules : undefined,
      });
    } catch (err) {
      // A scope this binary cannot enforce (a prefix too wide for the lab set), or a path that
      // cannot be resolved (a symlink loop): the drill fails unrun, saying why.
      if (!(err instanceof SyntaxError) && !(err as { code?: string }).code) throw err;
      return {
        name: drill.name,
        source: options.source,
        status: "fail",
        durationMs: Math.round(performance.now() - started),
        scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
        steps,
        error: `the drill's scope cannot be used here: ${(err as Error).message}`,
      };
    }
    const finish = (error?: string): DrillResult => ({
      name: drill.name,
      source: options.source,
      status: !error && steps.every((s) => s.status === "pass") ? "pass" : "fail",
      durationMs: Math.round(performance.now() - started),
      scope: reportedScope(scope),
      steps,
      ...(error ? { error } : {}),
    });
    // A colleague's drill runs safely by default: what it asks for beyond its own ports, files
    // and tmp directory needs the user's word for it.
    const beyond = scopeBeyondOwn(drill.scope);
    if (beyond.remote.length && !options.allowRemote) {
      return finish(
        `the drill's scope reaches beyond loopback (${beyond.remote.join(", ")}); ` +
          "run it with --allow-remote if you trust it with that network",
      );
    }
    if (beyond.local.length && !options.allowLocal) {
      return finish(
        `the drill's scope reaches beyond its own ports and files on this machine ` +
          `(${beyond.local.join("; ")}); run it with --allow-local if you trust it with that`,
      );
    }
    // A drill asking for more than this process holds (a run narrowed with --net or --scope)
    // is a scope error naming the first entry missing.
    box = await Sandbox.open(new URL("./worker.ts", import.meta.url), scope, {
      inherit: false,
      purpose: `drill ${drill.name}`,
    });
    const host = runs ? options.commands?.host.href : undefined;
    const error = await supervise(box, bound, scope, host, steps, options.signal);
    return finish(error);
  } finally {
    box?.terminate();
    if (tmp) await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/**
 * The drill with every relative path its steps name (Unix sockets of `listen`/`connect`, the
 * files of `expect-denied read/write`) made absolute from `base`, the drill file's directory:
 * the same place its scope's relative paths start from.
 */
function anchorPaths(drill: Drill, base: string | undefined): Drill {
  if (base === undefined) return drill;
  const anchor = (p: string) => (p.startsWith("/") ? p : `${base}/${p}`);
  const steps = drill.steps.map((step): Step => {
    const { kind, action } = stepAction(step);
    if (kind === "listen" && typeof action.path === "string") {
      return { ...step, listen: { ...action, path: anchor(action.path) } };
    }
    if (kind === "connect" && typeof action.path === "string") {
      return { ...step, connect: { ...action, path: anchor(action.path) } };
    }
    if (kind === "expect-denied" && "read" in action) {
      return { ...step, "expect-denied": { ...action, read: anchor(action.read) } };
    }
    if (kind === "expect-denied" && "write" in action) {
      return { ...step, "expect-denied": { ...action, write: anchor(action.write) } };
    }
    return step;
  });
  return { ...drill, steps };
}

/** The scope a drill ran with, as reports show it: what it listed, and the implicit grants. */
function reportedScope(scope: Scope): DrillResult["scope"] {
  const listed = (kind: keyof Scope["kinds"]) =>
    (scope.kinds[kind] ?? []).filter((g) => !g.implicit).map((g) => g.entry);
  return {
    net: listed("net"),
    read: listed("read"),
    write: listed("write"),
    run: listed("run"),
    env: listed("env"),
    sys: listed("sys"),
    implicit: Object.entries(scope.kinds).flatMap(([kind, grants]) =>
      (grants ?? []).filter((g) => g.implicit).map((g) => ({
        kind,
        entry: g.entry,
        reason: g.implicit!,
      }))
    ),
  };
}

/** Resolves when the Worker is done, or with the reason it was stopped. */
function supervise(
  box: Sandbox<DrillWorkerMessage, DrillWorkerMessage>,
  drill: Drill,
  scope: Scope,
  commandHost: string | undefined,
  steps: StepResult[],
  signal?: AbortSignal,
): Promise<string | undefined> {
  const drillMs = drill.timeout === undefined
    ? defaultDrillTimeoutMs
    : drillDurationMs(drill.timeout, "timeout");
  return new Promise((resolve) => {
    let stepTimer: ReturnType<typeof setTimeout> | undefined;
    let current: { index: number; started: number; limitMs: number } | undefined;
    let stopping = false;
    const stop = (reason?: string) => {
      if (stopping) return;
      stopping = true;
      clearTimeout(stepTimer);
      clearTimeout(drillTimer);
      signal?.removeEventListener("abort", onAbort);
      // The Worker closes its sockets when asked; terminating it frees them too, but only once
      // its thread is gone, which can be later than the drill's end.
      box.close({ type: "close" }, (m) => m.type === "closed", closeWaitMs).then(() =>
        resolve(reason)
      );
    };
    const failCurrent = (message: string) => {
      if (!current) return;
      const s = steps[current.index - 1];
      s.status = "fail";
      s.durationMs = Math.round(performance.now() - current.started);
      s.message = message;
    };
    // The drill's limit counts from its first step: loading the sandbox is not the drill's time.
    let drillTimer = setTimeout(
      () => stop(`the sandbox did not start within ${startupMs / 1000}s`),
      startupMs,
    );
    let drillStarted = false;
    const startDrillTimer = () => {
      drillStarted = true;
      clearTimeout(drillTimer);
      drillTimer = setTimeout(() => {
        const message = `the drill timed out after ${drillMs / 1000}s; the sandbox was stopped`;
        failCurrent(message);
        stop(message);
      }, drillMs);
    };
    const onAbort = () => {
      failCurrent("interrupted");
      stop("interrupted");
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    box.listen((msg) => {
      if (msg.type === "start") {
        if (!drillStarted) startDrillTimer();
        clearTimeout(stepTimer);
        current = { index: msg.index, started: performance.now(), limitMs: msg.limitMs };
        stepTimer = setTimeout(() => {
          failCurrent(
            `timed out after ${msg.limitMs / 1000}s; the step was stopped and its sockets closed`,
          );
          stop();
        }, msg.limitMs + graceMs);
      } else if (msg.type === "step") {
        clearTimeout(stepTimer);
        const i = msg.result.index - 1;
        steps[i] = { ...msg.result, title: steps[i].title };
        current = undefined;
      } else if (msg.type === "done") stop();
    }, (message) => {
      const text = `the sandbox failed: ${message}`;
      failCurrent(text);
      stop(text);
    });
    box.post({ type: "run", drill, scope, commandHost });
  });
}
