// A validator for the JSON Schema subset toolkit's own schemas use (type, enum, const, pattern,
// minimum/maximum, minLength/maxLength, items, minItems/maxItems, required, properties,
// additionalProperties: false, oneOf, local $ref, and `x-exactly-one-of`), so a drill file and a
// collector's submission are told exactly what is wrong, where:
// `report.drills[0].steps[2].status: must be one of pass, fail, skip (got "ok")`.

// deno-lint-ignore no-explicit-any
type Schema = any;

/** Where a value sits in its document: keys and array indexes from the top. */
export type SchemaPath = (string | number)[];

/** One problem: where (`["report", "drills", 0, "name"]`) and what. */
export interface SchemaIssue {
  path: SchemaPath;
  message: string;
}

/** Options for {@linkcode validateJson}. */
export interface ValidateOptions {
  /**
   * Stop collecting after this many issues, so a hostile document cannot make a long answer.
   * Default 20.
   */
  limit?: number;
  /**
   * Picks the `oneOf` branch for a value itself (a drill step's branch is named by its key), or
   * says why none fits; `undefined` tries every branch and reports the closest.
   */
  pickBranch?: (
    value: unknown,
    path: SchemaPath,
  ) => { branch: Schema } | { issue: SchemaIssue } | undefined;
}

/**
 * A value's JSON type: `null`, `array`, `integer` (a whole number), `number`, `string`,
 * `boolean` or `object`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonTypeOf } from "./json_schema.ts";
 *
 * assert.deepEqual([null, [], 1, 1.5, {}].map(jsonTypeOf), ["null", "array", "integer", "number", "object"]);
 * ```
 */
export function jsonTypeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function fits(type: string | readonly string[], v: unknown): boolean {
  const actual = jsonTypeOf(v);
  const list = typeof type === "string" ? [type] : type;
  return list.some((t) => t === actual || (t === "number" && actual === "integer"));
}

/** Whether `key` is one of the object's own keys (`constructor` is not a key of `{}`). */
const has = (o: object | undefined, key: string): boolean =>
  o !== undefined && Object.hasOwn(o, key);

const show = (v: unknown) => JSON.stringify(v);

/** What a pattern asks for, in words where we know them. */
function patternHint(s: Schema): string {
  if (s.description) return ` (${s.description})`;
  if (s.pattern === "^[A-Za-z_][A-Za-z0-9_.-]*$") return " (a name: letters, digits, _ . -)";
  if (s.pattern.startsWith("^(0x)?[0-9a-f")) return " (hex digits)";
  if (s.pattern === "^[a-z0-9][a-z0-9._-]*$") return " (lower-case letters, digits, . _ -)";
  return ` (it must match ${s.pattern})`;
}

/**
 * Checks `value` against `schema` and returns every problem found (none: valid), up to
 * `options.limit` (default 20).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateJson } from "./json_schema.ts";
 *
 * assert.deepEqual(validateJson({ type: "object", required: ["a"] }, {}), [
 *   { path: [], message: 'missing "a"' },
 * ]);
 * const schema = {
 *   type: "object",
 *   properties: { drills: { type: "array", items: { $ref: "#/$defs/drill" } } },
 *   $defs: { drill: { type: "object", properties: { status: { enum: ["pass", "fail"] } } } },
 * };
 * assert.deepEqual(validateJson(schema, { drills: [{ status: "ok" }] }), [
 *   { path: ["drills", 0, "status"], message: 'must be one of pass, fail (got "ok")' },
 * ]);
 * assert.deepEqual(validateJson(schema, { drills: [] }), []);
 * ```
 */
export function validateJson(
  schema: Schema,
  value: unknown,
  options: ValidateOptions = {},
): SchemaIssue[] {
  const limit = options.limit ?? 20;
  const resolve = (s: Schema): Schema =>
    typeof s?.$ref === "string" ? schema.$defs[s.$ref.replace("#/$defs/", "")] : s;
  const walk = (node: Schema, v: unknown, path: SchemaPath, out: SchemaIssue[]): void => {
    if (out.length >= limit) return;
    const s = resolve(node);
    const fail = (message: string) => void out.push({ path, message });
    if (s.oneOf) return oneOf(s.oneOf, v, path, out);
    if ("const" in s && v !== s.const) return fail(`must be ${show(s.const)}`);
    if (s.enum && !s.enum.includes(v)) {
      return fail(`must be one of ${s.enum.join(", ")} (got ${show(v)})`);
    }
    if (s.type && !fits(s.type, v)) {
      return fail(`must be of type ${[s.type].flat().join(" or ")} (got ${jsonTypeOf(v)})`);
    }
    if (typeof v === "string") {
      if (s.minLength !== undefined && v.length < s.minLength) {
        fail(`must be at least ${s.minLength} characters long`);
      }
      if (s.maxLength !== undefined && v.length > s.maxLength) {
        fail(`must be at most ${s.maxLength} characters long`);
      }
      if (s.pattern && !new RegExp(s.pattern, "u").test(v)) {
        fail(`${show(v.slice(0, 80))} is not valid here${patternHint(s)}`);
      }
    }
    if (typeof v === "number") {
      if (s.minimum !== undefined && v < s.minimum) {
        fail(`must be at least ${s.minimum} (got ${v})`);
      }
      if (s.maximum !== undefined && v > s.maximum) fail(`must be at most ${s.maximum} (got ${v})`);
    }
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) {
        fail(`must have at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
      }
      // Too many items are not walked one by one.
      if (s.maxItems !== undefined && v.length > s.maxItems) {
        return fail(`must have at most ${s.maxItems} items`);
      }
      if (s.items) v.forEach((item, i) => walk(s.items, item, [...path, i], out));
    }
    if (jsonTypeOf(v) === "object") {
      const o = v as Record<string, unknown>;
      for (const key of s.required ?? []) {
        if (!has(o, key)) fail(`missing "${key}"`);
      }
      for (const [key, item] of Object.entries(o)) {
        if (has(s.properties, key)) walk(s.properties[key], item, [...path, key], out);
        else if (s.additionalProperties === false) {
          const known = Object.keys(s.properties ?? {}).join(", ");
          out.push({
            path: [...path, key],
            message: `unknown key "${key.slice(0, 80)}" (expected ${known})`,
          });
        }
        if (out.length >= limit) return;
      }
      const one: string[] | undefined = s["x-exactly-one-of"];
      if (one) {
        const present = one.filter((k) => has(o, k));
        if (present.length === 0) fail(`needs one of ${one.join(", ")}`);
        else if (present.length > 1) fail(`takes only one of ${present.join(", ")}`);
      }
    }
  };
  const oneOf = (branches: Schema[], v: unknown, path: SchemaPath, out: SchemaIssue[]) => {
    const picked = options.pickBranch?.(v, path);
    if (picked && "issue" in picked) return void out.push(picked.issue);
    if (picked) return walk(picked.branch, v, path, out);
    // The branches of the value's type, and of those the one with the fewest issues.
    const typed = branches.map(resolve).filter((b: Schema) => !b.type || fits(b.type, v));
    let best: SchemaIssue[] | undefined;
    for (const branch of typed.length ? typed : branches.map(resolve)) {
      const issues: SchemaIssue[] = [];
      walk(branch, v, path, issues);
      if (issues.length === 0) return;
      if (!best || issues.length < best.length) best = issues;
    }
    out.push(...best!);
  };
  const out: SchemaIssue[] = [];
  walk(schema, value, [], out);
  return out.slice(0, limit);
}

/**
 * A path as the user reads it: `report.drills[0].name`; the top is `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSchemaPath } from "./json_schema.ts";
 *
 * assert.equal(formatSchemaPath(["report", "drills", 0, "name"]), "report.drills[0].name");
 * assert.equal(formatSchemaPath([]), "");
 * ```
 */
export function formatSchemaPath(path: SchemaPath): string {
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : (i ? "." : "") + p).join("");
}

/**
 * The issues as one line: `report.passed: must be at least 0 (got -1); missing "machine"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatIssues } from "./json_schema.ts";
 *
 * const issues = [
 *   { path: ["report", "passed"], message: "must be at least 0 (got -1)" },
 *   { path: [], message: 'missing "machine"' },
 * ];
 * assert.equal(formatIssues(issues), 'report.passed: must be at least 0 (got -1); missing "machine"');
 * ```
 */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((
    i,
  ) => (i.path.length ? `${formatSchemaPath(i.path)}: ${i.message}` : i.message))
    .join("; ");
}
