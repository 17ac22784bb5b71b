// 48-bit MAC addresses (EUI-48) as users and tools write them: parsing every common spelling,
// the canonical lower-case colon form, and what the two low bits of the first octet say
// (I/G: unicast or multicast; U/L: universal or locally administered).
import { formatIpv6 } from "../ip/addr.ts";
import { eui64FromMac } from "../ip/random.ts";

/** A parsed MAC address: six bytes. */
export type MacBytes = Uint8Array;

const hex = "0123456789abcdef";

/**
 * Parses a MAC address written as `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff`
 * (Cisco), `aabb-ccdd-eeff`, `aabbccddeeff`, or with unpadded octets as BSD prints them
 * (`0:1b:2c:d:e:f`). Throws `SyntaxError` naming the text otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMac, parseMac } from "./mac.ts";
 *
 * const bytes = new Uint8Array([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
 * assert.deepEqual(parseMac("aabb.ccdd.eeff"), bytes);
 * assert.equal(formatMac(parseMac("0:1B:2c:d:e:F")), "00:1b:2c:0d:0e:0f");
 * assert.throws(() => parseMac("00:1b:2c:0d:0e"), SyntaxError);
 * ```
 */
export function parseMac(text: string): MacBytes {
  const t = text.trim();
  const out = new Uint8Array(6);
  if (
    (t.length === 12 && readPlain(t, out)) || (t.length === 14 && readTriplets(t, out)) ||
    readGroups(t, out)
  ) {
    return out;
  }
  throw new SyntaxError(`Cannot parse MAC address "${text}"`);
}

// Hand-written readers: tables of 100k lines parse one MAC each, and a regex per MAC costs more
// than the rest of the line.
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 32;
  return c >= 97 && c <= 102 ? c - 87 : -1;
}

/** `aabbccddeeff` */
function readPlain(t: string, out: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) {
    const hi = hexDigit(t.charCodeAt(2 * i)), lo = hexDigit(t.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return false;
    out[i] = (hi << 4) | lo;
  }
  return true;
}

/** `aabb.ccdd.eeff` or `aabb-ccdd-eeff` */
function readTriplets(t: string, out: Uint8Array): boolean {
  const sep = t[4];
  if ((sep !== "." && sep !== "-") || t[9] !== sep) return false;
  return readPlain(t.slice(0, 4) + t.slice(5, 9) + t.slice(10), out);
}

/** `aa:bb:cc:dd:ee:ff`, `AA-BB-...`, unpadded `0:1b:2c:d:e:f` */
function readGroups(t: string, out: Uint8Array): boolean {
  let sep = -1, i = 0;
  for (let g = 0; g < 6; g++) {
    if (g > 0) {
      const c = t.charCodeAt(i++);
      if (sep < 0 && (c === 58 || c === 45)) sep = c;
      if (c !== sep) return false;
    }
    const a = hexDigit(t.charCodeAt(i));
    if (a < 0) return false;
    const b = i + 1 < t.length ? hexDigit(t.charCodeAt(i + 1)) : -1;
    if (b >= 0) {
      out[g] = (a << 4) | b;
      i += 2;
    } else {
      out[g] = a;
      i += 1;
    }
  }
  return i === t.length;
}

/**
 * Whether `text` parses as a MAC address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isMac } from "./mac.ts";
 *
 * assert.equal(isMac("aabb.ccdd.eeff"), true);
 * assert.equal(isMac("aa:bb:cc:dd:ee:ff:00"), false);
 * ```
 */
export function isMac(text: string): boolean {
  try {
    parseMac(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Formats six bytes as `aa:bb:cc:dd:ee:ff` (or with another separator, or BSD's unpadded octets).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMac, parseMac } from "./mac.ts";
 *
 * const mac = parseMac("00-1B-2C-0D-0E-0F");
 * assert.equal(formatMac(mac), "00:1b:2c:0d:0e:0f");
 * assert.equal(formatMac(mac, { unpadded: true }), "0:1b:2c:d:e:f");
 * assert.equal(formatMac(mac, { separator: "-" }), "00-1b-2c-0d-0e-0f");
 * ```
 */
export function formatMac(
  mac: MacBytes,
  options: { separator?: string; unpadded?: boolean } = {},
): string {
  const sep = options.separator ?? ":";
  let out = "";
  for (let i = 0; i < 6; i++) {
    const b = mac[i];
    if (i) out += sep;
    if (!(options.unpadded && b < 16)) out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

/**
 * The canonical form of a MAC address: lower-case, colon-separated, zero-padded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeMac } from "./mac.ts";
 *
 * assert.equal(normalizeMac("AABB.CCDD.EEFF"), "aa:bb:cc:dd:ee:ff");
 * ```
 */
export function normalizeMac(text: string): string {
  return formatMac(parseMac(text));
}

/** What a MAC address's bits say about it. */
export interface MacInfo {
  /** Canonical `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  /** I/G bit: `unicast` (individual) or `multicast` (group); broadcast is a multicast. */
  cast: "unicast" | "multicast";
  /** U/L bit: `universal` (assigned from an IEEE block) or `local` (administered locally). */
  administration: "universal" | "local";
  broadcast: boolean;
  /** All zeros: what an incomplete entry shows in `/proc/net/arp`. */
  zero: boolean;
  /**
   * A locally administered unicast address that no well-known hypervisor or container uses:
   * how private (randomised) Wi-Fi addresses of phones and laptops look.
   */
  randomized: boolean;
  /** A well-known user of a locally administered range (`QEMU/KVM`, `Docker`), if any. */
  localUse?: string;
  /** The first three octets, `aa:bb:cc`. */
  oui: string;
}

// Locally administered ranges that are not random: they come from a hypervisor or container.
const knownLocal: [string, string][] = [
  ["52:54:00", "QEMU/KVM virtual NIC"],
  ["02:42:", "Docker container"],
  ["0a:00:27", "VirtualBox host-only adapter"],
  ["02:fc:", "container or cloud virtual NIC"],
  ["fe:ff:ff", "Xen virtual NIC"],
  ["12:34:56:78:9a:bc", "Azure virtual network"],
];

/**
 * Classifies a MAC address by its I/G and U/L bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeMac, parseMac } from "./mac.ts";
 *
 * // Locally administered unicast, no known hypervisor: a private Wi-Fi address.
 * assert.equal(describeMac(parseMac("3a:1f:aa:00:00:01")).randomized, true);
 * const kvm = describeMac(parseMac("52:54:00:12:34:56"));
 * assert.equal(kvm.randomized, false);
 * assert.equal(kvm.localUse, "QEMU/KVM virtual NIC");
 * assert.equal(describeMac(parseMac("ff:ff:ff:ff:ff:ff")).cast, "multicast");
 * ```
 */
export function describeMac(mac: MacBytes): MacInfo {
  const text = formatMac(mac);
  const multicast = (mac[0] & 1) === 1;
  const local = (mac[0] & 2) === 2;
  const broadcast = mac.every((b) => b === 0xff);
  const zero = mac.every((b) => b === 0);
  const localUse = local ? knownLocal.find(([p]) => text.startsWith(p))?.[1] : undefined;
  return {
    mac: text,
    cast: multicast ? "multicast" : "unicast",
    administration: local ? "local" : "universal",
    broadcast,
    zero,
    randomized: local && !multicast && localUse === undefined,
    ...(localUse ? { localUse } : {}),
    oui: text.slice(0, 8),
  };
}

/**
 * The IPv6 link-local address SLAAC derives from a MAC (modified EUI-64, RFC 4291 appendix A):
 * flip the U/L bit and insert `ff:fe` in the middle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eui64LinkLocal, parseMac } from "./mac.ts";
 *
 * assert.equal(eui64LinkLocal(parseMac("52:54:00:12:34:56")), "fe80::5054:ff:fe12:3456");
 * ```
 */
export function eui64LinkLocal(mac: MacBytes): string {
  return formatIpv6((0xfe80n << 112n) | eui64FromMac(mac));
}
