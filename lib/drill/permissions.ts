// A drill's scope as the Scope its sandbox enforces: exactly the entries it lists (a bare port is
// `127.0.0.1:PORT`, paths relative to the drill file), plus the implicit grants lib/scope adds and
// marks: the local bind a client socket needs toward each host listed and, for drills with `run`
// steps, reading toolkit's own modules (to load the commands).
import {
  buildScope,
  checkNarrowing,
  isWildcardEntry,
  listInterfaces,
  type Narrowing,
  netTarget,
  normalizeNetEntry,
  type Scope,
} from "../scope/mod.ts";
import { Prefix } from "../ip/prefix.ts";
import type { DrillScope } from "./schema.ts";

/** Options for {@linkcode drillScope}. */
export interface DrillScopeOptions {
  /** Relative paths in the scope are relative to this directory (the drill file's). */
  base?: string;
  /** Toolkit's module files the sandbox must read to load commands for `run` steps. */
  commandModules?: readonly string[];
}

/**
 * One `scope.net` entry in Deno's spelling: a bare port is `127.0.0.1:PORT`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(scopeNetEntry("9000"), "127.0.0.1:9000");
 * ```
 */
export function scopeNetEntry(entry: string): string {
  return normalizeNetEntry(/^\d+$/.test(entry) ? `127.0.0.1:${entry}` : entry);
}

/**
 * A drill's (bound) scope as a narrowing of every kind: what it lists, nothing else. A drill
 * without a scope gets `127.0.0.1:PORT` for each of its port variables.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(drillNarrowing(undefined, [9000]).net, ["127.0.0.1:9000"]);
 * ```
 */
export function drillNarrowing(scope: DrillScope | undefined, ports: number[]): Narrowing {
  return checkNarrowing({
    net: scope ? (scope.net ?? []).map(scopeNetEntry) : ports.map((p) => `127.0.0.1:${p}`),
    read: scope?.read ?? [],
    write: scope?.write ?? [],
    run: scope?.run ?? [],
    env: scope?.env ?? [],
    sys: scope?.sys ?? [],
  });
}

/**
 * The scope a drill's sandbox runs with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const scope = await drillScope({ net: ["127.0.0.1:9000"] }, []);
 * assert.deepEqual(scope.kinds.read, []);
 * ```
 */
export async function drillScope(
  scope: DrillScope | undefined,
  ports: number[],
  options: DrillScopeOptions = {},
): Promise<Scope> {
  return await buildScope(drillNarrowing(scope, ports), {
    base: options.base,
    ownModules: options.commandModules ?? [],
    interfaces: listInterfaces(),
  });
}

/**
 * The net entries that reach beyond this machine's loopback: any host other than 127.0.0.0/8,
 * ::1 and localhost, a CIDR not inside 127.0.0.0/8, and binds on all interfaces (`0.0.0.0`,
 * `[::]`). Unix sockets stay on the machine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(beyondLoopback(["127.0.0.1:9000", "10.0.0.0/24"]), ["10.0.0.0/24"]);
 * ```
 */
export function beyondLoopback(net: readonly string[]): string[] {
  return net.filter((entry) => {
    const t = netTarget(entry);
    if (!t) return false;
    if (isWildcardEntry(entry)) return true;
    if (t.name !== undefined) return t.name !== "localhost";
    const p = t.prefix!;
    const plain = p.addr.is4In6() && p.bits >= 96 ? Prefix.from(p.addr.unmap(), p.bits - 96) : p;
    return !(plain.addr.isLoopback() && plain.last().isLoopback());
  });
}
