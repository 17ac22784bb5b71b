// Paths in a scope, and paths opened under one, by where they really lead. Deno checks a path as
// written and the OS then follows its symlinks, so a link inside a granted directory could lead
// out of it. Scope entries are resolved before they become permissions, and every file toolkit
// opens under a narrowing is resolved and checked again before it is opened.
import { activeScope } from "./active.ts";
import { ScopeError, scopeErrorFrom } from "./errors.ts";

// POSIX paths, written out here: node:path would cost every command's start-up.
const isAbsolute = (p: string) => p.startsWith("/");

/** `/a/./b/../c//d/` → `/a/c/d`; `..` above the root stays at the root. */
function normalize(abs: string): string {
  const out: string[] = [];
  for (const part of abs.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

const resolve = (base: string, path: string) =>
  normalize(isAbsolute(path) ? path : `${base}/${path}`);

/** Absolute, `.` and repeated slashes dropped, but `..` kept: it is taken after the links before it. */
function absolute(base: string, path: string): string {
  const parts = (isAbsolute(path) ? path : `${base}/${path}`).split("/")
    .filter((p) => p !== "" && p !== ".");
  return "/" + parts.join("/");
}
const dirname = (abs: string) => abs.slice(0, abs.lastIndexOf("/")) || "/";
const join = (dir: string, name: string) => dir === "/" ? `/${name}` : `${dir}/${name}`;

/** Symlinks followed in one resolution before giving up, as Linux's ELOOP limit. */
const maxLinks = 40;

/**
 * Resolves `path` (relative to `base`) to the absolute path it leads to: `..` and symlinks
 * followed, including a dangling link's target and the parents of a path that does not exist
 * yet (a file about to be created). Needs read access to the path and its parents.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePath } from "./paths.ts";
 *
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.mkdir(`${dir}/data/lab`, { recursive: true });
 *   await Deno.symlink(`${dir}/data/lab`, `${dir}/link`);
 *   // A file about to be created, through a link: where the kernel would create it.
 *   assert.equal(await resolvePath("link/new-file", dir), `${dir}/data/lab/new-file`);
 *   // `..` goes up from where the link leads, as the kernel walks it, not from `link`.
 *   assert.equal(await resolvePath("link/..", dir), `${dir}/data`);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function resolvePath(path: string, base: string = Deno.cwd()): Promise<string> {
  return await resolveFrom(absolute(base, path), 0);
}

/**
 * `abs` resolved as the kernel walks it: `..` goes up from where the components before it lead,
 * not from how they are spelled (`dir/link/..` is the link target's parent), so the part before
 * the first `..` is resolved first.
 */
async function resolveFrom(abs: string, links: number): Promise<string> {
  const parts = abs.split("/").filter((p) => p !== "");
  const up = parts.indexOf("..");
  if (up >= 0) {
    const head = await resolveFrom("/" + parts.slice(0, up).join("/"), links);
    const rest = parts.slice(up + 1).join("/");
    return await resolveFrom(rest ? join(dirname(head), rest) : dirname(head), links);
  }
  return await resolveWithoutUp(abs, links);
}

async function resolveWithoutUp(abs: string, links: number): Promise<string> {
  if (links > maxLinks) {
    throw Object.assign(new Error(`Too many levels of symbolic links '${abs}'`), { code: "ELOOP" });
  }
  try {
    return await Deno.realPath(abs);
  } catch (err) {
    // Deno holds /proc and other special files to --allow-all whatever the path says, so no
    // link there leads anywhere Deno would not check: they stay as written.
    if (err instanceof Deno.errors.NotCapable && /Requires all access/.test(err.message)) {
      return abs;
    }
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const info = await Deno.lstat(abs).catch((err) => {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  });
  if (info?.isSymlink) {
    // A dangling link: where it would lead, as the kernel would create or open it.
    const target = await Deno.readLink(abs);
    return await resolveFrom(absolute(dirname(abs), target), links + 1);
  }
  const parent = dirname(abs);
  if (parent === abs) return abs;
  return join(await resolveFrom(parent, links), abs.slice(parent.length).replace(/^\/+/, ""));
}

/** What toolkit is about to do with a path, as Deno names the permission. */
export type PathAccess = "read" | "write";

async function granted(desc: Deno.PermissionDescriptor): Promise<boolean> {
  return (await Deno.permissions.query(desc).catch(() => undefined))?.state === "granted";
}

/**
 * Resolves a path to check it. Where a path leads cannot be seen without reading it, so an
 * unreadable path is refused rather than guessed at, unless it is exactly one of the scope's own
 * entries: those were resolved when the scope was built (a socket granted by `unix:PATH` in a
 * directory the scope cannot read, say).
 */
async function resolveToCheck(path: string, access: readonly PathAccess[]): Promise<string> {
  try {
    return await resolvePath(path);
  } catch (err) {
    const denied = scopeErrorFrom(err);
    if (!denied) throw err;
    const abs = resolve(Deno.cwd(), path);
    const entries = Object.values(activeScope()?.kinds ?? {}).flat()
      .map((g) => g.entry.replace(/^unix:/, ""));
    if (entries.includes(abs)) return abs;
    // Refused part way: name where the path had led by then (a link's target outside), as the
    // open would have gone there.
    const reached = denied.resource.replace(/\/+$/, "");
    if (reached !== abs && reached !== path && reached.startsWith("/")) {
      throw new ScopeError(denied.kind, `${reached} (where ${path} leads)`, { cause: err });
    }
    // Reading the path itself was what was asked: that is the refusal. Otherwise reading was
    // only needed to follow it.
    const why = (access as readonly string[]).includes(denied.kind)
      ? ""
      : " (needed to see where it leads)";
    throw new ScopeError(denied.kind, `${path}${why}`, { cause: err });
  }
}

function shown(resolved: string, path: string): string {
  return resolved === path ? path : `${resolved} (where ${path} leads)`;
}

/**
 * The path to open for `path` under the scope in force: unchanged when nothing is narrowed for
 * `access`; otherwise the resolved path, after checking that where it leads is inside the scope.
 * Throws {@linkcode ScopeError} for a path that leads (or might lead, unreadable) outside.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setActiveScope } from "./active.ts";
 * import { confinePath } from "./paths.ts";
 *
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.writeTextFile(`${dir}/prefixes.txt`, "10.0.0.0/8\n");
 *   await Deno.symlink(`${dir}/prefixes.txt`, `${dir}/link.txt`);
 *   // Nothing narrowed: the path as given.
 *   assert.equal(await confinePath(`${dir}/link.txt`, "read"), `${dir}/link.txt`);
 *   // Reading narrowed: where the path leads, once Deno grants that place.
 *   setActiveScope({ kinds: { read: [{ entry: dir }] } });
 *   assert.equal(await confinePath(`${dir}/link.txt`, "read"), `${dir}/prefixes.txt`);
 * } finally {
 *   setActiveScope(undefined);
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function confinePath(path: string, ...access: PathAccess[]): Promise<string> {
  const scope = activeScope();
  if (!scope || !access.some((a) => scope.kinds[a] !== undefined)) return path;
  if (path === "") return path; // Deno's own "empty path" error says it better
  const resolved = await resolveToCheck(path, access);
  for (const kind of access) {
    if (!(await granted({ name: kind, path: resolved }))) {
      throw new ScopeError(kind, shown(resolved, path));
    }
  }
  return resolved;
}

/**
 * The path to use for a Unix socket under the scope in force, checked as Deno checks sockets
 * (read, write and `unix:PATH`) at the place the path leads to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setActiveScope } from "./active.ts";
 * import { confineSocketPath } from "./paths.ts";
 *
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   await Deno.symlink(`${dir}/app.sock`, `${dir}/link.sock`);
 *   assert.equal(await confineSocketPath(`${dir}/link.sock`), `${dir}/link.sock`);
 *   setActiveScope({ kinds: { net: [{ entry: `unix:${dir}/app.sock` }] } });
 *   assert.equal(await confineSocketPath(`${dir}/link.sock`), `${dir}/app.sock`);
 * } finally {
 *   setActiveScope(undefined);
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function confineSocketPath(path: string): Promise<string> {
  const scope = activeScope();
  const kinds = ["read", "write", "net"] as const;
  if (!scope || kinds.every((k) => scope.kinds[k] === undefined) || path === "") return path;
  const resolved = await resolveToCheck(path, ["read", "write"]);
  for (const kind of ["read", "write"] as const) {
    if (scope.kinds[kind] !== undefined && !(await granted({ name: kind, path: resolved }))) {
      throw new ScopeError(kind, shown(resolved, path));
    }
  }
  if (
    scope.kinds.net !== undefined && !(await granted({ name: "net", host: `unix:${resolved}` }))
  ) {
    throw new ScopeError("net", `unix:${shown(resolved, path)}`);
  }
  return resolved;
}
