// Finds the command a command line names: the longest registered name that its leading words
// spell (`subnet split` before `subnet`), or the group those words begin.
import type { CommandEntry } from "./command.ts";
import { closest } from "./suggest.ts";

/** The outcome of {@linkcode resolveCommand}. */
export type Resolution =
  | { kind: "command"; entry: CommandEntry; args: string[] }
  | { kind: "group"; prefix: string; entries: CommandEntry[]; args: string[] }
  | { kind: "unknown"; name: string; suggestion?: string };

/**
 * Resolves `words` (the command line without global options) against the registry.
 *
 * @example
 * ```ts
 * resolveCommand(registry, ["subnet", "same", "10.0.0.1", "10.0.0.2", "/24"]);
 * ```
 */
export function resolveCommand(
  registry: readonly CommandEntry[],
  words: readonly string[],
): Resolution {
  const [first, second] = words;
  if (second !== undefined) {
    const two = registry.find((e) => e.name === `${first} ${second}`);
    if (two) return { kind: "command", entry: two, args: words.slice(2) };
  }
  const one = registry.find((e) => e.name === first);
  if (one) return { kind: "command", entry: one, args: words.slice(1) };
  const members = registry.filter((e) => e.name.startsWith(`${first} `));
  if (members.length > 0) {
    if (second !== undefined && !second.startsWith("-")) {
      const suggestion = closest(`${first} ${second}`, members.map((e) => e.name));
      return { kind: "unknown", name: `${first} ${second}`, suggestion };
    }
    return { kind: "group", prefix: first, entries: members, args: words.slice(1) };
  }
  const names = new Set(registry.flatMap((e) => [e.name, e.name.split(" ")[0]]));
  return { kind: "unknown", name: first, suggestion: closest(first, [...names]) };
}
