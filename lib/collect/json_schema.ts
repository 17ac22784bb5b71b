// A validator for the JSON Schema subset toolkit's own schemas use (type, enum, const, pattern,
// minimum/maximum, minLength/maxLength, items, minItems/maxItems, required, properties,
// additionalProperties: false, local $ref), so a collector can say exactly what is wrong with a
// submission: `report.drills[0].steps[2].status: must be one of pass, fail, skip (got "ok")`.

// deno-lint-ignore no-explicit-any
type Schema = any;

/** One problem: where (`report.drills[0].name`) and what. */
export interface SchemaIssue {
  path: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function fits(type: string | readonly string[], v: unknown): boolean {
  const actual = typeOf(v);
  const list = typeof type === "string" ? [type] : type;
  return list.some((t) => t === actual || (t === "number" && actual === "integer"));
}

function at(path: string, key: string | number): string {
  return typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/**
 * Checks `value` against `schema` and returns every problem found (none: valid). Stops collecting
 * after `limit` problems (default 20) so a hostile document cannot make a long answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateJson } from "./json_schema.ts";
 *
 * assert.deepEqual(validateJson({ type: "object", required: ["a"] }, {}), [
 *   { path: "", message: 'missing "a"' },
 * ]);
 * const schema = {
 *   type: "object",
 *   properties: { drills: { type: "array", items: { $ref: "#/$defs/drill" } } },
 *   $defs: { drill: { type: "object", properties: { status: { enum: ["pass", "fail"] } } } },
 * };
 * assert.deepEqual(validateJson(schema, { drills: [{ status: "ok" }] }), [
 *   { path: "drills[0].status", message: 'must be one of pass, fail (got "ok")' },
 * ]);
 * assert.deepEqual(validateJson(schema, { drills: [] }), []);
 * ```
 */
export function validateJson(
  schema: Schema,
  value: unknown,
  options: { path?: string; limit?: number } = {},
): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  const limit = options.limit ?? 20;
  const resolve = (s: Schema): Schema =>
    typeof s?.$ref === "string" ? schema.$defs[s.$ref.replace("#/$defs/", "")] : s;
  const walk = (node: Schema, v: unknown, path: string): void => {
    if (out.length >= limit) return;
    const s = resolve(node);
    const fail = (message: string) => out.push({ path, message });
    if ("const" in s && v !== s.const) return void fail(`must be ${JSON.stringify(s.const)}`);
    if (s.enum && !s.enum.includes(v)) {
      return void fail(`must be one of ${s.enum.join(", ")} (got ${JSON.stringify(v)})`);
    }
    if (s.type && !fits(s.type, v)) {
      return void fail(`must be of type ${[s.type].flat().join(" or ")} (got ${typeOf(v)})`);
    }
    if (typeof v === "string") {
      if (s.minLength !== undefined && v.length < s.minLength) {
        fail(`must be at least ${s.minLength} characters long`);
      }
      if (s.maxLength !== undefined && v.length > s.maxLength) {
        fail(`must be at most ${s.maxLength} characters long`);
      }
      if (s.pattern && !new RegExp(s.pattern, "u").test(v)) {
        fail(`${JSON.stringify(v.slice(0, 80))} does not match ${s.pattern}`);
      }
    }
    if (typeof v === "number") {
      if (s.minimum !== undefined && v < s.minimum) fail(`must be at least ${s.minimum}`);
      if (s.maximum !== undefined && v > s.maximum) fail(`must be at most ${s.maximum}`);
    }
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) {
        fail(`must have at least ${s.minItems} items`);
      }
      if (s.maxItems !== undefined && v.length > s.maxItems) {
        return void fail(`must have at most ${s.maxItems} items`);
      }
      if (s.items) v.forEach((item, i) => walk(s.items, item, at(path, i)));
    }
    if (typeOf(v) === "object") {
      const o = v as Record<string, unknown>;
      for (const key of s.required ?? []) {
        if (!Object.hasOwn(o, key)) fail(`missing "${key}"`);
      }
      for (const [key, item] of Object.entries(o)) {
        if (s.properties && Object.hasOwn(s.properties, key)) {
          walk(s.properties[key], item, at(path, key));
        } else if (s.additionalProperties === false) {
          out.push({ path: at(path, key), message: `unknown key "${key.slice(0, 80)}"` });
        }
        if (out.length >= limit) return;
      }
    }
  };
  walk(schema, value, options.path ?? "");
  return out.slice(0, limit);
}

/**
 * The issues as one line: `report.passed: must be at least 0; machine: missing`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIssues } from "./json_schema.ts";
 *
 * const issues = [
 *   { path: "report.passed", message: "must be at least 0" },
 *   { path: "", message: 'missing "machine"' },
 * ];
 * assert.equal(formatIssues(issues), 'report.passed: must be at least 0; missing "machine"');
 * ```
 */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
}
