// Options that belong to toolkit rather than to one command. They may stand anywhere before `--`,
// so `toolkit udp-send --json 127.0.0.1:9 hi` and `toolkit --json udp-send ...` mean the same.
import type { OptionSpec } from "./command.ts";
import { UsageError } from "./errors.ts";

/** The global options, for help and completions. */
export const globalOptions: readonly OptionSpec[] = [
  { name: "json", type: "boolean", description: "print JSON (NDJSON for streams) for scripts" },
  { name: "quiet", type: "boolean", description: "print only errors and requested data" },
  { name: "debug", type: "boolean", description: "show stack traces on errors" },
  { name: "no-color", type: "boolean", description: "no colour (also with NO_COLOR set)" },
  {
    name: "net",
    type: "string",
    value: "LIST",
    description:
      "run with at most this network access: comma-separated hosts, host:port, CIDRs (127.0.0.1:9000,10.0.0.0/24); enforced by Deno in a Worker",
  },
  {
    name: "scope",
    type: "string",
    value: "FILE",
    complete: "file",
    description:
      'run with at most the scope in a JSON file: {"net":[...],"read":[...],"write":[...],"run":[...]}',
  },
  { name: "help", short: "h", type: "boolean", description: "show help" },
  { name: "version", short: "V", type: "boolean", description: "print the version" },
];

/** What {@linkcode extractGlobals} found. */
export interface ExtractedGlobals {
  json: boolean;
  quiet: boolean;
  debug: boolean;
  noColor: boolean;
  help: boolean;
  version: boolean;
  /** `--net` values as given (may be repeated). */
  net: string[];
  scopeFile?: string;
  /** The command line without the global options. */
  rest: string[];
}

/**
 * Removes global options from anywhere before `--`, leaving the command and its own arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractGlobals } from "./globals.ts";
 *
 * const g = extractGlobals(["udp-send", "--json", "127.0.0.1:9", "hi"]);
 * assert.equal(g.json, true);
 * assert.deepEqual(g.rest, ["udp-send", "127.0.0.1:9", "hi"]);
 * ```
 */
export function extractGlobals(argv: readonly string[]): ExtractedGlobals {
  const out: ExtractedGlobals = {
    json: false,
    quiet: false,
    debug: false,
    noColor: false,
    help: false,
    version: false,
    net: [],
    rest: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      out.rest.push(...argv.slice(i));
      break;
    }
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next === "--") {
        throw new UsageError(`option '${flag}' needs a value`);
      }
      i++;
      return next;
    };
    switch (flag) {
      case "--json":
        out.json = true;
        break;
      case "--quiet":
        out.quiet = true;
        break;
      case "--debug":
        out.debug = true;
        break;
      case "--no-color":
        out.noColor = true;
        break;
      case "--help":
      case "-h":
        out.help = true;
        break;
      case "--version":
      case "-V":
        out.version = true;
        break;
      case "--net":
        out.net.push(value());
        break;
      case "--scope":
        if (out.scopeFile !== undefined) throw new UsageError("--scope given twice");
        out.scopeFile = value();
        break;
      default:
        out.rest.push(arg);
    }
  }
  return out;
}

/**
 * Whether `--json` stands before `--` in `argv`: what the error report follows when the command
 * line could not be read (a global option missing its value) or was never read (an unhandled
 * rejection, a crashed sandbox).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonRequested } from "./globals.ts";
 *
 * assert.equal(jsonRequested(["--net", "--json"]), true); // an error about --net is still JSON
 * assert.equal(jsonRequested(["subnet", "info", "10.0.0.1/24"]), false);
 * ```
 */
export function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}
