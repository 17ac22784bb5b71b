// `toolkit subnet contains PREFIX ADDR...`: are these addresses (or prefixes) inside the
// network? Exit 1 when any is outside, so scripts can test membership.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { formatTable, paint, writeJson } from "../cli/output.ts";
import { Prefix } from "../ip/mod.ts";
import { printable } from "../text/printable.ts";
import { fromUserInput } from "./_subnet.ts";

/** Parsed `subnet contains` options. */
export interface SubnetContainsOptions {
  /** The network (host bits cleared: an interface address such as 10.1.2.3/24 is fine). */
  network: Prefix;
  /** What was asked about, as typed and parsed (addresses as /32 or /128). */
  items: { text: string; prefix: Prefix }[];
  json: boolean;
}

const name = "subnet contains";

const command: CommandModule<SubnetContainsOptions> = {
  spec: {
    usage: "PREFIX ADDR...",
    description:
      "Tells for each ADDR (an address, or a prefix that must lie wholly inside) whether it is in PREFIX. PREFIX may have host bits set (an interface address such as 10.1.2.3/24): its network is used. Exit status 0 when all are inside, 1 when any is outside; an address of the other IP version is outside.",
    options: [],
    examples: [
      "toolkit subnet contains 10.0.0.0/8 10.1.2.3 11.0.0.1",
      "toolkit subnet contains 192.168.1.10/24 192.168.1.200",
      "toolkit subnet contains 2001:db8::/32 2001:db8:1::/48",
      "toolkit subnet contains --json 172.16.0.0/12 172.31.255.255 172.32.0.0",
    ],
    positionals: { min: 2, complete: "none" },
  },
  parse(args, globals) {
    const { positionals } = parseCommandArgs(name, this.spec, args);
    return fromUserInput(() => ({
      network: Prefix.parse(positionals[0]).masked(),
      items: positionals.slice(1).map((text) => ({
        text,
        prefix: Prefix.parse(text, { bareAddr: true }),
      })),
      json: globals.json,
    }));
  },
  async run(o, io) {
    const results = o.items.map(({ text, prefix }) => ({
      item: text.includes("/") ? prefix.masked().toString() : prefix.addr.toString(),
      inside: o.network.containsPrefix(prefix.masked()),
    }));
    const all = results.every((r) => r.inside);
    if (o.json) {
      await writeJson(io, { network: o.network.toString(), allInside: all, results });
    } else {
      const network = printable(o.network.toString());
      await io.stdout.write(formatTable(results.map((r) => [
        printable(r.item),
        r.inside
          ? paint(io, "green", `inside ${network}`)
          : paint(io, "yellow", `outside ${network}`),
      ])));
    }
    return all ? ExitCode.ok : ExitCode.negative;
  },
};
export default command;
