// A socket address given on the command line: `HOST:PORT` (or `[HOST:]PORT` for listeners), with
// a malformed one reported as a usage error of the command that took it.
import { type HostPort, parseHostPort, type ParseHostPortOptions } from "../net/address.ts";
import { fromUserInput } from "./errors.ts";

/**
 * Parses a `HOST:PORT` argument (or, with `defaultHost`, `[HOST:]PORT`), turning a malformed one
 * into a `UsageError` for `command`.
 *
 * @example
 * ```ts
 * const target = targetArg("[::1]:9000", "tcp-connect");
 * ```
 */
export function targetArg(
  text: string,
  command: string,
  options: ParseHostPortOptions = {},
): HostPort {
  return fromUserInput(() => parseHostPort(text, options), command);
}
