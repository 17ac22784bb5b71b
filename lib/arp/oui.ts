// Vendor names from the IEEE registry (MA-L, MA-M and MA-S assignments), read from the `oui-data`
// npm package. The data is about 4 MB of JSON, so it is imported only on the first lookup: commands
// that never ask for a vendor never load it.
import { formatMac, type MacBytes } from "./mac.ts";

/** Looks up the vendor of a MAC address; `undefined` when the registry has no assignment. */
export type VendorLookup = (mac: MacBytes) => string | undefined;

let loading: Promise<VendorLookup> | undefined;
let loaded = false;

/**
 * Loads the IEEE registry (once per process) and returns a lookup function. The longest
 * assignment wins: an MA-S (36-bit) block, then MA-M (28-bit), then MA-L (24-bit), so a block the
 * IEEE Registration Authority subdivided names the real holder. Locally administered addresses
 * have no vendor; multicast addresses are looked up with the I/G bit cleared (01:00:5e is IANA's).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMac } from "./mac.ts";
 * import { loadVendorLookup } from "./oui.ts";
 *
 * const vendorOf = await loadVendorLookup();
 * assert.equal(vendorOf(parseMac("3c:22:fb:00:00:01")), "Apple, Inc.");
 * assert.equal(vendorOf(parseMac("3a:1f:aa:00:00:01")), undefined); // locally administered
 * ```
 */
export function loadVendorLookup(): Promise<VendorLookup> {
  loading ??= import("oui-data", { with: { type: "json" } }).then((mod) => {
    loaded = true;
    return makeLookup(mod.default as Record<string, string>);
  });
  return loading;
}

/**
 * Whether the registry has been loaded in this process (tests use it to prove laziness).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadVendorLookup, vendorDataLoaded } from "./oui.ts";
 *
 * await loadVendorLookup();
 * assert.equal(vendorDataLoaded(), true);
 * ```
 */
export function vendorDataLoaded(): boolean {
  return loaded;
}

function makeLookup(data: Record<string, string>): VendorLookup {
  const names = new Map<string, string | undefined>();
  const nameOf = (key: string): string | undefined => {
    if (names.has(key)) return names.get(key);
    const raw = Object.hasOwn(data, key) ? data[key] : undefined;
    // Values are "Name\nStreet\nCity\nCountry"; the first line is the organisation.
    const name = raw?.split("\n", 1)[0].trim() || undefined;
    names.set(key, name);
    return name;
  };
  return (mac) => {
    if (mac[0] & 2) return undefined;
    const bytes = mac[0] & 1 ? Uint8Array.of(mac[0] & 0xfe, ...mac.subarray(1)) : mac;
    const key = formatMac(bytes, { separator: "" }).toUpperCase();
    return nameOf(key.slice(0, 9)) ?? nameOf(key.slice(0, 7)) ?? nameOf(key.slice(0, 6));
  };
}
