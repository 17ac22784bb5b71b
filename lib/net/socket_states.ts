// Socket states as `ss` names and filters them (`ss state established`, `-l`, `-a`, and the
// default of connected sockets only), so `toolkit sockets` takes the same words and refuses the
// same wrong ones. The kernel's spellings (`TIME_WAIT`, `FIN_WAIT2`) are accepted too: the course
// and the drills use them.

/** The states `ss` knows, by the names its `state` filter takes. */
export const ssStates = [
  "established",
  "syn-sent",
  "syn-recv",
  "fin-wait-1",
  "fin-wait-2",
  "time-wait",
  "closed",
  "close-wait",
  "last-ack",
  "listening",
  "closing",
  "bound-inactive",
] as const;

/** One state as `ss` names it in a filter. */
export type SsState = typeof ssStates[number];

const all: readonly SsState[] = ssStates;
const without = (...out: SsState[]) => all.filter((s) => !out.includes(s));

/** `ss`'s group names and the states each stands for (misc/ss.c, scan_state). */
export const ssStateGroups: Readonly<Record<string, readonly SsState[]>> = {
  all,
  connected: without("closed", "listening"),
  synchronized: without("closed", "listening", "syn-sent"),
  bucket: ["syn-recv", "time-wait"],
  big: without("syn-recv", "time-wait"),
};

/** What `ss` shows with neither `-a` nor `-l` nor a state filter: connected sockets, not waiting. */
export const defaultStates: readonly SsState[] = without(
  "listening",
  "closed",
  "time-wait",
  "syn-recv",
);

/** `ss -l`: listening sockets and unconnected ones (a UDP server, an unbound Unix datagram). */
export const listeningStates: readonly SsState[] = ["listening", "closed"];

/** Other spellings of one state: the kernel's (`TIME_WAIT`), `ss`'s table (`ESTAB`, `UNCONN`). */
const aliases: Record<string, SsState> = {
  "estab": "established",
  "syn-rcv": "syn-recv",
  "fin-wait1": "fin-wait-1",
  "fin-wait2": "fin-wait-2",
  "close": "closed",
  "unconn": "closed",
  "unconnected": "closed",
  "listen": "listening",
  // /proc/net/unix's socket states
  "connecting": "syn-sent",
  "disconnecting": "closing",
};

/**
 * The `ss` state of a state as the socket tables write it (`TIME_WAIT`, `ESTAB`, `UNCONN`,
 * `LISTEN`); `undefined` for one `ss` has no name for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ssStateOf } from "./socket_states.ts";
 *
 * assert.equal(ssStateOf("FIN_WAIT2"), "fin-wait-2");
 * assert.equal(ssStateOf("UNCONN"), "closed");
 * assert.equal(ssStateOf("bogus"), undefined);
 * ```
 */
export function ssStateOf(state: string): SsState | undefined {
  const word = state.toLowerCase().replace(/_/g, "-");
  if (word === "new-syn-recv") return "syn-recv";
  if ((ssStates as readonly string[]).includes(word)) return word as SsState;
  return aliases[word];
}

/**
 * The states a `state` filter word stands for: a state (`established`, `TIME_WAIT`, `time-wait`)
 * or one of `ss`'s groups (`all`, `connected`, `synchronized`, `bucket`, `big`), any case.
 * Throws `SyntaxError` naming the valid words for anything else, as `ss state bogus` refuses it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStateWord } from "./socket_states.ts";
 *
 * assert.deepEqual(parseStateWord("bucket"), ["syn-recv", "time-wait"]);
 * assert.deepEqual(parseStateWord("fin-wait-1"), ["fin-wait-1"]);
 * assert.throws(() => parseStateWord("nope"), { name: "SyntaxError" });
 * ```
 */
export function parseStateWord(word: string): readonly SsState[] {
  const lower = word.toLowerCase();
  const group = Object.hasOwn(ssStateGroups, lower) ? ssStateGroups[lower] : undefined;
  if (group) return group;
  // ss refuses the kernel's internal NEW_SYN_RECV by name: it never shows it to users.
  const state = lower.replace(/_/g, "-") === "new-syn-recv" ? undefined : ssStateOf(word);
  if (state) return [state];
  throw new SyntaxError(
    `Unknown socket state "${word}": use one of ${
      ssStates.filter((s) => s !== "bound-inactive").join(", ")
    } (or the kernel's TIME_WAIT spelling), or a group: ${Object.keys(ssStateGroups).join(", ")}`,
  );
}

/**
 * The states `ss` would show for its filter options: `state` words (each adds its states) and
 * `exclude` words (each removes its states) win over `-a` and `-l`; without any, `-a` is every
 * state, `-l` listening and unconnected ones, and the default connected sockets that are not
 * waiting (no LISTEN, UNCONN, TIME_WAIT or SYN_RECV).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectStates } from "./socket_states.ts";
 *
 * const only = selectStates({ all: false, listening: false, include: ["established"], exclude: [] });
 * assert.deepEqual(only, new Set(["established"]));
 * const listening = selectStates({ all: false, listening: true, include: [], exclude: [] });
 * assert.deepEqual(listening, new Set(["listening", "closed"])); // ss -l: unconnected UDP too
 * ```
 */
export function selectStates(options: {
  all: boolean;
  listening: boolean;
  include: readonly string[];
  exclude: readonly string[];
}): Set<SsState> {
  let states: Set<SsState>;
  if (options.include.length) states = new Set(options.include.flatMap(parseStateWord));
  else if (options.exclude.length || options.all) states = new Set(all);
  else if (options.listening) states = new Set(listeningStates);
  else states = new Set(defaultStates);
  for (const s of options.exclude.flatMap(parseStateWord)) states.delete(s);
  return states;
}
