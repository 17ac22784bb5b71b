// Runs a toolkit command line inside the test process: the same argument parsing, dispatch, error
// reporting and exit code as `main.ts`, without the cost of a process. For tests that need many
// runs; tests of signals, real stdio and the compiled binary spawn processes (harness.ts).
import { memoryIo } from "../../lib/cli/io.ts";
import { runCli } from "../../lib/cli/run.ts";

/** What one in-process run left. */
export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `argv` (as typed after `toolkit`) with optional stdin and returns its exit code and output.
 *
 * @example
 * ```ts
 * const r = await runInProcess(["subnet", "info", "--json", "10.0.0.1/24"]);
 * ```
 */
export async function runInProcess(
  argv: readonly string[],
  stdin?: string,
): Promise<InProcessResult> {
  let io = memoryIo();
  const code = await runCli(argv, {
    signal: new AbortController().signal,
    makeIo: (globals) => (io = memoryIo({ globals, stdin })),
  });
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}
