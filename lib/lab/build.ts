// Builds a planned lab step by step and, if any step fails or the user interrupts, removes
// whatever was already created, so a failed `up` leaves the machine as it found it.
import { labNamespaces } from "./discover.ts";
import { runIpBatch } from "./ip_tool.ts";
import { LabError } from "./lab_error.ts";
import { defaultLabPrefix, type LabPlan } from "./plan.ts";
import { teardownLab } from "./teardown.ts";

/**
 * Creates the namespaces, bridges, links, addresses and routes of `plan`. Refuses (LabError
 * `"exists"`) when a lab with the same prefix is already there. On failure or abort everything
 * created so far is removed before the error is rethrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildLab } from "./build.ts";
 * import { discoverLab } from "./discover.ts";
 * import { LabError } from "./lab_error.ts";
 * import { planLab } from "./plan.ts";
 * import { teardownLab } from "./teardown.ts";
 *
 * // A prefix of this process's own keeps the lab apart from any other.
 * const plan = planLab({ prefix: `doc${Deno.pid % 100000}`, hosts: 2 });
 * try {
 *   await buildLab(plan);
 *   const hosts = (await discoverLab(plan.prefix)).namespaces.filter((n) => n.role === "host");
 *   const addresses = hosts.map((h) => h.interfaces[0].ipv4);
 *   assert.deepEqual(addresses, [["198.18.1.1/24"], ["198.18.1.2/24"]]);
 * } catch (err) {
 *   // Without root (CAP_SYS_ADMIN and CAP_NET_ADMIN) nothing is built, and nothing is left.
 *   if (!(err instanceof LabError && err.failure === "privilege")) throw err;
 * } finally {
 *   await teardownLab(plan.prefix);
 * }
 * ```
 */
export async function buildLab(
  plan: LabPlan,
  options: { signal?: AbortSignal; onStep?: (args: readonly string[]) => void } = {},
): Promise<void> {
  const existing = await labNamespaces(plan.prefix);
  if (existing.length > 0) {
    throw new LabError(
      "exists",
      `a lab with prefix "${plan.prefix}" is already up (${existing.join(", ")}): ` +
        `run 'toolkit lab down${prefixFlag(plan.prefix)}' first`,
    );
  }
  try {
    for (const { global, commands } of batches(plan.steps)) {
      options.signal?.throwIfAborted();
      for (const c of commands) options.onStep?.([...global, ...c]);
      await runIpBatch(global, commands, { signal: options.signal });
    }
  } catch (err) {
    await teardownLab(plan.prefix);
    throw err;
  }
}

/**
 * ` --prefix P` when `P` is not the default, for messages that show a command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefixFlag } from "./build.ts";
 *
 * assert.equal(prefixFlag("t1"), " --prefix t1");
 * assert.equal(prefixFlag("tklab"), ""); // the default goes without saying
 * ```
 */
export function prefixFlag(prefix: string): string {
  return prefix === defaultLabPrefix ? "" : ` --prefix ${prefix}`;
}

/**
 * Groups consecutive steps that `ip -batch` can run together: those inside the same namespace
 * (`-n NS ...`) and the `netns add` steps; anything else (`netns exec`) runs alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batches } from "./build.ts";
 *
 * const steps = [
 *   ["netns", "add", "a"],
 *   ["netns", "add", "b"],
 *   ["-n", "a", "link", "set", "lo", "up"],
 *   ["-n", "a", "link", "show"],
 * ];
 * assert.deepEqual(batches(steps), [
 *   { global: [], commands: [["netns", "add", "a"], ["netns", "add", "b"]] },
 *   { global: ["-n", "a"], commands: [["link", "set", "lo", "up"], ["link", "show"]] },
 * ]);
 * ```
 */
export function batches(
  steps: readonly (readonly string[])[],
): { global: string[]; commands: string[][] }[] {
  const out: { key: string; global: string[]; commands: string[][] }[] = [];
  steps.forEach((step, i) => {
    const inNamespace = step[0] === "-n";
    const key = inNamespace
      ? `-n ${step[1]}`
      : step[0] === "netns" && step[1] === "add"
      ? "netns add"
      : `alone ${i}`;
    const global = inNamespace ? step.slice(0, 2) : [];
    const command = inNamespace ? step.slice(2) : [...step];
    const last = out[out.length - 1];
    if (last?.key === key) last.commands.push(command);
    else out.push({ key, global, commands: [command] });
  });
  return out.map(({ global, commands }) => ({ global, commands }));
}
