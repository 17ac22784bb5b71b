// The scope in force, read back from Deno itself (`Deno.permissions.query`), so what `toolkit
// scope` and an error message show is what Deno enforces. Candidate entries come from the scope
// this Worker was narrowed to (with its implicit grants marked) or, for kinds it does not narrow,
// from the binary's own permission sets in deno.json.
import config from "../../deno.json" with { type: "json" };
import type { Addr } from "../ip/addr.ts";
import { Prefix } from "../ip/prefix.ts";
import { activeScope } from "./active.ts";
import { denoNetHosts } from "./net_entry.ts";
import { describeGrants } from "./scope.ts";
import { type Grant, type ScopeKind, scopeKinds } from "./types.ts";

/** One grant as reported. */
export interface GrantReport {
  entry: string;
  /** Nobody listed it; the scope needs it (see `reason`). */
  implicit: boolean;
  reason?: string;
}

/** What is in force for one kind. */
export interface KindReport {
  /** Everything of this kind is allowed (`--allow-net` without a list). */
  all: boolean;
  /** Otherwise, every entry Deno answers `granted` for; implicit ones marked. */
  grants: GrantReport[];
}

/** The effective scope, as `toolkit scope --json` prints it. */
export type ScopeReport = { narrowed: boolean } & Record<ScopeKind, KindReport>;

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

/**
 * Whether Deno grants a whole entry: a prefix when both ends of what Deno was given for it are
 * granted (the ends of its first and last piece: a prefix holding 0.0.0.0 goes without it).
 */
async function entryGranted(kind: ScopeKind, entry: string): Promise<boolean> {
  if (kind !== "net" || !entry.includes("/") || entry.startsWith("unix:")) {
    return await granted(descriptor(kind, entry));
  }
  const pieces = denoNetHosts(entry, { expandIpv4: activeScope()?.expandIpv4 });
  const ends = (piece: string): string[] => {
    if (!piece.includes("/")) return [piece];
    const p = Prefix.parse(piece).masked();
    const fmt = (a: Addr) => (a.family === 6 ? `[${a}]` : a.toString());
    return [fmt(p.network()), fmt(p.last())];
  };
  for (const host of [...ends(pieces[0]), ...ends(pieces[pieces.length - 1])]) {
    if (!(await granted(descriptor("net", host)))) return false;
  }
  return pieces.length > 0;
}

function binaryEntries(kind: ScopeKind): Grant[] {
  const sets = (config as { permissions?: Record<string, Record<string, unknown>> }).permissions ??
    {};
  const out = new Set<string>();
  for (const set of Object.values(sets)) {
    const v = set[kind];
    if (Array.isArray(v)) { for (const e of v) out.add(String(e)); }
  }
  return [...out].map((entry) => ({ entry }));
}

async function kindReport(kind: ScopeKind): Promise<KindReport> {
  const narrowed = activeScope()?.kinds[kind];
  if (narrowed === undefined && (await granted(descriptor(kind)))) return { all: true, grants: [] };
  const grants: GrantReport[] = [];
  for (const g of narrowed ?? binaryEntries(kind)) {
    if (!(await entryGranted(kind, g.entry))) continue;
    grants.push({
      entry: g.entry,
      implicit: g.implicit !== undefined,
      ...(g.implicit ? { reason: g.implicit } : {}),
    });
  }
  return { all: false, grants };
}

/**
 * Reads the scope in force from Deno itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { effectiveScope } from "./effective.ts";
 *
 * const report = await effectiveScope();
 * assert.equal(report.narrowed, false);
 * // With `--allow-net`, all of net; otherwise the entries Deno grants.
 * const { state } = await Deno.permissions.query({ name: "net" });
 * assert.equal(report.net.all, state === "granted");
 * ```
 */
export async function effectiveScope(): Promise<ScopeReport> {
  const report = { narrowed: activeScope() !== undefined } as ScopeReport;
  for (const kind of scopeKinds) report[kind] = await kindReport(kind);
  return report;
}

/**
 * One kind's scope as a line for people: `any`, `none`, or the entries, implicit ones marked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeKind } from "./effective.ts";
 *
 * assert.equal(describeKind({ all: true, grants: [] }), "any");
 * assert.equal(describeKind({ all: false, grants: [] }), "none");
 * const grants = [{ entry: "127.0.0.1:0", implicit: true, reason: "local bind" }];
 * assert.equal(describeKind({ all: false, grants }), "127.0.0.1:0 (implicit: local bind)");
 * ```
 */
export function describeKind(scope: KindReport): string {
  if (scope.all) return "any";
  return describeGrants(scope.grants.map((g) => ({ entry: g.entry, implicit: g.reason })));
}

/**
 * The scope of one kind as an error message shows it: `net: 127.0.0.1:9000, ...`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setActiveScope } from "./active.ts";
 * import { describeScopeOf } from "./effective.ts";
 *
 * assert.equal(await describeScopeOf("bogus"), "bogus: none");
 * // Narrowed, the kind shows the entries of the scope that Deno grants.
 * setActiveScope({ kinds: { env: [{ entry: "HOME" }] } });
 * try {
 *   const { state } = await Deno.permissions.query({ name: "env", variable: "HOME" });
 *   assert.equal(await describeScopeOf("env"), state === "granted" ? "env: HOME" : "env: none");
 * } finally {
 *   setActiveScope(undefined);
 * }
 * ```
 */
export async function describeScopeOf(kind: string): Promise<string> {
  if (!(scopeKinds as readonly string[]).includes(kind)) return `${kind}: none`;
  return `${kind}: ${describeKind(await kindReport(kind as ScopeKind))}`;
}
