// The contract between the registry, lib/cli/run.ts (which takes the global options, dispatches
// and runs the command) and each command module in lib/commands/: a pure `parse` that tests call
// on its own, a `run` that does the work through an injected `Io`, and the option table (spec)
// that parses, writes the help and generates the completion scripts.
import type { GlobalOptions, Io } from "./io.ts";
import type { Narrowing } from "../scope/types.ts";

/**
 * What a shell completion offers for a value or a positional argument beyond a fixed `choices`
 * list: `file` paths, `drill` built-in drill names and paths, `command` toolkit command names,
 * `iface` the machine's network interface names (read when completing), `none` nothing (free text
 * such as addresses, numbers, durations).
 */
export type ValueCompletion = "file" | "drill" | "command" | "iface" | "none";

/** One option of a command. */
export interface OptionSpec {
  /** Long name without dashes: `count` for `--count`. */
  name: string;
  /** One-letter alias: `c` for `-c`. */
  short?: string;
  /**
   * More one-letter spellings, the letters a peer tool uses for the same thing (ping's `-W` for
   * `tcp-ping --timeout`, nc's `-w` for `scan --timeout`). Parsed, completed and shown in help.
   */
  aliases?: readonly string[];
  type: "boolean" | "string";
  /** May be given several times; the value is then an array. */
  multiple?: boolean;
  /** The default, shown in help. */
  default?: string | boolean;
  /** Placeholder for the value in help: `N`, `FILE`, `SECONDS`. */
  value?: string;
  /** Values offered by completion scripts and checked when parsing. */
  choices?: readonly string[];
  /**
   * Values offered by completion scripts but not checked here: the command accepts other
   * spellings too (`sockets --state` takes ss's names, the kernel's and groups; these are ss's).
   */
  suggest?: readonly string[];
  /** What completion scripts offer for the value when there are no `choices` (default `none`). */
  complete?: ValueCompletion;
  description: string;
}

/** The positional arguments of a command: how many, and what completes them. */
export interface PositionalSpec {
  /** Fewest and most; checked by `parseCommandArgs` (args.ts). */
  min?: number;
  max?: number;
  /**
   * What completion scripts offer for the positionals: one kind for all, or one per position with
   * the last for the rest (`["file", "none"]` for `PATH [DATA]`). Required when any is accepted.
   */
  complete?: ValueCompletion | readonly ValueCompletion[];
  /** The only values accepted: offered by completion scripts and checked when parsing. */
  choices?: readonly string[];
  /**
   * Words that take the next positional from a list, as ss's `state STATE` and `exclude STATE`:
   * completion scripts offer the list after such a word and the words themselves elsewhere.
   */
  keywords?: Readonly<Record<string, readonly string[]>>;
}

/** What a command module declares about its arguments. */
export interface CommandSpec {
  /** The arguments after the command name: `HOST:PORT [DATA]`. */
  usage: string;
  /** A paragraph shown under the usage line. */
  description?: string;
  options: readonly OptionSpec[];
  /** Real command lines, with an optional note after `#`. */
  examples: readonly string[];
  /** The positional arguments: how many, which values, what completes them. */
  positionals?: PositionalSpec;
}

/**
 * What every command module in `lib/commands/` exports as its default (the shared `_name.ts`
 * modules and the registry are not command modules).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CommandModule } from "./command.ts";
 * import { memoryIo } from "./io.ts";
 *
 * const mod: CommandModule<{ text: string }> = {
 *   spec: { usage: "TEXT", options: [], examples: ["toolkit echo hi"] },
 *   parse: (args) => ({ text: args.join(" ") }),
 *   run: async (o, io) => (await io.stdout.write(o.text + "\n"), 0),
 * };
 * const io = memoryIo();
 * assert.equal(await mod.run(mod.parse(["hi", "there"], io.globals), io), 0);
 * assert.equal(io.stdoutText(), "hi there\n");
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
   * inside any `--net`/`--scope` narrowing; `toolkit scope --for COMMAND ...` shows it. Its net
   * entries are what the command listens on: no client binds are added for them. It may look at
   * the file system (to follow a path's links) before the Worker starts.
   */
  ownScope?(options: T): Narrowing | Promise<Narrowing>;
  /**
   * Whether Ctrl-C is the normal end of this run (`tcp-ping` without a count, as ping): then the
   * exit code `run` resolves to stands instead of 130. Absent: an interrupt is exit 130.
   */
  endsOnInterrupt?(options: T): boolean;
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
  /**
   * Short spellings of global options that the command's peer tool uses, by letter: `{ J: "json" }`
   * for perf (iperf3's `-J`), `{ q: "quiet" }` for tcp-ping (ping's `-q`). Written as a word of its
   * own after the command name, the letter means the global option (lib/cli/run.ts).
   */
  readonly globalAliases?: Readonly<Record<string, string>>;
}
