// `toolkit subnet exclude PREFIX EXCLUDED...`: what is left of a network after taking prefixes
// out of it (Python's `address_exclude`, several at once), as the fewest prefixes.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import { excludePrefixes, parseNetwork, type Prefix } from "../ip/mod.ts";
import { printable } from "../text/printable.ts";
import { fromUserInput } from "./_subnet.ts";

/** Parsed `subnet exclude` options. */
export interface SubnetExcludeOptions {
  network: Prefix;
  excluded: Prefix[];
  json: boolean;
}

const name = "subnet exclude";

const command: CommandModule<SubnetExcludeOptions> = {
  spec: {
    usage: "PREFIX EXCLUDED...",
    description:
      "Prints the smallest sorted list of prefixes that covers PREFIX without the EXCLUDED prefixes (addresses count as /32 or /128). Every EXCLUDED prefix must lie inside PREFIX, as Python's address_exclude requires: one beside it, or one that covers all of it, is an error (exit 2); excluding PREFIX itself leaves nothing. All must be networks (no host bits set) of the same IP version.",
    options: [],
    examples: [
      "toolkit subnet exclude 192.168.0.0/24 192.168.0.64/26",
      "toolkit subnet exclude 10.0.0.0/8 10.1.0.0/16 10.200.0.0/13",
      "toolkit subnet exclude 2001:db8::/32 2001:db8::/48",
      "toolkit subnet exclude --json 0.0.0.0/0 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16",
    ],
    positionals: { min: 2, complete: "none" },
  },
  parse(args, globals) {
    const { positionals } = parseCommandArgs(name, this.spec, args);
    return fromUserInput(() => {
      const network = parseNetwork(positionals[0]);
      const excluded = positionals.slice(1).map((t) => {
        const p = parseNetwork(t, { bareAddr: true });
        if (p.family !== network.family) {
          throw new SyntaxError(`${t} is IPv${p.family} but ${network} is IPv${network.family}`);
        }
        // One rule, Python's: what is taken out must lie inside. A prefix that covers the whole
        // network is refused like one beside it; both are most likely a swapped argument.
        if (!network.containsPrefix(p)) {
          const why = p.containsPrefix(network) ? ": it is larger and covers all of it" : "";
          throw new RangeError(`${t} is not inside ${network}${why}`);
        }
        return p;
      });
      return { network, excluded, json: globals.json };
    });
  },
  async run(o, io) {
    const left = excludePrefixes(o.network, o.excluded);
    if (o.json) {
      await writeJson(io, {
        network: o.network.toString(),
        excluded: o.excluded.map(String),
        prefixes: left.map(String),
      });
    } else if (left.length) {
      await io.stdout.write(left.map((p) => printable(p.toString())).join("\n") + "\n");
    }
    return ExitCode.ok;
  },
};
export default command;
