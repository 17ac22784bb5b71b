// toolkit: the one entrypoint. Runs the command line, turns Ctrl-C and SIGTERM into a clean stop
// (exit 130) and exits with the command's code.
import { ExitCode } from "./lib/cli/errors.ts";
import { jsonRequested } from "./lib/cli/globals.ts";
import { denoOutput, OutputClosedError } from "./lib/cli/io.ts";
import { runCli } from "./lib/cli/run.ts";

/**
 * A second signal within this long of the first is the same interruption delivered twice, not a
 * user insisting: Ctrl-C (or `kill -TERM -PGID`) reaches every process of the group, and
 * `deno task` forwards the one it got to its child as well, a fraction of a millisecond later.
 */
const repeatWindowMs = 500;

if (import.meta.main) {
  const controller = new AbortController();
  const json = jsonRequested(Deno.args);
  // Stopping without the command's own report: under --json the error object still ends stderr.
  const forceStop = async () => {
    if (json) {
      const { formatError, interrupted } = await import("./lib/cli/report.ts");
      await denoOutput(Deno.stderr).write(formatError(interrupted, { debug: false, json }))
        .catch(() => {});
    }
    Deno.exit(ExitCode.interrupted);
  };
  let firstSignalAt = 0;
  const onSignal = () => {
    if (controller.signal.aborted) {
      if (performance.now() - firstSignalAt < repeatWindowMs) return;
      return void forceStop(); // asked again: stop now
    }
    firstSignalAt = performance.now();
    // Aborting runs the commands' abort listeners synchronously, here inside the signal handler:
    // socket files are removed before anything else can run.
    controller.abort(new DOMException("Interrupted", "AbortError"));
    // Commands get a moment to close sockets and remove files; then we go regardless.
    setTimeout(forceStop, 3000);
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, onSignal);
  globalThis.addEventListener("unhandledrejection", async (e) => {
    e.preventDefault();
    if (e.reason instanceof OutputClosedError) Deno.exit(ExitCode.outputClosed);
    const { reportError } = await import("./lib/cli/report.ts");
    const debug = Deno.args.includes("--debug");
    Deno.exit(await reportError(e.reason, denoOutput(Deno.stderr), { debug, json }));
  });
  const code = await runCli(Deno.args, {
    signal: controller.signal,
    runNarrowed: async (argv, narrowing, signal, options) =>
      (await import("./lib/cli/sandbox.ts")).runNarrowed(argv, narrowing, signal, options),
  });
  Deno.exit(code);
}
