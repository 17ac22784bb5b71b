// `toolkit subnet mask` as a real process (text, --json, exit codes), and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { assertOneError } from "../_support/error_shape.ts";
import { InputError, UsageError } from "../../lib/cli/errors.ts";
import mask from "../../lib/commands/subnet_mask.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("subnet mask: text, --json and exit codes", async () => {
  const m = JSON.parse((await runToolkit(["--json", "subnet", "mask", "0.0.0.63"])).stdout);
  assert.deepEqual(
    [m.given, m.prefixLength, m.netmask, m.wildcard, m.usableHosts],
    ["wildcard", 26, "255.255.255.192", "0.0.0.63", "62"],
  );
  const m6 = JSON.parse((await runToolkit(["--json", "subnet", "mask", "-6", "/64"])).stdout);
  assert.equal(m6.netmask, "ffff:ffff:ffff:ffff::");
});

Deno.test("masks may be written in hex, as sipcalc takes them (0xffffff00)", async () => {
  const j = JSON.parse(
    (await runToolkit(["--json", "subnet", "info", "10.1.2.3", "0xffffff00"])).stdout,
  );
  assert.equal(j.network, "10.1.2.0/24");
  const m = JSON.parse((await runToolkit(["--json", "subnet", "mask", "0xFFFFFFF0"])).stdout);
  assert.deepEqual([m.prefixLength, m.given], [28, "netmask"]);
  const short = await runToolkit(["subnet", "mask", "0x10"]);
  assert.equal(short.code, 2);
  assertOneError(short.stderr, /a hexadecimal netmask has 8 digits/);
});

Deno.test("subnet mask parse: a length for IPv4 and with -6; a short hex mask and no mask refused", () => {
  assert.deepEqual(mask.parse(["/24"], noGlobals), {
    mask: { bits: 24, family: 4, kind: "length" },
    json: false,
  });
  assert.deepEqual(mask.parse(["-6", "/64"], noGlobals).mask, {
    bits: 64,
    family: 6,
    kind: "length",
  });
  assert.throws(
    () => mask.parse(["0x10"], noGlobals),
    InputError,
    "a hexadecimal netmask has 8 digits",
  );
  assert.throws(() => mask.parse([], noGlobals), UsageError, "missing argument");
});
