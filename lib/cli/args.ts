// Declarative command-line options: one table per command both parses the arguments and writes
// the help and completion scripts. The only module that knows the parser (`node:util` parseArgs,
// behind the `#parse-args` import); swapping to `@std/cli` touches this file alone.
import { parseArgs } from "#parse-args";
import { UsageError } from "./errors.ts";

/** One option of a command. */
export interface OptionSpec {
  /** Long name without dashes: `count` for `--count`. */
  name: string;
  /** One-letter alias: `c` for `-c`. */
  short?: string;
  type: "boolean" | "string";
  /** May be given several times; the value is then an array. */
  multiple?: boolean;
  /** The default, shown in help. */
  default?: string | boolean;
  /** Placeholder for the value in help: `N`, `FILE`, `SECONDS`. */
  value?: string;
  /** Values offered by completion scripts and checked when parsing. */
  choices?: readonly string[];
  description: string;
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
  /** Fewest and most positional arguments; checked by {@linkcode parseCommandArgs}. */
  positionals?: { min?: number; max?: number };
}

/** Parsed values: booleans, strings or (with `multiple`) string arrays, by long name. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Parses `args` against a command's option table. Unknown options, missing values, values outside
 * `choices` and a wrong number of positionals are `UsageError`s naming the command.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommandArgs("udp-send", spec, ["-c", "3", "127.0.0.1:9", "hi"]);
 * ```
 */
export function parseCommandArgs(
  command: string,
  spec: CommandSpec,
  args: readonly string[],
): { values: OptionValues; positionals: string[] } {
  const options: Record<
    string,
    { type: "boolean" | "string"; short?: string; multiple?: boolean; default?: string | boolean }
  > = {};
  for (const o of spec.options) {
    options[o.name] = { type: o.type };
    if (o.short) options[o.name].short = o.short;
    if (o.multiple) options[o.name].multiple = true;
    if (o.default !== undefined) options[o.name].default = o.default;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(describeParseError(err), command);
  }
  for (const o of spec.options) {
    const v = parsed.values[o.name];
    if (o.choices && typeof v === "string" && !o.choices.includes(v)) {
      throw new UsageError(
        `--${o.name} must be one of ${o.choices.join(", ")} (got "${v}")`,
        command,
      );
    }
  }
  const { min = 0, max = Infinity } = spec.positionals ?? {};
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`missing argument: expected ${spec.usage}`, command);
  if (n > max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`, command);
  }
  return { values: parsed.values as OptionValues, positionals: parsed.positionals };
}

function describeParseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const option = /(--[\w-]+)/.exec(message)?.[1] ?? /'(-[^' ,]*)/.exec(message)?.[1];
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option ? `'${option}'` : ""}`.trim();
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing/.test(message)
        ? `option ${option ? `'${option}' ` : ""}needs a value`
        : `option ${option ? `'${option}' ` : ""}does not take a value`;
    default:
      return message.split(". ")[0];
  }
}

/**
 * Reads an integer option within bounds; `fallback` when absent.
 *
 * @example
 * ```ts
 * const count = intOption(values, "count", { min: 1, max: 1_000_000, fallback: 1, command: "udp-send" });
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
 * Parses a duration: `1.5` or `1.5s` seconds, `250ms`, `2m`. Returns milliseconds.
 *
 * @example
 * ```ts
 * parseDuration("250ms"); // 250
 * parseDuration("2"); // 2000
 * ```
 */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new SyntaxError(`Cannot parse duration "${text}": use e.g. 2, 1.5s, 250ms, 1m`);
  const n = Number(m[1]);
  return Math.round(m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000);
}

/**
 * Reads a duration option in milliseconds; `fallback` when absent.
 *
 * @example
 * ```ts
 * const timeout = durationOption(values, "timeout", { fallback: 2000, command: "udp-send" });
 * ```
 */
export function durationOption(
  values: OptionValues,
  name: string,
  options: { fallback: number; command: string; max?: number },
): number {
  const raw = values[name];
  if (raw === undefined) return options.fallback;
  let ms: number;
  try {
    ms = parseDuration(String(raw));
  } catch {
    throw new UsageError(
      `--${name} takes a duration such as 2, 1.5s or 250ms (got "${raw}")`,
      options.command,
    );
  }
  if (options.max !== undefined && ms > options.max) {
    throw new UsageError(`--${name} is longer than ${options.max / 1000}s`, options.command);
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
 * formatOptions([{ name: "count", short: "c", type: "string", value: "N", description: "how many" }]);
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
