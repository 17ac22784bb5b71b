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
}

/** Machine names: a hostname's characters, so they read the same in a URL, a file and a table. */
export const machineNamePattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

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
 * submissionSchema.required.includes("machine"); // true
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
  $defs: {
    report: { ...drillReportSchema, $schema: undefined, $id: undefined, $defs: undefined },
    ...drillReportSchema.$defs,
  },
} as const;

/**
 * A submission that does not fit {@linkcode submissionSchema}, with every problem in the message.
 *
 * @example
 * ```ts
 * try { parseSubmission("{}"); } catch (e) { (e as SubmissionError).message; }
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
 * const s = checkSubmission(JSON.parse(body));
 * ```
 */
export function checkSubmission(value: unknown): Submission {
  const issues = validateJson(submissionSchema, value);
  if (issues.length) throw new SubmissionError(`not a drill submission: ${formatIssues(issues)}`);
  const s = value as Submission;
  const passed = s.report.drills.filter((d) => d.status === "pass").length;
  if (s.report.passed !== passed || s.report.failed !== s.report.drills.length - passed) {
    throw new SubmissionError(
      `not a drill submission: report.passed and report.failed (${s.report.passed}, ` +
        `${s.report.failed}) do not count its drills (${passed} passed of ${s.report.drills.length})`,
    );
  }
  return s;
}

/**
 * Parses and checks a submission's JSON text.
 *
 * @example
 * ```ts
 * parseSubmission(await Deno.readTextFile("spool/pc01.json")).machine; // "pc01"
 * ```
 */
export function parseSubmission(text: string): Submission {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SubmissionError(`not JSON: ${(err as Error).message}`);
  }
  return checkSubmission(value);
}
