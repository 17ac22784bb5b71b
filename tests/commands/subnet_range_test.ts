// `toolkit subnet range` as a real process (text, --json, exit codes), and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { InputError } from "../../lib/cli/errors.ts";
import range from "../../lib/commands/subnet_range.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("subnet range: text, --json and exit codes", async () => {
  const rg = await runToolkit(["subnet", "range", "192.168.1.10", "192.168.1.100"]);
  assert.equal(
    rg.stdout,
    "192.168.1.10/31\n192.168.1.12/30\n192.168.1.16/28\n192.168.1.32/27\n192.168.1.64/27\n192.168.1.96/30\n192.168.1.100/32\n",
  );
  const rj = JSON.parse(
    (await runToolkit(["--json", "subnet", "range", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]))
      .stdout,
  );
  assert.deepEqual(rj.prefixes, ["::/0"]);
  assert.equal(rj.addressCount, "340282366920938463463374607431768211456");
});

Deno.test("subnet range takes ipcalc's A - B", async () => {
  const dashed = await runToolkit(["subnet", "range", "10.0.0.0", "-", "10.0.4.255"]);
  assert.equal(dashed.code, 0, dashed.stderr);
  assert.equal(dashed.stdout, "10.0.0.0/22\n10.0.4.0/24\n");
  const wrong = await runToolkit(["subnet", "range", "10.0.0.0", "to", "10.0.4.255"]);
  assert.equal(wrong.code, 2);
});

Deno.test("subnet range parse: START END and ipcalc's START - END; one address refused", () => {
  for (const argv of [["10.0.0.0", "10.0.0.255"], ["10.0.0.0", "-", "10.0.0.255"]]) {
    const o = range.parse(argv, noGlobals);
    assert.deepEqual([String(o.start), String(o.end), o.json], ["10.0.0.0", "10.0.0.255", false]);
  }
  assert.throws(() => range.parse(["10.0.0.0"], noGlobals), InputError, "expected START END");
});
