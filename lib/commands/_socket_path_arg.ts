// The PATH argument of the unix-* commands (unix-connect, unix-listen, unix-send): a socket path
// lib/net/unix.ts accepts, or a usage error of the command that took it.
import { fromUserInput } from "../cli/errors.ts";
import { parseSocketPath } from "../net/unix.ts";

/**
 * Checks a socket path argument, turning a refused one into a `UsageError` for `command`.
 *
 * @example
 * ```ts
 * const path = socketPathArg("/tmp/app.sock", "unix-connect");
 * ```
 */
export function socketPathArg(text: string, command: string): string {
  return fromUserInput(() => parseSocketPath(text), command);
}
