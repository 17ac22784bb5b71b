// toolkit: the one entrypoint. Runs the command line, turns Ctrl-C and SIGTERM into a clean stop
// (exit 130) and exits with the command's code.
import { ExitCode } from "./lib/cli/errors.ts";
import { jsonRequested } from "./lib/cli/globals.ts";
import { denoOutput, OutputClosedError } from "./lib/cli/io.ts";
import { runCli } from "./lib/cli/run.ts";

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
  const onSignal = () => {
    if (controller.signal.aborted) return void forceStop();
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
    runNarrowed: async (argv, narrowing, signal, base) =>
      (await import("./lib/cli/sandbox.ts")).runNarrowed(argv, narrowing, signal, base),
  });
  Deno.exit(code);
}
