// Drill results for people (text), scripts (JSON), TAP consumers (TAP 14 with subtests) and CI
// dashboards (JUnit XML: one testsuite per drill, one testcase per step). Every string that came
// from a drill file or from the network (names, step labels, messages, received bytes) goes
// through `printable` first, then through what the format itself needs escaped.
import { printable, printableJson } from "../text/printable.ts";
import type { ByteDiff, DrillResult, StepResult } from "./result.ts";

/** The report formats `drill run --report` accepts. */
export const reportFormats = ["text", "json", "tap", "junit"] as const;
/** One of {@linkcode reportFormats}. */
export type ReportFormat = typeof reportFormats[number];

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function diffLines(d: ByteDiff): string[] {
  const lines = [`expected: ${d.expected}`];
  if (d.expectedHex && !d.expected.startsWith("(not UTF-8)")) {
    lines.push(`          ${d.expectedHex}`);
  }
  lines.push(`received: ${d.received}`);
  if (d.receivedHex && !d.received.startsWith("(not UTF-8)")) {
    lines.push(`          ${d.receivedHex}`);
  }
  if (d.offset >= 0) lines.push(`first difference at byte ${d.offset}`);
  return lines;
}

/** The failure of a step as printable lines: its message and, when there is one, the byte diff. */
function failureLines(s: StepResult): string[] {
  return [s.message ?? "failed", ...(s.diff ? diffLines(s.diff) : [])].map((l) => printable(l));
}

const wide =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** Columns a string takes in a terminal: East Asian wide characters (我是客户端) take two. */
function displayWidth(text: string): number {
  let n = 0;
  for (const c of text) n += wide.test(c) || c.codePointAt(0)! >= 0x20000 ? 2 : 1;
  return n;
}

/**
 * A drill's scope in one line, every grant shown, implicit ones marked:
 * `net 127.0.0.1:41000, 127.0.0.1:0 (implicit); run ss`, or `nothing`.
 */
function describeScope(r: DrillResult): string {
  const kinds = ["net", "read", "write", "run", "env", "sys"] as const;
  const parts = kinds.flatMap((k) => {
    const entries = [
      ...r.scope[k],
      ...(r.scope.implicit ?? []).filter((g) => g.kind === k).map((g) => `${g.entry} (implicit)`),
    ];
    return entries.length ? [`${k} ${entries.join(", ")}`] : [];
  });
  return parts.length ? printable(parts.join("; ")) : "nothing";
}

/**
 * The text report: one line per step, the failure and its diff under the failing step, a summary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTextReport } from "./report.ts";
 * import { byteDiff, type DrillResult } from "./result.ts";
 *
 * const enc = new TextEncoder();
 * const result: DrillResult = {
 *   name: "echo",
 *   source: "echo.yaml",
 *   status: "fail",
 *   durationMs: 12,
 *   scope: { net: ["127.0.0.1:9000"], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [
 *     { index: 1, kind: "connect", title: "connect c", status: "pass", durationMs: 2 },
 *     {
 *       index: 2,
 *       kind: "expect",
 *       title: 'expect c "hi"',
 *       status: "fail",
 *       durationMs: 10,
 *       message: "received bytes differ",
 *       diff: byteDiff(enc.encode("hi"), enc.encode("ho")),
 *     },
 *   ],
 * };
 * assert.equal(
 *   formatTextReport([result]),
 *   [
 *     "drill echo (echo.yaml)",
 *     "  scope: net 127.0.0.1:9000",
 *     "  ok     1 connect c         2 ms",
 *     '  FAIL   2 expect c "hi"    10 ms',
 *     "          received bytes differ",
 *     '          expected: "hi"',
 *     "                    68 69",
 *     '          received: "ho"',
 *     "                    68 6f",
 *     "          first difference at byte 1",
 *     "FAIL echo: 1/2 steps passed in 12 ms",
 *     "",
 *     "1 drill: 0 passed, 1 failed",
 *     "",
 *   ].join("\n"),
 * );
 * ```
 */
export function formatTextReport(results: readonly DrillResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(`drill ${printable(r.name)} (${printable(r.source)})`, `  scope: ${describeScope(r)}`);
    const titles = r.steps.map((s) => printable(s.title));
    const width = Math.min(64, Math.max(0, ...titles.map(displayWidth)));
    for (const [i, s] of r.steps.entries()) {
      const mark = s.status === "pass" ? "ok  " : s.status === "fail" ? "FAIL" : "skip";
      const line = `  ${mark}  ${String(s.index).padStart(2)} ${titles[i]}`;
      const pad = " ".repeat(Math.max(0, width + 11 - displayWidth(line)));
      const time = `${Math.round(s.durationMs)} ms`.padStart(7);
      out.push(s.status === "skip" ? line : `${line}${pad}  ${time}`);
      if (s.status === "fail") {
        for (const line of failureLines(s)) out.push(`          ${line}`);
      } else if (s.status === "pass" && s.kind === "expect-denied" && s.message) {
        out.push(`          ${printable(s.message)}`);
      }
    }
    if (r.error) out.push(`  error: ${printable(r.error)}`);
    const passed = r.steps.filter((s) => s.status === "pass").length;
    out.push(
      `${r.status === "pass" ? "PASS" : "FAIL"} ${
        printable(r.name)
      }: ${passed}/${r.steps.length} steps ` +
        `passed in ${r.durationMs} ms`,
      "",
    );
  }
  const failed = results.filter((r) => r.status === "fail").length;
  out.push(
    `${results.length} drill${results.length === 1 ? "" : "s"}: ${
      results.length - failed
    } passed, ${failed} failed`,
  );
  return out.join("\n") + "\n";
}

/**
 * The JSON report: `{ drills, passed, failed }`, each drill with every step's result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatJsonReport } from "./report.ts";
 * import { byteDiff, type DrillResult } from "./result.ts";
 *
 * const enc = new TextEncoder();
 * const result: DrillResult = {
 *   name: "echo",
 *   source: "echo.yaml",
 *   status: "fail",
 *   durationMs: 12,
 *   scope: { net: ["127.0.0.1:9000"], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [
 *     { index: 1, kind: "connect", title: "connect c", status: "pass", durationMs: 2 },
 *     {
 *       index: 2,
 *       kind: "expect",
 *       title: 'expect c "hi"',
 *       status: "fail",
 *       durationMs: 10,
 *       message: "received bytes differ",
 *       diff: byteDiff(enc.encode("hi"), enc.encode("ho")),
 *     },
 *   ],
 * };
 * const report = JSON.parse(formatJsonReport([result]));
 * assert.deepEqual(report, { drills: [result], passed: 0, failed: 1 });
 * ```
 */
export function formatJsonReport(results: readonly DrillResult[]): string {
  const failed = results.filter((r) => r.status === "fail").length;
  const json = JSON.stringify(
    { drills: results, passed: results.length - failed, failed },
    null,
    2,
  );
  return printableJson(json) + "\n";
}

/**
 * A TAP YAML diagnostic block. Values are printable; a one-line value is a double-quoted YAML
 * scalar (JSON's quoting, which YAML 1.2 reads the same), a multi-line one a literal block whose
 * lines are each printable, so nothing in a value can end the block or the TAP line early.
 */
function yamlBlock(fields: Record<string, string>, indent: string): string[] {
  const lines = [`${indent}  ---`];
  for (const [k, v] of Object.entries(fields)) {
    if (v.includes("\n")) {
      lines.push(`${indent}  ${k}: |-`);
      for (const l of v.split("\n")) lines.push(`${indent}    ${printable(l)}`);
    } else lines.push(`${indent}  ${k}: ${JSON.stringify(printable(v))}`);
  }
  lines.push(`${indent}  ...`);
  return lines;
}

/**
 * A TAP description: printable (a CR or LF cannot end the test line), then TAP 14's own escapes,
 * `\\` for a backslash and `\#` for the `#` that would otherwise start a directive.
 */
function tapDescription(text: string): string {
  return printable(text).replace(/\\/g, "\\\\").replace(/#/g, "\\#");
}

/**
 * TAP version 14: one test point per drill, its steps as an indented subtest; failures carry a
 * YAML diagnostic block with the message and the expected and received bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTapReport } from "./report.ts";
 * import { byteDiff, type DrillResult } from "./result.ts";
 *
 * const enc = new TextEncoder();
 * const result: DrillResult = {
 *   name: "echo",
 *   source: "echo.yaml",
 *   status: "fail",
 *   durationMs: 12,
 *   scope: { net: ["127.0.0.1:9000"], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [
 *     { index: 1, kind: "connect", title: "connect c", status: "pass", durationMs: 2 },
 *     {
 *       index: 2,
 *       kind: "expect",
 *       title: 'expect c "hi"',
 *       status: "fail",
 *       durationMs: 10,
 *       message: "received bytes differ",
 *       diff: byteDiff(enc.encode("hi"), enc.encode("ho")),
 *     },
 *   ],
 * };
 * assert.equal(
 *   formatTapReport([result]),
 *   [
 *     "TAP version 14",
 *     "1..1",
 *     "# Subtest: echo",
 *     "    1..2",
 *     "    ok 1 - connect c",
 *     '    not ok 2 - expect c "hi"',
 *     "      ---",
 *     '      message: "received bytes differ"',
 *     '      expected: "\\"hi\\""',
 *     '      received: "\\"ho\\""',
 *     '      expected_hex: "68 69"',
 *     '      received_hex: "68 6f"',
 *     "      ...",
 *     "not ok 1 - echo",
 *     "",
 *   ].join("\n"),
 * );
 * ```
 */
export function formatTapReport(results: readonly DrillResult[]): string {
  const out = ["TAP version 14", `1..${results.length}`];
  results.forEach((r, i) => {
    out.push(`# Subtest: ${tapDescription(r.name)}`);
    out.push(`    1..${r.steps.length}`);
    for (const s of r.steps) {
      const desc = tapDescription(s.title);
      if (s.status === "skip") {
        out.push(`    ok ${s.index} - ${desc} # SKIP an earlier step failed`);
      } else if (s.status === "pass") out.push(`    ok ${s.index} - ${desc}`);
      else {
        out.push(`    not ok ${s.index} - ${desc}`);
        const fields: Record<string, string> = { message: s.message ?? "failed" };
        if (s.denied) fields.denied = `${s.denied.kind} ${s.denied.resource}`;
        if (s.diff) {
          fields.expected = s.diff.expected;
          fields.received = s.diff.received;
          if (s.diff.expectedHex) fields.expected_hex = s.diff.expectedHex;
          fields.received_hex = s.diff.receivedHex;
        }
        out.push(...yamlBlock(fields, "    "));
      }
    }
    out.push(`${r.status === "pass" ? "ok" : "not ok"} ${i + 1} - ${tapDescription(r.name)}`);
    if (r.error) out.push(...yamlBlock({ message: r.error }, ""));
  });
  return out.join("\n") + "\n";
}

/**
 * Escapes text for XML attributes and content, dropping characters XML 1.0 cannot carry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xmlEscape } from "./report.ts";
 *
 * assert.equal(xmlEscape(`a<b & "c"`), "a&lt;b &amp; &quot;c&quot;");
 * assert.equal(xmlEscape("bell\x07"), "bell\ufffd"); // XML 1.0 cannot carry it
 * ```
 */
export function xmlEscape(text: string): string {
  return text
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/**
 * JUnit XML as Jenkins, GitLab and GitHub read it: `<testsuites>` with one `<testsuite>` per drill
 * and one `<testcase>` per step; a failed step has `<failure>`, a skipped one `<skipped/>`, a drill
 * that could not run an `<error>` testcase.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatJunitReport } from "./report.ts";
 * import { byteDiff, type DrillResult } from "./result.ts";
 *
 * const enc = new TextEncoder();
 * const result: DrillResult = {
 *   name: "echo",
 *   source: "echo.yaml",
 *   status: "fail",
 *   durationMs: 12,
 *   scope: { net: ["127.0.0.1:9000"], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [
 *     { index: 1, kind: "connect", title: "connect c", status: "pass", durationMs: 2 },
 *     {
 *       index: 2,
 *       kind: "expect",
 *       title: 'expect c "hi"',
 *       status: "fail",
 *       durationMs: 10,
 *       message: "received bytes differ",
 *       diff: byteDiff(enc.encode("hi"), enc.encode("ho")),
 *     },
 *   ],
 * };
 * const xml = formatJunitReport([result]);
 * assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
 * assert.match(xml, /<testsuite name="echo" id="0" tests="2" failures="1" errors="0" skipped="0"/);
 * assert.match(xml, /<testcase name="01 connect c" classname="drill.echo" time="0.002"\/>/);
 * assert.match(xml, /<failure message="received bytes differ" type="mismatch">/);
 * ```
 */
export function formatJunitReport(results: readonly DrillResult[]): string {
  const x = (text: string) => xmlEscape(printable(text));
  const count = (r: DrillResult, status: StepResult["status"]) =>
    r.steps.filter((s) => s.status === status).length;
  const tests = results.reduce((n, r) => n + r.steps.length + (r.error ? 1 : 0), 0);
  const failures = results.reduce((n, r) => n + count(r, "fail"), 0);
  const errors = results.filter((r) => r.error).length;
  const skipped = results.reduce((n, r) => n + count(r, "skip"), 0);
  const total = results.reduce((n, r) => n + r.durationMs, 0);
  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="toolkit drill" tests="${tests}" failures="${failures}" errors="${errors}" ` +
    `skipped="${skipped}" time="${seconds(total)}">`,
  ];
  results.forEach((r, i) => {
    out.push(
      `  <testsuite name="${x(r.name)}" id="${i}" tests="${r.steps.length + (r.error ? 1 : 0)}" ` +
        `failures="${count(r, "fail")}" errors="${r.error ? 1 : 0}" skipped="${
          count(r, "skip")
        }" ` +
        `time="${seconds(r.durationMs)}">`,
    );
    out.push(
      `    <properties><property name="source" value="${x(r.source)}"/>` +
        `<property name="scope" value="${x(describeScope(r))}"/></properties>`,
    );
    for (const s of r.steps) {
      const name = x(`${String(s.index).padStart(2, "0")} ${s.title}`);
      const open = `    <testcase name="${name}" classname="drill.${x(r.name)}" ` +
        `time="${seconds(s.durationMs)}"`;
      if (s.status === "pass") {
        out.push(
          s.message ? `${open}><system-out>${x(s.message)}</system-out></testcase>` : `${open}/>`,
        );
      } else if (s.status === "skip") {
        // Why it did not run: a step before it failed, or the drill stopped (its error) first.
        const why = r.steps.some((st) => st.status === "fail" && st.index < s.index)
          ? "an earlier step failed"
          : r.error
          ? "the drill stopped before this step (see its error)"
          : "not run";
        out.push(
          `${open}>`,
          `      <skipped message="${why}"/>`,
          `    </testcase>`,
        );
      } else {
        const type = s.denied ? "denied" : s.diff ? "mismatch" : "failure";
        out.push(
          `${open}>`,
          `      <failure message="${x(s.message ?? "failed")}" type="${type}">${
            failureLines(s).map(xmlEscape).join("\n")
          }</failure>`,
          `    </testcase>`,
        );
      }
    }
    if (r.error) {
      out.push(
        `    <testcase name="drill" classname="drill.${x(r.name)}" time="0.000">`,
        `      <error message="${x(r.error)}" type="error">${x(r.error)}</error>`,
        `    </testcase>`,
      );
    }
    out.push(`  </testsuite>`);
  });
  out.push(`</testsuites>`);
  return out.join("\n") + "\n";
}

/**
 * Formats results in one of {@linkcode reportFormats}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatJsonReport, formatReport, formatTapReport, reportFormats } from "./report.ts";
 * import { byteDiff, type DrillResult } from "./result.ts";
 *
 * const enc = new TextEncoder();
 * const result: DrillResult = {
 *   name: "echo",
 *   source: "echo.yaml",
 *   status: "fail",
 *   durationMs: 12,
 *   scope: { net: ["127.0.0.1:9000"], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [
 *     { index: 1, kind: "connect", title: "connect c", status: "pass", durationMs: 2 },
 *     {
 *       index: 2,
 *       kind: "expect",
 *       title: 'expect c "hi"',
 *       status: "fail",
 *       durationMs: 10,
 *       message: "received bytes differ",
 *       diff: byteDiff(enc.encode("hi"), enc.encode("ho")),
 *     },
 *   ],
 * };
 * assert.deepEqual(reportFormats, ["text", "json", "tap", "junit"]);
 * assert.equal(formatReport([result], "json"), formatJsonReport([result]));
 * assert.equal(formatReport([result], "tap"), formatTapReport([result]));
 * ```
 */
export function formatReport(results: readonly DrillResult[], format: ReportFormat): string {
  switch (format) {
    case "text":
      return formatTextReport(results);
    case "json":
      return formatJsonReport(results);
    case "tap":
      return formatTapReport(results);
    case "junit":
      return formatJunitReport(results);
  }
}
