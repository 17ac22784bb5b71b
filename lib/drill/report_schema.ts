// The JSON Schema of the report `drill run --json` prints (formatJsonReport over DrillResult), so
// a collector can check a report it did not produce. result.ts holds the TypeScript shape; a test
// runs every built-in drill and validates its real report against this schema. It is also the
// published docs/json/drill-run.json (tests/json_output_test.ts keeps the two equal), whose rules
// it follows: closed objects, and every optional key says when it is there.
import { stepKinds } from "./schema.ts";

const stringList = { type: "array", items: { type: "string" } };
const text = { type: "string" };
const milliseconds = { type: "number", minimum: 0 };

function obj(properties: Record<string, unknown>, required: string[]) {
  return { type: "object", properties, required, additionalProperties: false };
}

/**
 * The JSON Schema (draft 2020-12) of a `drill run --json` report: `{ drills, passed, failed }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drillReportSchema } from "./report_schema.ts";
 *
 * assert.deepEqual(drillReportSchema.required, ["drills", "passed", "failed"]);
 * // What every step of every drill in a report has.
 * assert.deepEqual(drillReportSchema.$defs.step.required, [
 *   "index",
 *   "kind",
 *   "title",
 *   "status",
 *   "durationMs",
 * ]);
 * ```
 */
export const drillReportSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://toolkit.invalid/drill-report.schema.json",
  title: "toolkit drill report",
  description: "What `toolkit drill run --json` prints: every drill's result, step by step.",
  type: "object",
  required: ["drills", "passed", "failed"],
  additionalProperties: false,
  properties: {
    drills: { type: "array", items: { $ref: "#/$defs/drill" } },
    passed: { type: "integer", minimum: 0 },
    failed: { type: "integer", minimum: 0 },
  },
  $defs: {
    drill: obj({
      name: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]*$" },
      source: text,
      status: { enum: ["pass", "fail"] },
      durationMs: milliseconds,
      scope: obj({
        net: stringList,
        read: stringList,
        write: stringList,
        run: stringList,
        env: stringList,
        sys: stringList,
        implicit: {
          type: "array",
          items: obj({ kind: text, entry: text, reason: text }, ["kind", "entry", "reason"]),
          description:
            "The grants the drill's sandbox added on its own (local binds, toolkit's modules), each with its kind and why; always there in this version's reports.",
        },
      }, ["net", "read", "write", "run", "env", "sys"]),
      steps: { type: "array", items: { $ref: "#/$defs/step" } },
      error: {
        type: "string",
        description:
          "A drill that could not run to its steps (its sandbox failed, it outlived its timeout): why.",
      },
    }, ["name", "source", "status", "durationMs", "scope", "steps"]),
    step: obj({
      index: { type: "integer", minimum: 1 },
      kind: { enum: [...stepKinds] },
      title: text,
      status: { enum: ["pass", "fail", "skip"] },
      durationMs: milliseconds,
      message: {
        type: "string",
        description: "What happened, where there is more to say than pass (exit codes, failures).",
      },
      denied: {
        ...obj({ kind: text, resource: text }, ["kind", "resource"]),
        description: "A step the sandbox refused: the permission and what was asked.",
      },
      diff: {
        ...obj({
          expected: text,
          expectedHex: text,
          received: text,
          receivedHex: text,
          offset: { type: "integer", minimum: -1 },
        }, ["expected", "expectedHex", "received", "receivedHex", "offset"]),
        description: "A failed expect: the bytes expected and received.",
      },
    }, ["index", "kind", "title", "status", "durationMs"]),
  },
} as const;
