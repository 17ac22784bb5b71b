// Exit codes and the errors the CLI layer understands. Every failure a user can cause ends up
// here as one line `toolkit: error: ...` and one of the documented exit codes.

/** The documented exit codes (the README's "Exit codes" table; docs/cli.md#exit-codes). */
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
 * import assert from "node:assert/strict";
 * import { UsageError } from "./errors.ts";
 *
 * const err = new UsageError("missing HOST:PORT", "udp-send");
 * assert.equal(err.message, "missing HOST:PORT");
 * assert.equal(err.command, "udp-send"); // the help the hint points at
 * ```
 */
export class UsageError extends Error {
  /** The command whose help the hint points at, if any. */
  readonly command?: string;
  constructor(message: string, command?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
    this.command = command;
  }
}

/**
 * Input that could not be used: a file that does not parse, a malformed address. Exit 2, no hint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InputError } from "./errors.ts";
 *
 * const err = new InputError('cannot parse "10.0.0.256": octet 4 is out of range');
 * assert.equal(err.name, "InputError");
 * assert.equal(err.message, 'cannot parse "10.0.0.256": octet 4 is out of range');
 * ```
 */
export class InputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InputError";
  }
}

/**
 * Runs `read` over what the user typed (an argument, a file's or stdin's text). The `SyntaxError`s
 * and `RangeError`s that lib code throws for a bad value become errors about the user's input: a
 * {@linkcode UsageError} for `command` (exit 2 with the help hint) when given, else an
 * {@linkcode InputError} (exit 2). Any other error passes through untouched, and a bare
 * SyntaxError or RangeError thrown anywhere else is a bug (exit 70), never blamed on the user.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromUserInput } from "./errors.ts";
 *
 * assert.equal(fromUserInput(() => Number("42"), "scan"), 42);
 * assert.throws(() =>
 *   fromUserInput(() => {
 *     throw new SyntaxError("bad port");
 *   }, "scan"), { name: "UsageError", message: "bad port", command: "scan" });
 * ```
 */
export function fromUserInput<T>(read: () => T, command?: string): T {
  try {
    return read();
  } catch (err) {
    throw userInputError(err, command);
  }
}

/**
 * The error {@linkcode fromUserInput} turns `err` into: for a promise's rejection, or a value read
 * in several steps. `prefix` goes before the message (`--port: `, `table.txt: `).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InputError, userInputError } from "./errors.ts";
 *
 * const err = userInputError(new RangeError("Cannot use 70000"), undefined, "--port: ");
 * assert.ok(err instanceof InputError);
 * assert.equal(err.message, "--port: cannot use 70000"); // lower case after a prefix
 * const bug = new TypeError("x is undefined");
 * assert.equal(userInputError(bug), bug); // not the user's input: passed through
 * ```
 */
export function userInputError(err: unknown, command?: string, prefix = ""): unknown {
  if (!(err instanceof SyntaxError || err instanceof RangeError)) return err;
  // A sentence-case message after a prefix reads `--port: cannot parse ...`, as the line would
  // read without one.
  const text = prefix && /^[A-Z][a-z]/.test(err.message)
    ? err.message[0].toLowerCase() + err.message.slice(1)
    : err.message;
  const message = prefix + text;
  return command === undefined
    ? new InputError(message, { cause: err })
    : new UsageError(message, command, { cause: err });
}

// The scope error belongs to the permission model; the CLI maps it to exit 4.
export { ScopeError, scopeErrorFrom } from "../scope/errors.ts";
