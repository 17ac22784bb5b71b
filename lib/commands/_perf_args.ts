// What `perf` and `perf-server` share on the command line: iperf3's `-p PORT`.
import { UsageError } from "../cli/errors.ts";
import { parsePortWord } from "../net/services.ts";
import { defaultPerfPort } from "../net/perf_protocol.ts";

/**
 * The `--port` option of perf and perf-server (iperf3's `-p`), 5201 when not given.
 *
 * @example
 * ```ts
 * portArg("5202", { allowZero: false, command: "perf" }); // 5202
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
