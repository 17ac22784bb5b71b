// Declarative command-line options: one table per command both parses the arguments and writes
// the help and completion scripts. The parser follows node:util parseArgs in strict mode (a test
// checks it against node's on random command lines) but is our own: importing node:util costs
// about a third of a bare `deno run`, and start-up is a target (see bench/). This is the only
// module that parses; swapping in `@std/cli` touches this file alone. One deliberate difference:
// a negative number after an option that takes a number is its value (`-c -1`, then refused by
// the option's range), where node refuses it as ambiguous (node takes `-c-1` and `--count=-1`).
import type { CommandSpec, OptionSpec } from "./command.ts";
import { UsageError, userInputError } from "./errors.ts";
import { globalOptions } from "./globals.ts";
import { peerHint } from "./peer_hints.ts";
import { closest } from "./suggest.ts";
import { formatDuration, maxTimerMs, parseDuration } from "../text/duration.ts";

export type { CommandSpec, OptionSpec, PositionalSpec, ValueCompletion } from "./command.ts";

/**
 * An option no table declares. `option` is the unknown one as written (`--jsno`, or `-j` of the
 * group `-jsno`); `word` the whole argument it came in.
 */
export class UnknownOptionError extends SyntaxError {
  readonly option: string;
  readonly word: string;
  constructor(option: string, word: string) {
    super(`unknown option '${option}'`);
    this.name = "UnknownOptionError";
    this.option = option;
    this.word = word;
  }
}

/**
 * The option a mistyped one probably meant, among `options`: the closest long name for `--jsno`
 * (or for `-json`, a long name typed with one dash), the other case for `-W`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suggestOption } from "./args.ts";
 *
 * const options = [{ name: "json", type: "boolean", description: "" }] as const;
 * assert.equal(suggestOption("--jsno", "--jsno", options), "--json");
 * ```
 */
export function suggestOption(
  option: string,
  word: string,
  options: readonly OptionSpec[],
): string | undefined {
  const longNames = options.map((o) => o.name);
  if (option.startsWith("--")) {
    const typed = option.slice(2).split("=")[0];
    // A name cut short (`--listen` for `--listening`) is what was meant when only one starts so.
    const longer = typed.length >= 3 ? longNames.filter((n) => n.startsWith(typed)) : [];
    const name = longer.length === 1 ? longer[0] : closest(typed, longNames);
    return name && `--${name}`;
  }
  const letter = option.slice(1);
  const bare = word.slice(1).split("=")[0];
  if (bare.length > 2 && bare[0] === letter) {
    const name = closest(bare, longNames.filter((n) => n.length > 1));
    if (name) return `--${name}`;
  }
  const other = letter === letter.toLowerCase() ? letter.toUpperCase() : letter.toLowerCase();
  return options.some((o) => o.short === other) ? `-${other}` : undefined;
}

/**
 * The message for an option left without its value. When the next word starts with "-" (as
 * node's parseArgs, it is read as an option, not a value), it says how to give such a value.
 */
function needsValue(option: string, next: string | undefined): string {
  const message = `option '${option}' needs a value`;
  return next === undefined
    ? message
    : `${message} ('${next}' is read as an option; write ${option}=${next} for that value)`;
}

/** Placeholders of options that take a number (or a list of them, `N,N,...`). */
export const numericPlaceholder: RegExp =
  /^(N|COUNT|SECONDS|DURATION|MS|BYTES|BITS|PORT|RATE|SIZE)(,\1)*(,\.\.\.)?$/;

/**
 * Whether `word` is the value of option `o` in `-o word` / `--o word`: any word that does not
 * start with `-`, a lone `-`, and for an option that takes a number a negative number (`-1`,
 * `-0`, `-1.5s`), so that the option's range check can name what is wrong with it.
 */
function isValueFor(o: OptionSpec, word: string | undefined): word is string {
  if (word === undefined) return false;
  if (!word.startsWith("-") || word === "-") return true;
  // After an option that takes a number, a negative number is its value (its own range check then
  // says what is wrong), even where the command has a short option of that digit (perf-server -1):
  // the option needs a value either way.
  return /^-\d/.test(word) && numericPlaceholder.test(o.value ?? "");
}

/** Parsed values: booleans, strings or (with `multiple`) string arrays, by long name. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Splits `args` into option values and positionals, strictly: unknown options, a missing value and
 * a value given to a boolean are errors (messages as users read them, naming the long option; an
 * unknown option is an {@linkcode UnknownOptionError}).
 * Semantics of node:util `parseArgs({ strict: true, allowPositionals: true })`: `--name=value`,
 * `--name value`, `-c value`, `-cvalue`, grouped booleans `-ab`, `--` ends options, a lone `-`
 * is a positional, defaults fill what was not given. Unlike node's, a negative number after an
 * option that takes a number (its placeholder: `N`, `DURATION`, `PORT`...) is its value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOptions } from "./args.ts";
 *
 * const options = [{ name: "count", short: "c", type: "string", description: "" }] as const;
 * assert.deepEqual(parseOptions(options, ["-c", "3", "x"]), {
 *   values: { count: "3" },
 *   positionals: ["x"],
 * });
 * ```
 */
export function parseOptions(
  options: readonly OptionSpec[],
  args: readonly string[],
): { values: OptionValues; positionals: string[] } {
  const values: OptionValues = {};
  const positionals: string[] = [];
  const byLong = new Map(options.map((o) => [o.name, o]));
  const byShort = new Map(
    options.flatMap((o) =>
      [...(o.short ? [o.short] : []), ...(o.aliases ?? [])].map((c) => [c, o])
    ),
  );
  const store = (o: OptionSpec, value: string | boolean) => {
    if (o.multiple) {
      values[o.name] = [...((values[o.name] as string[] | undefined) ?? []), value as string];
    } else values[o.name] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const o = byLong.get(name);
      if (!o) throw new UnknownOptionError(`--${name}`, arg);
      if (o.type === "boolean") {
        if (eq >= 0) throw new SyntaxError(`option '--${name}' does not take a value`);
        store(o, true);
      } else if (eq >= 0) store(o, arg.slice(eq + 1));
      else {
        const next = args[i + 1];
        if (!isValueFor(o, next)) throw new SyntaxError(needsValue(`--${name}`, next));
        store(o, next);
        i++;
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const o = byShort.get(arg[j]);
        if (!o) throw new UnknownOptionError(`-${arg[j]}`, arg);
        if (o.type === "boolean") {
          store(o, true);
          continue;
        }
        if (j + 1 < arg.length) store(o, arg.slice(j + 1));
        else {
          const next = args[i + 1];
          if (!isValueFor(o, next)) {
            throw new SyntaxError(needsValue(`--${o.name}`, next));
          }
          store(o, next);
          i++;
        }
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  for (const o of options) {
    if (values[o.name] === undefined && o.default !== undefined) {
      values[o.name] = o.multiple ? [o.default as string] : o.default;
    }
  }
  return { values, positionals };
}

/**
 * Parses `args` against a command's option table. Unknown options (with a did-you-mean among the
 * command's and the global options), missing values, values outside `choices` (of an option or of
 * the positionals) and a wrong number of positionals are `UsageError`s naming the command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommandArgs } from "./args.ts";
 * import type { CommandSpec } from "./command.ts";
 *
 * const spec: CommandSpec = {
 *   usage: "HOST:PORT TEXT",
 *   options: [{ name: "count", short: "c", type: "string", value: "N", description: "how many" }],
 *   examples: [],
 * };
 * const { values, positionals } = parseCommandArgs("udp-send", spec, ["-c", "3", "127.0.0.1:9", "hi"]);
 * assert.deepEqual(values, { count: "3" });
 * assert.deepEqual(positionals, ["127.0.0.1:9", "hi"]);
 * // A misspelt option is a usage error for that command, with a suggestion.
 * assert.throws(() => parseCommandArgs("udp-send", spec, ["--cuont", "3"]), {
 *   name: "UsageError",
 *   message: "unknown option '--cuont' (did you mean '--count'?)",
 *   command: "udp-send",
 * });
 * ```
 */
export function parseCommandArgs(
  command: string,
  spec: CommandSpec,
  args: readonly string[],
): { values: OptionValues; positionals: string[] } {
  let parsed;
  try {
    parsed = parseOptions(spec.options, args);
  } catch (err) {
    if (err instanceof UnknownOptionError) {
      // A peer tool's option toolkit has no clean equivalent for: say what to write instead.
      const peer = peerHint(command, err.option);
      if (peer) throw new UsageError(`${err.message}: ${peer}`, command);
      // Global options never reach here (they are taken out first), but a typo of one does.
      const meant = suggestOption(err.option, err.word, [...spec.options, ...globalOptions]);
      const hint = meant ? ` (did you mean '${meant}'?)` : "";
      throw new UsageError(`${err.message}${hint}`, command);
    }
    throw userInputError(err, command);
  }
  for (const o of spec.options) {
    const v = parsed.values[o.name];
    for (const one of Array.isArray(v) ? v : [v]) {
      if (o.choices && typeof one === "string" && !o.choices.includes(one)) {
        // Case and `_` for `-` are typos like any other (`NETSH`, `net_tools`).
        const meant = closest(one.toLowerCase().replaceAll("_", "-"), o.choices);
        throw new UsageError(
          `--${o.name} must be one of ${o.choices.join(", ")} (got "${one}"${
            meant ? `; did you mean '${meant}'?` : ""
          })`,
          command,
        );
      }
    }
  }
  const { min = 0, max = Infinity, choices } = spec.positionals ?? {};
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`missing argument: expected ${spec.usage}`, command);
  if (n > max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`, command);
  }
  const outside = choices && parsed.positionals.find((p) => !choices.includes(p));
  if (outside !== undefined) {
    throw new UsageError(
      `argument must be one of ${choices!.join(", ")} (got "${outside}")`,
      command,
    );
  }
  return parsed;
}

/**
 * Reads an integer option within bounds; `fallback` when absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intOption } from "./args.ts";
 *
 * const limits = { min: 1, max: 1_000_000, fallback: 1, command: "udp-send" };
 * assert.equal(intOption({ count: "3" }, "count", limits), 3);
 * assert.equal(intOption({}, "count", limits), 1); // not given: the fallback
 * assert.throws(() => intOption({ count: "0" }, "count", limits), {
 *   name: "UsageError",
 *   message: "--count must be between 1 and 1000000 (got 0)",
 * });
 * ```
 */
export function intOption(
  values: OptionValues,
  name: string,
  options: { min?: number; max?: number; fallback: number; command: string },
): number {
  const raw = values[name];
  if (raw === undefined) return options.fallback;
  if (typeof raw !== "string" || !/^-?\d+$/.test(raw)) {
    throw new UsageError(`--${name} takes a whole number (got "${raw}")`, options.command);
  }
  const n = Number(raw);
  const { min = -Infinity, max = Infinity } = options;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} must be between ${min} and ${max} (got ${raw})`,
      options.command,
    );
  }
  return n;
}

/**
 * Reads a duration option in milliseconds; `fallback` when absent. Refused with a `UsageError`:
 * what does not parse, less than `min` (default 0; give 1 where 0 would mean "no time at all",
 * as for a timeout), more than `max` (default, and at most, {@linkcode maxTimerMs}: a longer timer
 * would fire at once).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationOption } from "./args.ts";
 *
 * const rule = { fallback: 2000, min: 1, command: "udp-send" };
 * assert.equal(durationOption({ timeout: "1.5" }, "timeout", rule), 1500); // seconds by default
 * assert.equal(durationOption({ timeout: "250ms" }, "timeout", rule), 250);
 * assert.equal(durationOption({}, "timeout", rule), 2000);
 * ```
 */
export function durationOption(
  values: OptionValues,
  name: string,
  options: { fallback: number; command: string; min?: number; max?: number },
): number {
  const raw = values[name];
  if (raw === undefined) return options.fallback;
  let ms: number;
  try {
    // Blanks around it are refused, as every other number option refuses them (" 5").
    if (String(raw) !== String(raw).trim()) throw new SyntaxError("blanks");
    ms = parseDuration(String(raw));
  } catch (err) {
    if (err instanceof RangeError) {
      const why = err.message[0].toLowerCase() + err.message.slice(1);
      throw new UsageError(`--${name}: ${why}`, options.command);
    }
    if (!(err instanceof SyntaxError)) throw err;
    if (/^-\d/.test(String(raw))) {
      throw new UsageError(`--${name} cannot be negative (got "${raw}")`, options.command);
    }
    throw new UsageError(
      `--${name} takes a duration such as 2, 1.5s or 250ms (got "${raw}")`,
      options.command,
    );
  }
  const min = options.min ?? 0;
  const max = Math.min(options.max ?? maxTimerMs, maxTimerMs);
  if (ms < min) {
    const least = min <= 1 ? "longer than 0" : `at least ${formatDuration(min)}`;
    throw new UsageError(`--${name} must be ${least} (got "${raw}")`, options.command);
  }
  if (ms > max) {
    throw new UsageError(
      `--${name} is longer than ${formatDuration(max)}${
        max === maxTimerMs ? ", the longest timer JavaScript can set" : ""
      } (got "${raw}")`,
      options.command,
    );
  }
  return ms;
}

/** Wraps text at `width` columns, keeping words whole. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Renders an option table as aligned help lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatOptions } from "./args.ts";
 *
 * assert.deepEqual(
 *   formatOptions([{ name: "count", short: "c", type: "string", value: "N", description: "how many" }]),
 *   ["  -c, --count N    how many"],
 * );
 * ```
 */
export function formatOptions(options: readonly OptionSpec[], width = 100): string[] {
  const left = options.map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${o.name}`;
    return o.type === "string" ? `${flag} ${o.value ?? "VALUE"}` : flag;
  });
  const col = Math.min(Math.max(...left.map((l) => l.length), 0) + 4, 34);
  const out: string[] = [];
  options.forEach((o, i) => {
    let text = o.description;
    if (o.aliases?.length) text += ` (also ${o.aliases.map((a) => `-${a}`).join(", ")})`;
    if (o.choices) text += ` (${o.choices.join("|")})`;
    if (o.default !== undefined && o.default !== false) text += ` [default: ${o.default}]`;
    const body = wrap(text, Math.max(width - col - 2, 30));
    const head = `  ${left[i]}`;
    if (head.length + 2 > col + 2) {
      out.push(head);
      for (const b of body) out.push(" ".repeat(col + 2) + b);
    } else {
      out.push(head.padEnd(col + 2) + (body[0] ?? ""));
      for (const b of body.slice(1)) out.push(" ".repeat(col + 2) + b);
    }
  });
  return out;
}

/** Wraps a paragraph for help output. */
export function formatParagraph(text: string, width = 100): string[] {
  return text.split(/\n\s*\n/).flatMap((p, i) => [...(i > 0 ? [""] : []), ...wrap(p, width)]);
}
