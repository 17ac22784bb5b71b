// The options that the commands wiring stdin/stdout to a stream socket share (tcp-connect,
// tcp-listen, unix-connect, unix-listen), as flags: CRLF line ends, half-close on stdin EOF, the
// idle timeout, verbose, and --json for the status lines.
import { durationOption, type OptionValues } from "../cli/args.ts";
import type { GlobalOptions } from "../cli/io.ts";

/** How a stream session over stdin/stdout runs, client or server. */
export interface StreamFlags {
  crlf: boolean;
  halfClose: boolean;
  /** Give up on a connection idle for this long (a client also on connecting). */
  timeoutMs?: number;
  verbose: boolean;
  json: boolean;
}

/**
 * Reads `--crlf`, `--no-half-close`, `--timeout` and `--verbose`, and `--json` from the globals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStreamFlags } from "./_stream_flags.ts";
 *
 * const globals = { json: false, quiet: false, debug: false, color: false };
 * assert.deepEqual(
 *   parseStreamFlags({ crlf: true, "no-half-close": true, timeout: "2s" }, globals, "tcp-connect"),
 *   { crlf: true, halfClose: false, timeoutMs: 2000, verbose: false, json: false },
 * );
 * assert.deepEqual(parseStreamFlags({}, globals, "tcp-connect"), {
 *   crlf: false,
 *   halfClose: true, // the course's half-close on stdin EOF
 *   timeoutMs: undefined,
 *   verbose: false,
 *   json: false,
 * });
 * ```
 */
export function parseStreamFlags(
  values: OptionValues,
  globals: GlobalOptions,
  command: string,
): StreamFlags {
  return {
    crlf: values.crlf === true,
    halfClose: values["no-half-close"] !== true,
    timeoutMs: values.timeout === undefined
      ? undefined
      : durationOption(values, "timeout", { fallback: 0, min: 1, command, max: 86_400_000 }),
    verbose: values.verbose === true,
    json: globals.json,
  };
}
