// Builds a planned lab step by step and, if any step fails or the user interrupts, removes
// whatever was already created, so a failed `up` leaves the machine as it found it.
import { labNamespaces } from "./discover.ts";
import { runIp } from "./ip_tool.ts";
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
    for (const step of plan.steps) {
      options.signal?.throwIfAborted();
      options.onStep?.(step);
      await runIp(step);
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
