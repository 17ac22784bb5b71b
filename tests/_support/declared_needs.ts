// What a command's option table says it needs, for the registry sweeps that let a command off
// (tests/suites/confinement_test.ts's "needs no access", tests/suites/listener_burst_test.ts's
// "does not listen"). A command listed there must declare no such need: so a command cannot be let
// off by its name or its group, only by what it is, and a listed command that grows a file argument
// or a listening address fails until it gets its cases.
import type { CommandSpec } from "../../lib/cli/command.ts";

/** A command as the sweeps see it: its registry name and its module's spec. */
export interface DeclaredCommand {
  name: string;
  spec: CommandSpec;
}

/**
 * Opens paths: a positional or an option completes as a file or a drill (name or file); the
 * completion metadata tests/commands/completions_test.ts demands of every file argument.
 */
export function opensPaths(spec: CommandSpec): boolean {
  const kinds = [spec.positionals?.complete, ...spec.options.map((o) => o.complete)].flat();
  return kinds.includes("file") || kinds.includes("drill");
}

/**
 * Listens: its usage takes an address whose host is optional (`[HOST:]PORT`, `[HOST][:PORT]`), as
 * every server's does, or its name says so (`unix-listen`, `drill serve`, `perf-server`).
 */
export function listens(name: string, spec: CommandSpec): boolean {
  return /\[HOST(:\]|\]\[:)PORT/.test(spec.usage) || /(^|[ -])(listen|serve|server)$/.test(name);
}

/**
 * Talks to other hosts: its usage or an option's value names a host, port, IP address, URL or
 * interface (`HOST:PORT`, `--gateway IP`, `--to URL`, `--port PORT`).
 */
export function reachesHosts(spec: CommandSpec): boolean {
  const words = [spec.usage, ...spec.options.map((o) => o.value ?? "")].join(" ");
  return /\b(HOST|PORTS?|IP|URL|IF|IFACE)\b/.test(words);
}

/** Each need the spec declares, in words; empty for a command that needs no access at all. */
export function declaredNeeds(command: DeclaredCommand): string[] {
  const needs: string[] = [];
  if (opensPaths(command.spec)) needs.push("opens paths (a file or drill argument)");
  if (listens(command.name, command.spec)) needs.push("listens (its usage or name)");
  if (reachesHosts(command.spec)) needs.push("reaches hosts (HOST, PORT, IP, URL or IF)");
  return needs;
}

/** Every registered command with its spec (loads every module). */
export async function declaredCommands(
  registry: readonly { name: string; load: () => Promise<{ spec: CommandSpec }> }[],
): Promise<DeclaredCommand[]> {
  return await Promise.all(
    registry.map(async (e) => ({ name: e.name, spec: (await e.load()).spec })),
  );
}

/**
 * Why a registry sweep's lists do not cover `commands`: each command has a case of the sweep
 * (`covered`) or is listed as exempt, and an exempt one declares nothing against its exemption
 * (`against` says what it declares, or nothing); a listed name must be registered. Empty when every
 * command has its place.
 */
export function coverageProblems(
  commands: readonly DeclaredCommand[],
  lists: { covered: ReadonlySet<string>; exempt: ReadonlySet<string> },
  words: { covered: string; exempt: string },
  against: (command: DeclaredCommand) => string | undefined,
): string[] {
  const problems: string[] = [];
  for (const c of commands) {
    if (lists.covered.has(c.name)) continue;
    if (!lists.exempt.has(c.name)) {
      problems.push(`${c.name}: no ${words.covered} above, and not listed as ${words.exempt}`);
      continue;
    }
    const why = against(c);
    if (why) problems.push(`${c.name}: listed as ${words.exempt}, but ${why}`);
  }
  const names = new Set(commands.map((c) => c.name));
  for (const n of [...lists.covered, ...lists.exempt]) {
    if (!names.has(n)) problems.push(`${n}: listed but not registered`);
  }
  return problems;
}
