// `toolkit ifaces`: the machine's links as `ip -br link` / `ip addr` show them: every link, also
// those without an address, with its state (UP/DOWN/UNKNOWN), MTU, MAC and its IPv4 and IPv6
// addresses with prefix lengths.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { formatTable, writeJson, writeWarning } from "../cli/output.ts";
import { describeMac, parseMac } from "../arp/mac.ts";
import { type Link, type LinkAddress, readLinks } from "../net/links.ts";
import { printable } from "../text/printable.ts";

/** Parsed `ifaces` options. */
export interface IfacesOptions {
  json: boolean;
  quiet: boolean;
}

/** One interface with all its addresses, as `ifaces --json` prints it. */
export interface InterfaceSummary {
  name: string;
  /** The kernel's interface index; `null` when only the runtime's list was available. */
  index: number | null;
  /** `UP`, `DOWN`, `UNKNOWN` (loopback, some virtual links)...; `null` when unknown. */
  state: string | null;
  mtu: number | null;
  /** `null` for interfaces without a hardware address (loopback, tunnels). */
  mac: string | null;
  /** Whether the MAC is locally administered (virtual NICs, randomised Wi-Fi). */
  localMac: boolean;
  flags: string[] | null;
  addresses: LinkAddress[];
}

/**
 * Adds what a MAC says about itself (canonical form, locally administered) to each link.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeLinks } from "./ifaces.ts";
 *
 * const [eth0] = summarizeLinks([{
 *   name: "eth0",
 *   index: 2,
 *   state: "UP",
 *   mtu: 1500,
 *   mac: "02:42:AC:11:00:02",
 *   flags: ["BROADCAST", "MULTICAST", "UP"],
 *   linkType: "ether",
 *   addresses: [],
 * }]);
 * assert.equal(eth0.mac, "02:42:ac:11:00:02"); // canonical form
 * assert.equal(eth0.localMac, true); // the locally administered bit (0x02) is set: a virtual NIC
 * ```
 */
export function summarizeLinks(links: readonly Link[]): InterfaceSummary[] {
  return links.map((l) => {
    const mac = l.mac ? parseMac(l.mac) : undefined;
    return {
      name: l.name,
      index: l.index,
      state: l.state,
      mtu: l.mtu,
      mac: mac ? describeMac(mac).mac : null,
      localMac: mac ? describeMac(mac).administration === "local" : false,
      flags: l.flags,
      addresses: l.addresses,
    };
  });
}

const command: CommandModule<IfacesOptions> = {
  spec: {
    usage: "",
    description:
      "Lists every link like `ip -br link` and `ip addr`: its state as the kernel reports it (UP, DOWN, or UNKNOWN for loopback and links that do not say), MTU, MAC, and each IPv4 and IPv6 address with its prefix length; links without an address are listed too. IPv6 link-local addresses carry their zone. Names are shown with control characters escaped. The facts come from `ip -j addr` (iproute2); a link whose entry cannot be read is left out with a warning, the others shown; where the scope does not let toolkit run `ip`, or it is not installed, the runtime's own list is shown instead (only links with an address, no state or MTU) and a note on stderr says why.",
    options: [],
    examples: ["toolkit ifaces", "toolkit ifaces --json"],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    parseCommandArgs("ifaces", this.spec, args);
    return { json: globals.json, quiet: globals.quiet };
  },
  async run(o, io) {
    const { links, fallback, problem } = await readLinks();
    if (fallback && !o.quiet) {
      const note =
        `${fallback}: showing the runtime's list (links with an address, no state or MTU)`;
      // Under --json stderr holds only JSON lines: the note is a warning object there.
      if (o.json) await writeWarning(io, note);
      else await io.stderr.write(`toolkit: note: ${note}\n`);
    }
    if (problem) await writeWarning(io, problem);
    const ifaces = summarizeLinks(links);
    if (o.json) {
      await writeJson(io, ifaces);
      return ExitCode.ok;
    }
    const rows = [["INTERFACE", "STATE", "MTU", "MAC", "ADDRESS"]];
    for (const i of ifaces) {
      // A link's name is the choice of whoever created it (any byte but '/', ':' and blanks).
      const name = printable(i.name);
      const head = [name, i.state ?? "-", i.mtu === null ? "-" : String(i.mtu), i.mac ?? "-"];
      if (i.addresses.length === 0) rows.push([...head, "-"]);
      i.addresses.forEach((a, n) => {
        const addr = a.family === "ipv6" && a.address.startsWith("fe80:") && a.scopeId
          ? `${a.address}%${name}/${a.prefixLength}`
          : a.cidr;
        rows.push(n === 0 ? [...head, addr] : ["", "", "", "", addr]);
      });
    }
    await io.stdout.write(formatTable(rows, { right: [2] }));
    return ExitCode.ok;
  },
};
export default command;
