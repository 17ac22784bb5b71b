// Help text, generated from the same tables that parse: the registry for the command list, each
// module's spec for its usage, options and examples.
import config from "../../deno.json" with { type: "json" };
import { formatOptions, formatParagraph } from "./args.ts";
import {
  type CommandEntry,
  commandGroups,
  type CommandModule,
  type OptionSpec,
} from "./command.ts";
import { globalOptions } from "./globals.ts";

/** The version from deno.json. */
export const version: string = config.version;

const exitCodes =
  "Exit codes: 0 success, 1 negative answer (different subnet, findings, MRO error, failed drill), 2 usage or bad input, 3 network error, 4 outside the permission scope, 130 interrupted.";

/**
 * `toolkit --help`: every command, grouped, with its one-line summary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../commands/registry.ts";
 * import { topLevelHelp } from "./help.ts";
 *
 * const help = topLevelHelp(registry);
 * assert.ok(help.includes("Usage: toolkit [global options] COMMAND [options] [arguments]"));
 * assert.ok(help.includes("Sockets (TCP, UDP, Unix):")); // commands listed under their groups
 * ```
 */
export function topLevelHelp(registry: readonly CommandEntry[]): string {
  const width = Math.max(...registry.map((e) => e.name.length)) + 2;
  const lines = [
    `toolkit ${version}: a network toolkit for the networking and Python-classes lab`,
    "",
    "Usage: toolkit [global options] COMMAND [options] [arguments]",
  ];
  for (const group of commandGroups) {
    const entries = registry.filter((e) => e.group === group.id);
    if (entries.length === 0) continue;
    lines.push("", `${group.title}:`);
    for (const e of entries) lines.push(`  ${e.name.padEnd(width)}${e.summary}`);
  }
  lines.push("", "Global options:", ...formatOptions(globalOptions), "");
  lines.push("Run 'toolkit COMMAND --help' for a command's options and examples.");
  lines.push(...formatParagraph(exitCodes));
  return lines.join("\n") + "\n";
}

/**
 * `toolkit subnet --help`: the subcommands of one group name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../commands/registry.ts";
 * import { groupHelp } from "./help.ts";
 *
 * const help = groupHelp("subnet", registry.filter((e) => e.name.startsWith("subnet ")));
 * assert.ok(help.startsWith("Usage: toolkit subnet SUBCOMMAND [options] [arguments]\n"));
 * assert.match(help, /^ {2}subnet same +are two addresses in the same network\?/m);
 * ```
 */
export function groupHelp(prefix: string, entries: readonly CommandEntry[]): string {
  const width = Math.max(...entries.map((e) => e.name.length)) + 2;
  const lines = [`Usage: toolkit ${prefix} SUBCOMMAND [options] [arguments]`, "", "Subcommands:"];
  for (const e of entries) lines.push(`  ${e.name.padEnd(width)}${e.summary}`);
  lines.push("", `Run 'toolkit ${prefix} SUBCOMMAND --help' for its options and examples.`);
  return lines.join("\n") + "\n";
}

/**
 * `toolkit CMD --help`: usage, summary, description, options with defaults, examples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../commands/registry.ts";
 * import { commandHelp } from "./help.ts";
 *
 * const entry = registry.find((e) => e.name === "subnet same")!;
 * const help = commandHelp(entry, await entry.load());
 * assert.ok(help.startsWith("Usage: toolkit subnet same [options] A B (/N | MASK) | A/N B\n"));
 * ```
 */
export function commandHelp(entry: CommandEntry, mod: CommandModule<unknown>): string {
  const { spec } = mod;
  const usage = `Usage: toolkit ${entry.name}${spec.options.length ? " [options]" : ""}${
    spec.usage ? " " + spec.usage : ""
  }`;
  const lines = [usage, "", ...formatParagraph(capitalize(entry.summary) + ".")];
  if (spec.description) lines.push("", ...formatParagraph(spec.description));
  if (spec.options.length) lines.push("", "Options:", ...formatOptions(spec.options));
  lines.push(
    "",
    "Global options: --json --quiet --debug --no-color --net LIST --scope FILE (see 'toolkit --help')",
  );
  const aliases = Object.entries(entry.globalAliases ?? {});
  if (aliases.length) {
    lines.push(
      `Here ${aliases.map(([c, o]) => `-${c} is --${o}`).join(", ")}, as the peer tool spells it.`,
    );
  }
  if (spec.examples.length) {
    lines.push("", "Examples:");
    for (const ex of spec.examples) lines.push(`  ${ex}`);
  }
  return lines.join("\n") + "\n";
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * `toolkit --json help` (or a group's): every command with its group and summary, for scripts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../commands/registry.ts";
 * import { topLevelHelpJson } from "./help.ts";
 *
 * const help = topLevelHelpJson(registry);
 * assert.deepEqual(help.commands[0], {
 *   name: "udp-send",
 *   group: "sockets",
 *   summary: "send UDP datagrams (nc -u), optionally wait for a reply",
 * });
 * assert.equal(help.commands.length, registry.length);
 * ```
 */
export function topLevelHelpJson(entries: readonly CommandEntry[]): {
  version: string;
  commands: { name: string; group: string; summary: string }[];
} {
  return {
    version,
    commands: entries.map((e) => ({ name: e.name, group: e.group, summary: e.summary })),
  };
}

/**
 * `toolkit --json help CMD`: the command's usage, options and examples, from its spec.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registry } from "../commands/registry.ts";
 * import { commandHelpJson } from "./help.ts";
 *
 * const entry = registry.find((e) => e.name === "subnet same")!;
 * const help = commandHelpJson(entry, await entry.load());
 * assert.deepEqual(Object.keys(help), [
 *   "name",
 *   "group",
 *   "summary",
 *   "usage",
 *   "description",
 *   "options",
 *   "examples",
 * ]);
 * assert.deepEqual(help.options.map((o) => o.name), ["explain"]);
 * ```
 */
export function commandHelpJson(entry: CommandEntry, mod: CommandModule<unknown>) {
  const { spec } = mod;
  const option = (o: OptionSpec) => ({
    name: o.name,
    short: o.short ?? null,
    takesValue: o.type === "string",
    value: o.type === "string" ? o.value ?? "VALUE" : null,
    multiple: o.multiple === true,
    default: o.default === undefined ? null : String(o.default),
    choices: o.choices ? [...o.choices] : null,
    description: o.description,
  });
  return {
    name: entry.name,
    group: entry.group,
    summary: entry.summary,
    usage: spec.usage,
    description: spec.description ?? null,
    options: spec.options.map(option),
    examples: [...spec.examples],
  };
}
