// Network scope entries as users write them (`127.0.0.1:9000`, `::1`, `10.0.0.0/24`, `unix:/run/x`)
// turned into what Deno's net permission enforces. Deno takes hosts, `host:port`, IPv4 CIDRs and
// single IPv6 hosts; an IPv6 prefix is enforceable only as the list of its addresses, so short
// ones are expanded and wide ones refused here, at parse time, with what to write instead.
import { Addr } from "../ip/addr.ts";
import { excludePrefixes } from "../ip/exclude.ts";
import { Prefix } from "../ip/prefix.ts";
import { classifyHost, parsePort } from "../net/address.ts";

/** The longest IPv6 prefix is expanded to its addresses up to this many (a /120). */
export const maxExpandedIpv6 = 256;

/**
 * Validates one net entry and returns it in Deno's spelling: `host`, `host:port`, `[v6]`,
 * `[v6]:port`, an IPv4 CIDR (masked: `10.0.0.0/24`), an IPv6 prefix of /120 or longer (kept as
 * written, canonical; see {@linkcode denoNetHosts}), or `unix:PATH`. Throws
 * `SyntaxError` naming the entry and saying what to write instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeNetEntry } from "./net_entry.ts";
 *
 * assert.equal(normalizeNetEntry("::1"), "[::1]");
 * assert.equal(normalizeNetEntry("::1/128"), "[::1]");
 * assert.equal(normalizeNetEntry("10.1.2.3/24"), "10.1.2.0/24");
 * assert.throws(() => normalizeNetEntry("2001:db8::/32"), SyntaxError);
 * ```
 */
export function normalizeNetEntry(entry: string): string {
  const text = entry.trim();
  if (text === "") throw new SyntaxError(`Cannot parse an empty network entry`);
  // Deno checks Unix sockets as net access to `unix:PATH`; a relative path is resolved against
  // the scope's base (the drill or scope file's directory) when the scope is built.
  if (text.startsWith("unix:")) {
    if (text === "unix:") throw new SyntaxError(`Cannot parse "${entry}": unix: needs a path`);
    if (text.includes("\0")) throw new SyntaxError(`Cannot parse "${entry}": a NUL byte`);
    return text;
  }
  const cidr = /^\[?([^/\]]+)\]?\/(\d{1,3})$/.exec(text);
  if (cidr) return normalizePrefix(entry, cidr[1], cidr[2]);
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) {
    if (classifyHost(bracket[1]) !== "ipv6") throw new SyntaxError(`Cannot parse "${entry}"`);
    const host = canonicalIpv6(bracket[1]);
    return bracket[2] === undefined
      ? `[${host}]`
      : `[${host}]:${parsePort(bracket[2], { allowZero: true })}`;
  }
  if (text.split(":").length > 2) {
    classifyHost(text);
    return `[${canonicalIpv6(text)}]`;
  }
  const [host, port] = text.split(":");
  classifyHost(host);
  return port === undefined ? host : `${host}:${parsePort(port, { allowZero: true })}`;
}

function canonicalIpv6(host: string): string {
  const pct = host.indexOf("%");
  if (pct >= 0) {
    // Deno checks the address alone: a zone in a scope would claim one link and grant them all.
    throw new SyntaxError(
      `Cannot use "${host}" in a scope: Deno does not check the zone (${host.slice(pct)}), so it ` +
        `would grant ${host.slice(0, pct)} on every link; write [${host.slice(0, pct)}]`,
    );
  }
  return Addr.parse(host).toString();
}

function normalizePrefix(entry: string, host: string, bitsText: string): string {
  const family = classifyHost(host);
  if (family === "name") {
    throw new SyntaxError(`Cannot parse network "${entry}": a prefix needs an IP address`);
  }
  let prefix: Prefix;
  try {
    prefix = Prefix.parse(`${host}/${Number(bitsText)}`).masked();
  } catch (err) {
    throw new SyntaxError(`Cannot parse network "${entry}": ${(err as Error).message}`);
  }
  if (prefix.family === 4) return prefix.toString();
  if (prefix.bits === 128) return `[${prefix.addr}]`;
  if (prefix.size() > BigInt(maxExpandedIpv6)) {
    throw new SyntaxError(
      `Cannot use network "${entry}": Deno enforces IPv6 only as single addresses, so an IPv6 ` +
        `prefix must be /120 or longer (at most ${maxExpandedIpv6} addresses); list the hosts ` +
        `instead, e.g. [${prefix.addr.next() ?? prefix.addr}]`,
    );
  }
  return prefix.toString();
}

/** Options for {@linkcode denoNetHosts}. */
export interface DenoNetOptions {
  /**
   * Write IPv4 prefixes as their addresses too, up to {@linkcode maxExpandedIpv4} of them: Deno
   * hands a Worker no prefix at all when its parent holds prefixes itself (the `lab` set), so a
   * narrowing there names hosts. A wider one is refused (`RangeError`).
   */
  expandIpv4?: boolean;
}

/** The widest IPv4 prefix written as its addresses under a prefix-holding parent (a /22). */
export const maxExpandedIpv4 = 1024;

/**
 * The entries Deno is given for one normalized entry: itself; for an IPv6 prefix every address in
 * it as `[addr]`. A prefix never grants the unspecified address it may contain (`0.0.0.0`, `::`,
 * `::ffff:0.0.0.0`): listening there is listening on every interface, which a scope grants only
 * when it names the wildcard itself, so `0.0.0.0/8` is given to Deno as the prefixes that make
 * it up without `0.0.0.0`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoNetHosts } from "./net_entry.ts";
 *
 * assert.deepEqual(denoNetHosts("127.0.0.0/8"), ["127.0.0.0/8"]);
 * assert.deepEqual(denoNetHosts("2001:2::/127"), ["[2001:2::]", "[2001:2::1]"]);
 * assert.deepEqual(denoNetHosts("::/127"), ["[::1]"]);
 * assert.deepEqual(denoNetHosts("0.0.0.0/30"), ["0.0.0.1/32", "0.0.0.2/31"]);
 * ```
 */
export function denoNetHosts(entry: string, options: DenoNetOptions = {}): string[] {
  const m = /^([0-9a-f:.]+)\/(\d+)$/i.exec(entry);
  if (!m) return [entry];
  const prefix = Prefix.parse(entry);
  const expand = prefix.family === 6 || options.expandIpv4;
  if (!expand) {
    return prefix.contains(any4)
      ? excludePrefixes(prefix, [Prefix.from(any4, 32)]).map((p) => p.toString())
      : [entry];
  }
  const limit = prefix.family === 6 ? maxExpandedIpv6 : maxExpandedIpv4;
  if (prefix.size() > BigInt(limit)) {
    throw new RangeError(
      `Cannot narrow to ${entry} here: this binary's own scope lists prefixes, and Deno then ` +
        `takes only single hosts in a narrowing (at most ${limit} addresses, a /22); list the ` +
        `hosts or a narrower prefix`,
    );
  }
  const out: string[] = [];
  let addr: Addr | undefined = prefix.network();
  for (let i = 0n; i < prefix.size() && addr; i++, addr = addr.next()) {
    if (isUnspecified(addr)) continue;
    out.push(addr.family === 6 ? `[${addr}]` : addr.toString());
  }
  return out;
}

/** `0.0.0.0`, `::` or `::ffff:0.0.0.0`: binding it is binding every interface. */
function isUnspecified(addr: Addr): boolean {
  return addr.isUnspecified() || (addr.is4In6() && addr.unmap().isUnspecified());
}

/**
 * Parses repeated `--net` values (each comma-separated) into normalized entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNetList } from "./net_entry.ts";
 *
 * assert.deepEqual(parseNetList(["127.0.0.1:9000,10.0.0.0/24"]), ["127.0.0.1:9000", "10.0.0.0/24"]);
 * ```
 */
export function parseNetList(values: readonly string[]): string[] {
  const entries = values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
  return entries.map(normalizeNetEntry);
}

/** A host part of a net entry, as an address or a name; `undefined` for Unix sockets. */
export interface NetTarget {
  /** The address or, for a CIDR, the network. */
  prefix?: Prefix;
  /** A DNS name (`localhost`, `lab-host`). */
  name?: string;
  /** The port, when the entry names one. */
  port?: number;
}

/**
 * What a normalized entry reaches: a prefix (a host is a /32 or /128) or a name, and a port.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { netTarget } from "./net_entry.ts";
 *
 * assert.equal(netTarget("127.0.0.1:9000")?.prefix?.toString(), "127.0.0.1/32");
 * assert.equal(netTarget("unix:/run/x.sock"), undefined);
 * ```
 */
export function netTarget(entry: string): NetTarget | undefined {
  if (entry.startsWith("unix:")) return undefined;
  const cidr = /^([^/]+)\/(\d+)$/.exec(entry);
  if (cidr) return { prefix: Prefix.parse(entry).masked() };
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const [host, port] = bracket ? [bracket[1], bracket[2]] : entry.split(":");
  const portNumber = port === undefined ? undefined : Number(port);
  if (classifyHost(host) === "name") return { name: host.toLowerCase(), port: portNumber };
  const addr = Addr.parse(host.replace(/%.*$/, ""));
  return { prefix: Prefix.from(addr, addr.bitLength), port: portNumber };
}

/**
 * Whether an entry lets a socket listen on every interface: `0.0.0.0`, `[::]` (any port or a
 * given one) or a prefix containing them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isWildcardEntry } from "./net_entry.ts";
 *
 * assert.equal(isWildcardEntry("0.0.0.0:0"), true);
 * assert.equal(isWildcardEntry("127.0.0.1:0"), false);
 * ```
 */
export function isWildcardEntry(entry: string): boolean {
  const t = netTarget(entry);
  if (t?.prefix === undefined) return false;
  return t.prefix.contains(t.prefix.family === 4 ? any4 : any6) ||
    (t.prefix.family === 6 && t.prefix.contains(mapped4));
}

/**
 * Whether an entry names the wildcard itself (`0.0.0.0`, `0.0.0.0:9000`, `[::]`,
 * `[::ffff:0.0.0.0]`), the only way a scope grants listening on every interface.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { namesWildcard } from "./net_entry.ts";
 *
 * assert.equal(namesWildcard("[::]:9000"), true);
 * assert.equal(namesWildcard("0.0.0.0/8"), false);
 * ```
 */
export function namesWildcard(entry: string): boolean {
  const t = netTarget(entry);
  const p = t?.prefix;
  return p !== undefined && p.bits === p.addr.bitLength && isUnspecified(p.addr);
}

const any4 = Addr.parse("0.0.0.0");
const any6 = Addr.parse("::");
const mapped4 = Addr.parse("::ffff:0.0.0.0");

/**
 * What an entry grants about listening on every interface, for people reading a scope: the
 * wildcard itself (`[::]` takes IPv4 too on a dual-stack socket), or a prefix that contains it
 * but is given to Deno without it. `undefined` for other entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wildcardNote } from "./net_entry.ts";
 *
 * assert.equal(wildcardNote("0.0.0.0:9000"), "every interface");
 * assert.equal(
 *   wildcardNote("0.0.0.0/8"),
 *   "without 0.0.0.0 itself: name it to listen on every interface",
 * );
 * assert.equal(wildcardNote("127.0.0.1:9000"), undefined);
 * ```
 */
export function wildcardNote(entry: string): string | undefined {
  if (namesWildcard(entry)) {
    const v6 = netTarget(entry)?.prefix?.family === 6 && !entry.includes("ffff");
    return v6 ? "every interface, IPv4 too on a dual-stack socket" : "every interface";
  }
  if (!isWildcardEntry(entry)) return undefined;
  const any = netTarget(entry)?.prefix?.family === 4 ? "0.0.0.0" : "::";
  return `without ${any} itself: name it to listen on every interface`;
}
