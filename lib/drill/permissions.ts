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
  routeSources,
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
 * import { scopeNetEntry } from "./permissions.ts";
 *
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
 * import { drillNarrowing } from "./permissions.ts";
 *
 * // No scope: the drill's own ports on loopback, nothing else.
 * assert.deepEqual(drillNarrowing(undefined, [9000]).net, ["127.0.0.1:9000"]);
 * const listed = drillNarrowing({ net: ["9001"], env: ["HOME"] }, [9000]);
 * assert.deepEqual(listed.net, ["127.0.0.1:9001"]);
 * assert.deepEqual(listed.env, ["HOME"]);
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
 * import { drillScope } from "./permissions.ts";
 *
 * const scope = await drillScope({ net: ["127.0.0.1:9000"] }, []);
 * assert.deepEqual(scope.kinds.net, [
 *   { entry: "127.0.0.1:9000" },
 *   // A client socket toward 127.0.0.1:9000 binds a local port: granted, and marked why.
 *   { entry: "127.0.0.1:0", implicit: "local bind for clients of 127.0.0.1:9000" },
 * ]);
 * assert.deepEqual(scope.kinds.read, []);
 * ```
 */
export async function drillScope(
  scope: DrillScope | undefined,
  ports: number[],
  options: DrillScopeOptions = {},
): Promise<Scope> {
  const narrowing = drillNarrowing(scope, ports);
  return await buildScope(narrowing, {
    base: options.base,
    ownModules: options.commandModules ?? [],
    interfaces: listInterfaces(),
    routes: await routeSources(narrowing.net ?? []),
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
 * import { beyondLoopback } from "./permissions.ts";
 *
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

/** Programs a drill may run without asking: they only read (the socket table). */
const harmlessPrograms = new Set(["ss"]);

/** What a drill's scope asks for beyond its own, by the flag that lets it. */
export interface ScopeBeyondOwn {
  /** Hosts beyond this machine's loopback (and wildcard binds): `--allow-remote`. */
  remote: string[];
  /** This machine's resources that are not the drill's own: `--allow-local`. */
  local: string[];
}

/**
 * What a drill file's scope (as written, variables unbound) asks for beyond what is the drill's
 * own. A drill's own is: loopback ports it allocates (`{{port.NAME}}`), Unix sockets and files
 * in its `{{tmp}}` directory, reading the socket table (`/proc/net`, `ss`), and system
 * information. Anything else on this machine (another program's port or socket, the user's files,
 * other programs such as `ip`, environment variables) is `local`; anything beyond loopback is
 * `remote`. Running a colleague's drill is safe by default because both need a flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scopeBeyondOwn } from "./permissions.ts";
 *
 * assert.deepEqual(scopeBeyondOwn({ net: ["127.0.0.1:{{port.a}}", "127.0.0.1:5432"] }), {
 *   remote: [],
 *   local: ["net 127.0.0.1:5432"],
 * });
 * ```
 */
export function scopeBeyondOwn(scope: DrillScope | undefined): ScopeBeyondOwn {
  const out: ScopeBeyondOwn = { remote: [], local: [] };
  if (!scope) return out; // the default scope is the drill's own ports
  const underTmp = (p: string) => /^\{\{\s*tmp\s*\}\}(\/|$)/.test(p);
  const ownPort = (e: string) =>
    /^(\{\{\s*port\.[\w-]+\s*\}\}|.*:\{\{\s*port\.[\w-]+\s*\}\})$/.test(e);
  for (const entry of scope.net ?? []) {
    if (entry.startsWith("unix:")) {
      if (!underTmp(entry.slice(5))) out.local.push(`net ${entry}`);
      continue;
    }
    const bound = scopeNetEntry(entry.replace(/\{\{\s*port\.[\w-]+\s*\}\}/g, "1"));
    if (beyondLoopback([bound]).length) out.remote.push(bound);
    else if (!ownPort(entry)) out.local.push(`net ${entry}`);
  }
  for (const path of scope.read ?? []) {
    if (!underTmp(path) && !/^\/proc\/net(\/|$)/.test(path)) out.local.push(`read ${path}`);
  }
  for (const path of scope.write ?? []) if (!underTmp(path)) out.local.push(`write ${path}`);
  for (const program of scope.run ?? []) {
    if (!harmlessPrograms.has(program)) out.local.push(`run ${program}`);
  }
  for (const variable of scope.env ?? []) out.local.push(`env ${variable}`);
  return out;
}
