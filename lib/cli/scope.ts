// The permission scope: what this binary was granted (deno.json "permissions", compiled in), what
// a user narrowed it to at run time (--net, --scope FILE), and what is in force, read back through
// Deno.permissions.query so the answer is Deno's, not ours.
import config from "../../deno.json" with { type: "json" };
import type { Addr } from "../ip/addr.ts";
import { Prefix } from "../ip/prefix.ts";
import { classifyHost, parsePort } from "../net/address.ts";
import { UsageError } from "./errors.ts";

/** Permission kinds toolkit reports and narrows. */
export const scopeKinds = ["net", "read", "write", "run", "env", "sys"] as const;
/** One of {@linkcode scopeKinds}. */
export type ScopeKind = typeof scopeKinds[number];

/** A run-time narrowing: for each kind given, at most these entries. Kinds left out inherit. */
export type Narrowing = Partial<Record<"net" | "read" | "write" | "run", string[]>>;

/** What is in force for one kind. */
export interface KindScope {
  /** Everything of this kind is allowed (`--allow-net` without a list). */
  all: boolean;
  /** Otherwise, the entries that Deno answers `granted` for. */
  granted: string[];
}

/** The effective scope, as `toolkit scope --json` prints it. */
export type ScopeReport =
  & { narrowed: boolean; narrowing?: Narrowing }
  & Record<ScopeKind, KindScope>;

/**
 * Validates one `--net` entry the way Deno's --allow-net reads it: `host`, `host:port`, `[v6]`,
 * `[v6]:port`, a CIDR, or `unix:/path` for a Unix socket. Returns the entry in Deno's spelling.
 *
 * @example
 * ```ts
 * normalizeNetEntry("::1"); // "[::1]"
 * normalizeNetEntry("127.0.0.0/8"); // "127.0.0.0/8"
 * ```
 */
export function normalizeNetEntry(entry: string): string {
  const text = entry.trim();
  // Deno checks Unix sockets as net access to `unix:PATH` (an absolute path).
  if (text.startsWith("unix:")) {
    if (!text.startsWith("unix:/") || text.includes("\0")) {
      throw new SyntaxError(`Cannot parse "${entry}": use unix:/absolute/path`);
    }
    return text;
  }
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (cidr) {
    const family = classifyHost(cidr[1]);
    const bits = Number(cidr[2]);
    if (family === "name" || bits > (family === "ipv4" ? 32 : 128)) {
      throw new SyntaxError(`Cannot parse network "${entry}"`);
    }
    return text;
  }
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) {
    if (classifyHost(bracket[1]) !== "ipv6") throw new SyntaxError(`Cannot parse "${entry}"`);
    return bracket[2] === undefined
      ? `[${bracket[1]}]`
      : `[${bracket[1]}]:${parsePort(bracket[2])}`;
  }
  if (text.split(":").length > 2) {
    classifyHost(text);
    return `[${text}]`;
  }
  const [host, port] = text.split(":");
  classifyHost(host);
  return port === undefined ? host : `${host}:${parsePort(port)}`;
}

/**
 * Parses repeated `--net` values (each comma-separated) into Deno net entries.
 *
 * @example
 * ```ts
 * parseNetList(["127.0.0.1:9000,10.0.0.0/24"]); // ["127.0.0.1:9000", "10.0.0.0/24"]
 * ```
 */
export function parseNetList(values: readonly string[]): string[] {
  const entries = values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
  return entries.map((e) => {
    try {
      return normalizeNetEntry(e);
    } catch (err) {
      throw new UsageError(`--net: ${(err as Error).message}`);
    }
  });
}

/**
 * Parses a scope file's JSON text: `{"net": [...], "read": [...], "write": [...], "run": [...]}`.
 * Every key is optional; an empty list means none of that kind.
 *
 * @example
 * ```ts
 * parseScopeFile('{"net":["127.0.0.1"],"read":[]}'); // { net: ["127.0.0.1"], read: [] }
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
    if (key !== "net" && key !== "read" && key !== "write" && key !== "run") {
      throw new SyntaxError(`Cannot parse ${name}: unknown key "${key}" (net, read, write, run)`);
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
      throw new SyntaxError(`Cannot parse ${name}: "${key}" must be a list of strings`);
    }
    out[key] = key === "net" ? value.map(normalizeNetEntry) : [...value];
  }
  return out;
}

/** Combines `--net` and `--scope` narrowings; a kind given by both keeps only what both allow. */
export function combineNarrowings(a: Narrowing, b: Narrowing): Narrowing {
  const out: Narrowing = { ...a };
  for (const [k, v] of Object.entries(b) as [keyof Narrowing, string[]][]) {
    out[k] = out[k] === undefined ? v : out[k]!.filter((x) => v.includes(x));
  }
  return out;
}

/**
 * The Worker permission options for a narrowing: listed kinds get exactly their lists (an empty
 * list is `false`), the rest inherit.
 *
 * @example
 * ```ts
 * workerPermissions({ net: ["127.0.0.1:9000"] }).net; // ["127.0.0.1:9000"]
 * ```
 */
export function workerPermissions(n: Narrowing): Deno.PermissionOptionsObject {
  const pick = (v: string[] | undefined) =>
    v === undefined ? "inherit" as const : v.length ? v : false;
  return {
    net: pick(n.net),
    read: pick(n.read),
    write: pick(n.write),
    run: pick(n.run),
    env: "inherit",
    sys: "inherit",
    ffi: false,
  };
}

/**
 * Local ephemeral binds (`ADDR:0`) that every UDP client and TCP listener on port 0 needs. They
 * reach no other host, so a network narrowing keeps those of them this process holds.
 */
export const ephemeralBinds: readonly string[] = ["127.0.0.1:0", "[::1]:0", "0.0.0.0:0", "[::]:0"];

/**
 * Completes a narrowing for a Worker: adds the {@linkcode ephemeralBinds} this process holds to a
 * network narrowing, so the narrowed command can still open a client socket.
 *
 * @example
 * ```ts
 * (await withEphemeralBinds({ net: ["127.0.0.1:9000"] })).net; // [..., "127.0.0.1:0", ...]
 * ```
 */
export async function withEphemeralBinds(n: Narrowing): Promise<Narrowing> {
  if (n.net === undefined) return n;
  const net = [...n.net];
  for (const bind of ephemeralBinds) {
    if (!net.includes(bind) && (await granted({ name: "net", host: bind }))) net.push(bind);
  }
  return { ...n, net };
}

let active: Narrowing | undefined;

/** Records the narrowing in force in this Worker (set by the sandbox before a command runs). */
export function setActiveNarrowing(n: Narrowing | undefined): void {
  active = n;
}

/** The narrowing in force, if this command runs narrowed. */
export function activeNarrowing(): Narrowing | undefined {
  return active;
}

function configEntries(kind: ScopeKind): string[] {
  const sets = (config as { permissions?: Record<string, Record<string, unknown>> }).permissions ??
    {};
  // The user's own narrowing first: that is what they want to read back.
  const out = new Set<string>(active?.[kind as keyof Narrowing] ?? []);
  for (const set of Object.values(sets)) {
    const v = set[kind];
    if (Array.isArray(v)) { for (const e of v) out.add(String(e)); }
  }
  if (kind === "read") ["/proc/net", "/proc/net/arp"].forEach((p) => out.add(p));
  return [...out];
}

/** The first and last address of a CIDR, for asking Deno about both ends. */
function cidrEnds(cidr: string): [string, string] | undefined {
  let p: Prefix;
  try {
    p = Prefix.parse(cidr).masked();
  } catch {
    return undefined;
  }
  const fmt = (a: Addr) => (a.family === 6 ? `[${a.withZone("")}]` : a.toString());
  return [fmt(p.network()), fmt(p.last())];
}

async function granted(desc: Deno.PermissionDescriptor): Promise<boolean> {
  try {
    return (await Deno.permissions.query(desc)).state === "granted";
  } catch {
    return false;
  }
}

function descriptor(kind: ScopeKind, entry?: string): Deno.PermissionDescriptor {
  switch (kind) {
    case "net":
      return entry === undefined ? { name: "net" } : { name: "net", host: entry };
    case "read":
    case "write":
      return { name: kind, path: entry };
    case "run":
      return { name: "run", command: entry };
    case "env":
      return { name: "env", variable: entry };
    case "sys":
      return { name: "sys", kind: entry as Deno.SysPermissionDescriptor["kind"] };
  }
}

async function kindScope(kind: ScopeKind): Promise<KindScope> {
  if (await granted(descriptor(kind))) return { all: true, granted: [] };
  const out: string[] = [];
  for (const entry of configEntries(kind)) {
    if (kind === "net" && entry.includes("/")) {
      const ends = cidrEnds(entry);
      if (
        ends && (await granted(descriptor("net", ends[0]))) &&
        (await granted(descriptor("net", ends[1])))
      ) {
        out.push(entry);
      }
    } else if (await granted(descriptor(kind, entry))) out.push(entry);
  }
  return { all: false, granted: out };
}

/**
 * Reads the scope in force from Deno itself. Candidate entries come from deno.json's permission
 * sets and the active narrowing; a CIDR counts as granted when both of its ends are.
 *
 * @example
 * ```ts
 * const report = await effectiveScope();
 * report.net.all; // true under the default set
 * ```
 */
export async function effectiveScope(): Promise<ScopeReport> {
  const report = { narrowed: active !== undefined } as ScopeReport;
  if (active) report.narrowing = active;
  for (const kind of scopeKinds) report[kind] = await kindScope(kind);
  return report;
}

/**
 * One line describing a kind's scope for error messages: `net 127.0.0.1:9000, 10.0.0.0/24`.
 *
 * @example
 * ```ts
 * describeKind("net", { all: false, granted: [] }); // "net: none"
 * ```
 */
export function describeKind(kind: string, scope: KindScope): string {
  if (scope.all) return `${kind}: any`;
  return `${kind}: ${scope.granted.length ? scope.granted.join(", ") : "none"}`;
}

/** The scope of one kind as an error message shows it. */
export async function describeScopeOf(kind: string): Promise<string> {
  if (!(scopeKinds as readonly string[]).includes(kind)) return `${kind}: none`;
  return describeKind(kind, await kindScope(kind as ScopeKind));
}
