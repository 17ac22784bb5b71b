// What `perf` and `perf-server` share on the command line: iperf3's `-p PORT`.
import { UsageError } from "../cli/errors.ts";
import { parsePortWord } from "../net/services.ts";
import { defaultPerfPort } from "../net/perf_protocol.ts";

/**
 * The `--port` option of perf and perf-server (iperf3's `-p`), 5201 when not given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { portArg } from "./_perf_args.ts";
 *
 * assert.equal(portArg("5202", { allowZero: false, command: "perf" }), 5202);
 * assert.throws(() => portArg("0", { allowZero: false, command: "perf" }), {
 *   name: "UsageError",
 *   message: "--port: Port 0 is out of range (1-65535)",
 * });
 * ```
 */
export function portArg(
  value: string | undefined,
  options: { allowZero: boolean; command: string },
): number {
  if (value === undefined) return defaultPerfPort;
  try {
    return parsePortWord(value, { allowZero: options.allowZero, protocol: "tcp" });
  } catch (err) {
    throw new UsageError(`--port: ${(err as Error).message}`, options.command);
  }
}
