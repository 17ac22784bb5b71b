// `toolkit subnet split` as a real process (text, --json, exit codes), and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { assertOneError } from "../_support/error_shape.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import split from "../../lib/commands/subnet_split.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("subnet split: equal parts, --count, VLSM with leftovers, --json", async () => {
  const r = await runToolkit(["subnet", "split", "10.0.0.0/16", "--count", "6"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^10\.0\.0\.0\/16 into 8 subnets \(for 6 asked\) of \/19/);
  assert.equal(r.stdout.trim().split("\n").length, 10);
  const v = await runToolkit([
    "--json",
    "subnet",
    "split",
    "192.168.1.0/24",
    "--hosts",
    "100,50,10,2",
  ]);
  const j = JSON.parse(v.stdout);
  assert.equal(j.rule, "textbook");
  assert.deepEqual(j.allocations.map((a: { subnet: string }) => a.subnet), [
    "192.168.1.0/25",
    "192.168.1.128/26",
    "192.168.1.192/28",
    "192.168.1.208/30",
  ]);
  assert.deepEqual(j.leftover, ["192.168.1.212/30", "192.168.1.216/29", "192.168.1.224/27"]);
  const big = await runToolkit([
    "subnet",
    "split",
    "--json",
    "--limit",
    "3",
    "2001:db8::/32",
    "--prefix",
    "64",
  ]);
  const b = JSON.parse(big.stdout);
  assert.equal(b.count, "4294967296");
  assert.equal(b.shown, 3);
  assert.equal(b.subnets.length, 3);
  assert.equal(big.stderr, "", "count and shown say it under --json");
  const full = await runToolkit(["subnet", "split", "10.0.0.0/24", "--hosts", "200,100"]);
  assert.equal(full.code, 2);
  assertOneError(full.stderr, /need 384 addresses; 10\.0\.0\.0\/24 has 256/);
});

Deno.test("subnet split --hosts: a count that cannot fit is exit 2 naming it (issue 16)", async () => {
  for (
    const [network, hosts, message] of [
      ["192.168.1.0/24", "300", /300 hosts do not fit in 192\.168\.1\.0\/24: they need a \/23/],
      ["10.0.0.0/30", "5", /5 hosts do not fit in 10\.0\.0\.0\/30: they need a \/29/],
      ["10.0.0.0/24", "10,300,20", /300 hosts do not fit in 10\.0\.0\.0\/24/],
    ] as const
  ) {
    for (const json of [[], ["--json"]]) {
      const r = await runToolkit([...json, "subnet", "split", network, "--hosts", hosts]);
      assert.equal(r.code, 2, `${network} --hosts ${hosts}: ${r.stdout}`);
      assert.equal(r.stdout, "");
      assertOneError(r.stderr, message);
    }
  }
});

Deno.test("subnet split --hosts: the textbook rule, /31 on request, --explain says why", async () => {
  const r = await runToolkit(["subnet", "split", "--explain", "10.0.0.0/24", "--hosts", "2,60"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Rule: n host bits hold 2\^n - 2 hosts/m);
  assert.match(
    r.stdout,
    /^ {2}60 hosts -> \/26: 2\^6 - 2 = 62 >= 60; 2\^5 - 2 = 30 would be too few$/m,
  );
  assert.match(
    r.stdout,
    /^ {2}2 hosts -> \/30: 2\^2 - 2 = 2 >= 2; 2\^1 - 2 = 0 would be too few$/m,
  );
  assert.match(r.stdout, /^2 +10\.0\.0\.64\/30 +10\.0\.0\.65 +10\.0\.0\.66 +10\.0\.0\.67 +2$/m);
  const p2p = JSON.parse(
    (await runToolkit([
      "--json",
      "subnet",
      "split",
      "--rfc3021",
      "--explain",
      "10.0.0.0/24",
      "--hosts",
      "2,1",
    ])).stdout,
  );
  assert.equal(p2p.rule, "rfc3021");
  assert.deepEqual(p2p.allocations.map((a: { subnet: string }) => a.subnet), [
    "10.0.0.0/31",
    "10.0.0.2/32",
  ]);
  assert.match(p2p.allocations[0].explanation, /^2 hosts -> \/31: 2\^1 = 2 >= 2 .*RFC 3021/);
  const alone = await runToolkit(["subnet", "split", "--rfc3021", "10.0.0.0/24", "--prefix", "26"]);
  assert.equal(alone.code, 2);
  assertOneError(alone.stderr, /--rfc3021 and --explain go with --hosts/, "subnet split");
});

Deno.test("subnet split --explain states the rule of the family it sizes (IPv6: 2^n - 1)", async () => {
  const v6 = await runToolkit([
    "subnet",
    "split",
    "2001:db8::/32",
    "--hosts",
    "1,2,3",
    "--explain",
  ]);
  assert.equal(v6.code, 0, v6.stderr);
  const rule = v6.stdout.split("\n")[0];
  assert.match(rule, /^Rule: n host bits hold 2\^n - 1 hosts \(the Subnet-Router anycast/);
  assert.match(rule, /a \/127 holds 2 \(RFC 6164\) and a \/128 holds 1$/);
  assert.doesNotMatch(v6.stdout, /broadcast|RFC 3021|--rfc3021/);
  assert.match(v6.stdout, /^ {2}3 hosts -> \/126: 2\^2 - 1 = 3 >= 3/m);
  // --rfc3021 means nothing for IPv6: refused rather than ignored.
  const both = await runToolkit(["subnet", "split", "2001:db8::/64", "--hosts", "2", "--rfc3021"]);
  assert.equal(both.code, 2);
  assertOneError(both.stderr, /--rfc3021 is about IPv4 \/31 links/, "subnet split");
});

Deno.test("subnet split --hosts: the bound in the message is the bound applied (2^53 - 1)", async () => {
  const over = await runToolkit(["subnet", "split", "10.0.0.0/8", "--hosts", "9007199254740992"]);
  assert.equal(over.code, 2);
  assertOneError(over.stderr, /whole numbers from 1 to 9007199254740991 \(2\^53 - 1\)/);
  const max = await runToolkit(["subnet", "split", "10.0.0.0/8", "--hosts", "9007199254740991"]);
  assert.equal(max.code, 2);
  assertOneError(max.stderr, /no IPv4 subnet holds 9007199254740991 hosts: all of IPv4 holds/);
});

Deno.test("subnet split parse: --count and --hosts; no way to split, a bare /N refused", () => {
  const c = split.parse(["--count", "4", "10.0.0.0/24"], noGlobals);
  assert.deepEqual([String(c.network), c.count, c.bits, c.rule, c.limit, c.explain], [
    "10.0.0.0/24",
    4,
    26,
    "textbook",
    65536,
    false,
  ]);
  assert.deepEqual(split.parse(["--hosts", "50,20", "10.0.0.0/24"], noGlobals).hosts, [50, 20]);
  assert.throws(() => split.parse(["10.0.0.0/24"], noGlobals), UsageError, "give --prefix");
  assert.throws(
    () => split.parse(["10.0.0.0/24", "/26"], noGlobals),
    UsageError,
    "the new length goes in --prefix",
  );
});
