// Netmasks, wildcard (host) masks and prefix lengths, and the conversions between them. A mask
// whose one bits are not contiguous has no prefix length and is refused with the bits shown.
// Imports only addr.ts, so prefix.ts can build on it without a cycle.
import { printable } from "../text/printable.ts";
import { Addr, type Family } from "./addr.ts";

/**
 * The netmask of a prefix length: `24` → `255.255.255.0`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { netmaskOf } from "./mask.ts";
 *
 * assert.equal(netmaskOf(24, 4).toString(), "255.255.255.0");
 * assert.equal(netmaskOf(64, 6).toString(), "ffff:ffff:ffff:ffff::");
 * ```
 */
export function netmaskOf(bits: number, family: Family): Addr {
  checkBits(bits, family);
  if (family === 4) return Addr.fromUint32(mask4(bits));
  return Addr.fromBigInt(mask6(bits), 6);
}

/**
 * The wildcard (host) mask of a prefix length: `24` → `0.0.0.255`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wildcardOf } from "./mask.ts";
 *
 * assert.equal(wildcardOf(24, 4).toString(), "0.0.0.255");
 * ```
 */
export function wildcardOf(bits: number, family: Family): Addr {
  checkBits(bits, family);
  if (family === 4) return Addr.fromUint32(~mask4(bits) >>> 0);
  return Addr.fromBigInt(~mask6(bits) & ((1n << 128n) - 1n), 6);
}

/**
 * The 32-bit IPv4 netmask of a prefix length, as a number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mask4 } from "./mask.ts";
 *
 * assert.equal(mask4(8), 0xff000000); // 255.0.0.0
 * assert.equal(mask4(0), 0);
 * ```
 */
export function mask4(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/**
 * The 128-bit IPv6 netmask of a prefix length, as a bigint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mask6 } from "./mask.ts";
 *
 * assert.equal(mask6(128), 2n ** 128n - 1n);
 * assert.equal(mask6(8), 0xffn << 120n);
 * ```
 */
export function mask6(bits: number): bigint {
  return ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
}

function checkBits(bits: number, family: Family): void {
  const max = family === 4 ? 32 : 128;
  if (!Number.isInteger(bits) || bits < 0 || bits > max) {
    throw new RangeError(`Prefix length ${bits} is out of range for IPv${family} (0-${max})`);
  }
}

/**
 * The prefix length of a netmask; `RangeError` when its one bits are not contiguous.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "./addr.ts";
 * import { prefixLengthOfNetmask } from "./mask.ts";
 *
 * assert.equal(prefixLengthOfNetmask(Addr.parse("255.255.240.0")), 20);
 * assert.throws(() => prefixLengthOfNetmask(Addr.parse("255.0.255.0")), RangeError);
 * ```
 */
export function prefixLengthOfNetmask(mask: Addr): number {
  const bits = contiguousOnes(mask.toBigInt(), mask.bitLength);
  if (bits === undefined) {
    throw new RangeError(
      `${mask} is not a valid netmask: its one bits are not contiguous from the left ` +
        `(${mask.toBinaryString()})`,
    );
  }
  return bits;
}

/**
 * The prefix length of a wildcard (host) mask such as `0.0.0.255`; `RangeError` when it is not
 * a run of one bits at the right.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Addr } from "./addr.ts";
 * import { prefixLengthOfWildcard } from "./mask.ts";
 *
 * assert.equal(prefixLengthOfWildcard(Addr.parse("0.0.15.255")), 20);
 * ```
 */
export function prefixLengthOfWildcard(mask: Addr): number {
  const all = (1n << BigInt(mask.bitLength)) - 1n;
  const bits = contiguousOnes(~mask.toBigInt() & all, mask.bitLength);
  if (bits === undefined) {
    throw new RangeError(
      `${mask} is not a valid wildcard mask: its one bits are not contiguous from the right ` +
        `(${mask.toBinaryString()})`,
    );
  }
  return bits;
}

/** The number of leading ones when the value is ones-then-zeros, else `undefined`. */
function contiguousOnes(v: bigint, width: number): number | undefined {
  const all = (1n << BigInt(width)) - 1n;
  const inverted = ~v & all;
  // ones-then-zeros means the inverted value is 2^k - 1.
  if ((inverted & (inverted + 1n)) !== 0n) return undefined;
  return width - inverted.toString(2).replace(/^0+$/, "").length;
}

/**
 * The value of a prefix length written in ASCII decimal digits, leading zeros allowed (`0024` is
 * 24, as CPython reads it); `undefined` for anything else (signs, spaces, other digits). A value
 * too long to be a length is returned as `Infinity`, so callers say "out of range".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decimalLength } from "./mask.ts";
 *
 * assert.equal(decimalLength("024"), 24);
 * assert.equal(decimalLength("+24"), undefined);
 * assert.equal(decimalLength("99999"), Infinity);
 * ```
 */
export function decimalLength(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const digits = text.replace(/^0+(?=.)/, "");
  return digits.length > 3 ? Infinity : Number(digits);
}

/** What {@linkcode parseMask} read. */
export interface ParsedMask {
  bits: number;
  family: Family;
  /** How it was written. */
  kind: "length" | "netmask" | "wildcard";
}

/**
 * Reads a mask written as a prefix length (`/24`, `24`), a netmask (`255.255.255.0`, or in hex
 * as sipcalc takes it, `0xffffff00`) or a wildcard mask (`0.0.0.255`). A dotted mask is read as
 * a netmask first, as Python's `ipaddress` does, so `0.0.0.0` is `/0`. A bare length is IPv4
 * unless `family` says 6.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMask } from "./mask.ts";
 *
 * assert.deepEqual(parseMask("255.255.255.0"), { bits: 24, family: 4, kind: "netmask" });
 * assert.deepEqual(parseMask("0.0.0.255"), { bits: 24, family: 4, kind: "wildcard" });
 * assert.deepEqual(parseMask("/64", 6), { bits: 64, family: 6, kind: "length" });
 * assert.deepEqual(parseMask("0xffffff00"), { bits: 24, family: 4, kind: "netmask" });
 * ```
 */
export function parseMask(text: string, family?: Family): ParsedMask {
  const lengthText = text.replace(/^\//, "");
  const bits = decimalLength(lengthText);
  if (bits !== undefined) {
    const fam: Family = family ?? (bits > 32 ? 6 : 4);
    const max = fam === 4 ? 32 : 128;
    if (bits > max) {
      throw new RangeError(`Prefix length ${lengthText} is out of range for IPv${fam} (0-${max})`);
    }
    return { bits, family: fam, kind: "length" };
  }
  // sipcalc's hexadecimal netmask, `0xffffff00`: IPv4, all eight digits.
  const hex = /^0x([0-9a-fA-F]{8})$/.exec(text);
  if (!hex && /^0x/i.test(text)) {
    throw new SyntaxError(
      `Cannot read mask "${printable(text)}": a hexadecimal netmask has 8 digits (0xffffff00)`,
    );
  }
  const addr = hex ? Addr.fromUint32(parseInt(hex[1], 16)) : Addr.parse(text.replace(/^\//, ""));
  if (family !== undefined && addr.family !== family) {
    throw new SyntaxError(
      `Mask "${printable(text)}" is IPv${addr.family}, the address is IPv${family}`,
    );
  }
  try {
    return { bits: prefixLengthOfNetmask(addr), family: addr.family, kind: "netmask" };
  } catch (err) {
    try {
      return { bits: prefixLengthOfWildcard(addr), family: addr.family, kind: "wildcard" };
    } catch {
      throw new RangeError(
        `${addr} is neither a netmask nor a wildcard mask: its one bits are not contiguous ` +
          `(${addr.toBinaryString()})`,
        { cause: err },
      );
    }
  }
}
