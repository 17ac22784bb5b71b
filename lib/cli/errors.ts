// Exit codes and the errors the CLI layer understands. Every failure a user can cause ends up
// here as one line `toolkit: error: ...` and one of the documented exit codes.

/** The documented exit codes (see README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** A negative answer: not the same subnet, findings, an MRO error, a failed drill. */
  negative: 1,
  /** Usage error or bad input. */
  usage: 2,
  /** Network error: refused, unreachable, timed out. */
  network: 3,
  /** Outside the permission scope. */
  scope: 4,
  /** A bug in toolkit itself (EX_SOFTWARE); never expected. */
  internal: 70,
  /** Interrupted by SIGINT or SIGTERM. */
  interrupted: 130,
  /** The reader of stdout went away (`| head -1`): 128 + SIGPIPE, nothing printed. */
  outputClosed: 141,
} as const;

/**
 * A mistake in how a command was called (unknown option, missing argument). Printed with a hint
 * to the command's help.
 *
 * @example
 * ```ts
 * throw new UsageError("missing HOST:PORT", "udp-send");
 * ```
 */
export class UsageError extends Error {
  /** The command whose help the hint points at, if any. */
  readonly command?: string;
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/**
 * Input that could not be used: a file that does not parse, a malformed address. Exit 2, no hint.
 *
 * @example
 * ```ts
 * throw new InputError('cannot parse "10.0.0.256": octet 4 is out of range');
 * ```
 */
export class InputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InputError";
  }
}

// The scope error belongs to the permission model; the CLI maps it to exit 4.
export { ScopeError, scopeErrorFrom } from "../scope/errors.ts";
