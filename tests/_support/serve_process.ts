// A `toolkit drill serve` process for the collector tests: started with --json (or in text mode),
// its stdout read line by line as it comes, so a test can wait for the `listening` event and for
// each submission, and stop it with a signal.
import assert from "#assert";
import { root, runToolkit, testIf, toolkitCmd } from "./harness.ts";

/** A running `drill serve --json`, its stdout read line by line as it comes. */
export interface Serve {
  child: Deno.ChildProcess;
  /** The `listening` event: address, dashboard, submitUrl, classToken, teacherToken. */
  info: Record<string, string | number>;
  base: string;
  /** Waits for an NDJSON line on stdout for which `match` is true. */
  waitEvent(match: (e: Record<string, unknown>) => boolean, ms?: number): Promise<unknown>;
  stderr(): string;
  /** Sends `signal` (default SIGINT) and collects the exit code and output. */
  stop(signal?: Deno.Signal): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** How `serve` starts the collector: the command (default the toolkit) and --json (default on). */
export interface ServeOptions {
  cmd?: string[];
  json?: boolean;
}

/**
 * Starts `toolkit [--json] drill serve ARGS...` and resolves once it listens.
 *
 * @example
 * ```ts
 * const srv = await serve(["127.0.0.1:0", "--db", "/tmp/class.db"]);
 * await srv.stop();
 * ```
 */
export async function serve(args: string[], options: ServeOptions = {}): Promise<Serve> {
  const { cmd = toolkitCmd, json = true } = options;
  const child = new Deno.Command(cmd[0], {
    args: [...cmd.slice(1), ...(json ? ["--json"] : []), "drill", "serve", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let out = "", err = "";
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const pump = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
    for await (const t of s.pipeThrough(new TextDecoderStream())) {
      add(t);
      wake();
    }
  };
  const done = Promise.all([
    pump(child.stdout, (t) => (out += t)),
    pump(child.stderr, (t) => (err += t)),
  ]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    wake();
    return s;
  });
  const events = () =>
    out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)) as Record<
      string,
      unknown
    >[];
  const waitEvent = (match: (e: Record<string, unknown>) => boolean, ms = 20_000) =>
    new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no such event within ${ms} ms; stdout:\n${out}\nstderr:\n${err}`));
      }, ms);
      const check = () => {
        const e = events().find(match);
        if (e || exited) {
          clearTimeout(timer);
          waiters.delete(check);
          if (e) resolve(e);
          else reject(new Error(`drill serve exited; stdout:\n${out}\nstderr:\n${err}`));
        }
      };
      waiters.add(check);
      check();
    });
  const info = json
    ? await waitEvent((e) => e.event === "listening") as Record<string, string>
    : await new Promise<Record<string, string>>((resolve, reject) => {
      const check = () => {
        const m = /^listening on (\S+)$/m.exec(err);
        if (m || exited) {
          waiters.delete(check);
          if (m) resolve({ address: m[1] });
          else reject(new Error(`drill serve exited; stderr:\n${err}`));
        }
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    info,
    base: `http://${info.address}`,
    waitEvent,
    stderr: () => err,
    async stop(signal: Deno.Signal = "SIGINT") {
      try {
        child.kill(signal);
      } catch { /* gone */ }
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const s = await status;
      await done;
      clearTimeout(timer);
      return { code: s.code, stdout: out, stderr: err };
    },
  };
}

/**
 * A `drill run --json` report wrapped as `drill run --submit` wraps it, the run's scope unnarrowed.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(wrapReport(JSON.parse(stdout), "pc01"));
 * ```
 */
export function wrapReport(
  report: unknown,
  machine: string,
  ranAt: string = new Date().toISOString(),
): {
  machine: string;
  toolkitVersion: string;
  ranAt: string;
  scope: Record<string, unknown>;
  // deno-lint-ignore no-explicit-any
  report: any;
} {
  return {
    machine,
    toolkitVersion: "0.1.0",
    ranAt,
    scope: {
      narrowed: false,
      ...Object.fromEntries(
        ["net", "read", "write", "run", "env", "sys"].map((k) => [k, { all: true, grants: [] }]),
      ),
    },
    report,
  };
}

/** What a collector test is handed: a directory of its own and a `serve` that cleans up. */
export interface Collector {
  /** A fresh temporary directory, removed when the test ends. */
  dir: string;
  /** `class.db` in `dir`. */
  db: string;
  /** `serve`, each collector it starts killed (SIGKILL) when the test ends, however it ends. */
  serve(args: string[], options?: ServeOptions): Promise<Serve>;
}

/**
 * A test of collectors on loopback: `fn` gets a temporary directory and a `serve` whose
 * processes are killed, and the directory removed, however `fn` ends. `skip` is a reason to
 * skip it (as `testIf`).
 *
 * @example
 * ```ts
 * collectorTest("serves", async ({ db, serve }) => {
 *   const srv = await serve(["127.0.0.1:0", "--db", db]);
 *   assert.equal((await srv.stop()).code, 130);
 * });
 * ```
 */
export function collectorTest(
  name: string,
  fn: (collector: Collector) => Promise<void>,
  skip?: string,
): void {
  testIf(skip, name, async () => {
    const dir = await Deno.makeTempDir({ prefix: "drill-serve-" });
    const started: Serve[] = [];
    try {
      await fn({
        dir,
        db: `${dir}/class.db`,
        async serve(args, options) {
          const srv = await serve(args, options);
          started.push(srv);
          return srv;
        },
      });
    } finally {
      for (const srv of started) await srv.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/**
 * `toolkit drill run --json TARGET`'s report, parsed, after checking its exit code: a built-in
 * drill (or `--all`) passes (0), `wrongExpect` fails (1).
 *
 * @example
 * ```ts
 * const failing = await drillReport(wrongExpect, 1);
 * ```
 */
// deno-lint-ignore no-explicit-any
export async function drillReport(target: string, code = 0): Promise<any> {
  const r = await runToolkit(["drill", "run", "--json", target], { timeoutMs: 90_000 });
  assert.equal(r.code, code, r.stderr);
  return JSON.parse(r.stdout);
}

/** The drill fixture whose expectation is wrong: its report fails. */
export const wrongExpect: string = `${root}/tests/fixtures/drill/wrong_expect.yaml`;
