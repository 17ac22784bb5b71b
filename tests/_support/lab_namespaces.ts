// Lab network namespaces as the lab tests see them, without going through the code under test:
// whether a real lab can be built here, a name prefix unique to this process, what is left under a
// prefix and a forced cleanup.
import { hasCommand, isRoot } from "./harness.ts";
import { runProgram } from "./netns.ts";

export const rootReason = !isRoot()
  ? "not root: network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN"
  : !hasCommand("ip")
  ? "the ip program (iproute2) is not installed"
  : undefined;

/** A prefix unique to this process and test. */
export const uniquePrefix = (letter: string) => `${letter}${Deno.pid}`;

/** Runs `ip ARGS`, throwing with its stderr when it fails. */
export const ip = (args: string[]): Promise<string> => runProgram("ip", args);

/** Namespaces, links and bridges in this (the test's) namespace named with `prefix`. */
export async function leftovers(prefix: string): Promise<string[]> {
  const names = (text: string, key: string) =>
    (text.trim() ? JSON.parse(text) as Record<string, string>[] : []).map((r) => r[key]);
  return [
    ...names(await ip(["-j", "netns", "list"]), "name"),
    ...names(await ip(["-j", "link", "show"]), "ifname"),
    ...names(await ip(["-j", "link", "show", "type", "bridge"]), "ifname"),
  ].filter((n) => n.startsWith(`${prefix}-`));
}

/** Removes whatever a failed test left, without going through the code under test. */
export async function forceCleanup(prefix: string): Promise<void> {
  for (const n of await leftovers(prefix).catch(() => [])) {
    await ip(["netns", "delete", n]).catch(() => ip(["link", "delete", n]).catch(() => {}));
  }
}
