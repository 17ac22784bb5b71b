// `toolkit subnet range START END`: the fewest prefixes that cover an address range exactly
// (Python's `summarize_address_range`), for turning "from X to Y" into ACL or route entries.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import { Addr, summarizeRange } from "../ip/mod.ts";
import { printable } from "../text/printable.ts";
import { fromUserInput, jsonCount } from "./_subnet.ts";

/** Parsed `subnet range` options. */
export interface SubnetRangeOptions {
  start: Addr;
  end: Addr;
  json: boolean;
}

const name = "subnet range";

const command: CommandModule<SubnetRangeOptions> = {
  spec: {
    usage: "START END | START - END | START-END",
    description:
      "Prints the smallest sorted list of prefixes covering exactly the addresses START to END, both included (ipcalc's `START - END` form works too). Both must be of the same IP version and START must not come after END.",
    options: [],
    examples: [
      "toolkit subnet range 192.168.1.10 192.168.1.100",
      "toolkit subnet range 10.0.0.0-10.0.4.255",
      "toolkit subnet range 10.0.0.0 - 10.0.4.255",
      "toolkit subnet range 2001:db8::1 2001:db8::ffff",
      "toolkit subnet range --json 0.0.0.0 255.255.255.254",
    ],
    positionals: { min: 1, max: 3, complete: "none" },
  },
  parse(args, globals) {
    // `START -END` (ipcalc users type the dash against the address): "-END" is not an option.
    const words = args.flatMap((a) =>
      /^-[0-9a-fA-F]*[.:][0-9a-fA-F.:%]*$/.test(a) ? ["-", a.slice(1)] : [a]
    );
    const { positionals } = parseCommandArgs(name, this.spec, words);
    return fromUserInput(() => {
      const [startText, endText] = rangeEnds(positionals);
      for (const t of [startText, endText]) {
        if (t.includes("/")) {
          throw new SyntaxError(
            `subnet range takes two addresses, and "${t}" is a prefix: drop "${
              t.slice(t.indexOf("/"))
            }", or see the range of ${t} with toolkit subnet info ${t}`,
          );
        }
      }
      const start = Addr.parse(startText);
      const end = Addr.parse(endText);
      if (start.family !== end.family) {
        throw new SyntaxError(`${start} is IPv${start.family} and ${end} is IPv${end.family}`);
      }
      if (end.withZone("").compare(start.withZone("")) < 0) {
        throw new RangeError(`The range ends (${end}) before it starts (${start})`);
      }
      return { start, end, json: globals.json };
    });
  },
  async run(o, io) {
    const prefixes = summarizeRange(o.start.withZone(""), o.end.withZone(""));
    if (o.json) {
      await writeJson(io, {
        firstAddress: o.start.toString(),
        lastAddress: o.end.toString(),
        addressCount: jsonCount(o.end.toBigInt() - o.start.toBigInt() + 1n),
        prefixes: prefixes.map(String),
      });
    } else {
      await io.stdout.write(prefixes.map((p) => printable(p.toString())).join("\n") + "\n");
    }
    return ExitCode.ok;
  },
};
export default command;

/**
 * The two ends of a range written `START END`, `START - END`, `START-END`, `START -END` or as one
 * quoted argument `"START - END"` (ipcalc's forms). Addresses hold no "-", so a single dash,
 * spaced or not, separates them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rangeEnds } from "./subnet_range.ts";
 *
 * assert.deepEqual(rangeEnds(["10.0.0.1 - 10.0.0.9"]), ["10.0.0.1", "10.0.0.9"]);
 * assert.deepEqual(rangeEnds(["10.0.0.1-10.0.0.9"]), ["10.0.0.1", "10.0.0.9"]);
 * assert.deepEqual(rangeEnds(["10.0.0.1", "10.0.0.9"]), ["10.0.0.1", "10.0.0.9"]);
 * ```
 */
export function rangeEnds(words: readonly string[]): [string, string] {
  if (words.length === 2 && !words.some((w) => w.startsWith("-") || w.endsWith("-"))) {
    return [words[0], words[1]];
  }
  const text = words.join(" ").trim();
  const parts = text.split(/\s*-\s*/);
  if (
    parts.length === 2 && parts[0] !== "" && parts[1] !== "" &&
    !/\s/.test(text.replace(/\s*-\s*/, ""))
  ) {
    return [parts[0], parts[1]];
  }
  throw new SyntaxError(
    `Cannot read the range "${words.join(" ")}": expected START END, START - END or START-END`,
  );
}
