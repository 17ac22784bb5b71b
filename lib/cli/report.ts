// Turns any error into the one line a user sees and the exit code a script sees. Stack traces
// only with --debug.
import { NetError } from "../net/errors.ts";
import { ExitCode, InputError, scopeErrorFrom, UsageError } from "./errors.ts";
import type { Output } from "./io.ts";
import { describeScopeOf } from "./scope.ts";

/** The user-facing message: first letter lower-cased unless it starts an acronym, one line. */
export function errorLine(message: string): string {
  const oneLine = message.replace(/\s*\n\s*/g, " ").trim();
  return /^[A-Z][a-z]/.test(oneLine) ? oneLine[0].toLowerCase() + oneLine.slice(1) : oneLine;
}

const fileErrors: [new (...a: never[]) => Error, string][] = [
  [Deno.errors.NotFound, "no such file or directory"],
  [Deno.errors.PermissionDenied, "permission denied"],
  [Deno.errors.IsADirectory, "is a directory"],
  [Deno.errors.AlreadyExists, "already exists"],
];

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
  let text = `toolkit: error: ${line}\n`;
  if (hintFor !== undefined) text += `Try 'toolkit ${hintFor ? hintFor + " " : ""}--help'\n`;
  if (debug && err instanceof Error && err.stack) text += err.stack + "\n";
  await stderr.write(text);
  return code;
}
