// toolkit: the one entrypoint. Runs the command line, turns Ctrl-C and SIGTERM into a clean stop
// (exit 130) and exits with the command's code.
import { ExitCode } from "./lib/cli/errors.ts";
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
  let firstSignalAt = 0;
  const onSignal = () => {
    if (controller.signal.aborted) {
      if (performance.now() - firstSignalAt < repeatWindowMs) return;
      Deno.exit(ExitCode.interrupted); // asked again: stop now
    }
    firstSignalAt = performance.now();
    // Aborting runs the commands' abort listeners synchronously, here inside the signal handler:
    // socket files are removed before anything else can run.
    controller.abort(new DOMException("Interrupted", "AbortError"));
    // Commands get a moment to close sockets and remove files; then we go regardless.
    setTimeout(() => Deno.exit(ExitCode.interrupted), 3000);
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, onSignal);
  globalThis.addEventListener("unhandledrejection", async (e) => {
    e.preventDefault();
    if (e.reason instanceof OutputClosedError) Deno.exit(ExitCode.outputClosed);
    const { reportError } = await import("./lib/cli/report.ts");
    Deno.exit(await reportError(e.reason, denoOutput(Deno.stderr), Deno.args.includes("--debug")));
  });
  const code = await runCli(Deno.args, {
    signal: controller.signal,
    runNarrowed: async (argv, narrowing, signal, options) =>
      (await import("./lib/cli/sandbox.ts")).runNarrowed(argv, narrowing, signal, options),
  });
  Deno.exit(code);
}
