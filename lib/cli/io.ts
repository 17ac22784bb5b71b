// The terminal as commands see it. Commands never touch Deno.stdin/stdout/exit directly: they get
// an `Io`, so tests run them in memory and the sandbox Worker runs them unchanged.
import { concat } from "../text/read_limited.ts";

// Reading a whole stream with a cap lives with the text helpers both lib/cli and lib/drill use.
export { readAll } from "../text/read_limited.ts";
import { readInputFile } from "../scope/files.ts";
import { writeAll } from "../net/write_all.ts";

const encoder = new TextEncoder();

/** An output stream a command writes to. */
export interface Output {
  /** Writes bytes or text (UTF-8) completely. */
  write(data: Uint8Array | string): Promise<void>;
  /** The stream for `pipeTo`; it is left open when a pipe ends (`preventClose` is implied). */
  readonly writable: WritableStream<Uint8Array>;
  isTerminal(): boolean;
}

/** An input stream a command reads from. */
export interface Input {
  readonly readable: ReadableStream<Uint8Array>;
  /**
   * Reads straight into `buf` without the web-streams layer (a bulk copy of stdin runs about 10%
   * faster); `null` at end of input. Absent on in-memory inputs: use `readable` then. Use one of
   * `read` and `readable` per process, not both.
   */
  read?(buf: Uint8Array): Promise<number | null>;
  isTerminal(): boolean;
}

/**
 * Options every command gets, taken from anywhere on the command line by lib/cli/run.ts
 * (extractGlobals in lib/cli/globals.ts).
 */
export interface GlobalOptions {
  json: boolean;
  quiet: boolean;
  debug: boolean;
  color: boolean;
}

/** Everything a command may use to talk to the outside. */
export interface Io {
  readonly stdin: Input;
  readonly stdout: Output;
  readonly stderr: Output;
  /** Aborted on SIGINT or SIGTERM: commands stop, clean up and return. */
  readonly signal: AbortSignal;
  /** Reads an environment variable; `undefined` when unset or not in the scope. */
  env(name: string): string | undefined;
  readonly globals: GlobalOptions;
}

/**
 * The reader of stdout or stderr went away (`toolkit ... | head -1`). Commands stop quietly: the
 * exit code is 141 (128 + SIGPIPE) as for tools a shell kills with SIGPIPE, and nothing is printed.
 */
export class OutputClosedError extends Error {
  constructor(options?: ErrorOptions) {
    super("Output closed by its reader", options);
    this.name = "OutputClosedError";
  }
}

/**
 * Writing stdout, stderr or an output file (`--out FILE`) failed for another reason than a reader
 * going away: a full disk, a quota, `/dev/full`. The user's machine, not the network or a bug; the
 * OS error is the cause. `stream` is `stdout`, `stderr` or the file's path as given.
 */
export class OutputWriteError extends Error {
  constructor(readonly stream: string, options: ErrorOptions) {
    super(`cannot write ${stream}`, options);
    this.name = "OutputWriteError";
  }
}

/**
 * Bytes a standard stream carries before it checks, once, whether it can switch to blocking calls
 * (see {@linkcode neverWaits}). Below this a transfer is over before the check would pay for itself.
 */
export const syncProbeAfter = 16 << 20;

/**
 * Whether standard stream `fd` is a regular file or, on Linux, a memory device (`/dev/null`,
 * `/dev/zero`: major number 1): a read or write on it never waits for another process, so it may
 * block the event loop. Such a call also skips the thread hop that an async read or write of stdio
 * takes in Deno, which is about half the time of a bulk copy. Deno has no fstat for stdio; node:fs
 * has, but takes about 25 ms to load, hence {@linkcode syncProbeAfter}.
 */
export async function neverWaits(fd: 0 | 1): Promise<boolean> {
  try {
    const { fstatSync } = await import("node:fs");
    const st = fstatSync(fd);
    if (st.isFile()) return true;
    // glibc's major(): bits 8-19 and 32-43 of the device number.
    const major = ((st.rdev >> 8) & 0xfff) | (Math.floor(st.rdev / 2 ** 32) & ~0xfff);
    return Deno.build.os === "linux" && st.isCharacterDevice() && major === 1;
  } catch {
    return false;
  }
}

/**
 * Counts the bytes through a standard stream and, past {@linkcode syncProbeAfter}, asks once
 * whether it {@linkcode neverWaits}; `sync` turns true when the answer is yes.
 */
class SyncProbe {
  #seen = 0;
  #asked = false;
  sync = false;
  constructor(readonly fd: 0 | 1) {}
  add(bytes: number): void {
    if (this.#asked || (this.#seen += bytes) < syncProbeAfter) return;
    this.#asked = true;
    neverWaits(this.fd).then((yes) => (this.sync = yes));
  }
}

async function writeFully(
  file: typeof Deno.stdout,
  bytes: Uint8Array,
  probe?: SyncProbe,
): Promise<void> {
  try {
    // Once the probe allows it, each write is synchronous (no thread hop per write).
    const writer = probe
      ? {
        write: (rest: Uint8Array) =>
          probe.sync ? Promise.resolve(file.writeSync(rest)) : file.write(rest),
      }
      : file;
    await writeAll(writer, bytes);
    probe?.add(bytes.length);
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe || err instanceof Deno.errors.BadResource) {
      throw new OutputClosedError({ cause: err });
    }
    throw new OutputWriteError(file === Deno.stderr ? "stderr" : "stdout", { cause: err });
  }
}

/**
 * Wraps Deno.stdout or Deno.stderr as an {@linkcode Output}. With `fd` 1, a large output to a file
 * or `/dev/null` goes synchronous once its {@linkcode SyncProbe} allows it.
 */
export function denoOutput(file: typeof Deno.stdout, fd?: 1): Output {
  const probe = fd === 1 ? new SyncProbe(1) : undefined;
  return {
    write: (data) =>
      writeFully(file, typeof data === "string" ? encoder.encode(data) : data, probe),
    get writable() {
      // Deno's own stream closes stdout when a pipe ends; wrap it so the process can keep writing.
      return new WritableStream<Uint8Array>({ write: (chunk) => writeFully(file, chunk, probe) });
    },
    isTerminal: () => file.isTerminal(),
  };
}

/**
 * Reads Deno.stdin directly; a large input from a file or `/dev/zero` goes synchronous once its
 * {@linkcode SyncProbe} allows it.
 */
function stdinRead(): (buf: Uint8Array) => Promise<number | null> {
  const probe = new SyncProbe(0);
  return async (buf) => {
    if (probe.sync) return Deno.stdin.readSync(buf);
    const n = await Deno.stdin.read(buf);
    if (n !== null) probe.add(n);
    return n;
  };
}

/** Reads an environment variable, treating a variable outside the granted scope as unset. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Decides whether to colour output: only on a terminal, never with `NO_COLOR` or `--no-color`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wantColor } from "./io.ts";
 *
 * assert.equal(wantColor({ noColor: true, terminal: true }), false); // --no-color always wins
 * if (!Deno.env.get("NO_COLOR") && !Deno.env.get("FORCE_COLOR")) {
 *   assert.equal(wantColor({ noColor: false, terminal: true }), true);
 *   assert.equal(wantColor({ noColor: false, terminal: false }), false); // a pipe or a file
 * }
 * ```
 */
export function wantColor(options: { noColor: boolean; terminal: boolean }): boolean {
  if (options.noColor) return false;
  const noColor = readEnv("NO_COLOR");
  if (noColor !== undefined && noColor !== "") return false;
  if (readEnv("FORCE_COLOR")) return true;
  return options.terminal;
}

/**
 * The real process's terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoIo } from "./io.ts";
 *
 * const globals = { json: false, quiet: false, debug: false, color: false };
 * const io = denoIo(globals, new AbortController().signal);
 * assert.equal(io.globals, globals);
 * assert.equal(io.stdout.isTerminal(), Deno.stdout.isTerminal());
 * assert.equal(io.env("TOOLKIT_SURELY_UNSET"), undefined);
 * ```
 */
export function denoIo(globals: GlobalOptions, signal: AbortSignal): Io {
  return {
    stdin: {
      // A getter: touching Deno.stdin.readable loads the web streams runtime, which commands that
      // never read stdin should not pay for at start-up.
      get readable() {
        return Deno.stdin.readable;
      },
      read: stdinRead(),
      isTerminal: () => Deno.stdin.isTerminal(),
    },
    stdout: denoOutput(Deno.stdout, 1),
    stderr: denoOutput(Deno.stderr),
    signal,
    env: readEnv,
    globals,
  };
}

/** An in-memory `Io` for tests, with what was written readable afterwards. */
export interface MemoryIo extends Io {
  /** Everything written to stdout, decoded as UTF-8. */
  stdoutText(): string;
  stderrText(): string;
  stdoutBytes(): Uint8Array;
  /** Aborts `signal`, as SIGINT would. */
  interrupt(): void;
}

function memoryOutput(chunks: Uint8Array[]): Output {
  const push = (data: Uint8Array | string) => {
    chunks.push(typeof data === "string" ? encoder.encode(data) : data.slice());
  };
  return {
    write: (data) => Promise.resolve(push(data)),
    writable: new WritableStream({ write: (chunk) => push(chunk) }),
    isTerminal: () => false,
  };
}

/**
 * Makes an in-memory `Io` whose stdin holds `input`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 *
 * const io = memoryIo({ stdin: "hi" });
 * await io.stdout.write("ok");
 * assert.equal(io.stdoutText(), "ok");
 * const input = await new Response(io.stdin.readable).text();
 * assert.equal(input, "hi");
 * ```
 */
export function memoryIo(
  options: {
    stdin?: Uint8Array | string;
    globals?: Partial<GlobalOptions>;
    env?: Record<string, string>;
  } = {},
): MemoryIo {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const controller = new AbortController();
  const input = typeof options.stdin === "string" ? encoder.encode(options.stdin) : options.stdin;
  return {
    stdin: {
      readable: new ReadableStream({
        start(c) {
          if (input && input.length > 0) c.enqueue(input);
          c.close();
        },
      }),
      isTerminal: () => false,
    },
    stdout: memoryOutput(out),
    stderr: memoryOutput(err),
    signal: controller.signal,
    env: (name) => options.env?.[name],
    globals: { json: false, quiet: false, debug: false, color: false, ...options.globals },
    stdoutText: () => new TextDecoder().decode(concat(out)),
    stderrText: () => new TextDecoder().decode(concat(err)),
    stdoutBytes: () => concat(out),
    interrupt: () => controller.abort(),
  };
}

/**
/**
 * Reads a whole file the user named, refusing one larger than `limit` bytes (a device such as
 * /dev/zero never ends); see `readInputFile` in lib/scope/files.ts for what else is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readFileLimited } from "./io.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/classes.py`;
 * await Deno.writeTextFile(path, "class A: pass\n");
 * assert.equal((await readFileLimited(path, { limit: 64 << 20 })).length, 14);
 * await assert.rejects(readFileLimited(path, { limit: 4 }), {
 *   message: `larger than 4 bytes (${path})`,
 * });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function readFileLimited(path: string, options: { limit: number }): Promise<Uint8Array> {
  return readInputFile(path, options);
}

/**
 * Waits `ms` milliseconds, or less when `signal` aborts first (Ctrl-C must not wait out an
 * `--interval`). Never rejects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortableSleep } from "./io.ts";
 *
 * const stop = new AbortController();
 * const started = performance.now();
 * setTimeout(() => stop.abort(), 10);
 * await abortableSleep(10_000, stop.signal); // Ctrl-C does not wait out the interval
 * assert.ok(performance.now() - started < 5000);
 * ```
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
