// `toolkit subnet contains` as a real process (text, --json, exit codes), and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import contains from "../../lib/commands/subnet_contains.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("subnet contains: text, --json and exit codes", async () => {
  const inside = await runToolkit([
    "subnet",
    "contains",
    "192.168.1.10/24",
    "192.168.1.200",
    "192.168.1.0/25",
  ]);
  assert.equal(inside.code, 0, inside.stderr);
  const c = await runToolkit([
    "--json",
    "subnet",
    "contains",
    "10.0.0.0/8",
    "10.1.2.3",
    "11.0.0.1",
    "::1",
  ]);
  assert.equal(c.code, 1);
  assert.deepEqual(JSON.parse(c.stdout).results.map((x: { inside: boolean }) => x.inside), [
    true,
    false,
    false,
  ]);
});

Deno.test("subnet contains parse: a network and addresses; no address refused", () => {
  const o = contains.parse(["10.0.0.0/8", "10.1.2.3"], noGlobals);
  assert.equal(String(o.network), "10.0.0.0/8");
  assert.deepEqual(o.items.map((i) => [i.text, String(i.prefix)]), [["10.1.2.3", "10.1.2.3/32"]]);
  assert.throws(() => contains.parse(["10.0.0.0/8"], noGlobals), UsageError, "missing argument");
});
