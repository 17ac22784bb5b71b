// `toolkit subnet aggregate [PREFIX|FILE|-]...`: collapse a prefix list (IPv4 and IPv6 mixed,
// comments and blank lines allowed) into the minimal sorted list, like the `aggregate` tool and
// Python's `collapse_addresses`. Prefixes may also be given as arguments. Input is streamed line
// by line; a BGP-table-sized list takes about a second.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { InputError } from "../cli/errors.ts";
import { writeJson, writeWarning } from "../cli/output.ts";
import { formatIpv4, formatIpv6, PrefixAggregator } from "../ip/mod.ts";
import { openInputFile } from "../scope/files.ts";

/** Parsed `subnet aggregate` options. */
export interface SubnetAggregateOptions {
  /**
   * What to read, in order: prefixes given as arguments, files, and `-` for stdin. Empty means
   * stdin.
   */
  sources: AggregateSource[];
  skipBad: boolean;
  maskHostBits: boolean;
  json: boolean;
}

/** One argument: a prefix (or address) typed on the command line, a file, or stdin (`-`). */
export type AggregateSource =
  | { kind: "prefix"; text: string; position: number }
  | { kind: "file"; path: string }
  | { kind: "stdin" };

/**
 * What an argument is. Text made only of what addresses and prefixes are written with (hex
 * digits, `.`, `:`, `/`, and a `%zone`), with a `.` or `:` in it, is a prefix, even when it does
 * not parse (it is then reported as a bad prefix, not looked up as a file); `./NAME` reads a
 * file of such a name. Anything else is a file, and `-` is stdin.
 *
 * @example
 * ```ts
 * aggregateSource("10.0.0.0/8", 1); // { kind: "prefix", text: "10.0.0.0/8", position: 1 }
 * aggregateSource("routes.txt", 2); // { kind: "file", path: "routes.txt" }
 * ```
 */
export function aggregateSource(arg: string, position: number): AggregateSource {
  if (arg === "-") return { kind: "stdin" };
  const slash = arg.indexOf("/");
  const addr = (slash < 0 ? arg : arg.slice(0, slash)).replace(/%.*$/, "");
  const length = slash < 0 ? "" : arg.slice(slash + 1);
  const addressLike = /^[0-9a-fA-F.:]+$/.test(addr) &&
    ((/[0-9a-fA-F]/.test(addr) && /[.:]/.test(addr)) || addr.includes("::"));
  if (addressLike && /^[0-9a-fA-F.:]*$/.test(length)) {
    return { kind: "prefix", text: arg, position };
  }
  return { kind: "file", path: arg };
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
    usage: "[PREFIX|FILE|-]...",
    description:
      "Reads prefixes and addresses (one per line; IPv4 and IPv6 may be mixed; `#` starts a comment; blank lines are ignored) from the files or stdin and prints the smallest sorted list of prefixes covering exactly the same addresses: IPv4 first, then IPv6. An argument that is written like an address or prefix (10.0.0.0/25, 2001:db8::/33, 192.0.2.7) is taken as one, not as a file name (write ./NAME for a file named like that); with only such arguments stdin is not read. A bare address counts as /32 or /128. A line or argument that is not a prefix is reported with where it was and the run fails (exit 2) unless --skip-bad is given. A prefix with host bits set (10.0.0.1/24) is refused the same way unless --mask-host-bits is given.",
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
      "toolkit subnet aggregate 10.0.0.0/25 10.0.0.128/25 192.0.2.7",
      "printf '10.0.0.0/25\\n10.0.0.128/25\\n' | toolkit subnet aggregate",
      "toolkit subnet aggregate --skip-bad v4.txt v6.txt",
      "toolkit subnet aggregate --json - < prefixes.txt",
    ],
    positionals: { min: 0, complete: "file" },
  },
  parse(args, globals) {
    const { values, positionals } = parseCommandArgs(name, this.spec, args);
    return {
      sources: positionals.map((arg, i) => aggregateSource(arg, i + 1)),
      skipBad: values["skip-bad"] === true,
      maskHostBits: values["mask-host-bits"] === true,
      json: globals.json,
    };
  },
  async run(o, io) {
    const agg = new PrefixAggregator({ hostBits: o.maskHostBits ? "mask" : "error" });
    const bad: BadLine[] = [];
    const sources: AggregateSource[] = o.sources.length ? o.sources : [{ kind: "stdin" }];
    for (const source of sources) {
      if (io.signal.aborted) return 130;
      if (source.kind === "prefix") {
        addOne(agg, source.text, `argument ${source.position}`, bad);
      } else if (source.kind === "stdin") {
        await feedLines(io.stdin.readable, "stdin", agg, bad, io.signal);
      } else {
        const f = await openInputFile(source.path);
        try {
          await feedLines(f.readable, source.path, agg, bad, io.signal);
        } finally {
          try {
            f.close();
          } catch { /* the stream closed it */ }
        }
      }
    }
    if (io.signal.aborted) return 130;
    if (bad.length) {
      for (const b of bad.slice(0, shownBad)) await writeWarning(io, `${b.where}: ${b.message}`);
      if (bad.length > shownBad) await writeWarning(io, `... and ${bad.length - shownBad} more`);
      if (!o.skipBad) {
        throw new InputError(
          `${bad.length} ${bad.length === 1 ? "entry" : "entries"} could not be read as prefixes ` +
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
        ...(o.skipBad ? { skipped: bad.length } : {}),
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

/** Adds one prefix, or records why it is not one. */
function addOne(agg: PrefixAggregator, text: string, where: string, bad: BadLine[]): void {
  try {
    agg.add(text);
  } catch (err) {
    if (!(err instanceof SyntaxError || err instanceof RangeError)) throw err;
    const m = err.message;
    bad.push({ where, message: m[0].toLowerCase() + m.slice(1) });
  }
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
    addOne(agg, text, `${label}: line ${lineNo}`, bad);
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
