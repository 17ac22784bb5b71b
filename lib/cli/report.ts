// Turns any error into the one line a user sees and the exit code a script sees. Stack traces
// only with --debug.
import { NetError } from "../net/errors.ts";
import { ExitCode, InputError, scopeErrorFrom, UsageError } from "./errors.ts";
import { type Output, OutputWriteError } from "./io.ts";
import { describeScopeOf } from "../scope/effective.ts";
import { printable } from "../text/printable.ts";

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
 * printableLine('cannot parse "\x1b[2J"'); // 'cannot parse "\\x1b[2J"'
 * ```
 */
export function printableLine(line: string): string {
  const safe = printable(line);
  if (safe.length <= maxLineLength) return safe;
  const cut = safe.length - 300;
  return `${safe.slice(0, 240)}…[${cut} characters]…${safe.slice(-60)}`;
}

const fileErrors: [new (...a: never[]) => Error, string][] = [
  [Deno.errors.NotFound, "no such file or directory"],
  [Deno.errors.PermissionDenied, "permission denied"],
  [Deno.errors.IsADirectory, "is a directory"],
  [Deno.errors.AlreadyExists, "already exists"],
];

/**
 * OS errors (by errno name) about a file argument: it cannot name a file, or the file cannot be
 * written there. The user's input or machine, not a bug: exit 2 with the path.
 */
const fileCodes: Record<string, string> = {
  ENAMETOOLONG: "file name too long",
  ENOTDIR: "not a directory",
  ELOOP: "too many levels of symbolic links",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EFBIG: "file too large",
};

/** The words for an OS error whose errno name (`err.code`) is one of {@linkcode fileCodes}. */
function fileCodeWords(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" && code in fileCodes ? fileCodes[code] : undefined;
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
  if (err instanceof InputError || err instanceof SyntaxError || err instanceof RangeError) {
    return { line: errorLine(err.message), code: ExitCode.usage };
  }
  for (const [cls, words] of fileErrors) {
    if (err instanceof cls) {
      const path = /'([^']+)'/.exec(err.message)?.[1];
      return { line: path ? `${words} (${path})` : errorLine(err.message), code: ExitCode.usage };
    }
  }
  if (err instanceof OutputWriteError) {
    const cause = err.cause instanceof Error ? err.cause.message : String(err.cause);
    const words = fileCodeWords(err.cause) ?? errorLine(cause.replace(/ \(os error \d+\).*$/, ""));
    return { line: `${words} (writing ${err.stream})`, code: ExitCode.usage };
  }
  const words = err instanceof Error ? fileCodeWords(err) : undefined;
  if (err instanceof Error && words) {
    const path = /'([^']+)'/.exec(err.message)?.[1];
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
  if (debug && err instanceof Error && err.stack) text += err.stack + "\n";
  // A closed stderr must not turn one error into another (or into a loop): the code still counts.
  await stderr.write(text).catch(() => {});
  return code;
}
