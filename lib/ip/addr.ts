// IP addresses as small immutable values, after Go's net/netip `Addr`: IPv4 held as a 32-bit
// number, IPv6 as a 128-bit bigint, an optional IPv6 zone kept. Parsing is strict (no leading
// zeros, no shorthand IPv4 spellings) and printing is canonical (RFC 5952). Within lib/ip this
// module imports nothing (its errors show the text through lib/text's `printable`): prefixes,
// masks and the rest of lib/ip build on it, never the other way round.
import { printable } from "../text/printable.ts";

/** The IP version of an address: 4 or 6. */
export type Family = 4 | 6;

const max6 = (1n << 128n) - 1n;
const mappedHigh = 0xffffn << 32n;

/**
 * An IPv4 or IPv6 address, optionally with an IPv6 zone (`fe80::1%eth0`). Immutable; compare with
 * {@linkcode Addr.equals} or {@linkcode Addr.compare}, not `===`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "./addr.ts";
 *
 * const a = Addr.parse("172.16.10.1");
 * assert.equal(a.isPrivate(), true);
 * // An IPv4-mapped address is judged by the IPv4 address inside.
 * assert.equal(Addr.parse("::ffff:127.0.0.1").isLoopback(), true);
 * assert.equal(Addr.parse("::FFFF:192.0.2.1").toString(), "::ffff:192.0.2.1");
 * assert.ok(Addr.parse("10.0.0.1").equals(Addr.parse("10.0.0.1")));
 * ```
 */
export class Addr {
  /** 4 or 6. */
  readonly family: Family;
  /** The IPv6 zone without `%`, or `""`. */
  readonly zone: string;
  readonly #v4: number;
  readonly #v6: bigint;

  private constructor(family: Family, v4: number, v6: bigint, zone: string) {
    this.family = family;
    this.#v4 = v4;
    this.#v6 = v6;
    this.zone = zone;
  }

  /**
   * Parses an IPv4 address in dotted decimal or an IPv6 address (with an optional `%zone`).
   * Throws `SyntaxError` naming the problem, e.g. for `010.0.0.1` (leading zero: octal ambiguity).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("fe80::1%eth0").zone, "eth0");
   * assert.throws(() => Addr.parse("010.0.0.1"), SyntaxError);
   * ```
   */
  static parse(text: string): Addr {
    if (text.includes(":")) return parseIpv6(text);
    if (text.includes("%")) {
      throw new SyntaxError(
        `Cannot parse "${printable(text)}": zones (%) are only for IPv6 addresses`,
      );
    }
    return Addr.fromUint32(parseIpv4(text));
  }

  /**
   * Parses an address known to be valid (a constant in code); a bad one is a programming mistake
   * and throws `TypeError`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * const loopback = Addr.mustParse("127.0.0.1");
   * assert.equal(loopback.isLoopback(), true);
   * assert.throws(() => Addr.mustParse("127.0.0.256"), TypeError);
   * ```
   */
  static mustParse(text: string): Addr {
    try {
      return Addr.parse(text);
    } catch (err) {
      throw new TypeError((err as Error).message);
    }
  }

  /**
   * An IPv4 address from its 32-bit value.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.fromUint32(0x7f000001).toString(), "127.0.0.1");
   * ```
   */
  static fromUint32(value: number): Addr {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`IPv4 value ${value} is out of range`);
    }
    return new Addr(4, value, 0n, "");
  }

  /**
   * An address of `family` from its integer value.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.fromBigInt(1n, 6).toString(), "::1");
   * assert.equal(Addr.fromBigInt(1n, 4).toString(), "0.0.0.1");
   * ```
   */
  static fromBigInt(value: bigint, family: Family, zone = ""): Addr {
    if (family === 4) {
      if (value < 0n || value > 0xffffffffn) {
        throw new RangeError(`IPv4 value ${value} is out of range`);
      }
      return new Addr(4, Number(value), 0n, "");
    }
    if (value < 0n || value > max6) throw new RangeError(`IPv6 value ${value} is out of range`);
    return new Addr(6, 0, value, zone);
  }

  /**
   * An address from 4 or 16 bytes in network order.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.fromBytes(new Uint8Array([10, 0, 0, 1])).toString(), "10.0.0.1");
   * ```
   */
  static fromBytes(bytes: Uint8Array): Addr {
    if (bytes.length === 4) {
      return Addr.fromUint32(
        ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0,
      );
    }
    if (bytes.length === 16) {
      let v = 0n;
      for (const b of bytes) v = (v << 8n) | BigInt(b);
      return new Addr(6, 0, v, "");
    }
    throw new RangeError(`An address has 4 or 16 bytes, not ${bytes.length}`);
  }

  /** 32 or 128. */
  get bitLength(): 32 | 128 {
    return this.family === 4 ? 32 : 128;
  }

  /** Whether this is an IPv4 address. */
  is4(): boolean {
    return this.family === 4;
  }

  /** Whether this is an IPv6 address (including IPv4-mapped ones). */
  is6(): boolean {
    return this.family === 6;
  }

  /** Whether this is an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`). */
  is4In6(): boolean {
    return this.family === 6 && this.#v6 >> 32n === 0xffffn;
  }

  /**
   * The IPv4 address inside an IPv4-mapped IPv6 address; any other address unchanged.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("::ffff:10.0.0.1").unmap().toString(), "10.0.0.1");
   * assert.equal(Addr.parse("2001:db8::1").unmap().toString(), "2001:db8::1");
   * ```
   */
  unmap(): Addr {
    return this.is4In6() ? Addr.fromUint32(Number(this.#v6 & 0xffffffffn)) : this;
  }

  /**
   * The IPv4-mapped IPv6 form of an IPv4 address; IPv6 addresses unchanged.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("192.0.2.1").mapTo6().toString(), "::ffff:192.0.2.1");
   * ```
   */
  mapTo6(): Addr {
    return this.family === 4 ? new Addr(6, 0, mappedHigh | BigInt(this.#v4), "") : this;
  }

  /**
   * The 32-bit value of an IPv4 address (`TypeError` for IPv6).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("0.0.1.0").toUint32(), 256);
   * assert.throws(() => Addr.parse("::1").toUint32(), TypeError);
   * ```
   */
  toUint32(): number {
    if (this.family !== 4) throw new TypeError(`${this} is not an IPv4 address`);
    return this.#v4;
  }

  /**
   * The integer value (both families).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("::2").toBigInt(), 2n);
   * assert.equal(Addr.parse("0.0.1.0").toBigInt(), 256n);
   * ```
   */
  toBigInt(): bigint {
    return this.family === 4 ? BigInt(this.#v4) : this.#v6;
  }

  /**
   * The address bytes in network order (4 or 16).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.deepEqual(Addr.parse("10.0.0.1").toBytes(), new Uint8Array([10, 0, 0, 1]));
   * assert.equal(Addr.parse("::1").toBytes().length, 16);
   * ```
   */
  toBytes(): Uint8Array {
    if (this.family === 4) {
      const n = this.#v4;
      return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    }
    const out = new Uint8Array(16);
    let v = this.#v6;
    for (let i = 15; i >= 0; i--) {
      out[i] = Number(v & 255n);
      v >>= 8n;
    }
    return out;
  }

  /**
   * The same address with another zone (`""` removes it). IPv4 addresses take no zone.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("fe80::1").withZone("eth0").toString(), "fe80::1%eth0");
   * assert.equal(Addr.parse("fe80::1%eth0").withZone("").toString(), "fe80::1");
   * ```
   */
  withZone(zone: string): Addr {
    if (zone === this.zone) return this;
    if (this.family === 4) {
      if (zone === "") return this;
      throw new TypeError(`IPv4 address ${this} cannot have a zone`);
    }
    if (zone.includes("%") || zone.includes("/")) {
      throw new SyntaxError(`Zone "${zone}" must not contain "%" or "/"`);
    }
    return new Addr(6, 0, this.#v6, zone);
  }

  /** The next address, or `undefined` after the last one. */
  next(): Addr | undefined {
    if (this.family === 4) {
      return this.#v4 === 0xffffffff ? undefined : new Addr(4, this.#v4 + 1, 0n, "");
    }
    return this.#v6 === max6 ? undefined : new Addr(6, 0, this.#v6 + 1n, this.zone);
  }

  /** The previous address, or `undefined` before the first one. */
  prev(): Addr | undefined {
    if (this.family === 4) return this.#v4 === 0 ? undefined : new Addr(4, this.#v4 - 1, 0n, "");
    return this.#v6 === 0n ? undefined : new Addr(6, 0, this.#v6 - 1n, this.zone);
  }

  /**
   * Orders addresses: IPv4 before IPv6, then by value, then by zone. Returns -1, 0 or 1.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * const sorted = ["::1", "10.0.0.10", "10.0.0.9"].map((t) => Addr.parse(t))
   *   .sort((x, y) => x.compare(y));
   * assert.deepEqual(sorted.map(String), ["10.0.0.9", "10.0.0.10", "::1"]);
   * ```
   */
  compare(other: Addr): number {
    if (this.family !== other.family) return this.family < other.family ? -1 : 1;
    if (this.family === 4) return this.#v4 < other.#v4 ? -1 : this.#v4 > other.#v4 ? 1 : 0;
    if (this.#v6 !== other.#v6) return this.#v6 < other.#v6 ? -1 : 1;
    return this.zone < other.zone ? -1 : this.zone > other.zone ? 1 : 0;
  }

  /** Whether both are the same address with the same zone. */
  equals(other: Addr): boolean {
    return this.compare(other) === 0;
  }

  /**
   * `0.0.0.0` or `::`. Not unmapped: `::ffff:0.0.0.0` is a real IPv6 address, as in Go.
   */
  isUnspecified(): boolean {
    return this.family === 4 ? this.#v4 === 0 : this.#v6 === 0n;
  }

  // The predicates below judge an IPv4-mapped address (`::ffff:127.0.0.1`) by the IPv4 address
  // inside, as Go's net/netip and CPython 3.13 do: a socket bound to `[::]` reports IPv4 peers in
  // that form, and a check that `::ffff:127.0.0.1` is not loopback is a check that can be fooled.

  /**
   * `127.0.0.0/8` or `::1` (or `::ffff:127.x.x.x`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("127.1.2.3").isLoopback(), true);
   * assert.equal(Addr.parse("::ffff:127.0.0.1").isLoopback(), true);
   * assert.equal(Addr.parse("::2").isLoopback(), false);
   * ```
   */
  isLoopback(): boolean {
    const a = this.unmap();
    return a.family === 4 ? a.#v4 >>> 24 === 127 : a.#v6 === 1n;
  }

  /** `224.0.0.0/4` or `ff00::/8` (or an IPv4-mapped `224.0.0.0/4` address). */
  isMulticast(): boolean {
    const a = this.unmap();
    return a.family === 4 ? a.#v4 >>> 28 === 14 : a.#v6 >> 120n === 0xffn;
  }

  /** `169.254.0.0/16` or `fe80::/10` (or an IPv4-mapped `169.254.0.0/16` address). */
  isLinkLocalUnicast(): boolean {
    const a = this.unmap();
    return a.family === 4 ? a.#v4 >>> 16 === 0xa9fe : a.#v6 >> 118n === 0x3fan;
  }

  /**
   * `224.0.0.0/24`, or IPv6 multicast of link-local scope (`ff02::/16`, and `ff12::/16` and the
   * other flag values, as Go's `IsLinkLocalMulticast` reads the scope nibble).
   */
  isLinkLocalMulticast(): boolean {
    const a = this.unmap();
    return a.family === 4 ? a.#v4 >>> 8 === 0xe00000 : ((a.#v6 >> 112n) & 0xff0fn) === 0xff02n;
  }

  /**
   * RFC 1918 (`10/8`, `172.16/12`, `192.168/16`) or RFC 4193 unique local (`fc00::/7`), as Go's
   * `IsPrivate`. CPython's `is_private` means "not globally reachable" and covers far more; see
   * `specialPurpose` for that view.
   */
  isPrivate(): boolean {
    const a = this.unmap();
    if (a.family === 6) return a.#v6 >> 121n === 0x7en;
    const n = a.#v4;
    return n >>> 24 === 10 || n >>> 20 === 0xac1 || n >>> 16 === 0xc0a8;
  }

  /**
   * As Go's `IsGlobalUnicast`: not unspecified, loopback, multicast, link-local or the IPv4
   * limited broadcast. Private and documentation addresses count as global unicast here; see
   * `specialPurpose` for the registry view.
   */
  isGlobalUnicast(): boolean {
    const a = this.unmap();
    if (a.family === 4 && a.#v4 === 0xffffffff) return false;
    return !(a.isUnspecified() || a.isLoopback() || a.isMulticast() || a.isLinkLocalUnicast());
  }

  /**
   * Canonical text: dotted decimal, or RFC 5952 IPv6 (lower case, longest zero run compressed,
   * IPv4-mapped as `::ffff:192.0.2.1`), with `%zone` when there is one.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("2001:DB8:0:0:1:0:0:1").toString(), "2001:db8::1:0:0:1");
   * ```
   */
  toString(): string {
    if (this.family === 4) return formatIpv4(this.#v4);
    return formatIpv6(this.#v6) + (this.zone ? `%${this.zone}` : "");
  }

  /** The canonical text, so addresses serialize as strings in JSON. */
  toJSON(): string {
    return this.toString();
  }

  /**
   * The address written out in full: IPv4 unchanged, IPv6 as eight 4-digit groups.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("::1").toExpandedString(), "0000:0000:0000:0000:0000:0000:0000:0001");
   * ```
   */
  toExpandedString(): string {
    if (this.family === 4) return formatIpv4(this.#v4);
    return groups6(this.#v6).map((g) => g.toString(16).padStart(4, "0")).join(":") +
      (this.zone ? `%${this.zone}` : "");
  }

  /**
   * The bits, in groups of 8 (IPv4, joined by `.`) or 16 (IPv6, joined by `:`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * const bits = Addr.parse("172.16.10.1").toBinaryString();
   * assert.equal(bits, "10101100.00010000.00001010.00000001");
   * ```
   */
  toBinaryString(): string {
    if (this.family === 4) {
      return Array.from(this.toBytes(), (b) => b.toString(2).padStart(8, "0")).join(".");
    }
    return groups6(this.#v6).map((g) => g.toString(2).padStart(16, "0")).join(":");
  }

  /**
   * The reverse-DNS (PTR) name: `1.10.16.172.in-addr.arpa`, or nibbles under `ip6.arpa`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Addr } from "./addr.ts";
   *
   * assert.equal(Addr.parse("192.0.2.1").reverseName(), "1.2.0.192.in-addr.arpa");
   * ```
   */
  reverseName(): string {
    if (this.family === 4) return [...this.toBytes()].reverse().join(".") + ".in-addr.arpa";
    return this.#v6.toString(16).padStart(32, "0").split("").reverse().join(".") + ".ip6.arpa";
  }
}

function groups6(v: bigint): number[] {
  // One bigint-to-hex conversion is much cheaper than eight bigint shifts.
  const hex = v.toString(16).padStart(32, "0");
  const out: number[] = [];
  for (let i = 0; i < 32; i += 4) out.push(parseInt(hex.slice(i, i + 4), 16));
  return out;
}

/**
 * Formats a 32-bit value as dotted decimal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIpv4 } from "./addr.ts";
 *
 * assert.equal(formatIpv4(0xc0000201), "192.0.2.1");
 * ```
 */
export function formatIpv4(n: number): string {
  return `${octets[n >>> 24]}.${octets[(n >>> 16) & 255]}.${octets[(n >>> 8) & 255]}.${
    octets[n & 255]
  }`;
}

/** "0" to "255": looked up, not converted, when millions of addresses are printed. */
const octets = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * Formats a 128-bit value as RFC 5952 text; IPv4-mapped addresses end in dotted decimal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIpv6 } from "./addr.ts";
 *
 * assert.equal(formatIpv6(1n), "::1");
 * assert.equal(formatIpv6(0xffff_c000_0201n), "::ffff:192.0.2.1");
 * ```
 */
export function formatIpv6(v: bigint): string {
  const full = v.toString(16).padStart(32, "0");
  if (full.startsWith("00000000000000000000ffff")) {
    return "::ffff:" + formatIpv4(parseInt(full.slice(24), 16));
  }
  // Groups as text without leading zeros; "0" marks a zero group.
  const hex: string[] = [];
  for (let i = 0; i < 32; i += 4) {
    const g = full.slice(i, i + 4);
    hex.push(
      g.charCodeAt(0) !== 48
        ? g
        : g.charCodeAt(1) !== 48
        ? g.slice(1)
        : g.charCodeAt(2) !== 48
        ? g.slice(2)
        : g.slice(3),
    );
  }
  // The longest run of two or more zero groups is written "::"; the first one wins a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (hex[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hex[j] === "0") j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return hex.join(":");
  return hex.slice(0, bestStart).join(":") + "::" + hex.slice(bestStart + bestLen).join(":");
}

/**
 * Parses dotted-decimal IPv4 text to its 32-bit value. Exactly four decimal octets 0-255, no
 * leading zeros: `010.0.0.1` is refused because some software reads it as octal 8 (the ambiguity
 * behind CVE-2021-29921), so it names a different host depending on who reads it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIpv4 } from "./addr.ts";
 *
 * assert.equal(parseIpv4("10.0.0.1"), 167772161);
 * assert.throws(() => parseIpv4("010.0.0.1"), /leading zero/);
 * ```
 */
export function parseIpv4(text: string): number {
  const parts = text.split(".");
  if (parts.length !== 4) {
    throw new SyntaxError(
      `Cannot parse IPv4 address "${
        printable(text)
      }": expected 4 decimal octets separated by dots, got ${parts.length}`,
    );
  }
  let n = 0;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length > 1 && p[0] === "0" && /^[0-9]+$/.test(p)) {
      const dec = String(Number(p));
      const oct = /^[0-7]+$/.test(p) ? ` ${parseInt(p, 8)}` : "";
      throw new SyntaxError(
        `Cannot parse IPv4 address "${printable(text)}": octet ${i + 1} ("${
          printable(p)
        }") has a leading zero, ` +
          `which is ambiguous: some software reads it as octal${oct}, some as decimal ${dec} ` +
          `(CVE-2021-29921); write the value you mean without leading zeros`,
      );
    }
    if (!/^[0-9]{1,3}$/.test(p)) {
      const what = p === ""
        ? "is empty"
        : p.length > 3 && /^[0-9]+$/.test(p)
        ? "is out of range"
        : "is not a decimal number";
      throw new SyntaxError(
        `Cannot parse IPv4 address "${printable(text)}": octet ${i + 1} ${what}`,
      );
    }
    const o = Number(p);
    if (o > 255) {
      throw new SyntaxError(
        `Cannot parse IPv4 address "${printable(text)}": octet ${i + 1} is out of range`,
      );
    }
    n = n * 256 + o;
  }
  return n;
}

function parseIpv6(text: string): Addr {
  const fail = (why: string): never => {
    throw new SyntaxError(`Cannot parse IPv6 address "${printable(text)}": ${why}`);
  };
  let body = text;
  let zone = "";
  const pct = text.indexOf("%");
  if (pct >= 0) {
    body = text.slice(0, pct);
    zone = text.slice(pct + 1);
    if (zone === "") fail("empty zone after %");
    if (zone.includes("%")) fail("more than one %");
    // A zone never holds "/": `::1%eth0/24` is a prefix, and a parser that took `eth0/24` as the
    // zone would read the same text differently from Prefix.parse (CPython refuses it too).
    if (zone.includes("/")) fail(`a zone cannot contain "/" (a prefix goes ADDR%ZONE/LEN)`);
  }
  let tailV4: number | undefined;
  const lastColon = body.lastIndexOf(":");
  if (body.indexOf(".", lastColon) >= 0) {
    const v4text = body.slice(lastColon + 1);
    try {
      tailV4 = parseIpv4(v4text);
    } catch (err) {
      fail(`the embedded IPv4 part is invalid (${(err as Error).message.replace(/^.*?: /, "")})`);
    }
    body = body.slice(0, lastColon + 1) + "0:0";
  }
  if (/:::/.test(body)) {
    // "2001:db8:::1": one colon too many, most likely; say what was probably meant.
    const meant = text.replace(/:{3,}/, "::");
    let hint = "";
    try {
      if (!/:::/.test(meant)) hint = ` (did you mean "${parseIpv6(meant)}"?)`;
    } catch { /* no simple fix: the message alone */ }
    fail(`":::" has a ":" too many: "::" alone stands for the zero groups${hint}`);
  }
  const halves = body.split("::");
  if (halves.length > 2) fail(`"::" may appear only once`);
  const parseGroups = (s: string): number[] => {
    if (s === "") return [];
    return s.split(":").map((g) => {
      if (g === "") {
        fail(s.startsWith(":") || s.endsWith(":") ? `a lone ":" at an end` : "empty group");
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) {
        fail(
          g.length > 4
            ? `group "${printable(g)}" has more than 4 hex digits`
            : `"${printable(g)}" is not hexadecimal`,
        );
      }
      return parseInt(g, 16);
    });
  };
  const head = parseGroups(halves[0]);
  let groups: number[];
  if (halves.length === 2) {
    const tail = parseGroups(halves[1]);
    if (head.length + tail.length > 7) fail(`too many groups for "::"`);
    groups = [...head, ...Array(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) fail(`expected 8 groups, got ${head.length}`);
    groups = head;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  if (tailV4 !== undefined) v = (v & ~0xffffffffn) | BigInt(tailV4);
  return Addr.fromBigInt(v, 6, zone);
}
