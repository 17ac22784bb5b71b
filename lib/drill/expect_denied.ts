// The `expect-denied` step: attempt one action the drill's scope leaves out and pass only when the
// sandbox refuses it. An attempt that succeeds, or fails for another reason (a refused connection,
// a missing file), means the sandbox did not stop it: the step fails saying what happened.
import { parseHostPort } from "../net/address.ts";
import { confinePath, scopeErrorFrom } from "../scope/mod.ts";
import { type DeniedAction, deniedAction } from "./schema.ts";
import { clientBind } from "./sockets.ts";
import { StepFailure, withTimeout } from "./step_failure.ts";
import { defaultStepTimeoutMs } from "./step_limits.ts";

/** What the sandbox refused: the permission and the resource asked for. */
export interface Refusal {
  kind: string;
  resource: string;
}

/** Makes the attempt; resolves to what was done when nothing stopped it. */
async function attempt(action: DeniedAction): Promise<string> {
  const { what, target } = deniedAction(action);
  switch (what) {
    case "connect": {
      const hp = parseHostPort(target);
      const conn = await withTimeout(
        Deno.connect({ hostname: hp.host, port: hp.port }),
        defaultStepTimeoutMs,
        `connecting to ${target}`,
        (late) => late.close(),
      );
      conn.close();
      return `connected to ${target}`;
    }
    case "listen": {
      const hp = parseHostPort(target, { allowPortZero: true });
      Deno.listen({ hostname: hp.host, port: hp.port }).close();
      return `listened on ${target}`;
    }
    case "udp-send": {
      const hp = parseHostPort(target);
      const sock = Deno.listenDatagram({ transport: "udp", hostname: clientBind(hp), port: 0 });
      try {
        await sock.send(new TextEncoder().encode("drill"), {
          transport: "udp",
          hostname: hp.host,
          port: hp.port,
        });
      } finally {
        sock.close();
      }
      return `sent a datagram to ${target}`;
    }
    case "read": {
      (await Deno.open(await confinePath(target, "read"), { read: true })).close();
      return `opened ${target} for reading`;
    }
    case "write": {
      // Opening without create or truncate changes nothing when it is (wrongly) allowed.
      (await Deno.open(await confinePath(target, "write"), { write: true })).close();
      return `opened ${target} for writing`;
    }
    case "env":
      Deno.env.get(target);
      return `read the environment variable ${target}`;
    case "run": {
      // Asked, not attempted: a wrongly allowed command must not run.
      const state = (await Deno.permissions.query({ name: "run", command: target })).state;
      if (state !== "granted") {
        throw new Deno.errors.NotCapable(`Requires run access to "${target}"`);
      }
      return `run access to ${target} is granted`;
    }
  }
  throw new StepFailure(`unknown action ${what}`);
}

/**
 * Attempts `action` and resolves to what the sandbox refused; throws {@linkcode StepFailure} when
 * it was not refused (it succeeded, or failed some other way).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expectDenied } from "./expect_denied.ts";
 *
 * // This example runs with every permission: nothing refuses, so the expectation fails.
 * await assert.rejects(
 *   expectDenied({ env: "HOME" }),
 *   /^StepFailure: not refused by the sandbox: read the environment variable HOME$/,
 * );
 *
 * // In a Worker without permissions, as in a drill's sandbox, the same attempt is refused.
 * const module = new URL("./expect_denied.ts", import.meta.url).href;
 * const code = `import { expectDenied } from ${JSON.stringify(module)};
 *   self.onmessage = async () => self.postMessage(await expectDenied({ env: "HOME" }));`;
 * const worker = new Worker(`data:application/typescript,${encodeURIComponent(code)}`, {
 *   type: "module",
 *   deno: { permissions: "none" },
 * });
 * try {
 *   const refused = await new Promise((resolve, reject) => {
 *     worker.onmessage = (e) => resolve(e.data);
 *     worker.onerror = (e) => reject(new Error(e.message));
 *     worker.postMessage("go");
 *   });
 *   assert.deepEqual(refused, { kind: "env", resource: "HOME" });
 * } finally {
 *   worker.terminate();
 * }
 * ```
 */
export async function expectDenied(action: DeniedAction): Promise<Refusal> {
  let done: string;
  try {
    done = await attempt(action);
  } catch (err) {
    if (err instanceof StepFailure) throw err;
    const scope = scopeErrorFrom(err);
    if (scope) return { kind: scope.kind, resource: scope.resource };
    throw new StepFailure(
      `not refused by the sandbox: the attempt was made and failed with ${(err as Error).message}`,
    );
  }
  throw new StepFailure(`not refused by the sandbox: ${done}`);
}
