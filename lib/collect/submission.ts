// What a lab machine sends to `drill serve`: its `drill run --json` report wrapped with the
// machine's name, the toolkit version and the permission scope the drills ran under. One schema
// checks it on both ends; the collector answers 400 with the problems it lists.
import { drillReportSchema } from "../drill/report_schema.ts";
import type { DrillResult } from "../drill/result.ts";
import type { ScopeReport } from "../scope/effective.ts";
import { formatIssues, validateJson } from "./json_schema.ts";

/**
 * The permission scope a run had, as `toolkit scope --json` reports it: the binary's set, or
 * what `--net`/`--scope` narrowed it to, every grant listed and implicit ones marked.
 */
export type SubmissionScope = ScopeReport;

/** A `drill run --json` report. */
export interface DrillReport {
  drills: DrillResult[];
  passed: number;
  failed: number;
}

/** One machine's submission. */
export interface Submission {
  /** The machine's name: its hostname unless `--as` said otherwise. */
  machine: string;
  toolkitVersion: string;
  /** When the drills ran, by the machine's clock (a spooled report arrives later). */
  ranAt: string;
  scope: SubmissionScope;
  report: DrillReport;
  /** The report's own key: a resend (a spool file after a lost answer) is stored once. */
  idempotencyKey?: string;
}

/** Machine names: a hostname's characters, so they read the same in a URL, a file and a table. */
export const machineNamePattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

/**
 * What one submission may hold: far above a real run (the built-in drills are a dozen, of at
 * most a few dozen steps), far below what would make the class's dashboard unreadable.
 */
export const submissionLimits = {
  /** Drills in one report. */
  drills: 64,
  /** Steps in one drill. */
  steps: 256,
  /** Characters of a drill's name (a column header). */
  drillName: 64,
  /** A duration, in ms: a week. */
  durationMs: 7 * 24 * 3600 * 1000,
  /** A byte offset in a diff. */
  offset: 2 ** 31 - 1,
  /** How far ahead of the collector's clock `ranAt` may be (clocks drift). */
  futureMs: 3600 * 1000,
  /** The earliest `ranAt` accepted. */
  earliest: "2000-01-01T00:00:00Z",
} as const;

/** The report schema with the collector's limits on counts, lengths and numbers. */
function limitedReportDefs() {
  const defs = structuredClone(drillReportSchema.$defs) as unknown as Record<
    string,
    // deno-lint-ignore no-explicit-any
    { properties: Record<string, any> }
  >;
  const ms = { type: "number", minimum: 0, maximum: submissionLimits.durationMs };
  const drill = defs.drill.properties;
  drill.name = { ...drill.name, maxLength: submissionLimits.drillName };
  drill.durationMs = ms;
  drill.steps = { ...drill.steps, maxItems: submissionLimits.steps };
  const step = defs.step.properties;
  step.index = { ...step.index, maximum: submissionLimits.steps };
  step.durationMs = ms;
  step.diff.properties.offset = {
    ...step.diff.properties.offset,
    maximum: submissionLimits.offset,
  };
  const report = structuredClone({
    ...drillReportSchema,
    $schema: undefined,
    $id: undefined,
    $defs: undefined,
  }) as unknown as { properties: Record<string, Record<string, unknown>> };
  report.properties.drills = { ...report.properties.drills, maxItems: submissionLimits.drills };
  report.properties.passed = { ...report.properties.passed, maximum: submissionLimits.drills };
  report.properties.failed = { ...report.properties.failed, maximum: submissionLimits.drills };
  return { report, ...defs };
}

const kindScope = {
  type: "object",
  required: ["all", "grants"],
  additionalProperties: false,
  properties: {
    all: { type: "boolean" },
    grants: {
      type: "array",
      items: {
        type: "object",
        required: ["entry", "implicit"],
        additionalProperties: false,
        properties: {
          entry: { type: "string" },
          implicit: { type: "boolean" },
          reason: { type: "string" },
        },
      },
    },
  },
};

/**
 * The JSON Schema of a submission; `report` is {@linkcode drillReportSchema}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { submissionSchema } from "./submission.ts";
 *
 * assert.deepEqual(submissionSchema.required, [
 *   "machine",
 *   "toolkitVersion",
 *   "ranAt",
 *   "scope",
 *   "report",
 * ]);
 * // The report inside is drill run's, with the collector's limits on counts.
 * assert.equal(submissionSchema.$defs.report.properties.drills.maxItems, 64);
 * ```
 */
export const submissionSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://toolkit.invalid/drill-submission.schema.json",
  title: "toolkit drill submission",
  type: "object",
  required: ["machine", "toolkitVersion", "ranAt", "scope", "report"],
  additionalProperties: false,
  properties: {
    machine: { type: "string", pattern: machineNamePattern },
    idempotencyKey: {
      type: "string",
      pattern: "^[A-Za-z0-9_-]{16,64}$",
      description:
        "Set by drill run --submit for each report and kept in its spool file: a collector stores a report sent twice once.",
    },
    toolkitVersion: { type: "string", pattern: "^[0-9A-Za-z.+-]{1,32}$" },
    ranAt: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$" },
    scope: {
      type: "object",
      required: ["narrowed", "net", "read", "write", "run", "env", "sys"],
      additionalProperties: false,
      properties: {
        narrowed: { type: "boolean" },
        net: kindScope,
        read: kindScope,
        write: kindScope,
        run: kindScope,
        env: kindScope,
        sys: kindScope,
      },
    },
    report: { $ref: "#/$defs/report" },
  },
  $defs: limitedReportDefs(),
} as const;

/**
 * A submission that does not fit {@linkcode submissionSchema}, with every problem in the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSubmission, SubmissionError } from "./submission.ts";
 *
 * assert.throws(() => parseSubmission("{}"), (e) => {
 *   assert.ok(e instanceof SubmissionError && e instanceof SyntaxError);
 *   assert.match(e.message, /^not a drill submission: missing "machine"; missing "toolkit/);
 *   return true;
 * });
 * ```
 */
export class SubmissionError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "SubmissionError";
  }
}

/**
 * Checks a parsed value and returns it as a {@linkcode Submission}, or throws
 * {@linkcode SubmissionError} naming every problem (schema, then the report's own counts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrillResult } from "../drill/result.ts";
 * import { checkSubmission, type Submission, SubmissionError } from "./submission.ts";
 *
 * const drill: DrillResult = {
 *   name: "tcp-echo",
 *   source: "built-in",
 *   status: "pass",
 *   durationMs: 9,
 *   scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [],
 * };
 * const all = { all: true, grants: [] };
 * const submission: Submission = {
 *   machine: "pc01",
 *   toolkitVersion: "0.1.0",
 *   ranAt: "2025-03-01T09:00:00Z",
 *   scope: { narrowed: false, net: all, read: all, write: all, run: all, env: all, sys: all },
 *   report: { drills: [drill], passed: 1, failed: 0 },
 * };
 * assert.equal(checkSubmission(structuredClone(submission)).machine, "pc01");
 * // Counts that do not add up: not a report drill run wrote.
 * const padded = { ...submission, report: { ...submission.report, passed: 2 } };
 * assert.throws(() => checkSubmission(padded), SubmissionError);
 * // A clock an hour and more ahead of the collector's.
 * const now = new Date("2025-03-01T07:00:00Z");
 * assert.throws(() => checkSubmission(submission, { now }), /check the machine's clock/);
 * ```
 */
export function checkSubmission(value: unknown, options: { now?: Date } = {}): Submission {
  const issues = validateJson(submissionSchema, value);
  if (issues.length) throw new SubmissionError(`not a drill submission: ${formatIssues(issues)}`);
  const s = value as Submission;
  const refuse = (why: string) => {
    throw new SubmissionError(`not a drill submission: ${why}`);
  };
  const passed = s.report.drills.filter((d) => d.status === "pass").length;
  if (s.report.passed !== passed || s.report.failed !== s.report.drills.length - passed) {
    refuse(
      `report.passed and report.failed (${s.report.passed}, ${s.report.failed}) do not count ` +
        `its drills (${passed} passed of ${s.report.drills.length})`,
    );
  }
  // A drill passes when it ran without an error and every step passed (lib/drill/runner.ts):
  // a report saying otherwise was not written by drill run.
  s.report.drills.forEach((d, i) => {
    const should = !d.error && d.steps.every((st) => st.status === "pass") ? "pass" : "fail";
    if (d.status !== should) {
      const failedSteps = d.steps.filter((st) => st.status === "fail").length;
      refuse(
        `report.drills[${i}].status is ${d.status}, but ${
          d.error
            ? "the drill has an error"
            : d.steps.length === 0
            ? "it has no steps and no error"
            : failedSteps
            ? `${failedSteps} of its steps failed`
            : "every step passed"
        }`,
      );
    }
    d.steps.forEach((st, j) => {
      if (st.index !== j + 1) {
        refuse(`report.drills[${i}].steps[${j}].index is ${st.index}, not ${j + 1}`);
      }
    });
  });
  const ran = Date.parse(s.ranAt);
  if (Number.isNaN(ran) || new Date(ran).toISOString().slice(0, 19) !== s.ranAt.slice(0, 19)) {
    refuse(`ranAt: ${JSON.stringify(s.ranAt)} is not a real time`);
  }
  const now = (options.now ?? new Date()).getTime();
  if (ran > now + submissionLimits.futureMs) {
    refuse(
      `ranAt: ${s.ranAt} is more than an hour ahead of the collector's clock ` +
        `(${new Date(now).toISOString()}): check the machine's clock`,
    );
  }
  if (ran < Date.parse(submissionLimits.earliest)) {
    refuse(`ranAt: ${s.ranAt} is before ${submissionLimits.earliest.slice(0, 4)}`);
  }
  return s;
}

/**
 * Why `text` is not JSON, without quoting it: V8's message repeats the start of the text, which
 * for a file given by mistake (a link to /etc/shadow) would print its first bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notJsonReason } from "./submission.ts";
 *
 * assert.equal(notJsonReason("root:x:0:0"), "it does not parse as JSON"); // nothing of it quoted
 * assert.equal(notJsonReason('{"a":1,\n"b" }'), "it does not parse as JSON (line 2, column 5)");
 * assert.equal(notJsonReason('{"a": '), "it ends before the JSON does");
 * ```
 */
export function notJsonReason(text: string): string {
  try {
    JSON.parse(text);
    return "it parses as JSON";
  } catch (err) {
    const message = (err as Error).message;
    const at = /\(line (\d+) column (\d+)\)/.exec(message);
    if (/end of JSON input/.test(message)) return "it ends before the JSON does";
    return `it does not parse as JSON${at ? ` (line ${at[1]}, column ${at[2]})` : ""}`;
  }
}

/**
 * Parses and checks a submission's JSON text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DrillResult } from "../drill/result.ts";
 * import { parseSubmission, type Submission } from "./submission.ts";
 *
 * const drill: DrillResult = {
 *   name: "tcp-echo",
 *   source: "built-in",
 *   status: "pass",
 *   durationMs: 9,
 *   scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
 *   steps: [],
 * };
 * const all = { all: true, grants: [] };
 * const submission: Submission = {
 *   machine: "pc01",
 *   toolkitVersion: "0.1.0",
 *   ranAt: "2025-03-01T09:00:00Z",
 *   scope: { narrowed: false, net: all, read: all, write: all, run: all, env: all, sys: all },
 *   report: { drills: [drill], passed: 1, failed: 0 },
 * };
 * assert.deepEqual(parseSubmission(JSON.stringify(submission)), submission);
 * assert.throws(() => parseSubmission("pc01"), /^SubmissionError: not JSON: it does not parse/);
 * ```
 */
export function parseSubmission(text: string): Submission {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SubmissionError(`not JSON: ${notJsonReason(text)}`);
  }
  return checkSubmission(value);
}
