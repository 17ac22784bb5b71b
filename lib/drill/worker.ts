// The inside of a drill's sandbox: a Worker whose Deno permissions are exactly the drill's scope.
// Runs the steps in order, reports each one to the runner, and stops at the first failure.
/// <reference lib="deno.worker" />
import { type Scope, setActiveScope } from "../scope/mod.ts";
import type { StepResult } from "./result.ts";
import { stepTitle } from "./result.ts";
import { type Drill, stepKind } from "./schema.ts";
import { DrillSession } from "./session.ts";
import { stepLimitMs } from "./step_limits.ts";

/** Messages between the runner and the drill Worker. */
export type DrillWorkerMessage =
  | { type: "run"; drill: Drill; scope: Scope; commandHost?: string }
  | { type: "start"; index: number; limitMs: number }
  | { type: "step"; result: StepResult }
  | { type: "done" }
  | { type: "close" }
  | { type: "closed" };

let session: DrillSession | undefined;

self.addEventListener("unhandledrejection", (e) => {
  // A socket callback that failed after its step: the step already reported; keep running.
  e.preventDefault();
});

self.onmessage = async (e: MessageEvent<DrillWorkerMessage>) => {
  const msg = e.data;
  if (msg.type === "close") {
    session?.closeAll();
    self.postMessage({ type: "closed" } satisfies DrillWorkerMessage);
    return;
  }
  if (msg.type !== "run") return;
  setActiveScope(msg.scope);
  session = new DrillSession(msg.commandHost);
  let failed = false;
  for (const [i, step] of msg.drill.steps.entries()) {
    const base = { index: i + 1, kind: stepKind(step), title: stepTitle(step) };
    if (failed) {
      self.postMessage(
        {
          type: "step",
          result: { ...base, status: "skip", durationMs: 0 },
        } satisfies DrillWorkerMessage,
      );
      continue;
    }
    self.postMessage({ type: "start", index: i + 1, limitMs: stepLimitMs(step) });
    const started = performance.now();
    const outcome = await session.run(step);
    const result: StepResult = {
      ...base,
      status: outcome.ok ? "pass" : "fail",
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(outcome.message ? { message: outcome.message } : {}),
      ...(outcome.denied ? { denied: outcome.denied } : {}),
      ...(outcome.diff ? { diff: outcome.diff } : {}),
    };
    if (!outcome.ok) failed = true;
    self.postMessage({ type: "step", result } satisfies DrillWorkerMessage);
  }
  session.closeAll();
  self.postMessage({ type: "done" } satisfies DrillWorkerMessage);
};
