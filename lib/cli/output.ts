// Output for people and for scripts: aligned columns and optional colour for a terminal, one JSON
// document or NDJSON lines with `--json`. Large integers (IPv6 sizes) go out as decimal strings;
// characters that could act on a terminal are written as \u escapes (the same JSON value).
import { printableJson } from "../text/printable.ts";
import type { Io } from "./io.ts";

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Array.from(value);
  return value;
}

/**
 * Prints one JSON document (pretty, 2 spaces) followed by a newline. BigInts become strings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { writeJson } from "./output.ts";
 *
 * const io = memoryIo();
 * await writeJson(io, { same: true });
 * assert.equal(io.stdoutText(), '{\n  "same": true\n}\n');
 * ```
 */
export async function writeJson(io: Io, value: unknown): Promise<void> {
  await io.stdout.write(printableJson(JSON.stringify(value, replacer, 2)) + "\n");
}

/**
 * Prints one NDJSON line, for streaming commands.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { writeNdjson } from "./output.ts";
 *
 * const io = memoryIo();
 * await writeNdjson(io, { event: "datagram", size: 2 });
 * assert.equal(io.stdoutText(), '{"event":"datagram","size":2}\n');
 * ```
 */
export async function writeNdjson(io: Io, value: unknown): Promise<void> {
  await io.stdout.write(printableJson(JSON.stringify(value, replacer)) + "\n");
}

/**
 * Writes a status message on stderr: a line of text for people, or under `--json` an NDJSON event
 * (stdout stays for the data).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { writeStatus } from "./output.ts";
 *
 * const event = { event: "listening", address: "127.0.0.1:9000" };
 * const text = memoryIo();
 * await writeStatus(text, event, "listening on 127.0.0.1:9000");
 * assert.equal(text.stderrText(), "listening on 127.0.0.1:9000\n");
 * const json = memoryIo({ globals: { json: true } });
 * await writeStatus(json, event, "listening on 127.0.0.1:9000");
 * assert.equal(json.stderrText(), '{"event":"listening","address":"127.0.0.1:9000"}\n');
 * ```
 */
export async function writeStatus(
  io: Io,
  event: { event: string } & Record<string, unknown>,
  text: string,
  json: boolean = io.globals.json,
): Promise<void> {
  await io.stderr.write(
    json ? printableJson(JSON.stringify(event, replacer)) + "\n" : text + "\n",
  );
}

/**
 * Writes a warning on stderr: `toolkit: warning: ...` for people, `{"warning": {"message": ...}}`
 * under `--json`, so stderr stays NDJSON for scripts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { writeWarning } from "./output.ts";
 *
 * const text = memoryIo();
 * await writeWarning(text, "line 3: cannot parse MAC address (skipped)");
 * assert.equal(text.stderrText(), "toolkit: warning: line 3: cannot parse MAC address (skipped)\n");
 * const json = memoryIo({ globals: { json: true } });
 * await writeWarning(json, "line 3: cannot parse MAC address (skipped)");
 * assert.equal(
 *   json.stderrText(),
 *   '{"warning":{"message":"line 3: cannot parse MAC address (skipped)"}}\n',
 * );
 * ```
 */
export async function writeWarning(io: Io, message: string): Promise<void> {
  await io.stderr.write(
    io.globals.json
      ? printableJson(JSON.stringify({ warning: { message } })) + "\n"
      : `toolkit: warning: ${message}\n`,
  );
}

/** SGR escape sequences (colours) that `paint` adds: they take no room on the screen. */
// deno-lint-ignore no-control-regex
const sgr = /\x1b\[[0-9;]*m/g;

/** Code points a terminal shows two columns wide: East Asian wide and fullwidth, emoji. */
const wide =
  /[\u{1100}-\u{115F}\u{2E80}-\u{303E}\u{3041}-\u{33FF}\u{3400}-\u{4DBF}\u{4E00}-\u{9FFF}\u{A000}-\u{A4CF}\u{AC00}-\u{D7A3}\u{F900}-\u{FAFF}\u{FE30}-\u{FE4F}\u{FF00}-\u{FF60}\u{FFE0}-\u{FFE6}\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;

/** Code points that take no column: combining marks, zero-width spaces and joiners. */
const zeroWidth = /[\p{Mn}\p{Me}\u200B-\u200D\u2060\uFEFF]/u;

/**
 * How many terminal columns `text` takes: colour codes take none, CJK characters two, combining
 * marks none, everything else one. What `String.length` gets wrong for a painted or Chinese cell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayWidth } from "./output.ts";
 *
 * assert.equal(displayWidth("\x1b[32mopen\x1b[0m"), 4); // colour codes take no room
 * assert.equal(displayWidth("我是客户端"), 10); // wide characters take two columns
 * ```
 */
export function displayWidth(text: string): number {
  // Most cells are plain ASCII: one column a character (tables of 65,536 rows stay fast).
  if (!/[^\x20-\x7e]/.test(text)) return text.length;
  let width = 0;
  for (const ch of text.replace(sgr, "")) {
    width += zeroWidth.test(ch) ? 0 : wide.test(ch) ? 2 : 1;
  }
  return width;
}

/**
 * Lays out rows as left-aligned columns separated by two spaces, without trailing spaces.
 * Columns listed in `right` are right-aligned (numbers). Widths are what the terminal shows
 * ({@linkcode displayWidth}), so painted and CJK cells line up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTable } from "./output.ts";
 *
 * assert.equal(
 *   formatTable([["IP", "MAC"], ["10.0.0.1", "aa:bb:cc:dd:ee:ff"]]),
 *   "IP        MAC\n10.0.0.1  aa:bb:cc:dd:ee:ff\n",
 * );
 * ```
 */
export function formatTable(
  rows: readonly (readonly string[])[],
  options: { right?: number[] } = {},
): string {
  const widths: number[] = [];
  // Cells whose width is not their length (painted, CJK), with the width they show.
  const unlike = new Map<string, number>();
  const width = (c: string) => unlike.get(c) ?? c.length;
  for (const row of rows) {
    row.forEach((c, i) => {
      const w = displayWidth(c);
      if (w !== c.length) unlike.set(c, w);
      widths[i] = Math.max(widths[i] ?? 0, w);
    });
  }
  return rows.map((row) =>
    row.map((c, i) => {
      if (i === row.length - 1 && !options.right?.includes(i)) return c;
      const target = widths[i] + c.length - width(c);
      return options.right?.includes(i) ? c.padStart(target) : c.padEnd(target);
    }).join("  ").trimEnd()
  ).join("\n") + (rows.length ? "\n" : "");
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, dim: 2, bold: 1 };

/**
 * Colours text when `io.globals.color` is on (a terminal, no NO_COLOR, no --no-color).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { paint } from "./output.ts";
 *
 * assert.equal(paint(memoryIo(), "green", "same network"), "same network");
 * const color = memoryIo({ globals: { color: true } });
 * assert.equal(paint(color, "green", "same network"), "\x1b[32msame network\x1b[0m");
 * ```
 */
export function paint(io: Io, color: keyof typeof codes, text: string): string {
  return io.globals.color ? `\x1b[${codes[color]}m${text}\x1b[0m` : text;
}
