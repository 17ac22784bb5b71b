// `toolkit subnet mask /N | MASK | WILDCARD`: converts between prefix length, netmask and
// wildcard mask, refusing masks whose one bits are not contiguous.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import {
  type Family,
  netmaskOf,
  type ParsedMask,
  parseMask,
  Prefix,
  wildcardOf,
} from "../ip/mod.ts";
import { fromUserInput, jsonCount } from "./_subnet.ts";

/** Parsed `subnet mask` options. */
export interface SubnetMaskOptions {
  mask: ParsedMask;
  json: boolean;
}

const name = "subnet mask";

const command: CommandModule<SubnetMaskOptions> = {
  spec: {
    usage: "/N | N | NETMASK | WILDCARD",
    description:
      "Shows a mask as prefix length, netmask and wildcard (host) mask, with its bits and the number of addresses and usable hosts. A dotted mask is read as a netmask when it can be one, else as a wildcard mask (so 0.0.0.0 is /0, as in Python). A length above 32, or --ipv6, means IPv6.",
    options: [
      {
        name: "ipv6",
        short: "6",
        type: "boolean",
        description: "read a length of 32 or less as an IPv6 prefix length",
      },
    ],
    examples: [
      "toolkit subnet mask /20",
      "toolkit subnet mask 255.255.248.0",
      "toolkit subnet mask 0.0.0.63",
      "toolkit subnet mask --ipv6 --json /64",
    ],
    positionals: { min: 1, max: 1, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    const family: Family | undefined = values.ipv6 === true ? 6 : undefined;
    return { mask: fromUserInput(() => parseMask(positionals[0], family)), json: globals.json };
  },
  async run(o, io) {
    const { bits, family, kind } = o.mask;
    const netmask = netmaskOf(bits, family);
    const wildcard = wildcardOf(bits, family);
    const block = Prefix.from(netmask, bits);
    const size = block.size();
    const usable = block.usableHosts();
    if (o.json) {
      await writeJson(io, {
        given: kind,
        family: family === 4 ? "ipv4" : "ipv6",
        prefixLength: bits,
        netmask: netmask.toString(),
        wildcard: wildcard.toString(),
        binary: { netmask: netmask.toBinaryString() },
        addressCount: jsonCount(size),
        usableHosts: jsonCount(usable),
      });
      return ExitCode.ok;
    }
    await io.stdout.write(formatTable([
      ["Prefix length:", `/${bits}`],
      ["Netmask:", netmask.toString()],
      ["Wildcard:", wildcard.toString()],
      ["Binary:", netmask.toBinaryString()],
      ["Addresses:", String(size)],
      ["Usable hosts:", String(usable)],
    ]));
    return ExitCode.ok;
  },
};
export default command;
