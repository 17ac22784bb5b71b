// Finds the command a command line names: the longest registered name that its leading words
// spell (`subnet split` before `subnet`), or the group those words begin.
import { suggestOption } from "./args.ts";
import type { CommandEntry } from "./command.ts";
import { extractGlobals, globalOptions } from "./globals.ts";
import { closest } from "./suggest.ts";

/** The outcome of {@linkcode resolveCommand}. */
export type Resolution =
  | { kind: "command"; entry: CommandEntry; args: string[] }
  | { kind: "group"; prefix: string; entries: CommandEntry[]; args: string[] }
  | { kind: "unknown"; name: string; suggestion?: string; option?: boolean };

/**
 * Resolves `words` (the command line without global options) against the registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../commands/registry.ts";
 * import { resolveCommand } from "./dispatch.ts";
 *
 * const r = resolveCommand(registry, ["subnet", "same", "10.0.0.1", "10.0.0.2", "/24"]);
 * assert.equal(r.kind, "command");
 * if (r.kind === "command") {
 *   assert.equal(r.entry.name, "subnet same"); // a grouped command: two words
 *   assert.deepEqual(r.args, ["10.0.0.1", "10.0.0.2", "/24"]);
 * }
 * assert.deepEqual(resolveCommand(registry, ["udp-sned"]), {
 *   kind: "unknown",
 *   name: "udp-sned",
 *   suggestion: "udp-send",
 * });
 * ```
 */
export function resolveCommand(
  registry: readonly CommandEntry[],
  words: readonly string[],
): Resolution {
  const [first, second] = words;
  if (first.startsWith("-") && first.length > 1) {
    // Known global options were taken out before; what is left before a command is a typo.
    const option = first.startsWith("--") ? first.split("=")[0] : first.slice(0, 2);
    const suggestion = suggestOption(option, first, globalOptions);
    return { kind: "unknown", name: option, suggestion, option: true };
  }
  if (second !== undefined) {
    const two = registry.find((e) => e.name === `${first} ${second}`);
    if (two) return { kind: "command", entry: two, args: words.slice(2) };
  }
  const one = registry.find((e) => e.name === first);
  if (one) return { kind: "command", entry: one, args: words.slice(1) };
  const members = registry.filter((e) => e.name.startsWith(`${first} `));
  if (members.length > 0) {
    if (second !== undefined && !second.startsWith("-")) {
      // `toolkit subnet 10.0.0.1/24`: an address where the command goes is for the group's
      // `info`, as `ipcalc 10.0.0.1/24` is.
      const info = members.find((e) => e.name === `${first} info`);
      const looksLikeAddress = /^[0-9a-fA-F.:]*[.:][0-9a-fA-F.:]*(%[^/]*)?(\/\S*)?$/.test(second);
      const suggestion = info && looksLikeAddress
        ? `${info.name} ${second}`
        : closest(`${first} ${second}`, members.map((e) => e.name));
      return { kind: "unknown", name: `${first} ${second}`, suggestion };
    }
    return { kind: "group", prefix: first, entries: members, args: words.slice(1) };
  }
  const names = new Set(registry.flatMap((e) => [e.name, e.name.split(" ")[0]]));
  const peer = peerCommands[first];
  const suggestion = peer && registry.some((e) => e.name === peer)
    ? peer
    : closest(first, [...names]);
  return { kind: "unknown", name: first, suggestion };
}

/** The tools users come from, typed as if toolkit were them, and the command that does it. */
const peerCommands: Record<string, string> = {
  ipcalc: "subnet info",
  "ipcalc-ng": "subnet info",
  sipcalc: "subnet info",
  aggregate: "subnet aggregate",
};

/**
 * The error message for an unknown command or option, with its did-you-mean.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownMessage } from "./dispatch.ts";
 *
 * assert.equal(
 *   unknownMessage({ kind: "unknown", name: "udp-sned", suggestion: "udp-send" }),
 *   "unknown command 'udp-sned' (did you mean 'udp-send'?)",
 * );
 * ```
 */
export function unknownMessage(r: Extract<Resolution, { kind: "unknown" }>): string {
  const hint = r.suggestion ? ` (did you mean '${r.suggestion}'?)` : "";
  return `unknown ${r.option ? "option" : "command"} '${r.name}'${hint}`;
}

/**
 * `argv` with the command's {@linkcode CommandEntry.globalAliases} spelled out: `toolkit perf -J
 * 127.0.0.1` is `toolkit perf --json 127.0.0.1`, as iperf3 users write it. Only a word that is the
 * alias alone counts (not a letter inside `-uJ`), and nothing after `--`. A command line that does
 * not resolve to such a command is returned as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../commands/registry.ts";
 * import { expandGlobalAliases } from "./dispatch.ts";
 *
 * // perf has no -J of its own: iperf3's spelling of --json.
 * assert.deepEqual(expandGlobalAliases(registry, ["perf", "-J", "::1"]), ["perf", "--json", "::1"]);
 * ```
 */
export function expandGlobalAliases(
  registry: readonly CommandEntry[],
  argv: readonly string[],
): readonly string[] {
  let words: string[];
  try {
    words = extractGlobals(argv).rest;
  } catch {
    return argv; // the real parse reports it
  }
  if (words.length === 0) return argv;
  const found = resolveCommand(registry, words);
  const aliases = found.kind === "command" ? found.entry.globalAliases : undefined;
  if (!aliases) return argv;
  const end = argv.indexOf("--");
  return argv.map((w, i) => {
    if ((end >= 0 && i >= end) || !/^-[A-Za-z]$/.test(w) || !Object.hasOwn(aliases, w[1])) return w;
    return `--${aliases[w[1]]}`;
  });
}
