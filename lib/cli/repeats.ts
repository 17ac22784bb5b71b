// Status lines that a peer can make repeat without bound (a reset before accept, a dropped
// datagram): the first few of a kind are written as they come, then one summary a second, so a
// flood of 600 resets is a dozen lines, not 600, and nothing is lost from the count.
import type { Io } from "./io.ts";
import { writeStatus } from "./output.ts";

/** How many of a kind are written one by one, and how often a summary follows. */
export interface RepeatLimits {
  /** Lines of one kind written as they come before the summaries start. Default 10. */
  burst: number;
  /** How often the count of the lines held back is written. Default 1000 ms. */
  intervalMs: number;
}

const defaults: RepeatLimits = { burst: 10, intervalMs: 1000 };

interface Kind {
  /** Written one by one in the current run of this kind. */
  shown: number;
  /** Held back since the last summary. */
  held: number;
  /** Reported since the last tick (a tick without any ends the run). */
  recent: boolean;
  event: { event: string } & Record<string, unknown>;
  text: string;
}

/**
 * Writes repeated status messages through a limit: per kind (a key such as
 * `accept-error:ECONNRESET`) the first `burst` as they come, then every `intervalMs` one summary:
 * the last message held back with `… N more like it` (text), or its event with `repeated: N`
 * (`--json`). A quiet interval starts the kind over.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "./io.ts";
 * import { RepeatedStatus } from "./repeats.ts";
 *
 * const io = memoryIo();
 * const repeats = new RepeatedStatus(io, { json: false }, { burst: 2 });
 * const line = "toolkit: warning: connection reset before it was accepted (127.0.0.1:9000)";
 * for (let i = 0; i < 5; i++) {
 *   await repeats.report("accept-error:ECONNRESET", { event: "acceptError" }, line);
 * }
 * await repeats.close();
 * assert.equal(
 *   io.stderrText(),
 *   `${line}\n${line}\n` +
 *     "toolkit: warning: … 3 more like it: connection reset before it was accepted (127.0.0.1:9000)\n",
 * );
 * ```
 */
export class RepeatedStatus {
  readonly #io: Io;
  readonly #json: boolean;
  readonly #limits: RepeatLimits;
  readonly #kinds = new Map<string, Kind>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(io: Io, flags: { json: boolean }, limits: Partial<RepeatLimits> = {}) {
    this.#io = io;
    this.#json = flags.json;
    this.#limits = { ...defaults, ...limits };
  }

  /** Writes `event` (or `text`) now, or holds it back for the next summary of `key`. */
  async report(
    key: string,
    event: { event: string } & Record<string, unknown>,
    text: string,
  ): Promise<void> {
    let kind = this.#kinds.get(key);
    if (!kind) this.#kinds.set(key, kind = { shown: 0, held: 0, recent: false, event, text });
    kind.recent = true;
    this.#start();
    if (kind.shown < this.#limits.burst) {
      kind.shown++;
      await writeStatus(this.#io, event, text, this.#json);
      return;
    }
    kind.held++;
    kind.event = event;
    kind.text = text;
  }

  /** Writes the summaries of what is held back; kinds quiet since the last tick start over. */
  async flush(): Promise<void> {
    for (const [key, kind] of this.#kinds) {
      if (kind.held > 0) {
        const n = kind.held;
        kind.held = 0;
        const text = kind.text.replace(/^(toolkit: warning: )?/, `$1… ${n} more like it: `);
        await writeStatus(this.#io, { ...kind.event, repeated: n }, text, this.#json);
      } else if (!kind.recent) this.#kinds.delete(key);
      kind.recent = false;
    }
    if (this.#kinds.size === 0) this.#stop();
  }

  /** Writes what is held back and stops the timer. */
  async close(): Promise<void> {
    this.#stop();
    for (const kind of this.#kinds.values()) kind.recent = false;
    await this.flush();
    this.#kinds.clear();
  }

  #start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.flush().catch(() => {}), this.#limits.intervalMs);
    // A summary still to come never keeps the process alive.
    Deno.unrefTimer(this.#timer);
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
