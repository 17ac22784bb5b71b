// `toolkit subnet aggregate [FILE...|-]`: collapse a prefix list (IPv4 and IPv6 mixed, comments
// and blank lines allowed) into the minimal sorted list, like the `aggregate` tool and Python's
// `collapse_addresses`. Input is streamed line by line; a BGP-table-sized list takes about a
// second.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { InputError } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import { formatIpv4, formatIpv6, PrefixAggregator } from "../ip/mod.ts";
import { openInputFile } from "../scope/files.ts";

/** Parsed `subnet aggregate` options. */
export interface SubnetAggregateOptions {
  /** Files to read; `-` is stdin. Empty means stdin. */
  files: string[];
  skipBad: boolean;
  maskHostBits: boolean;
  json: boolean;
}

/** A line that is not a prefix. */
interface BadLine {
  where: string;
  message: string;
}

const name = "subnet aggregate";
const shownBad = 20;

const command: CommandModule<SubnetAggregateOptions> = {
  spec: {
    usage: "[FILE...|-]",
    description:
      "Reads prefixes and addresses (one per line; IPv4 and IPv6 may be mixed; `#` starts a comment; blank lines are ignored) from the files or stdin and prints the smallest sorted list of prefixes covering exactly the same addresses: IPv4 first, then IPv6. A bare address counts as /32 or /128. A line that is not a prefix is reported with its file and line number and the run fails (exit 2) unless --skip-bad is given. A prefix with host bits set (10.0.0.1/24) is such a line unless --mask-host-bits is given.",
    options: [
      {
        name: "skip-bad",
        type: "boolean",
        description: "warn about bad lines and aggregate the rest",
      },
      {
        name: "mask-host-bits",
        type: "boolean",
        description: "read 10.0.0.1/24 as 10.0.0.0/24 instead of refusing it",
      },
    ],
    examples: [
      "toolkit subnet aggregate prefixes.txt",
      "printf '10.0.0.0/25\\n10.0.0.128/25\\n' | toolkit subnet aggregate",
      "toolkit subnet aggregate --skip-bad v4.txt v6.txt",
      "toolkit subnet aggregate --json - < prefixes.txt",
    ],
    positionals: { min: 0, complete: "file" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    return {
      files: positionals,
      skipBad: values["skip-bad"] === true,
      maskHostBits: values["mask-host-bits"] === true,
      json: globals.json,
    };
  },
  async run(o, io) {
    const agg = new PrefixAggregator({ hostBits: o.maskHostBits ? "mask" : "error" });
    const bad: BadLine[] = [];
    const files = o.files.length ? o.files : ["-"];
    for (const file of files) {
      if (io.signal.aborted) return 130;
      if (file === "-") {
        await feedLines(io.stdin.readable, "stdin", agg, bad, io.signal);
      } else {
        const f = await openInputFile(file);
        try {
          await feedLines(f.readable, file, agg, bad, io.signal);
        } finally {
          try {
            f.close();
          } catch { /* the stream closed it */ }
        }
      }
    }
    if (io.signal.aborted) return 130;
    if (bad.length) {
      const lead = "toolkit: warning: ";
      let text = bad.slice(0, shownBad).map((b) => `${lead}${b.where}: ${b.message}\n`).join("");
      if (bad.length > shownBad) text += `${lead}... and ${bad.length - shownBad} more\n`;
      await io.stderr.write(text);
      if (!o.skipBad) {
        throw new InputError(
          `${bad.length} line${bad.length === 1 ? "" : "s"} could not be read as prefixes ` +
            `(first: ${bad[0].where}); nothing was printed; use --skip-bad to aggregate the rest`,
        );
      }
    }
    const inputs = agg.count;
    if (o.json) {
      const prefixes: string[] = [];
      agg.each((family, net, bits) => prefixes.push(format(family, net, bits)));
      await writeJson(io, {
        inputs,
        outputs: prefixes.length,
        ...(bad.length ? { skipped: bad.length } : {}),
        prefixes,
      });
      return 0;
    }
    let batch: string[] = [];
    const pending: string[] = [];
    agg.each((family, net, bits) => {
      batch.push(format(family, net, bits));
      if (batch.length === 65536) {
        pending.push(batch.join("\n") + "\n");
        batch = [];
      }
    });
    if (batch.length) pending.push(batch.join("\n") + "\n");
    for (const chunk of pending) {
      if (io.signal.aborted) return 130;
      await io.stdout.write(chunk);
    }
    return 0;
  },
};
export default command;

function format(family: 4 | 6, net: number | bigint, bits: number): string {
  return `${family === 4 ? formatIpv4(net as number) : formatIpv6(net as bigint)}/${bits}`;
}

/** Longest line read before the input is refused as not a prefix list. */
const maxLineLength = 1 << 20;

/** Feeds each line of a byte stream to the aggregator, collecting the lines it refuses. */
async function feedLines(
  readable: ReadableStream<Uint8Array>,
  label: string,
  agg: PrefixAggregator,
  bad: BadLine[],
  signal: AbortSignal,
): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  let lineNo = 0;
  const handle = (line: string) => {
    lineNo++;
    const hash = line.indexOf("#");
    const text = (hash >= 0 ? line.slice(0, hash) : line).trim();
    if (text === "") return;
    // Prefixes are printable ASCII: do not echo binary, escape sequences or a megabyte back.
    if (/[^\x20-\x7e]/.test(text)) {
      bad.push({
        where: `${label}: line ${lineNo}`,
        message: "not a prefix (binary or non-ASCII text)",
      });
      return;
    }
    if (text.length > 100) {
      bad.push({
        where: `${label}: line ${lineNo}`,
        message: `not a prefix (${text.length} characters)`,
      });
      return;
    }
    try {
      agg.add(text);
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof RangeError)) throw err;
      const m = err.message;
      bad.push({ where: `${label}: line ${lineNo}`, message: m[0].toLowerCase() + m.slice(1) });
    }
  };
  for await (const chunk of readable) {
    if (signal.aborted) return;
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      handle(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
    if (rest.length > maxLineLength) {
      // An endless line (`/dev/zero`, a binary file) would otherwise be buffered without bound.
      throw new InputError(
        `${label}: line ${
          lineNo + 1
        } is longer than ${maxLineLength} characters; not a prefix list`,
      );
    }
  }
  rest += decoder.decode();
  if (rest !== "") handle(rest);
}
