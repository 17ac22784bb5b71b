// `toolkit subnet same` as a real process (text, --json, exit codes), and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { assertOneError } from "../_support/error_shape.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import same from "../../lib/commands/subnet_same.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("subnet same: the course's example, with the ANDs in binary", async () => {
  const r = await runToolkit([
    "subnet",
    "same",
    "--explain",
    "172.16.10.1",
    "172.16.10.2",
    "255.255.255.0",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      "172.16.10.1    10101100.00010000.00001010.00000001",
      "255.255.255.0  11111111.11111111.11111111.00000000",
      "AND            10101100.00010000.00001010.00000000  -> 172.16.10.0",
      "",
      "172.16.10.2    10101100.00010000.00001010.00000010",
      "255.255.255.0  11111111.11111111.11111111.00000000",
      "AND            10101100.00010000.00001010.00000000  -> 172.16.10.0",
      "",
      "same network: 172.16.10.1 and 172.16.10.2 are both in 172.16.10.0/24",
      "",
    ].join("\n"),
  );
  const diff = await runToolkit(["subnet", "same", "--json", "172.16.10.1", "172.16.11.2", "/24"]);
  assert.equal(diff.code, 1);
  const j = JSON.parse(diff.stdout);
  assert.equal(j.same, false);
  assert.equal(j.networkA, "172.16.10.0/24");
  assert.equal(j.networkB, "172.16.11.0/24");
  const both = await runToolkit(["subnet", "same", "10.0.0.1/24", "10.0.0.2/24"]);
  assert.equal(both.code, 0, both.stderr);
  const mixed = await runToolkit(["subnet", "same", "10.0.0.1/24", "10.0.0.2/25"]);
  assert.equal(mixed.code, 2);
  assertOneError(mixed.stderr, /10\.0\.0\.2\/25 has \/25, but the mask is \/24/);
  const slash = await runToolkit(["subnet", "same", "192.168.1.10/25", "192.168.1.200"]);
  assert.equal(slash.code, 1);
  assert.match(
    slash.stdout,
    /different networks: .* is in 192\.168\.1\.0\/25, .* is in 192\.168\.1\.128\/25/,
  );
});

Deno.test("subnet same parse: A B /N and A/N B; one address refused", () => {
  for (const argv of [["10.0.0.1", "10.0.0.2", "/24"], ["10.0.0.1/24", "10.0.0.2"]]) {
    const o = same.parse(argv, noGlobals);
    assert.deepEqual([String(o.a), String(o.b), o.bits, o.explain, o.json], [
      "10.0.0.1",
      "10.0.0.2",
      24,
      false,
      false,
    ]);
  }
  assert.throws(() => same.parse(["10.0.0.1"], noGlobals), UsageError, "missing argument");
});
