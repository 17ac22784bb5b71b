// Turns any error into the one line a user sees and the exit code a script sees. Stack traces
// only with --debug.
import { NetError, ZoneError } from "../net/errors.ts";
import { ExitCode, InputError, scopeErrorFrom, UsageError } from "./errors.ts";
import { type Output, OutputWriteError } from "./io.ts";
import { describeScopeOf } from "../scope/effective.ts";
import { printable } from "../text/printable.ts";
import { FileArgumentError, fileProblem } from "../scope/files.ts";

/** The user-facing message: first letter lower-cased unless it starts an acronym, one line. */
export function errorLine(message: string): string {
  const oneLine = message.replace(/\s*\n\s*/g, " ").trim();
  return /^[A-Z][a-z]/.test(oneLine) ? oneLine[0].toLowerCase() + oneLine.slice(1) : oneLine;
}

/** Longest error line printed; longer ones (a 1 MB argument echoed back) are cut in the middle. */
const maxLineLength = 400;

/**
 * Makes a message safe for a terminal ({@linkcode printable}: control characters and bidi
 * overrides from the user's input are shown escaped, `\x1b`, `\u202e`) and short enough to read:
 * a very long line keeps its start and end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printableLine } from "./report.ts";
 *
 * // A terminal control sequence from the input is shown, not obeyed.
 * assert.equal(printableLine('cannot parse "\x1b[2J"'), 'cannot parse "\\x1b[2J"');
 * ```
 */
export function printableLine(line: string): string {
  const safe = printable(line);
  if (safe.length <= maxLineLength) return safe;
  const cut = safe.length - 300;
  return `${safe.slice(0, 240)}…[${cut} characters]…${safe.slice(-60)}`;
}

/**
 * What kind of failure an error is, for scripts (`kind` in the `--json` error object). `usage`
 * and `input` both exit 2: the first is how the command was called (followed by the help hint),
 * the second what it was given (a file, an address, a table).
 */
export type ErrorKind = "usage" | "input" | "network" | "scope" | "interrupted" | "internal";

/** An error as the CLI reports it: its line, exit code, kind and the facts a script may use. */
export interface ClassifiedError {
  /** The message, one line, without `toolkit: error: `. */
  line: string;
  code: number;
  kind: ErrorKind;
  /** For usage errors: the command whose help the hint points at (`""` for toolkit's own). */
  hintFor?: string;
  /** Facts beside the message: `address` (network), `permission` and `resource` (scope), ... */
  fields?: Record<string, string>;
}

/** Classifies an error: its message line, exit code, kind and whether a usage hint follows. */
export async function classifyError(err: unknown): Promise<ClassifiedError> {
  const scope = scopeErrorFrom(err);
  if (scope?.kind === "all") {
    // Deno opens devices and kernel files (/dev/stdin, /dev/fd/0, /proc/...) only with
    // --allow-all, whatever the scope says: no narrowing refused this, so it is not exit 4.
    const path = scope.resource;
    return {
      line: `is a device or kernel file, which Deno lets toolkit open only with --allow-all; ` +
        `use - for standard input, or a regular file (${path})`,
      code: ExitCode.usage,
      kind: "input",
      fields: { path },
    };
  }
  if (scope) {
    const described = await describeScopeOf(scope.kind);
    return {
      line: `${scope.message} (scope ${described})`,
      code: ExitCode.scope,
      kind: "scope",
      fields: {
        permission: scope.kind,
        resource: scope.resource,
        scope: described.slice(described.indexOf(": ") + 2),
      },
    };
  }
  if (err instanceof UsageError) {
    return {
      line: errorLine(err.message),
      code: ExitCode.usage,
      kind: "usage",
      hintFor: err.command ?? "",
    };
  }
  if (err instanceof NetError) {
    return {
      line: err.message,
      code: ExitCode.network,
      kind: "network",
      fields: { failure: err.failure, address: err.address },
    };
  }
  const input = (line: string, path?: string): ClassifiedError => ({
    line,
    code: ExitCode.usage,
    kind: "input",
    ...(path === undefined ? {} : { fields: { path } }),
  });
  // Only errors raised for what the user gave are exit 2. A bare SyntaxError, RangeError or
  // TypeError is not one of them: commands turn those into InputError or UsageError where the
  // user's input enters (parse, and the reading of files and stdin), so one that gets here is a
  // bug, reported as such below rather than blamed on the user.
  if (err instanceof FileArgumentError) return input(errorLine(err.message), err.path);
  if (err instanceof ZoneError) return input(errorLine(err.message));
  if (err instanceof InputError) return input(errorLine(err.message));
  if (err instanceof OutputWriteError) {
    const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
    const words = fileProblem(err.cause) ?? errorLine(cause.replace(/ \(os error \d+\).*$/, ""));
    return input(`${words} (writing ${err.stream})`);
  }
  const words = fileProblem(err);
  if (words) {
    // An OS error about a file that no command wrapped: Deno's message quotes the path.
    const path = /'([^']+)'/.exec((err as Error).message)?.[1];
    return path ? input(`${words} (${path})`, path) : input(words);
  }
  if (err instanceof Error && /^empty path is not allowed$/i.test(err.message)) {
    // Deno's permission check on a file argument given as "": the user's mistake, not ours.
    return input("no such file or directory (an empty file name)", "");
  }
  if (err instanceof Error && err.name === "AbortError") return interrupted;
  const message = err instanceof Error ? err.message : String(err);
  return internalError(message);
}

/** The stack of `err` and of each error it was caused by (where a converted error came from). */
function stackOf(err: unknown): string {
  let text = "";
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    text += `${depth ? "Caused by: " : ""}${e.stack ?? `${e.name}: ${e.message}`}\n`;
  }
  return text.replace(/\n$/, "");
}

/** The classification of a run stopped by Ctrl-C or SIGTERM. */
export const interrupted: ClassifiedError = {
  line: "interrupted",
  code: ExitCode.interrupted,
  kind: "interrupted",
};

/**
 * The classification of a bug: `message` is what went wrong inside.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { internalError } from "./report.ts";
 *
 * assert.deepEqual(internalError("x is undefined"), {
 *   line: "internal error: x is undefined (run with --debug and report it)",
 *   code: 70,
 *   kind: "internal",
 * });
 * ```
 */
export function internalError(message: string): ClassifiedError {
  return {
    line: `internal error: ${errorLine(message)} (run with --debug and report it)`,
    code: ExitCode.internal,
    kind: "internal",
  };
}

/** How an error is written: with the stack (`--debug`), as a JSON object (`--json`). */
export interface ReportOptions {
  debug: boolean;
  json: boolean;
}

/**
 * The text an error puts on stderr. For people, `toolkit: error: LINE`, the help hint after a usage
 * error, and the stack with `--debug`. Under `--json`, only one line, the error object (see
 * docs/json/error.json): scripts read stderr as NDJSON, and the object carries the same message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatError } from "./report.ts";
 *
 * const refused = { line: "connection refused (127.0.0.1:9)", code: 3, kind: "network" } as const;
 * assert.equal(
 *   formatError(refused, { debug: false, json: true }),
 *   '{"error":{"message":"connection refused (127.0.0.1:9)","exitCode":3,"kind":"network"}}\n',
 * );
 * assert.equal(
 *   formatError(refused, { debug: false, json: false }),
 *   "toolkit: error: connection refused (127.0.0.1:9)\n",
 * );
 * ```
 */
export function formatError(c: ClassifiedError, options: ReportOptions, stack?: string): string {
  const hint = c.hintFor === undefined
    ? undefined
    : `Try 'toolkit ${c.hintFor ? c.hintFor + " " : ""}--help'`;
  const message = printableLine(c.line);
  if (options.json) {
    const error: Record<string, unknown> = { message, exitCode: c.code, kind: c.kind };
    for (const [key, value] of Object.entries(c.fields ?? {})) error[key] = printableLine(value);
    if (c.hintFor !== undefined) error.command = c.hintFor || null;
    if (hint) error.hint = hint;
    if (options.debug && stack) error.stack = stack;
    return JSON.stringify({ error }) + "\n";
  }
  let text = `toolkit: error: ${message}\n`;
  if (hint) text += hint + "\n";
  if (options.debug && stack) text += stack + "\n";
  return text;
}

/**
 * Prints the error (`toolkit: error: ...` and for usage errors the help hint, or under `--json`
 * the error object) and returns the exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./errors.ts";
 * import { memoryIo } from "./io.ts";
 * import { reportError } from "./report.ts";
 *
 * const io = memoryIo();
 * const code = await reportError(new UsageError("missing HOST:PORT", "udp-send"), io.stderr, {
 *   debug: false,
 *   json: false,
 * });
 * assert.equal(code, 2);
 * assert.equal(io.stderrText(), "toolkit: error: missing HOST:PORT\nTry 'toolkit udp-send --help'\n");
 * ```
 */
export async function reportError(
  err: unknown,
  stderr: Output,
  options: ReportOptions,
): Promise<number> {
  const classified = await classifyError(err);
  const stack = err instanceof Error ? stackOf(err) : undefined;
  // A closed stderr must not turn one error into another (or into a loop): the code still counts.
  await stderr.write(formatError(classified, options, stack)).catch(() => {});
  return classified.code;
}
