// The class as the dashboard, `/api/results` and the exports see it: one row per machine, one cell
// per drill holding the machine's latest result of that drill, with the submission it came in.
// Students often run drills one at a time, so a cell is not tied to the machine's last submission.
// Machines and drills the teacher hid are left out of the rows and listed apart, to show again.
import type { DrillResult } from "../drill/result.ts";
import type { StoredSubmission, SubmissionStore } from "./store.ts";
import type { SubmissionScope } from "./submission.ts";

/** A submission without its report: where a result came from. */
export interface SubmissionMeta {
  id: number;
  receivedAt: string;
  ranAt: string;
  remote: string;
  toolkitVersion: string;
  scope: SubmissionScope;
}

/** A machine's latest result of one drill. */
export interface Cell {
  drill: DrillResult;
  submission: SubmissionMeta;
}

/** A machine's row. */
export interface MachineEntry {
  machine: string;
  /** How many submissions it sent (its history). */
  submissions: number;
  /** From how many addresses: more than one is worth a look (another machine using its name). */
  addresses: number;
  last: { id: number; receivedAt: string };
  /** In the class's drill order. */
  cells: Cell[];
}

/** The whole class. */
export interface ClassResults {
  /** Every drill a shown machine submitted and not hidden, in the order first submitted. */
  drills: string[];
  /** Every machine not hidden. */
  machines: MachineEntry[];
  /** Submissions stored in all. */
  submissions: number;
  /** What the teacher hid: still stored, left out of the rows, the columns and the exports. */
  hidden: { machines: string[]; drills: string[] };
}

/**
 * A stored submission without its report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrillResult } from "../drill/result.ts";
 * import { submissionMeta } from "./results.ts";
 * import type { Submission } from "./submission.ts";
 *
 * const all = { all: true, grants: [] };
 * const scope = { narrowed: false, net: all, read: all, write: all, run: all, env: all, sys: all };
 * const drill = (name: string): DrillResult => ({
 *   name,
 *   source: "built-in",
 *   status: "pass",
 *   durationMs: 9,
 *   scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [],
 * });
 * const submission = (machine: string, ranAt: string, ...drills: string[]): Submission => ({
 *   machine,
 *   toolkitVersion: "0.1.0",
 *   ranAt,
 *   scope,
 *   report: { drills: drills.map(drill), passed: drills.length, failed: 0 },
 * });
 * const stored = {
 *   id: 17,
 *   receivedAt: "2025-03-01T09:00:02.000Z",
 *   remote: "10.0.0.7",
 *   submission: submission("pc01", "2025-03-01T09:00:00Z", "tcp-echo"),
 * };
 * assert.deepEqual(submissionMeta(stored), {
 *   id: 17,
 *   receivedAt: "2025-03-01T09:00:02.000Z",
 *   ranAt: "2025-03-01T09:00:00Z",
 *   remote: "10.0.0.7",
 *   toolkitVersion: "0.1.0",
 *   scope,
 * });
 * ```
 */
export function submissionMeta(s: StoredSubmission): SubmissionMeta {
  return {
    id: s.id,
    receivedAt: s.receivedAt,
    ranAt: s.submission.ranAt,
    remote: s.remote,
    toolkitVersion: s.submission.toolkitVersion,
    scope: s.submission.scope,
  };
}

/**
 * Builds the machines' rows (all, or one machine's) from the store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrillResult } from "../drill/result.ts";
 * import { machineEntries } from "./results.ts";
 * import { openStore } from "./store.ts";
 * import type { Submission } from "./submission.ts";
 *
 * const all = { all: true, grants: [] };
 * const scope = { narrowed: false, net: all, read: all, write: all, run: all, env: all, sys: all };
 * const drill = (name: string): DrillResult => ({
 *   name,
 *   source: "built-in",
 *   status: "pass",
 *   durationMs: 9,
 *   scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [],
 * });
 * const submission = (machine: string, ranAt: string, ...drills: string[]): Submission => ({
 *   machine,
 *   toolkitVersion: "0.1.0",
 *   ranAt,
 *   scope,
 *   report: { drills: drills.map(drill), passed: drills.length, failed: 0 },
 * });
 * const dir = await Deno.makeTempDir();
 * const store = openStore(`${dir}/class.db`);
 * try {
 *   // Drills run one at a time: each cell holds the latest result of its drill.
 *   const remote = "10.0.0.7";
 *   await store.append(submission("pc01", "2025-03-01T09:00:00Z", "tcp-echo"), { remote });
 *   await store.append(submission("pc01", "2025-03-01T09:05:00Z", "udp-echo"), { remote });
 *   const [row] = machineEntries(store, "pc01");
 *   assert.equal(row.submissions, 2);
 *   assert.deepEqual(row.cells.map((c) => [c.drill.name, c.submission.id]), [
 *     ["tcp-echo", 1],
 *     ["udp-echo", 2],
 *   ]);
 *   assert.deepEqual(machineEntries(store, "pc02"), []);
 * } finally {
 *   store.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function machineEntries(store: SubmissionStore, machine?: string): MachineEntry[] {
  const order = new Map(store.drills().map((d, i) => [d, i]));
  const loaded = new Map<number, StoredSubmission>();
  const load = (id: number) => {
    let s = loaded.get(id);
    if (!s) loaded.set(id, s = store.get(id)!);
    return s;
  };
  const cells = new Map<string, Cell[]>();
  for (const c of store.latestCells(machine)) {
    if (store.isHidden("drill", c.drill) || store.isHidden("machine", c.machine)) continue;
    const s = load(c.id);
    // The last run of the drill in that submission (`drill run x x` runs it twice).
    const drill = s.submission.report.drills.findLast((d) => d.name === c.drill)!;
    const list = cells.get(c.machine) ?? [];
    list.push({ drill, submission: submissionMeta(s) });
    cells.set(c.machine, list);
  }
  return store.machines(machine).filter((m) => !store.isHidden("machine", m.machine)).map((m) => ({
    machine: m.machine,
    submissions: m.submissions,
    addresses: m.addresses,
    last: { id: m.lastId, receivedAt: load(m.lastId).receivedAt },
    cells: (cells.get(m.machine) ?? []).sort((a, b) =>
      (order.get(a.drill.name) ?? 0) - (order.get(b.drill.name) ?? 0)
    ),
  }));
}

/**
 * The whole class from the store.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrillResult } from "../drill/result.ts";
 * import { classResults } from "./results.ts";
 * import { openStore } from "./store.ts";
 * import type { Submission } from "./submission.ts";
 *
 * const all = { all: true, grants: [] };
 * const scope = { narrowed: false, net: all, read: all, write: all, run: all, env: all, sys: all };
 * const drill = (name: string): DrillResult => ({
 *   name,
 *   source: "built-in",
 *   status: "pass",
 *   durationMs: 9,
 *   scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [],
 * });
 * const submission = (machine: string, ranAt: string, ...drills: string[]): Submission => ({
 *   machine,
 *   toolkitVersion: "0.1.0",
 *   ranAt,
 *   scope,
 *   report: { drills: drills.map(drill), passed: drills.length, failed: 0 },
 * });
 * const dir = await Deno.makeTempDir();
 * const store = openStore(`${dir}/class.db`);
 * try {
 *   await store.append(submission("pc01", "2025-03-01T09:00:00Z", "tcp-echo"), { remote: "a" });
 *   await store.append(submission("pc02", "2025-03-01T09:01:00Z", "junk"), { remote: "b" });
 *   store.setHidden("machine", "pc02", true, "127.0.0.1");
 *   const results = classResults(store);
 *   assert.deepEqual(results.machines.map((m) => m.machine), ["pc01"]);
 *   // A drill only a hidden machine ran is no column.
 *   assert.deepEqual(results.drills, ["tcp-echo"]);
 *   assert.deepEqual(results.hidden, { machines: ["pc02"], drills: [] });
 *   assert.equal(results.submissions, 2);
 * } finally {
 *   store.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function classResults(store: SubmissionStore): ClassResults {
  const drills = store.drills();
  const machines = store.machines().map((m) => m.machine);
  const entries = machineEntries(store);
  // A drill only hidden machines ran is no column (a hidden machine takes its junk along).
  const shown = new Set(entries.flatMap((m) => m.cells.map((c) => c.drill.name)));
  return {
    drills: drills.filter((d) => shown.has(d)),
    machines: entries,
    submissions: store.count(),
    hidden: {
      machines: machines.filter((m) => store.isHidden("machine", m)),
      drills: drills.filter((d) => store.isHidden("drill", d)),
    },
  };
}
