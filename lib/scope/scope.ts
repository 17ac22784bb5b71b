// The permission model: what a user or a drill asks for (a Narrowing), the Scope it becomes once
// its entries are normalized, its paths resolved and the implicit grants it needs are added and
// marked, the Worker permissions that enforce it, and how it is shown to people.
import { implicitBinds, localBinds, type RouteSource } from "./binds.ts";
import { denoNetHosts, normalizeNetEntry } from "./net_entry.ts";
import { resolvePath } from "./paths.ts";
import {
  type Grant,
  type Narrowing,
  type Scope,
  type ScopeKind,
  scopeKinds,
  sysKinds,
} from "./types.ts";

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkEntry(kind: ScopeKind, entry: string): string {
  if (kind === "net") return normalizeNetEntry(entry);
  if (entry === "" || entry.includes("\0")) {
    throw new SyntaxError(`Cannot parse ${kind} entry "${entry}": an empty name or a NUL byte`);
  }
  if (kind === "env" && !envName.test(entry)) {
    throw new SyntaxError(`Cannot parse env entry "${entry}": not a variable name`);
  }
  if (kind === "sys" && !(sysKinds as readonly string[]).includes(entry)) {
    throw new SyntaxError(`Cannot parse sys entry "${entry}" (${sysKinds.join(", ")})`);
  }
  return entry;
}

/**
 * Validates a narrowing's entries as {@linkcode buildScope} will read them, without touching the
 * file system: what `drill check` and `drill run` both apply. Throws `SyntaxError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNarrowing } from "./scope.ts";
 *
 * assert.deepEqual(checkNarrowing({ net: ["::1"] }), { net: ["[::1]"] });
 * assert.throws(() => checkNarrowing({ net: ["unix:"] }), SyntaxError);
 * ```
 */
export function checkNarrowing(n: Narrowing): Narrowing {
  const out: Narrowing = {};
  for (const kind of scopeKinds) {
    const list = n[kind];
    if (list !== undefined) out[kind] = list.map((e) => checkEntry(kind, e));
  }
  return out;
}

/**
 * Parses a scope file's JSON text: `{"net": [...], "read": [...], ...}` with any of
 * {@linkcode scopeKinds}. Every key is optional; an empty list means none of that kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseScopeFile } from "./scope.ts";
 *
 * const narrowing = parseScopeFile('{"net":["127.0.0.1"],"read":[]}');
 * assert.deepEqual(narrowing, { net: ["127.0.0.1"], read: [] });
 * ```
 */
export function parseScopeFile(text: string, name = "scope file"): Narrowing {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`Cannot parse ${name}: ${(err as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new SyntaxError(`Cannot parse ${name}: expected a JSON object`);
  }
  const out: Narrowing = {};
  for (const [key, value] of Object.entries(data)) {
    if (!(scopeKinds as readonly string[]).includes(key)) {
      throw new SyntaxError(
        `Cannot parse ${name}: unknown key "${key}" (${scopeKinds.join(", ")})`,
      );
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new SyntaxError(`Cannot parse ${name}: "${key}" must be a list of strings`);
    }
    try {
      out[key as ScopeKind] = value.map((v) => checkEntry(key as ScopeKind, v));
    } catch (err) {
      throw new SyntaxError(`Cannot parse ${name}: ${(err as Error).message}`);
    }
  }
  return out;
}

/**
 * Combines two narrowings (`--net` and `--scope`): a kind given by both keeps only the entries
 * both list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { combineNarrowings } from "./scope.ts";
 *
 * // Each kind is narrowed by both: what both allow.
 * const both = combineNarrowings({ net: ["a", "b"] }, { net: ["b"], read: [] });
 * assert.deepEqual(both, { net: ["b"], read: [] });
 * ```
 */
export function combineNarrowings(a: Narrowing, b: Narrowing): Narrowing {
  const out: Narrowing = { ...a };
  for (const kind of scopeKinds) {
    const v = b[kind];
    if (v !== undefined) {
      out[kind] = out[kind] === undefined ? v : out[kind]!.filter((x) => v.includes(x));
    }
  }
  return out;
}

/** Options for {@linkcode buildScope}. */
export interface BuildScopeOptions {
  /** Relative paths (and `unix:` paths) are resolved against this directory. Default: cwd. */
  base?: string;
  /** Files or directories of toolkit's own modules the sandbox must read to load a command. */
  ownModules?: readonly string[];
  /** This machine's interfaces, for local binds toward on-link hosts. Default: none. */
  interfaces?: readonly Deno.NetworkInterfaceInfo[];
  /** The routing table's source toward routed hosts (see `routeSources`). Default: none. */
  routes?: Readonly<Record<string, RouteSource>>;
  /**
   * The net entries are addresses to listen on, not hosts to reach (a server's own scope): no
   * local binds for clients are added. Default: false.
   */
  listenOnly?: boolean;
}

function dedupe(grants: Grant[]): Grant[] {
  const seen = new Set<string>();
  return grants.filter((g) => !seen.has(g.entry) && seen.add(g.entry));
}

/**
 * Turns a narrowing into the scope a sandbox enforces: entries checked and normalized, paths
 * (and `unix:` socket paths) resolved through `..` and symlinks, and the implicit grants added
 * and marked: local binds for client sockets toward the hosts listed (see
 * {@linkcode implicitBinds}), the path of each `unix:` socket where reads and writes are narrowed
 * (Deno checks a socket's path as read and write access too), reading each write path where
 * reads are narrowed (to follow its links before writing) and, when reads are narrowed,
 * toolkit's own module files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildScope } from "./scope.ts";
 *
 * const scope = await buildScope({ net: ["127.0.0.1:9000"] });
 * assert.deepEqual(scope.kinds.net, [
 *   { entry: "127.0.0.1:9000" },
 *   { entry: "127.0.0.1:0", implicit: "local bind for clients of 127.0.0.1:9000" },
 * ]);
 * ```
 */
export async function buildScope(n: Narrowing, options: BuildScopeOptions = {}): Promise<Scope> {
  const checked = checkNarrowing(n);
  const base = options.base ?? Deno.cwd();
  const kinds: Scope["kinds"] = {};
  let binds: Scope["binds"];
  const sockets: string[] = [];
  for (const kind of scopeKinds) {
    const list = checked[kind];
    if (list === undefined) continue;
    const grants: Grant[] = [];
    for (const entry of list) {
      if (kind === "read" || kind === "write") {
        grants.push({ entry: await resolvePath(entry, base) });
      } else if (kind === "net" && entry.startsWith("unix:")) {
        const path = await resolvePath(entry.slice(5), base);
        sockets.push(path);
        grants.push({ entry: `unix:${path}` });
      } else grants.push({ entry });
    }
    if (kind === "net" && !options.listenOnly) {
      const implicit = implicitBinds(list, localBinds(options.interfaces ?? []), options.routes);
      grants.push(...implicit.grants);
      binds = implicit.binds;
    }
    if (kind === "read" || kind === "write") {
      for (const path of sockets) {
        grants.push({
          entry: path,
          implicit: "a Unix socket in the scope: Deno checks its path too",
        });
      }
    }
    if (kind === "read") {
      // Before writing a path, toolkit follows its links to see where it leads (paths.ts), which
      // takes reading it: a write grant the scope could never use is no grant.
      for (const entry of checked.write ?? []) {
        grants.push({
          entry: await resolvePath(entry, base),
          implicit: "a write path: read to see where a path leads before writing there",
        });
      }
    }
    if (kind === "read") {
      for (const path of options.ownModules ?? []) {
        grants.push({ entry: path, implicit: "toolkit's own modules, to load the command" });
      }
    }
    kinds[kind] = dedupe(grants);
  }
  // A process that holds prefixes itself (the lab set) cannot hand a Worker one: Deno refuses it.
  // Write them as addresses, refusing here (before any Worker) those too wide for that.
  const expandIpv4 = kinds.net !== undefined &&
    Deno.permissions.querySync({ name: "net" }).state !== "granted";
  if (expandIpv4) {
    for (const g of kinds.net ?? []) {
      try {
        denoNetHosts(g.entry, { expandIpv4 });
      } catch (err) {
        throw new SyntaxError((err as Error).message);
      }
    }
  }
  return { kinds, ...(binds?.length ? { binds } : {}), ...(expandIpv4 ? { expandIpv4 } : {}) };
}

/**
 * The Worker permissions that enforce a scope: listed kinds get exactly their entries (none is
 * `false`), kinds left out inherit (or, with `inherit: false`, get nothing); FFI and remote
 * imports never.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workerPermissions } from "./scope.ts";
 *
 * const p = workerPermissions({ kinds: { net: [{ entry: "127.0.0.1:9000" }], read: [] } });
 * assert.deepEqual([p.net, p.read, p.write], [["127.0.0.1:9000"], false, "inherit"]);
 * ```
 */
export function workerPermissions(
  scope: Scope,
  options: { inherit?: boolean } = {},
): Deno.PermissionOptionsObject {
  const rest = options.inherit ?? true ? "inherit" as const : false;
  const pick = (kind: ScopeKind) => {
    const grants = scope.kinds[kind];
    if (grants === undefined) return rest;
    const entries = kind === "net"
      ? grants.flatMap((g) => denoNetHosts(g.entry, { expandIpv4: scope.expandIpv4 }))
      : grants.map((g) => g.entry);
    return entries.length ? entries : false;
  };
  return {
    net: pick("net"),
    read: pick("read"),
    write: pick("write"),
    run: pick("run"),
    env: pick("env"),
    sys: pick("sys") as Deno.PermissionOptionsObject["sys"],
    ffi: false,
    import: false,
  };
}

/**
 * One kind's grants as a line for people: explicit entries, then implicit ones marked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeGrants } from "./scope.ts";
 *
 * assert.equal(
 *   describeGrants([{ entry: "127.0.0.1:9000" }, { entry: "127.0.0.1:0", implicit: "local bind" }]),
 *   "127.0.0.1:9000, 127.0.0.1:0 (implicit: local bind)",
 * );
 * ```
 */
export function describeGrants(grants: readonly Grant[]): string {
  if (!grants.length) return "none";
  return grants.map((g) => g.implicit ? `${g.entry} (implicit: ${g.implicit})` : g.entry)
    .join(", ");
}
