// The class's results for a spreadsheet (CSV, RFC 4180) and for CI dashboards (one JUnit XML file:
// a testsuite per machine and drill, a testcase per step, as `drill run --report junit` writes).
import { formatJunitReport } from "../drill/report.ts";
import type { DrillResult } from "../drill/result.ts";
import type { MachineEntry } from "./results.ts";
import { printable } from "../text/printable.ts";

/**
 * One CSV field: quoted when it must be, and a leading `= + - @` (or tab, CR) neutralised with an
 * apostrophe so a spreadsheet never runs a step title as a formula. Control characters and bidi
 * overrides from a submission are written escaped (`\x1b`, `\u202e`), as the CLI shows them: a
 * CSV opened in a terminal or an editor must not act on it or reorder its text.
 */
function csvField(value: string | number): string {
  let text = typeof value === "string" ? printable(value, { multiline: true }) : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvHeader = [
  "machine",
  "drill",
  "status",
  "steps_passed",
  "steps",
  "duration_ms",
  "received_at",
  "ran_at",
  "toolkit_version",
  "submission",
  "failed_step",
  "message",
];

/**
 * The class as CSV: one row per machine and drill (its latest result), CRLF line ends (RFC 4180).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classCsv } from "./export.ts";
 * import type { MachineEntry } from "./results.ts";
 *
 * const all = { all: true, grants: [] };
 * const row: MachineEntry = {
 *   machine: "pc01",
 *   submissions: 1,
 *   addresses: 1,
 *   last: { id: 3, receivedAt: "2025-03-01T09:00:02.000Z" },
 *   cells: [{
 *     drill: {
 *       name: "tcp-echo",
 *       source: "built-in",
 *       status: "fail",
 *       durationMs: 14,
 *       scope: { net: ["127.0.0.1:9000"], read: [], write: [], run: [], env: [], sys: [] },
 *       steps: [
 *         { index: 1, kind: "connect", title: "connect c", status: "pass", durationMs: 4 },
 *         {
 *           index: 2,
 *           kind: "expect",
 *           title: 'expect c "hi"',
 *           status: "fail",
 *           durationMs: 10,
 *           message: "=HYPERLINK()", // what a hostile report could carry
 *         },
 *       ],
 *     },
 *     submission: {
 *       id: 3,
 *       receivedAt: "2025-03-01T09:00:02.000Z",
 *       ranAt: "2025-03-01T09:00:00Z",
 *       remote: "10.0.0.7",
 *       toolkitVersion: "0.1.0",
 *       scope: { narrowed: false, net: all, read: all, write: all, run: all, env: all, sys: all },
 *     },
 *   }],
 * };
 * assert.equal(
 *   classCsv([row]),
 *   "machine,drill,status,steps_passed,steps,duration_ms,received_at,ran_at,toolkit_version," +
 *     "submission,failed_step,message\r\n" +
 *     "pc01,tcp-echo,fail,1,2,14,2025-03-01T09:00:02.000Z,2025-03-01T09:00:00Z,0.1.0,3," +
 *     // Quotes doubled inside a quoted field; a formula's first character made text.
 *     `"2 expect c ""hi""",'=HYPERLINK()\r\n`,
 * );
 * ```
 */
export function classCsv(machines: readonly MachineEntry[]): string {
  const rows: (string | number)[][] = [csvHeader];
  for (const m of machines) {
    for (const { drill: d, submission: s } of m.cells) {
      const failed = d.steps.find((st) => st.status === "fail");
      rows.push([
        m.machine,
        d.name,
        d.status,
        d.steps.filter((st) => st.status === "pass").length,
        d.steps.length,
        d.durationMs,
        s.receivedAt,
        s.ranAt,
        s.toolkitVersion,
        s.id,
        failed ? `${failed.index} ${failed.title}` : "",
        failed?.message ?? d.error ?? "",
      ]);
    }
  }
  return rows.map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/**
 * The class as one JUnit XML document: a testsuite `MACHINE.DRILL` per cell, so CI tools group
 * the class by machine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classJunit } from "./export.ts";
 * import type { MachineEntry } from "./results.ts";
 *
 * const all = { all: true, grants: [] };
 * const row: MachineEntry = {
 *   machine: "pc01",
 *   submissions: 1,
 *   addresses: 1,
 *   last: { id: 3, receivedAt: "2025-03-01T09:00:02.000Z" },
 *   cells: [{
 *     drill: {
 *       name: "tcp-echo",
 *       source: "built-in",
 *       status: "fail",
 *       durationMs: 14,
 *       scope: { net: ["127.0.0.1:9000"], read: [], write: [], run: [], env: [], sys: [] },
 *       steps: [
 *         { index: 1, kind: "connect", title: "connect c", status: "pass", durationMs: 4 },
 *         {
 *           index: 2,
 *           kind: "expect",
 *           title: 'expect c "hi"',
 *           status: "fail",
 *           durationMs: 10,
 *           message: "=HYPERLINK()", // what a hostile report could carry
 *         },
 *       ],
 *     },
 *     submission: {
 *       id: 3,
 *       receivedAt: "2025-03-01T09:00:02.000Z",
 *       ranAt: "2025-03-01T09:00:00Z",
 *       remote: "10.0.0.7",
 *       toolkitVersion: "0.1.0",
 *       scope: { narrowed: false, net: all, read: all, write: all, run: all, env: all, sys: all },
 *     },
 *   }],
 * };
 * const xml = classJunit([row]);
 * assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
 * assert.match(xml, /<testsuite name="pc01.tcp-echo" id="0" tests="2" failures="1"/);
 * assert.match(xml, /value="built-in on pc01 \(submission 3, 2025-03-01T09:00:02.000Z\)"/);
 * ```
 */
export function classJunit(machines: readonly MachineEntry[]): string {
  const results: DrillResult[] = machines.flatMap((m) =>
    m.cells.map(({ drill: d, submission: s }) => ({
      ...d,
      name: `${m.machine}.${d.name}`,
      source: `${d.source} on ${m.machine} (submission ${s.id}, ${s.receivedAt})`,
    }))
  );
  return formatJunitReport(results);
}
