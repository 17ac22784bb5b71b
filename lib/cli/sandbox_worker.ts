// The inside of the sandbox: runs one command line with the Worker's narrowed permissions and
// reports the exit code to the parent.
/// <reference lib="deno.worker" />
import { denoOutput } from "./io.ts";
import { reportError } from "./report.ts";
import { runCli } from "./run.ts";
import { runNarrowed, type SandboxMessage } from "./sandbox.ts";

const controller = new AbortController();
let debug = false;

self.addEventListener("unhandledrejection", async (e) => {
  e.preventDefault();
  const code = await reportError(e.reason, denoOutput(Deno.stderr), debug);
  self.postMessage({ type: "exit", code } satisfies SandboxMessage);
});

self.onmessage = async (e: MessageEvent<SandboxMessage>) => {
  const msg = e.data;
  if (msg.type === "abort") controller.abort(new DOMException("Interrupted", "AbortError"));
  if (msg.type !== "run") return;
  debug = msg.argv.includes("--debug");
  const code = await runCli(msg.argv, {
    signal: controller.signal,
    sandboxed: msg.narrowing,
    ownScope: msg.own,
    // A command with its own scope, run under --net/--scope, nests a Worker for it.
    runNarrowed,
  });
  self.postMessage({ type: "exit", code } satisfies SandboxMessage);
};
