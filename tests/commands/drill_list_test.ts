// `toolkit drill list` as a real process: the built-in drills with their step counts, an argument
// refused with exit 2; and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import drillList from "../../lib/commands/drill_list.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("drill list: the built-in drills with their step counts; an argument is exit 2", async () => {
  const list = await runToolkit(["drill", "list"]);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^NAME +STEPS +DESCRIPTION\n/);
  assert.match(list.stdout, /^udp-echo +\d+ +The course's UDP server and client/m);
  const extra = await runToolkit(["drill", "list", "extra"]);
  assert.equal(extra.code, 2, extra.stderr);
  assert.match(extra.stderr, /unexpected argument "extra"/);
  assert.equal(extra.stderr.split("\n").filter((l) => l.startsWith("toolkit: error:")).length, 1);
});

Deno.test("drill list parse: no arguments; an argument or an unknown option refused", () => {
  assert.deepEqual(drillList.parse([], noGlobals), { json: false });
  assert.deepEqual(drillList.parse([], { ...noGlobals, json: true }), { json: true });
  assert.throws(() => drillList.parse(["x"], noGlobals), UsageError, 'unexpected argument "x"');
  assert.throws(() => drillList.parse(["--all"], noGlobals), UsageError, "unknown option '--all'");
});
