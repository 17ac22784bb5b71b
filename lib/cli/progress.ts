// A progress bar on stderr, only when stderr is a terminal: scans and transfers show where they
// are without ever putting control characters into a log or a pipe. Redrawn at most ten times a
// second so it costs nothing next to the work it reports.
import type { Io } from "./io.ts";

/** A running progress display. */
export interface Progress {
  /** Adds `n` (default 1) done units. */
  tick(n?: number): void;
  /** Sets the text after the bar (`3 open`). */
  note(text: string): void;
  /** Erases the bar; call before printing results. Safe to call twice. */
  done(): Promise<void>;
}

/** Options for {@linkcode startProgress}. */
export interface ProgressOptions {
  /** Units of work in all (ports, bytes). */
  total: number;
  /** Shown before the bar: `scan 127.0.0.1`. */
  label: string;
  /** Minimum milliseconds between redraws. Default 100. */
  intervalMs?: number;
  /** Show the bar even when stderr is not a terminal (tests); `--quiet` still hides it. */
  force?: boolean;
}

/**
 * Renders one line of the bar for a given state and width.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderProgress } from "./progress.ts";
 *
 * assert.equal(
 *   renderProgress({ label: "scan", done: 5, total: 10, note: "1 open", width: 40 }),
 *   "scan [########-------]  50% 5/10 1 open",
 * );
 * ```
 */
export function renderProgress(
  state: { label: string; done: number; total: number; note: string; width: number },
): string {
  const fraction = state.total > 0 ? Math.min(state.done / state.total, 1) : 1;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const counts = `${state.done}/${state.total}`;
  const fixed = `${state.label} [] ${percent} ${counts}${state.note ? " " + state.note : ""}`;
  const barWidth = Math.max(0, Math.min(40, state.width - fixed.length - 1));
  const filled = Math.round(fraction * barWidth);
  const bar = "#".repeat(filled) + "-".repeat(barWidth - filled);
  return `${state.label} [${bar}] ${percent} ${counts}${state.note ? " " + state.note : ""}`
    .slice(0, Math.max(state.width - 1, 0));
}

/**
 * Starts a progress bar on `io.stderr`; everything is a no-op unless stderr is a terminal, and
 * with `--quiet` (which asks for errors and requested data only, and a bar is neither).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { startProgress } from "./progress.ts";
 *
 * // stderr is not a terminal here: the bar draws nothing.
 * const io = memoryIo();
 * const bar = startProgress(io, { total: 3, label: "scan 127.0.0.1" });
 * bar.tick();
 * await bar.done();
 * assert.equal(io.stderrText(), "");
 * // Forced (as tests do), it draws and erases itself at the end.
 * const forced = memoryIo();
 * const shown = startProgress(forced, { total: 3, label: "scan 127.0.0.1", force: true });
 * shown.tick();
 * await shown.done();
 * assert.ok(forced.stderrText().startsWith("\r\x1b[2Kscan 127.0.0.1 ["));
 * assert.ok(forced.stderrText().endsWith("\r\x1b[2K"));
 * ```
 */
export function startProgress(io: Io, options: ProgressOptions): Progress {
  if (io.globals.quiet || (!options.force && !io.stderr.isTerminal())) {
    return { tick() {}, note() {}, done: () => Promise.resolve() };
  }
  const interval = options.intervalMs ?? 100;
  const columns = Number(io.env("COLUMNS"));
  const width = Number.isInteger(columns) && columns > 20 ? columns : 80;
  let done = 0;
  let note = "";
  let last = 0;
  let shown = false;
  let writing = Promise.resolve();
  let finished = false;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (finished || (!force && now - last < interval)) return;
    last = now;
    shown = true;
    const line = renderProgress({ label: options.label, done, total: options.total, note, width });
    writing = writing.then(() => io.stderr.write(`\r\x1b[2K${line}`)).catch(() => {});
  };
  draw(true);
  return {
    tick(n = 1) {
      done += n;
      draw(done >= options.total);
    },
    note(text) {
      note = text;
    },
    async done() {
      if (finished) return;
      finished = true;
      await writing;
      if (shown) await io.stderr.write("\r\x1b[2K").catch(() => {});
    },
  };
}
