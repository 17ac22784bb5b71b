// `toolkit mac MAC...`: what a MAC address says about itself: canonical form, the I/G and U/L
// bits, whether it looks randomised, the IEEE vendor, and the EUI-64 link-local address.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, fromUserInput } from "../cli/errors.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { describeMac, eui64LinkLocal, type MacBytes, parseMac } from "../arp/mac.ts";
import { loadVendorLookup } from "../arp/oui.ts";

/** Parsed `mac` options. */
export interface MacOptions {
  macs: MacBytes[];
  eui64: boolean;
  vendor: boolean;
  json: boolean;
}

const name = "mac";

const command: CommandModule<MacOptions> = {
  spec: {
    usage: "MAC...",
    description:
      "Accepts aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff, aabbccddeeff and BSD's unpadded 0:1b:2c:d:e:f. The vendor comes from the IEEE registry (MA-L, MA-M and MA-S blocks; the longest match wins); locally administered addresses have none. RANDOM is yes for a locally administered unicast address outside the ranges hypervisors and containers use: how the private Wi-Fi addresses of phones and laptops look.",
    options: [
      {
        name: "eui64",
        type: "boolean",
        description: "also show the IPv6 link-local address derived from the MAC (modified EUI-64)",
      },
      { name: "no-vendor", type: "boolean", description: "do not look up IEEE vendors" },
    ],
    examples: [
      "toolkit mac 3c:22:fb:12:34:56",
      "toolkit mac --eui64 5254.0012.3456",
      "toolkit mac --json 01-00-5E-00-00-FB da:a1:19:00:00:01",
    ],
    positionals: { min: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    return {
      macs: positionals.map((p) => fromUserInput(() => parseMac(p))),
      eui64: values.eui64 === true,
      vendor: values["no-vendor"] !== true,
      json: globals.json,
    };
  },
  async run(o, io) {
    const vendorOf = o.vendor ? await loadVendorLookup() : undefined;
    const rows = o.macs.map((mac) => {
      const info = describeMac(mac);
      return {
        ...info,
        // Always present: null for a MAC no hypervisor or container range claims.
        localUse: info.localUse ?? null,
        ...(vendorOf ? { vendor: vendorOf(mac) ?? null } : {}),
        ...(o.eui64 ? { linkLocal: eui64LinkLocal(mac) } : {}),
      };
    });
    if (o.json) {
      await writeJson(io, rows);
      return ExitCode.ok;
    }
    const table = [[
      "MAC",
      "CAST",
      "ADMIN",
      "RANDOM",
      ...(o.eui64 ? ["LINK-LOCAL"] : []),
      ...(o.vendor ? ["VENDOR"] : []),
    ]];
    for (const r of rows) {
      const cast = r.broadcast ? "broadcast" : r.cast;
      const vendor = r.vendor ?? (r.localUse ? `(${r.localUse})` : "");
      table.push([
        r.mac,
        cast,
        r.administration,
        r.randomized ? "yes" : "no",
        ...(o.eui64 ? [r.linkLocal!] : []),
        ...(o.vendor ? [vendor] : []),
      ]);
    }
    await io.stdout.write(formatTable(table));
    return ExitCode.ok;
  },
};
export default command;
