// The contract between the registry, `main.ts` and each file in lib/commands/: a pure `parse`
// that tests call on its own, and a `run` that does the work through an injected `Io`.
import type { CommandSpec } from "./args.ts";
import type { GlobalOptions, Io } from "./io.ts";
import type { Narrowing } from "./scope.ts";

/**
 * What every file in `lib/commands/` exports.
 *
 * @example
 * ```ts
 * const mod: CommandModule<{ text: string }> = {
 *   spec: { usage: "TEXT", options: [], examples: ["toolkit echo hi"] },
 *   parse: (args) => ({ text: args.join(" ") }),
 *   run: async (o, io) => (await io.stdout.write(o.text + "\n"), 0),
 * };
 * ```
 */
export interface CommandModule<T = unknown> {
  readonly spec: CommandSpec;
  /** Pure: turns arguments into options or throws `UsageError`. No I/O. */
  parse(args: readonly string[], globals: GlobalOptions): T;
  /** Does the work; resolves to the exit code. Throws typed errors for failures. */
  run(options: T, io: Io): Promise<number>;
  /**
   * The narrow scope this command always runs in, computed from its own arguments (a server that
   * needs only its address and its files). The CLI runs the command in a Worker confined to it,
   * inside any `--net`/`--scope` narrowing; `toolkit scope --for COMMAND ...` shows it.
   */
  ownScope?(options: T): Narrowing;
}

/** The groups `toolkit --help` lists commands under, in order. */
export const commandGroups = [
  { id: "sockets", title: "Sockets (TCP, UDP, Unix)" },
  { id: "subnet", title: "Addresses and subnets" },
  { id: "arp", title: "ARP, MAC, interfaces" },
  { id: "mro", title: "Python classes" },
  { id: "drill", title: "Drills" },
  { id: "lab", title: "Lab network" },
  { id: "bench", title: "Performance" },
  { id: "toolkit", title: "Toolkit" },
] as const;

/** A group id from {@linkcode commandGroups}. */
export type GroupId = typeof commandGroups[number]["id"];

/** One row of the command registry. Summaries live here so `--help` loads no command module. */
export interface CommandEntry {
  /** `udp-send`, or a grouped name with one space: `subnet split`. */
  readonly name: string;
  readonly group: GroupId;
  readonly summary: string;
  /** Lazily imports the module, so a command pays only for itself at start-up. */
  readonly load: () => Promise<CommandModule<unknown>>;
}
