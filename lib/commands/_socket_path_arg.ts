// The PATH argument of the unix-* commands (unix-connect, unix-listen, unix-send): a socket path
// lib/net/unix.ts accepts, or a usage error of the command that took it.
import { fromUserInput } from "../cli/errors.ts";
import { parseSocketPath } from "../net/unix.ts";

/**
 * Checks a socket path argument, turning a refused one into a `UsageError` for `command`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { socketPathArg } from "./_socket_path_arg.ts";
 *
 * assert.equal(socketPathArg("/tmp/app.sock", "unix-connect"), "/tmp/app.sock");
 * assert.throws(() => socketPathArg("9000", "unix-connect"), {
 *   name: "UsageError",
 *   message: 'Cannot use "9000" as a socket path: it reads as a port or address (write ./9000)',
 *   command: "unix-connect",
 * });
 * ```
 */
export function socketPathArg(text: string, command: string): string {
  return fromUserInput(() => parseSocketPath(text), command);
}
