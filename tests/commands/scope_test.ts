// `toolkit scope`: --json reports what Deno granted, narrowed or not; bad scope files are exit 2;
// net entries are validated; and its parse in process. That a narrowing holds for a real
// connection (udp-send under --net and --scope) is in tests/suites/confinement_test.ts.
import assert from "#assert";
import { normalizeNetEntry, parseNetList, parseScopeFile } from "../../lib/scope/mod.ts";
import { labToolkitCmd, runToolkit, toolkitCmd } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import scopeCommand from "../../lib/commands/scope.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("bad scope files are exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.json`, '{"net": "everything"}');
    const bad = await runToolkit(["--scope", `${dir}/bad.json`, "scope"]);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      `toolkit: error: cannot parse scope file ${dir}/bad.json: "net" must be a list of strings\n`,
    );
    const missing = await runToolkit(["--scope", `${dir}/nope.json`, "scope"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^toolkit: error: no such file or directory \(.*nope\.json\)\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toolkit scope --json reports what Deno granted, narrowed or not", async () => {
  const full = await runToolkit(["scope", "--json"]);
  assert.equal(full.code, 0, full.stderr);
  const report = JSON.parse(full.stdout);
  if (Deno.env.get("TOOLKIT_CMD") === undefined) {
    // The default permission set of deno.json, which `deno task compile` also uses.
    assert.equal(report.narrowed, false);
    assert.deepEqual(report.net, { all: true, grants: [] });
    assert.deepEqual(report.read, { all: true, grants: [] });
    assert.equal(report.run.all, false);
    assert.deepEqual(report.run.grants, [
      { entry: "ip", implicit: false },
      { entry: "ss", implicit: false },
    ]);
    assert.equal(report.env.all, false);
    assert.ok(report.env.grants.some((g: { entry: string }) => g.entry === "NO_COLOR"));
  }
  const narrowed = await runToolkit(["--net", "127.0.0.1:9000,10.0.0.0/24", "scope", "--json"]);
  assert.equal(narrowed.code, 0, narrowed.stderr);
  const n = JSON.parse(narrowed.stdout);
  assert.equal(n.narrowed, true);
  assert.equal(n.net.all, false);
  // Every grant, the implicit local binds marked with their reasons; no wildcard bind. Toward
  // 10.0.0.0/24 the bind is this machine's own address on that subnet or, routed, its only one.
  type G = { entry: string; implicit: boolean; reason?: string };
  assert.deepEqual(n.net.grants.filter((g: G) => !g.implicit), [
    { entry: "127.0.0.1:9000", implicit: false },
    { entry: "10.0.0.0/24", implicit: false },
  ]);
  const implicit = n.net.grants.filter((g: G) => g.implicit);
  assert.deepEqual(implicit[0], {
    entry: "127.0.0.1:0",
    implicit: true,
    reason: "local bind for clients of 127.0.0.1:9000",
  });
  const mine = Deno.networkInterfaces().map((i) => i.address);
  for (const g of implicit.slice(1)) {
    assert.match(g.reason, /for clients of 10\.0\.0\.0\/24/);
    assert.ok(
      mine.includes(g.entry.replace(/:0$/, "")),
      `${g.entry} is an address of this machine`,
    );
  }
  const text = await runToolkit(["--net", "127.0.0.1:9000", "scope"]);
  assert.match(
    text.stdout,
    /^Scope \(narrowed at run time\):\n {2}network +127\.0\.0\.1:9000\n +127\.0\.0\.1:0 \(implicit: local bind for clients of 127\.0\.0\.1:9000\)\n/,
  );
});

Deno.test("a narrowing wider than the binary's own scope is exit 4", async (t) => {
  if (Deno.env.get("TOOLKIT_CMD") !== undefined) {
    console.error("SKIP wider-narrowing check: needs the lab permission set, not TOOLKIT_CMD");
    return void t;
  }
  const run = (args: string[]) => runToolkit(args, { cmd: labToolkitCmd });
  const wide = await run(["--net", "10.0.0.1", "scope"]);
  assert.equal(wide.code, 4, wide.stderr);
  assert.match(wide.stderr, /^toolkit: error: outside the permission scope/);
  const labScope = JSON.parse((await run(["scope", "--json"])).stdout);
  assert.equal(labScope.net.all, false);
  const labNet = labScope.net.grants.map((g: { entry: string }) => g.entry);
  assert.ok(labNet.includes("127.0.0.0/8"));
  assert.ok(labNet.includes("198.18.0.0/15"));
  assert.ok(labNet.includes("[2001:2:0:1::1]"), "the lab's own IPv6 hosts");
  assert.ok(!labNet.includes("10.0.0.0/24"));
  assert.ok(!labNet.some((e: string) => /^(0\.0\.0\.0|\[::\])/.test(e)), "no wildcard bind");
  assert.ok(toolkitCmd.length > 0);
});

Deno.test("net entries are validated and written the way Deno reads them", () => {
  assert.equal(normalizeNetEntry("::1"), "[::1]");
  assert.equal(normalizeNetEntry("[::1]:80"), "[::1]:80");
  assert.equal(normalizeNetEntry("10.0.0.0/24"), "10.0.0.0/24");
  assert.equal(normalizeNetEntry("lab-host:22"), "lab-host:22");
  assert.deepEqual(parseNetList(["127.0.0.1:9000, 10.0.0.0/24", "::1"]), [
    "127.0.0.1:9000",
    "10.0.0.0/24",
    "[::1]",
  ]);
  for (const bad of ["10.0.0.0/33", "host:0x50", "0x7f.1", "::1/129", "a b", "1.2.3.4:70000"]) {
    assert.throws(
      () => parseNetList([bad]),
      (e: unknown) => e instanceof SyntaxError || e instanceof RangeError,
      bad,
    );
  }
  assert.throws(() => parseScopeFile('{"nett": []}'), /unknown key "nett"/);
});

Deno.test("scope parse: this run's scope by default, --for a command line; a bare argument refused", () => {
  assert.deepEqual(scopeCommand.parse([], noGlobals), {});
  assert.deepEqual(scopeCommand.parse(["--for", "udp-send", "127.0.0.1:9"], noGlobals), {
    for: ["udp-send", "127.0.0.1:9"],
  });
  assert.throws(() => scopeCommand.parse(["x"], noGlobals), UsageError, 'unexpected argument "x"');
});
