// `toolkit subnet exclude` as a real process (text, --json, exit codes), and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { assertOneError } from "../_support/error_shape.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import exclude from "../../lib/commands/subnet_exclude.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("subnet exclude: text, --json and exit codes", async () => {
  const ex = await runToolkit(["subnet", "exclude", "192.168.0.0/24", "192.168.0.64/26"]);
  assert.equal(ex.stdout, "192.168.0.0/26\n192.168.0.128/25\n");
  // One rule for both (Python's): what is excluded must lie inside. A covering supernet used to
  // print nothing with exit 0.
  const cover = await runToolkit(["subnet", "exclude", "10.0.0.0/8", "10.0.0.0/7"]);
  assert.equal(cover.code, 2);
  assert.equal(cover.stdout, "");
  assertOneError(cover.stderr, /10\.0\.0\.0\/7 is not inside 10\.0\.0\.0\/8: it is larger/);
  const itself = await runToolkit(["--json", "subnet", "exclude", "10.0.0.0/8", "10.0.0.0/8"]);
  assert.equal(itself.code, 0);
  assert.deepEqual(JSON.parse(itself.stdout).prefixes, []);
  const outside = await runToolkit(["subnet", "exclude", "10.0.0.0/8", "11.0.0.0/8"]);
  assert.equal(outside.code, 2);
  assertOneError(outside.stderr, /11\.0\.0\.0\/8 is not inside 10\.0\.0\.0\/8/);
});

Deno.test("subnet exclude parse: a network and what to remove; nothing to remove refused", () => {
  const o = exclude.parse(["10.0.0.0/8", "10.0.0.0/9", "10.128.0.0/9"], noGlobals);
  assert.deepEqual([String(o.network), o.excluded.map(String), o.json], [
    "10.0.0.0/8",
    ["10.0.0.0/9", "10.128.0.0/9"],
    false,
  ]);
  assert.throws(() => exclude.parse(["10.0.0.0/8"], noGlobals), UsageError, "missing argument");
});
