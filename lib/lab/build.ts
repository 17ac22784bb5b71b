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
 * await buildLab(planLab({ hosts: 3, router: true }));
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
 * prefixFlag("t1"); // " --prefix t1"
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
 * batches([["netns", "add", "a"], ["netns", "add", "b"], ["-n", "a", "link", "show"]]).length; // 2
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
