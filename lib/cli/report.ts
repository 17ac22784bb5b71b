// Turns any error into the one line a user sees and the exit code a script sees. Stack traces
// only with --debug.
import { NetError } from "../net/errors.ts";
import { ExitCode, InputError, scopeErrorFrom, UsageError } from "./errors.ts";
import { type Output, OutputWriteError } from "./io.ts";
import { describeScopeOf } from "../scope/effective.ts";
import { FileArgumentError, fileProblem } from "../scope/files.ts";

/** The user-facing message: first letter lower-cased unless it starts an acronym, one line. */
export function errorLine(message: string): string {
  const oneLine = message.replace(/\s*\n\s*/g, " ").trim();
  return /^[A-Z][a-z]/.test(oneLine) ? oneLine[0].toLowerCase() + oneLine.slice(1) : oneLine;
}

/** Longest error line printed; longer ones (a 1 MB argument echoed back) are cut in the middle. */
const maxLineLength = 400;

/**
 * Makes a message safe for a terminal and short enough to read: control characters and bidi
 * overrides from the user's input are shown escaped (`\x1b`, `\u202e`) instead of acting on the
 * terminal, and a very long line keeps its start and end.
 *
 * @example
 * ```ts
 * printableLine('cannot parse "\x1b[2J"'); // 'cannot parse "\\x1b[2J"'
 * ```
 */
export function printableLine(line: string): string {
  const safe = line.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => {
      const code = c.charCodeAt(0);
      return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
    },
  );
  if (safe.length <= maxLineLength) return safe;
  const cut = safe.length - 300;
  return `${safe.slice(0, 240)}…[${cut} characters]…${safe.slice(-60)}`;
}

/** Classifies an error: its message line, exit code and whether a usage hint follows. */
export async function classifyError(
  err: unknown,
): Promise<{ line: string; code: number; hintFor?: string }> {
  const scope = scopeErrorFrom(err);
  if (scope) {
    return {
      line: `${scope.message} (scope ${await describeScopeOf(scope.kind)})`,
      code: ExitCode.scope,
    };
  }
  if (err instanceof UsageError) {
    return { line: errorLine(err.message), code: ExitCode.usage, hintFor: err.command ?? "" };
  }
  if (err instanceof NetError) return { line: err.message, code: ExitCode.network };
  // Only errors raised for what the user gave are exit 2. A bare SyntaxError, RangeError or
  // TypeError is not one of them: commands turn those into InputError or UsageError where the
  // user's input enters (parse, and the reading of files and stdin), so one that gets here is a
  // bug, reported as such below rather than blamed on the user.
  if (err instanceof InputError || err instanceof FileArgumentError) {
    return { line: errorLine(err.message), code: ExitCode.usage };
  }
  if (err instanceof OutputWriteError) {
    const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
    const words = fileProblem(err.cause) ?? errorLine(cause.replace(/ \(os error \d+\).*$/, ""));
    return { line: `${words} (writing ${err.stream})`, code: ExitCode.usage };
  }
  const words = fileProblem(err);
  if (words) {
    // An OS error about a file that no command wrapped: Deno's message quotes the path.
    const path = /'([^']+)'/.exec((err as Error).message)?.[1];
    return { line: path ? `${words} (${path})` : words, code: ExitCode.usage };
  }
  if (err instanceof Error && /^empty path is not allowed$/i.test(err.message)) {
    // Deno's permission check on a file argument given as "": the user's mistake, not ours.
    return { line: "no such file or directory (an empty file name)", code: ExitCode.usage };
  }
  if (err instanceof Error && err.name === "AbortError") {
    return { line: "interrupted", code: ExitCode.interrupted };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    line: `internal error: ${errorLine(message)} (run with --debug and report it)`,
    code: ExitCode.internal,
  };
}

/** The stack of `err` and of each error it was caused by (where a converted error came from). */
function stackOf(err: unknown): string {
  let text = "";
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    text += `${depth ? "Caused by: " : ""}${e.stack ?? `${e.name}: ${e.message}`}\n`;
  }
  return text;
}

/**
 * Prints `toolkit: error: ...` (and for usage errors the help hint) and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await reportError(new UsageError("missing HOST:PORT", "udp-send"), io.stderr, false);
 * ```
 */
export async function reportError(err: unknown, stderr: Output, debug: boolean): Promise<number> {
  const { line, code, hintFor } = await classifyError(err);
  let text = `toolkit: error: ${printableLine(line)}\n`;
  if (hintFor !== undefined) text += `Try 'toolkit ${hintFor ? hintFor + " " : ""}--help'\n`;
  if (debug) text += stackOf(err);
  // A closed stderr must not turn one error into another (or into a loop): the code still counts.
  await stderr.write(text).catch(() => {});
  return code;
}
