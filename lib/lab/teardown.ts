// Removes a lab found from the kernel's state: every namespace carrying the prefix (which takes its
// veth pairs and bridges with it) and any link in the caller's namespace carrying the prefix.
import { labNamespaces, strayLabLinks } from "./discover.ts";
import { runIp } from "./ip_tool.ts";
import { LabError } from "./lab_error.ts";

/** What {@linkcode teardownLab} removed. */
export interface TeardownResult {
  /** Namespaces deleted, hosts first. */
  namespaces: string[];
  /** Links deleted in the caller's namespace. */
  links: string[];
  /**
   * Namespaces that had processes inside when deleted: the name is gone at once, but the kernel
   * keeps the network (and its links) until those processes exit.
   */
  busy: { namespace: string; pids: number[] }[];
}

/**
 * Deletes everything of the lab with this prefix. Safe to run when nothing is there, and again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { teardownLab } from "./teardown.ts";
 *
 * // Safe with nothing there, and again; see buildLab for a lab removed.
 * const prefix = `doc${Deno.pid % 100000}`;
 * assert.deepEqual(await teardownLab(prefix), { namespaces: [], links: [], busy: [] });
 * ```
 */
export async function teardownLab(prefix: string): Promise<TeardownResult> {
  const result: TeardownResult = { namespaces: [], links: [], busy: [] };
  const namespaces = await labNamespaces(prefix);
  if (namespaces.length > 0) {
    // Without the privilege, `ip netns delete` reports a misleading "resource busy"; entering a
    // namespace first fails with the plain EPERM that names the real cause.
    await runIp(["-n", namespaces[0], "link", "show", "lo"]).catch((err) => {
      if (!(err instanceof LabError) || err.failure === "privilege") throw err;
    });
  }
  for (const namespace of namespaces) {
    const pids = (await runIp(["netns", "pids", namespace], { allowFailure: true }) ?? "")
      .split(/\s+/).filter(Boolean).map(Number);
    if (pids.length > 0) result.busy.push({ namespace, pids });
    await runIp(["netns", "delete", namespace]);
    result.namespaces.push(namespace);
  }
  for (const link of await strayLabLinks(prefix)) {
    // A veth's peer may already be gone with its namespace; only a link still listed is deleted.
    if (await runIp(["link", "delete", link], { allowFailure: true }) !== undefined) {
      result.links.push(link);
    }
  }
  return result;
}
