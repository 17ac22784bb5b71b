// `toolkit drill schema` as a real process: the JSON Schema of drill files; and its parse in
// process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import drillSchema from "../../lib/commands/drill_schema.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("drill schema: the JSON Schema of drill files", async () => {
  const schema = await runToolkit(["drill", "schema"]);
  const s = JSON.parse(schema.stdout);
  assert.equal(s.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.deepEqual(s.required, ["name", "steps"]);
  assert.ok(s.$defs["expect-denied"]);
});

Deno.test("drill schema parse: the drill file schema by default, --report for the report's; an argument refused", () => {
  assert.deepEqual(drillSchema.parse([], noGlobals), { report: false });
  assert.deepEqual(drillSchema.parse(["--report"], noGlobals), { report: true });
  assert.throws(() => drillSchema.parse(["x"], noGlobals), UsageError, 'unexpected argument "x"');
});
