// The inside of the sandbox: records the scope it was narrowed to, runs one command line with the
// Worker's permissions and reports the exit code to the parent.
/// <reference lib="deno.worker" />
import { setActiveScope } from "../scope/mod.ts";
import { jsonRequested } from "./globals.ts";
import { ExitCode } from "./errors.ts";
import { denoOutput } from "./io.ts";
import { reportError } from "./report.ts";
import { runCli } from "./run.ts";
import { runNarrowed, type SandboxMessage } from "./sandbox.ts";

const controller = new AbortController();
let options = { debug: false, json: false };

self.addEventListener("unhandledrejection", async (e) => {
  e.preventDefault();
  const code = await reportError(e.reason, denoOutput(Deno.stderr), options);
  self.postMessage({ type: "exit", code } satisfies SandboxMessage);
});

self.onmessage = async (e: MessageEvent<SandboxMessage>) => {
  const msg = e.data;
  if (msg.type === "abort") controller.abort(new DOMException("Interrupted", "AbortError"));
  if (msg.type !== "run") return;
  options = { debug: msg.argv.includes("--debug"), json: jsonRequested(msg.argv) };
  setActiveScope(msg.scope);
  const code = await runCli(msg.argv, {
    signal: controller.signal,
    sandboxed: true,
    ownScope: msg.own,
    // A command with its own scope, run under --net/--scope, nests a Worker for it.
    runNarrowed,
  });
  // runCli answers 130 to an abort unless the command ends on one (tcp-ping without a count).
  const interruptEnded = controller.signal.aborted && code !== ExitCode.interrupted;
  self.postMessage({ type: "exit", code, interruptEnded } satisfies SandboxMessage);
};
