// The command host a drill's sandbox loads for `run` steps: runs a toolkit command line in memory
// (stdin given, stdout and stderr kept) under the drill's scope, already in force in the Worker.
// A `--net`/`--scope` on that command line narrows further, in a sandbox of its own.
import type { CommandRun, RunCommand } from "../drill/command_host.ts";
import { memoryIo } from "./io.ts";
import { runCli } from "./run.ts";
import { runNarrowed } from "./sandbox.ts";

/**
 * Starts `argv` as a toolkit command with in-memory I/O.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const run = runCommand(["subnet", "same", "10.0.0.1", "10.0.0.2", "/24"], {});
 * assert.equal(await run.done, 0);
 * assert.match(run.stdoutText(), /same/);
 * ```
 */
export const runCommand: RunCommand = (argv, options): CommandRun => {
  let io = memoryIo({ stdin: options.stdin });
  const controller = new AbortController();
  const done = runCli(argv, {
    signal: controller.signal,
    runNarrowed,
    makeIo: (globals) => (io = memoryIo({ stdin: options.stdin, globals })),
  });
  return {
    done,
    stdoutBytes: () => io.stdoutBytes(),
    stdoutText: () => io.stdoutText(),
    stderrText: () => io.stderrText(),
    interrupt: () => {
      controller.abort();
      io.interrupt();
    },
  };
};
