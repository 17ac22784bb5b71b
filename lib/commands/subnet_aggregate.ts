// `toolkit subnet aggregate [PREFIX|FILE|-]...`: collapse a prefix list (IPv4 and IPv6 mixed,
// comments and blank lines allowed) into the minimal sorted list, like the `aggregate` tool and
// Python's `collapse_addresses`. Prefixes may also be given as arguments. Input is streamed line
// by line; a BGP-table-sized list takes about a second.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { writeJson, writeWarning } from "../cli/output.ts";
import { formatIpv4, formatIpv6, PrefixAggregator } from "../ip/mod.ts";
import { asFileError, openInputFile, stdinAlias } from "../scope/files.ts";
import { printable } from "../text/printable.ts";

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
  | { kind: "stdin"; label?: string };

/**
 * Names of this process's stdin. Deno opens them only with --allow-all (they lead through
 * /proc/self), so they are read as `-` is: the same bytes.
 */

/**
 * What an argument is. Text made only of what addresses and prefixes are written with (hex
 * digits, `.`, `:`, `/`, and a `%zone`), with a `.` or `:` in it, is a prefix, even when it does
 * not parse (it is then reported as a bad prefix, not looked up as a file); `./NAME` reads a
 * file of such a name. Anything else is a file, and `-` is stdin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { aggregateSource } from "./subnet_aggregate.ts";
 *
 * assert.deepEqual(aggregateSource("10.0.0.0/8", 1), {
 *   kind: "prefix",
 *   text: "10.0.0.0/8",
 *   position: 1,
 * });
 * assert.deepEqual(aggregateSource("routes.txt", 2), { kind: "file", path: "routes.txt" });
 * assert.deepEqual(aggregateSource("-", 3), { kind: "stdin" });
 * ```
 */
export function aggregateSource(arg: string, position: number): AggregateSource {
  if (arg === "-") return { kind: "stdin" };
  if (stdinAlias(arg) === "-") return { kind: "stdin", label: arg };
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

const name = "subnet aggregate";

/** Bad entries reported one by one; the rest are counted. */
const shownBad = 20;
/** With --skip-bad: more bad entries than this, and more bad than good, is not a prefix list. */
const skipBadLimit = 10_000;
/** Longest line (before its `#` comment) read before the input is refused as not a prefix list. */
const maxLineLength = 1 << 20;

/**
 * The entries that are not prefixes: the first {@linkcode shownBad} reported as warnings when
 * they are met, the rest counted. Without --skip-bad the run stops at the {@linkcode shownBad}th
 * (it prints nothing anyway); with it, once more than {@linkcode skipBadLimit} are bad and they
 * outnumber the good ones (`yes junk | toolkit subnet aggregate --skip-bad` ends, exit 2).
 */
class BadEntries {
  count = 0;
  first = "";
  #pending: string[] = [];
  constructor(readonly io: Io, readonly skipBad: boolean) {}

  /** Notes a bad entry; the warning is written by the next {@linkcode flush}. */
  add(where: string, message: string): void {
    if (this.count++ === 0) this.first = where;
    if (this.count <= shownBad) this.#pending.push(`${where}: ${message}`);
  }

  /** Whether the input is beyond saving: the run stops at the next {@linkcode flush}. */
  mustStop(good: number): boolean {
    return this.skipBad ? this.count > skipBadLimit && this.count > good : this.count >= shownBad;
  }

  /** Writes the pending warnings, then stops the run if {@linkcode mustStop} says so. */
  async flush(good: number): Promise<void> {
    // A file name or an argument may hold anything: escaped before it reaches a terminal.
    for (const w of this.#pending) await writeWarning(this.io, printable(w));
    this.#pending = [];
    if (!this.mustStop(good)) return;
    throw new InputError(
      this.skipBad
        ? `${this.count} entries could not be read as prefixes and only ${good} could ` +
          `(first bad: ${this.first}): not a prefix list; nothing was printed`
        : `${this.count} entries could not be read as prefixes (first: ${this.first}); ` +
          "reading stopped there and nothing was printed; use --skip-bad to aggregate the rest",
    );
  }

  /** At the end of the input: the count of those not shown, and the error without --skip-bad. */
  async finish(): Promise<void> {
    if (this.count > shownBad) await writeWarning(this.io, `... and ${this.count - shownBad} more`);
    if (this.count && !this.skipBad) {
      throw new InputError(
        `${this.count} ${this.count === 1 ? "entry" : "entries"} could not be read as prefixes ` +
          `(first: ${this.first}); nothing was printed; use --skip-bad to aggregate the rest`,
      );
    }
  }
}

const command: CommandModule<SubnetAggregateOptions> = {
  spec: {
    usage: "[PREFIX|FILE|-]...",
    description:
      "Reads prefixes and addresses (one per line; IPv4 and IPv6 may be mixed; `#` starts a comment; blank lines are ignored) from the files or stdin and prints the smallest sorted list of prefixes covering exactly the same addresses: IPv4 first, then IPv6. An argument that is written like an address or prefix (10.0.0.0/25, 2001:db8::/33, 192.0.2.7) is taken as one, not as a file name (write ./NAME for a file named like that); with only such arguments stdin is not read. A bare address counts as /32 or /128. A line or argument that is not a prefix is reported with where it was (the first 20; the rest are counted) and the run fails (exit 2, reading stops at the 20th) unless --skip-bad is given; with it, more than 10,000 bad entries outnumbering the good ones end the run (exit 2: not a prefix list). A prefix with host bits set (10.0.0.1/24) is refused the same way unless --mask-host-bits is given. A comment may be of any length; a line longer than 1 MiB before its comment ends the run. The list is collapsed as it is read, so memory follows the result, not the input. /dev/stdin is read as -.",
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
    const bad = new BadEntries(io, o.skipBad);
    const sources: AggregateSource[] = o.sources.length ? o.sources : [{ kind: "stdin" }];
    for (const source of sources) {
      if (io.signal.aborted) return ExitCode.interrupted;
      if (source.kind === "prefix") {
        addOne(agg, source.text, `argument ${source.position}`, bad);
        await bad.flush(agg.count);
      } else if (source.kind === "stdin") {
        await feedLines(io.stdin.readable, source.label ?? "stdin", agg, bad, io.signal);
      } else {
        const f = await openInputFile(source.path);
        try {
          await feedLines(f.readable, printable(source.path), agg, bad, io.signal);
        } catch (err) {
          // A read that fails part-way (EISDIR, EIO) names the file like a failed open does.
          throw asFileError(err, source.path);
        } finally {
          try {
            f.close();
          } catch { /* the stream closed it */ }
        }
      }
    }
    if (io.signal.aborted) return ExitCode.interrupted;
    await bad.finish();
    const inputs = agg.count;
    if (o.json) {
      const prefixes: string[] = [];
      agg.each((family, net, bits) => prefixes.push(format(family, net, bits)));
      await writeJson(io, {
        inputs,
        outputs: prefixes.length,
        ...(o.skipBad ? { skipped: bad.count } : {}),
        prefixes,
      });
      return ExitCode.ok;
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
      if (io.signal.aborted) return ExitCode.interrupted;
      await io.stdout.write(chunk);
    }
    return ExitCode.ok;
  },
};
export default command;

function format(family: 4 | 6, net: number | bigint, bits: number): string {
  return `${family === 4 ? formatIpv4(net as number) : formatIpv6(net as bigint)}/${bits}`;
}

/** Adds one prefix, or notes why it is not one. */
function addOne(agg: PrefixAggregator, text: string, where: string, bad: BadEntries): void {
  try {
    agg.add(text);
  } catch (err) {
    if (!(err instanceof SyntaxError || err instanceof RangeError)) throw err;
    const m = err.message;
    bad.add(where, m[0].toLowerCase() + m.slice(1));
  }
}

/**
 * Feeds each line of a byte stream to the aggregator, noting the lines it refuses. A comment is
 * skipped however long it is; a line longer than {@linkcode maxLineLength} before its comment
 * (`/dev/zero`, a binary file) ends the run, as it would otherwise be buffered without bound.
 */
async function feedLines(
  readable: ReadableStream<Uint8Array>,
  label: string,
  agg: PrefixAggregator,
  bad: BadEntries,
  signal: AbortSignal,
): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  let lineNo = 0;
  // The line being read is inside a comment that began in an earlier chunk.
  let inComment = false;
  const handle = (line: string) => {
    lineNo++;
    const hash = line.indexOf("#");
    const text = (hash >= 0 ? line.slice(0, hash) : line).trim();
    if (text === "") return;
    // Prefixes are printable ASCII: do not echo binary, escape sequences or a megabyte back.
    if (/[^\x20-\x7e]/.test(text)) {
      bad.add(`${label}: line ${lineNo}`, "not a prefix (binary or non-ASCII text)");
      return;
    }
    if (text.length > 100) {
      bad.add(`${label}: line ${lineNo}`, `not a prefix (${text.length} characters)`);
      return;
    }
    addOne(agg, text, `${label}: line ${lineNo}`, bad);
  };
  for await (const chunk of readable) {
    if (signal.aborted) return;
    let text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    if (inComment) {
      const nl = text.indexOf("\n");
      if (nl < 0) continue;
      inComment = false;
      start = nl + 1;
    }
    for (let nl = text.indexOf("\n", start); nl >= 0; nl = text.indexOf("\n", start)) {
      handle(text.slice(start, nl));
      start = nl + 1;
      if (bad.mustStop(agg.count)) await bad.flush(agg.count);
    }
    text = text.slice(start);
    if (text.length > maxLineLength) {
      const hash = text.indexOf("#");
      if (hash < 0 || hash > maxLineLength) {
        throw new InputError(
          `${label}: line ${lineNo + 1} is longer than ${maxLineLength} characters ` +
            "before any comment; not a prefix list",
        );
      }
      // Keep what comes before the comment; the rest of the line is skipped as it arrives.
      handle(text.slice(0, hash));
      inComment = true;
      text = "";
    }
    rest = text;
    await bad.flush(agg.count);
  }
  rest += decoder.decode();
  if (rest !== "" && !inComment) handle(rest);
  await bad.flush(agg.count);
}
