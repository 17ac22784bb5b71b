// A drill's scope as Deno permissions for its Worker: exactly the entries it lists (bare ports on
// loopback, Unix sockets as `unix:PATH`), plus the ephemeral local binds every client socket needs
// and, for drills with `run` steps, reading toolkit's own modules (to load the commands).
import { type Narrowing, normalizeNetEntry, withEphemeralBinds } from "../cli/scope.ts";
import type { DrillScope } from "./schema.ts";

/** What the Worker may do, from a drill's (bound) scope. */
export interface DrillPermissions {
  narrowing: Narrowing;
  permissions: Deno.PermissionOptionsObject;
}

/**
 * Turns a bound drill scope into Worker permissions: exactly the listed entries (a bare port is
 * `127.0.0.1:PORT`), plus the ephemeral local binds a UDP client needs; nothing for kinds left out.
 *
 * @example
 * ```ts
 * const { permissions } = await drillPermissions({ net: ["127.0.0.1:9000"] }, []);
 * permissions.read; // false
 * ```
 */
export async function drillPermissions(
  scope: DrillScope | undefined,
  ports: number[],
  options: { loadsCommands?: boolean } = {},
): Promise<DrillPermissions> {
  const net = scope ? (scope.net ?? []).map(scopeNetEntry) : ports.map((p) => `127.0.0.1:${p}`);
  const narrowing = await withEphemeralBinds({
    net,
    read: scope?.read ?? [],
    write: scope?.write ?? [],
    run: scope?.run ?? [],
  });
  const list = (v: string[] | undefined) => (v && v.length ? v : false);
  // `run` steps load toolkit commands lazily, and Deno checks a Worker's read access for modules
  // imported at run time; reading toolkit's own modules is all that adds.
  const modules = options.loadsCommands ? await ownModules() : undefined;
  return {
    narrowing,
    permissions: {
      net: list(narrowing.net),
      read: list([...narrowing.read ?? [], ...(modules ? [modules] : [])]),
      write: list(narrowing.write),
      run: list(narrowing.run),
      env: list(scope?.env),
      sys: list(scope?.sys),
      ffi: false,
      import: false,
    },
  };
}

/**
 * The directory of toolkit's own modules and configuration (where deno.json is; inside a compiled
 * binary, its embedded root), when this process may read it.
 */
async function ownModules(): Promise<string | undefined> {
  const url = new URL("../../", import.meta.url);
  if (url.protocol !== "file:") return undefined;
  const path = decodeURIComponent(url.pathname).replace(/\/$/, "");
  const state = await Deno.permissions.query({ name: "read", path }).then((s) => s.state, () => "");
  return state === "granted" ? path : undefined;
}

/**
 * One `scope.net` entry in Deno's spelling: a bare port is `127.0.0.1:PORT`, `unix:PATH` (a Unix
 * socket, which Deno checks as network access) is kept as it is.
 *
 * @example
 * ```ts
 * scopeNetEntry("9000"); // "127.0.0.1:9000"
 * ```
 */
export function scopeNetEntry(entry: string): string {
  if (entry.startsWith("unix:")) return entry;
  return normalizeNetEntry(/^\d+$/.test(entry) ? `127.0.0.1:${entry}` : entry);
}

/**
 * The first entry of a drill's permissions that this process does not hold, as `[kind, entry]`.
 *
 * @example
 * ```ts
 * await firstNotGranted({ net: ["127.0.0.1:9000"] }); // undefined under --allow-net
 * ```
 */
export async function firstNotGranted(
  n: Narrowing,
  extra: Pick<DrillScope, "env" | "sys"> = {},
): Promise<[string, string] | undefined> {
  const ask = async (d: Deno.PermissionDescriptor) =>
    (await Deno.permissions.query(d).catch(() => ({ state: "denied" }))).state === "granted";
  for (const host of n.net ?? []) {
    if (!(await ask({ name: "net", host: host.replace(/^unix:/, "") }))) return ["net", host];
  }
  for (const kind of ["read", "write"] as const) {
    for (const path of n[kind] ?? []) {
      if (!(await ask({ name: kind, path }))) return [kind, path];
    }
  }
  for (const command of n.run ?? []) {
    if (!(await ask({ name: "run", command }))) return ["run", command];
  }
  for (const variable of extra.env ?? []) {
    if (!(await ask({ name: "env", variable }))) return ["env", variable];
  }
  for (const kind of extra.sys ?? []) if (!(await ask({ name: "sys", kind }))) return ["sys", kind];
  return undefined;
}

function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The `scope.net` entries (in Deno's spelling) that reach beyond this machine's loopback: any
 * host other than 127.0.0.0/8, ::1 and localhost, a CIDR not inside 127.0.0.0/8, and binds on
 * all interfaces (`0.0.0.0`, `[::]`). Unix sockets stay on the machine.
 *
 * @example
 * ```ts
 * beyondLoopback(["127.0.0.1:9000", "10.0.0.0/24"]); // ["10.0.0.0/24"]
 * ```
 */
export function beyondLoopback(net: readonly string[]): string[] {
  return net.filter((entry) => {
    if (entry.startsWith("unix:")) return false;
    const cidr = /^([^/]+)\/(\d+)$/.exec(entry);
    if (cidr) return !(isLoopbackHost(cidr[1]) && (cidr[1].includes(":") || Number(cidr[2]) >= 8));
    const bracket = /^(\[[^\]]+\])(?::\d+)?$/.exec(entry);
    const host = bracket ? bracket[1] : entry.replace(/:\d+$/, "");
    return !isLoopbackHost(host);
  });
}
