// `toolkit ifaces`: the machine's interfaces as the runtime sees them: each with its MAC and its
// IPv4 and IPv6 addresses with prefix lengths.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { describeMac, parseMac } from "../arp/mac.ts";

/** Parsed `ifaces` options. */
export interface IfacesOptions {
  json: boolean;
}

/** One interface with all its addresses. */
export interface InterfaceSummary {
  name: string;
  /** `null` for interfaces without a hardware address (loopback, tunnels). */
  mac: string | null;
  /** Whether the MAC is locally administered (virtual NICs, randomised Wi-Fi). */
  localMac: boolean;
  addresses: {
    family: "IPv4" | "IPv6";
    address: string;
    prefix: number;
    cidr: string;
    scopeid: number | null;
  }[];
}

/**
 * Groups `Deno.networkInterfaces()` rows by interface, keeping the runtime's order.
 *
 * @example
 * ```ts
 * summarizeInterfaces(Deno.networkInterfaces())[0].name; // "lo"
 * ```
 */
export function summarizeInterfaces(
  rows: readonly Deno.NetworkInterfaceInfo[],
): InterfaceSummary[] {
  const byName = new Map<string, InterfaceSummary>();
  for (const r of rows) {
    let s = byName.get(r.name);
    if (!s) {
      const mac = r.mac && r.mac !== "00:00:00:00:00:00" ? parseMac(r.mac) : undefined;
      s = {
        name: r.name,
        mac: mac ? describeMac(mac).mac : null,
        localMac: mac ? describeMac(mac).administration === "local" : false,
        addresses: [],
      };
      byName.set(r.name, s);
    }
    const prefix = Number(r.cidr.split("/")[1]);
    s.addresses.push({
      family: r.family,
      address: r.address,
      prefix,
      cidr: r.cidr,
      scopeid: r.scopeid,
    });
  }
  return [...byName.values()];
}

const command: CommandModule<IfacesOptions> = {
  spec: {
    usage: "",
    description:
      "Lists every interface that has an address, with its MAC (from Deno.networkInterfaces(): interfaces without an address are not shown) and each IPv4 and IPv6 address with its prefix length; IPv6 link-local addresses carry their zone.",
    options: [],
    examples: ["toolkit ifaces", "toolkit ifaces --json"],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    parseCommandArgs("ifaces", this.spec, args);
    return { json: globals.json };
  },
  async run(o, io) {
    const ifaces = summarizeInterfaces(Deno.networkInterfaces());
    if (o.json) {
      await writeJson(io, ifaces);
      return 0;
    }
    const rows = [["INTERFACE", "MAC", "ADDRESS"]];
    for (const i of ifaces) {
      i.addresses.forEach((a, n) => {
        const addr = a.family === "IPv6" && a.address.startsWith("fe80:") && a.scopeid
          ? `${a.address}%${i.name}/${a.prefix}`
          : a.cidr;
        rows.push(n === 0 ? [i.name, i.mac ?? "-", addr] : ["", "", addr]);
      });
    }
    await io.stdout.write(formatTable(rows));
    return 0;
  },
};
export default command;
