// `toolkit subnet same A B (/N | MASK)`: the course's question, are two addresses in the same
// network? Both are ANDed with the mask and the results compared; --explain shows the bits.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, UsageError } from "../cli/errors.ts";
import { formatTable, paint, writeJson } from "../cli/output.ts";
import { Addr, parseMask, Prefix } from "../ip/mod.ts";
import { printable } from "../text/printable.ts";
import { fromUserInput } from "./_subnet.ts";

/** Parsed `subnet same` options. */
export interface SubnetSameOptions {
  a: Addr;
  b: Addr;
  bits: number;
  explain: boolean;
  json: boolean;
}

const name = "subnet same";

const command: CommandModule<SubnetSameOptions> = {
  spec: {
    usage: "A B (/N | MASK) | A/N B",
    description:
      "Decides whether two addresses are in the same network by ANDing each with the mask and comparing the results, as the course does. MASK may be /N, N, a netmask or a wildcard mask; with A/N the length comes from A. Exit status 0 when they are in the same network, 1 when not.",
    options: [
      {
        name: "explain",
        short: "e",
        type: "boolean",
        description: "show both ANDs in binary",
      },
    ],
    examples: [
      "toolkit subnet same 172.16.10.1 172.16.10.2 255.255.255.0",
      "toolkit subnet same --explain 172.16.10.1 172.16.10.2 /24",
      "toolkit subnet same 192.168.1.10/25 192.168.1.200",
      "toolkit subnet same 2001:db8::1 2001:db8:0:1::1 /64",
    ],
    positionals: { min: 2, max: 3, complete: "none" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    return fromUserInput(() => {
      let a: Addr;
      let bits: number;
      if (positionals.length === 2) {
        if (!positionals[0].includes("/")) {
          throw new UsageError(`missing mask: give A/N B or A B MASK`, name);
        }
        const p = Prefix.parse(positionals[0]);
        a = p.addr;
        bits = p.bits;
      } else {
        if (positionals[0].includes("/")) {
          // `same 10.0.0.1/24 10.0.0.200 /24`: the length twice; say which form to use.
          throw new UsageError(
            `"${positionals[0]}" already has a prefix length: give A/N B ` +
              `(${positionals[0]} ${positionals[1]}) or A B MASK, not both`,
            name,
          );
        }
        a = Addr.parse(positionals[0]);
        bits = parseMask(positionals[2], a.family).bits;
      }
      let b: Addr;
      if (positionals[1].includes("/")) {
        // `same 10.0.0.1/24 10.0.0.2/24` is fine; two different lengths are not one question.
        const pb = Prefix.parse(positionals[1]);
        if (pb.bits !== bits) {
          throw new SyntaxError(`${positionals[1]} has /${pb.bits}, but the mask is /${bits}`);
        }
        b = pb.addr;
      } else b = Addr.parse(positionals[1]);
      if (a.family !== b.family) {
        throw new SyntaxError(
          `${a} is IPv${a.family} and ${b} is IPv${b.family}: compare one family`,
        );
      }
      return { a, b, bits, explain: values.explain === true, json: globals.json };
    });
  },
  async run(o, io) {
    const pa = Prefix.from(o.a, o.bits).masked();
    const pb = Prefix.from(o.b, o.bits).masked();
    const same = pa.network().withZone("").equals(pb.network().withZone(""));
    const mask = pa.netmask();
    if (o.json) {
      await writeJson(io, {
        same,
        a: o.a.toString(),
        b: o.b.toString(),
        prefixLength: o.bits,
        netmask: mask.toString(),
        networkA: `${pa.network().withZone("")}/${o.bits}`,
        networkB: `${pb.network().withZone("")}/${o.bits}`,
        ...(o.explain
          ? {
            binary: {
              a: o.a.toBinaryString(),
              b: o.b.toBinaryString(),
              netmask: mask.toBinaryString(),
              networkA: pa.network().toBinaryString(),
              networkB: pb.network().toBinaryString(),
            },
          }
          : {}),
      });
      return same ? ExitCode.ok : ExitCode.negative;
    }
    let text = "";
    if (o.explain) {
      // One table for both ANDs so their columns line up, as the course writes them.
      const rows = ([[o.a, pa], [o.b, pb]] as const).flatMap(([addr, p], i) => [
        ...(i > 0 ? [[]] : []),
        [addr.withZone("").toString(), addr.toBinaryString()],
        [mask.toString(), mask.toBinaryString()],
        ["AND", `${p.network().toBinaryString()}  -> ${p.network().withZone("")}`],
      ]) as string[][];
      text += formatTable(rows) + "\n";
    }
    const na = `${pa.network().withZone("")}/${o.bits}`;
    const nb = `${pb.network().withZone("")}/${o.bits}`;
    // Zones are text the user typed: escaped so they cannot act on the terminal.
    const [a, b] = [printable(o.a.toString()), printable(o.b.toString())];
    text += same
      ? `${paint(io, "green", "same network")}: ${a} and ${b} are both in ${na}\n`
      : `${paint(io, "yellow", "different networks")}: ${a} is in ${na}, ${b} is in ${nb}\n`;
    await io.stdout.write(text);
    return same ? ExitCode.ok : ExitCode.negative;
  },
};
export default command;
