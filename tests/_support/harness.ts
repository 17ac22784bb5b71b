// Runs the CLI the way a user does: as a process, through one command taken from TOOLKIT_CMD
// (default: `deno run` with the permission set `deno compile` uses), so the same suite can test a
// compiled binary: TOOLKIT_CMD=dist/toolkit deno task test.

/** The project root (where deno.json is). */
export const root: string = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** The command that runs toolkit, split on spaces. */
export const toolkitCmd: string[] = Deno.env.get("TOOLKIT_CMD")?.trim().split(/\s+/) ??
  ["deno", "run", "-q", "-P", "--no-prompt", "--config", `${root}/deno.json`, `${root}/main.ts`];

/**
 * `toolkitCmd` under deno.json's `lab` permission set (as `deno task toolkit:lab`); only meaningful
 * when TOOLKIT_CMD is not set (a fixed binary has the set it was compiled with).
 */
export const labToolkitCmd: string[] = toolkitCmd.map((a) => (a === "-P" ? "-P=lab" : a));

/** What a finished toolkit process left. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

/** Options for {@linkcode runToolkit} and {@linkcode startToolkit}. */
export interface RunOptions {
  stdin?: string | Uint8Array;
  /** Kill the process after this long and fail. Default 20 s. */
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
  /** Redirect stdin from this file (the process sees a regular file, not a pipe). */
  stdinFile?: string;
  /** Redirect stdout to this file (then `stdout` of the result is empty). */
  stdoutFile?: string;
  /** Run under `ulimit -n` of this many file descriptors (soft and hard: Deno raises the soft). */
  filesLimit?: number;
  /** Run toolkit under this wrapper command (`setpriv ...`, `ip netns exec NAME`). */
  prefix?: readonly string[];
  /** The toolkit command itself (default `toolkitCmd`; `labToolkitCmd` for the lab set). */
  cmd?: readonly string[];
}

function command(args: readonly string[], options: RunOptions, stdin: "piped" | "null") {
  const { stdinFile, stdoutFile, filesLimit } = options;
  const toolkit = [...(options.prefix ?? []), ...(options.cmd ?? toolkitCmd)];
  // Files are attached by a shell's redirection, as a user's `< in > out` does; the paths go in
  // through the environment so they are never parsed as shell syntax.
  const plain = stdinFile === undefined && stdoutFile === undefined && filesLimit === undefined;
  const argv = plain ? [...toolkit, ...args] : [
    "sh",
    "-c",
    `${filesLimit === undefined ? "" : `ulimit -n ${Math.trunc(filesLimit)} && `}exec "$@"${
      stdinFile === undefined ? "" : ' <"$TOOLKIT_TEST_IN"'
    }${stdoutFile === undefined ? "" : ' >"$TOOLKIT_TEST_OUT"'}`,
    "sh",
    ...toolkit,
    ...args,
  ];
  return new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin,
    stdout: "piped",
    stderr: "piped",
    env: {
      NO_COLOR: "1",
      ...(stdinFile === undefined ? {} : { TOOLKIT_TEST_IN: stdinFile }),
      ...(stdoutFile === undefined ? {} : { TOOLKIT_TEST_OUT: stdoutFile }),
      ...options.env,
    },
    cwd: options.cwd,
  });
}

/**
 * Runs toolkit to completion with optional stdin; fails the test if it outlives the timeout.
 *
 * @example
 * ```ts
 * const r = await runToolkit(["subnet", "same", "10.0.0.1", "10.0.0.2", "/24"]);
 * ```
 */
export async function runToolkit(
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const child = command(args, options, options.stdin === undefined ? "null" : "piped").spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    const data = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    await w.write(data).catch(() => {});
    await w.close().catch(() => {});
  }
  const timeoutMs = options.timeoutMs ?? 20_000;
  const r = await outputWithin(child, timeoutMs);
  if (r.timedOut) {
    throw new Error(`toolkit ${args.join(" ")} did not finish within ${timeoutMs} ms\n${r.stderr}`);
  }
  return r;
}

/**
 * Collects a spawned child's exit code and output, killing it (SIGKILL) if it outlives
 * `timeoutMs`; `timedOut` says whether that happened.
 *
 * @example
 * ```ts
 * const r = await outputWithin(new Deno.Command("true", { stdout: "piped", stderr: "piped" }).spawn(), 5000);
 * ```
 */
export async function outputWithin(
  child: Deno.ChildProcess,
  timeoutMs: number,
): Promise<RunResult & { timedOut: boolean }> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
    stdoutBytes: out.stdout,
    timedOut,
  };
}

/** A toolkit process still running, with its stderr readable line by line. */
export interface RunningToolkit {
  child: Deno.ChildProcess;
  /** Waits for a stderr line matching `pattern` and returns the match. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** All stderr seen so far. */
  stderrSoFar(): string;
  /** Waits for exit (killing after `timeoutMs`), returning stdout and the rest of stderr. */
  finish(timeoutMs?: number): Promise<RunResult>;
}

/**
 * Starts toolkit in the background (a listener, a watcher), with stdin piped when given.
 * The caller must `finish()` it; the process is killed after the finish timeout.
 *
 * @example
 * ```ts
 * const srv = startToolkit(["udp-listen", "127.0.0.1:0", "--count", "1"]);
 * const [, port] = await srv.waitForStderr(/listening on .*:(\d+)/);
 * ```
 */
export function startToolkit(
  args: readonly string[],
  options: RunOptions & { stdinPiped?: boolean } = {},
): RunningToolkit {
  const child = command(
    args,
    options,
    options.stdinPiped || options.stdin !== undefined ? "piped" : "null",
  )
    .spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    const data = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    w.write(data).then(() => w.close()).catch(() => {});
  }
  let stderr = "";
  const waiters = new Set<() => void>();
  const stdoutChunks: Uint8Array[] = [];
  const stderrDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      stderr += chunk;
      for (const w of waiters) w();
    }
    for (const w of waiters) w();
  })();
  const stdoutDone = (async () => {
    for await (const chunk of child.stdout) stdoutChunks.push(chunk);
  })();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    for (const w of waiters) w();
    return s;
  });
  return {
    child,
    stderrSoFar: () => stderr,
    waitForStderr(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = stderr.match(pattern);
          if (m) {
            cleanup();
            resolve(m);
          } else if (exited) {
            cleanup();
            reject(
              new Error(`process exited before stderr matched ${pattern}; stderr:\n${stderr}`),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`stderr did not match ${pattern} within ${timeoutMs} ms; stderr:\n${stderr}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async finish(timeoutMs = 15_000) {
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, timeoutMs);
      const s = await status;
      await Promise.all([stderrDone, stdoutDone]);
      clearTimeout(timer);
      const total = stdoutChunks.reduce((n, c) => n + c.length, 0);
      const bytes = new Uint8Array(total);
      let off = 0;
      for (const c of stdoutChunks) {
        bytes.set(c, off);
        off += c.length;
      }
      return { code: s.code, stdout: new TextDecoder().decode(bytes), stderr, stdoutBytes: bytes };
    },
  };
}

/**
 * Runs toolkit for at most `ms`: a run still going then is stopped with SIGINT, as Ctrl-C would
 * (after `atDeadline`, which may look at what the running command has made). `exited` says whether
 * it ended by itself. For sweeps over commands that may wait (listeners, watchers).
 *
 * @example
 * ```ts
 * const r = await runUntil(["udp-listen", "0"], { ms: 1000 }); // r.exited === false, r.code === 130
 * ```
 */
export async function runUntil(
  args: readonly string[],
  options: RunOptions & { stdinPiped?: boolean; ms: number; atDeadline?: () => unknown },
): Promise<RunResult & { exited: boolean }> {
  const run = startToolkit(args, options);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exited = await Promise.race([
    run.child.status.then(() => true),
    new Promise<false>((r) => (timer = setTimeout(() => r(false), options.ms))),
  ]);
  clearTimeout(timer);
  if (!exited) {
    await options.atDeadline?.();
    try {
      run.child.kill("SIGINT");
    } catch { /* exited just now */ }
  }
  const r = await run.finish(8000);
  if (options.stdinPiped) await run.child.stdin.close().catch(() => {});
  return { ...r, exited };
}

/** Whether a program is on PATH. */
export function hasCommand(name: string): boolean {
  try {
    const r = new Deno.Command("sh", {
      args: ["-c", `command -v ${name}`],
      stdout: "null",
      stderr: "null",
    })
      .outputSync();
    return r.success;
  } catch {
    return false;
  }
}

/**
 * A CPython interpreter installed through pyenv, as an absolute path to that version's binary, or
 * `undefined` when the version is not installed. The path does not depend on PATH: `npx` (the
 * README's test command) puts the system python3 ahead of pyenv's shims.
 *
 * @example
 * ```ts
 * const py = python("3.13"); // { cmd: "/root/.pyenv/versions/3.13.0/bin/python3", env: {...} }
 * ```
 */
export function python(version: string): { cmd: string; env: Record<string, string> } | undefined {
  const root = Deno.env.get("PYENV_ROOT") ?? `${Deno.env.get("HOME")}/.pyenv`;
  let installed: string | undefined;
  try {
    for (const e of Deno.readDirSync(`${root}/versions`)) {
      if (e.name === version || e.name.startsWith(version + ".")) installed = e.name;
    }
  } catch { /* no pyenv */ }
  if (installed === undefined) return undefined;
  const cmd = `${root}/versions/${installed}/bin/${
    version.startsWith("2") ? "python2.7" : "python3"
  }`;
  const env = { PYENV_VERSION: installed };
  try {
    const ok = new Deno.Command(cmd, { args: ["-c", "pass"], env, stdout: "null", stderr: "null" })
      .outputSync();
    if (ok.success) return { cmd, env };
  } catch { /* not runnable */ }
  return undefined;
}

/**
 * Registers a test that runs only when `reason` is undefined; otherwise it is reported as ignored
 * and the reason is printed, so a skipped check never passes silently.
 *
 * @example
 * ```ts
 * testIf(hasCommand("nc") ? undefined : "nc is not installed", "interop with nc", async () => {});
 * ```
 */
export function testIf(
  reason: string | undefined,
  name: string,
  fn: (t: Deno.TestContext) => Promise<void> | void,
): void {
  if (reason) console.error(`SKIP ${name}: ${reason}`);
  Deno.test({
    name,
    ignore: reason !== undefined,
    fn,
    sanitizeOps: false,
    sanitizeResources: false,
  });
}

/**
 * A TCP port on 127.0.0.1 that nobody listens on (bound, then closed): for a peer that is down,
 * or a port a process under test is to listen on.
 *
 * @example
 * ```ts
 * const down = `http://127.0.0.1:${freePort()}`;
 * ```
 */
export function freePort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  return port;
}

/** Runs `fn` with a new temporary directory (`prefix` starts its name), removed however it ends. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Whether this process is root (for network namespace tests). */
export function isRoot(): boolean {
  return Deno.uid?.() === 0;
}
