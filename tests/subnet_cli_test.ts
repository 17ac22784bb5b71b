// `toolkit subnet ...` as users run it: real processes through TOOLKIT_CMD. The course's example,
// help, --json, exit codes, one-line errors, aggregate's streaming input and its read scope, and a
// comparison with ipcalc where it is installed.
import assert from "#assert";
import { registry } from "../lib/commands/registry.ts";
import { hasCommand, runToolkit, testIf } from "./harness.ts";
import { runInProcess } from "./in_process.ts";

const commands = [
  "info",
  "same",
  "split",
  "aggregate",
  "exclude",
  "contains",
  "range",
  "mask",
  "random",
];

/** Exactly one `toolkit: error:` line, and for usage errors the hint after it. */
function assertOneError(stderr: string, pattern: RegExp, usageOf?: string): void {
  const all = stderr.trimEnd().split("\n");
  if (all.at(-1)?.startsWith('{"error":')) {
    // Under --json: the error object alone, carrying the message and the hint.
    const { error } = JSON.parse(all.at(-1)!);
    assert.equal(all.filter((l) => l.includes("error")).length, 1, stderr);
    assert.match(error.message, pattern);
    if (usageOf) assert.equal(error.hint, `Try 'toolkit ${usageOf} --help'`);
    return;
  }
  const lines = all.filter((l) => l.startsWith("toolkit: error:"));
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], pattern);
  if (usageOf) assert.match(stderr, new RegExp(`Try 'toolkit ${usageOf} --help'`));
}

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

Deno.test("subnet info --binary marks the network/host boundary in the AND", async () => {
  const r = await runToolkit(["subnet", "info", "--binary", "172.16.10.1", "255.255.255.0"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Network: +172\.16\.10\.0\/24$/m);
  assert.match(r.stdout, /^Broadcast: +172\.16\.10\.255$/m);
  assert.match(r.stdout, /^Class: +B$/m);
  assert.match(r.stdout, /^Special: +private \(Private-Use, RFC 1918\)$/m);
  assert.match(r.stdout, /^Address +172\.16\.10\.1 +10101100\.00010000\.00001010 \| 00000001$/m);
  assert.match(r.stdout, /^Netmask +255\.255\.255\.0 +11111111\.11111111\.11111111 \| 00000000$/m);
  assert.match(r.stdout, /^Network +172\.16\.10\.0 +10101100\.00010000\.00001010 \| 00000000$/m);
  const v6 = await runToolkit(["--json", "subnet", "info", "2001:db8::1/64"]);
  const j = JSON.parse(v6.stdout);
  assert.equal(j.broadcast, null);
  assert.equal(j.addressCount, "18446744073709551616", "counts of addresses are strings");
  assert.equal(j.usableHosts, "18446744073709551615");
  assert.equal(j.special.label, "documentation");
  assert.equal(j.reverseZone, "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
  const small = JSON.parse((await runToolkit(["subnet", "info", "--json", "10.0.0.1/31"])).stdout);
  assert.equal(small.usableHosts, "2", "also when small: one type per key");
  assert.equal(small.broadcast, null);
});

Deno.test("every subnet command has --help with usage and examples", async () => {
  for (const c of commands) {
    const r = await runToolkit(["subnet", c, "--help"]);
    assert.equal(r.code, 0, `${c}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`toolkit subnet ${c}`), c);
  }
});

Deno.test("bad input: one error line, exit 2; usage errors add the hint", async () => {
  const octal = await runToolkit(["subnet", "info", "010.0.0.1/8"]);
  assert.equal(octal.code, 2);
  assertOneError(octal.stderr, /leading zero.*octal 8, some as decimal 10 \(CVE-2021-29921\)/);
  const mask = await runToolkit(["subnet", "mask", "255.0.255.0"]);
  assert.equal(mask.code, 2);
  assertOneError(mask.stderr, /not contiguous \(11111111\.00000000\.11111111\.00000000\)/);
  const host = await runToolkit(["subnet", "split", "10.0.0.1/16", "--count", "4"]);
  assert.equal(host.code, 2);
  assertOneError(
    host.stderr,
    /has host bits set; a network is required here \(did you mean 10\.0\.0\.0\/16\?\)/,
  );
  const usage = await runToolkit(["subnet", "same", "1.2.3.4"]);
  assert.equal(usage.code, 2);
  assertOneError(usage.stderr, /missing argument/, "subnet same");
  const both = await runToolkit(["subnet", "split", "10.0.0.0/8", "--count", "2", "--prefix", "9"]);
  assert.equal(both.code, 2);
  assertOneError(both.stderr, /give only one of/, "subnet split");
  const family = await runToolkit(["subnet", "range", "10.0.0.1", "::1"]);
  assert.equal(family.code, 2);
  assertOneError(family.stderr, /IPv4 and ::1 is IPv6/);
});

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

Deno.test("subnet aggregate: mixed families, comments, blank lines, files and stdin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tksubnet" });
  try {
    await Deno.writeTextFile(
      `${dir}/a.txt`,
      "# routes\n10.0.0.0/25\r\n\n10.0.0.128/25  # second half\n2001:db8::/33\n",
    );
    const r = await runToolkit(["subnet", "aggregate", `${dir}/a.txt`, "-"], {
      stdin: "2001:db8:8000::/33\n192.0.2.1\n10.0.1.0/24\n",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "10.0.0.0/23\n192.0.2.1/32\n2001:db8::/32\n");
    const j = JSON.parse(
      (await runToolkit(["subnet", "aggregate", "--json", `${dir}/a.txt`])).stdout,
    );
    assert.deepEqual(j, { inputs: 3, outputs: 2, prefixes: ["10.0.0.0/24", "2001:db8::/33"] });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("subnet aggregate: bad lines are reported with line numbers; --skip-bad goes on", async () => {
  const input = "10.0.0.0/24\n010.0.0.0/8\n\n10.0.0.1/24\n10.0.1.0/24\n";
  const r = await runToolkit(["subnet", "aggregate"], { stdin: input });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^toolkit: warning: stdin: line 2: .*leading zero/m);
  assert.match(r.stderr, /^toolkit: warning: stdin: line 4: "10\.0\.0\.1\/24" has host bits set/m);
  assertOneError(r.stderr, /2 entries could not be read as prefixes \(first: stdin: line 2\)/);
  const skip = await runToolkit(["subnet", "aggregate", "--skip-bad"], { stdin: input });
  assert.equal(skip.code, 0);
  assert.equal(skip.stdout, "10.0.0.0/23\n");
  assert.match(skip.stderr, /warning: stdin: line 2/);
  const mask = await runToolkit(["subnet", "aggregate", "--mask-host-bits"], {
    stdin: "10.0.0.1/24\n10.0.1.0/24\n",
  });
  assert.equal(mask.stdout, "10.0.0.0/23\n");
});

Deno.test("subnet aggregate: a file outside the --scope read list is refused with exit 4", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tksubnet" });
  try {
    await Deno.writeTextFile(`${dir}/list.txt`, "10.0.0.0/8\n");
    await Deno.writeTextFile(`${dir}/scope.json`, JSON.stringify({ read: [`${dir}/elsewhere`] }));
    const r = await runToolkit([
      "--scope",
      `${dir}/scope.json`,
      "subnet",
      "aggregate",
      `${dir}/list.txt`,
    ]);
    assert.equal(r.code, 4, r.stderr);
    assertOneError(r.stderr, /outside the permission scope: read access/);
    assert.equal(r.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("subnet exclude, contains, range, mask: text, --json and exit codes", async () => {
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
  const m = JSON.parse((await runToolkit(["--json", "subnet", "mask", "0.0.0.63"])).stdout);
  assert.deepEqual(
    [m.given, m.prefixLength, m.netmask, m.wildcard, m.usableHosts],
    ["wildcard", 26, "255.255.255.192", "0.0.0.63", "62"],
  );
  const m6 = JSON.parse((await runToolkit(["--json", "subnet", "mask", "-6", "/64"])).stdout);
  assert.equal(m6.netmask, "ffff:ffff:ffff:ffff::");
});

testIf(
  hasCommand("ipcalc") ? undefined : "ipcalc is not installed",
  "subnet info agrees with ipcalc",
  async () => {
    for (
      const [addr, mask] of [
        ["172.16.10.1", "24"],
        ["10.0.0.1", "31"],
        ["192.168.77.200", "255.255.255.192"],
        ["8.8.8.8", "12"],
        ["203.0.113.9", "30"],
      ]
    ) {
      const out = await new Deno.Command("ipcalc", { args: ["-n", "-b", addr, mask] }).output();
      const text = new TextDecoder().decode(out.stdout);
      const field = (name: string) => new RegExp(`^${name}:\\s+(\\S+)`, "m").exec(text)?.[1];
      const r = await runToolkit(["--json", "subnet", "info", addr, mask]);
      const j = JSON.parse(r.stdout);
      assert.equal(j.network, field("Network"), `${addr} ${mask}: network`);
      assert.equal(j.netmask, field("Netmask"), `${addr} ${mask}: netmask`);
      assert.equal(j.wildcard, field("Wildcard"), `${addr} ${mask}: wildcard`);
      assert.equal(j.firstHost, field("HostMin"));
      assert.equal(j.lastHost, field("HostMax"));
      assert.equal(j.broadcast, field("Broadcast") ?? null, `${addr} ${mask}: broadcast`);
      assert.equal(String(j.usableHosts), field("Hosts/Net"));
      assert.match(text, new RegExp(`Class ${j.class}`));
    }
  },
);

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

Deno.test("subnet info: 0.0.0.0/0 and ::/0 are the default route, not global unicast", async () => {
  for (const [net, all] of [["0.0.0.0/0", "IPv4"], ["::/0", "IPv6"]]) {
    const r = await runToolkit(["subnet", "info", net]);
    assert.match(r.stdout, new RegExp(`^Special: +default route: all of ${all}`, "m"));
    assert.doesNotMatch(r.stdout, /global unicast/);
    const j = JSON.parse((await runToolkit(["--json", "subnet", "info", net])).stdout);
    assert.equal(j.addressSpace, "default route");
    assert.equal(j.globallyReachable, null, "it holds both kinds");
    assert.ok(j.specialWithin.length > 5);
  }
  const mixed = JSON.parse((await runToolkit(["--json", "subnet", "info", "10.0.0.0/7"])).stdout);
  assert.equal(mixed.addressSpace, "mixed");
  assert.deepEqual(mixed.specialWithin, [{ block: "10.0.0.0/8", label: "private" }]);
});

Deno.test("subnet info --class-prefix: the class's prefix in one step; D, E and IPv6 are exit 2", async () => {
  const b = JSON.parse(
    (await runToolkit(["--json", "subnet", "info", "--class-prefix", "172.16.10.1"])).stdout,
  );
  assert.deepEqual([b.address, b.network, b.class], ["172.16.10.1", "172.16.0.0/16", "B"]);
  for (
    const [arg, message] of [
      ["224.1.1.1", /class D \(multicast\): classes D and E have no network prefix/],
      ["::1", /--class-prefix is for IPv4 addresses/],
      ["10.1.2.3/8", /--class-prefix takes a bare IPv4 address/],
    ] as const
  ) {
    const r = await runToolkit(["subnet", "info", "--class-prefix", arg]);
    assert.equal(r.code, 2, arg);
    assertOneError(r.stderr, message);
  }
});

Deno.test("subnet info: IPv4-mapped addresses are judged by the IPv4 inside (issue 16)", async () => {
  const lo = JSON.parse(
    (await runToolkit(["--json", "subnet", "info", "::ffff:127.0.0.1"])).stdout,
  );
  assert.equal(lo.special.label, "loopback");
  assert.equal(lo.special.block, "127.0.0.0/8");
  assert.equal(lo.globallyReachable, false);
  assert.equal(lo.ipv4Mapped, "127.0.0.1");
  const priv = await runToolkit(["subnet", "info", "::ffff:10.1.2.3"]);
  assert.match(priv.stdout, /^Special: +private \(Private-Use, RFC 1918\)$/m);
  const global = JSON.parse(
    (await runToolkit(["--json", "subnet", "info", "::ffff:8.8.8.8"])).stdout,
  );
  assert.equal(global.globallyReachable, true);
});

Deno.test("zero-padded lengths are read as CPython reads them; a zone never holds /", async () => {
  const v6 = JSON.parse((await runToolkit(["--json", "subnet", "info", "::/0100"])).stdout);
  assert.equal(v6.network, "::/100");
  const v4 = JSON.parse((await runToolkit(["--json", "subnet", "info", "0.0.0.0/0032"])).stdout);
  assert.equal(v4.network, "0.0.0.0/32");
  const mask = JSON.parse((await runToolkit(["--json", "subnet", "mask", "/0024"])).stdout);
  assert.equal(mask.netmask, "255.255.255.0");
  // `subnet info` reads ::1%scope_id/24 as zone scope_id, length 24; the address-only parsers
  // (range, same) refuse it rather than take "scope_id/24" as the zone.
  const zoned = JSON.parse(
    (await runToolkit(["--json", "subnet", "info", "::1%scope_id/24"])).stdout,
  );
  assert.deepEqual([zoned.address, zoned.prefixLength], ["::1%scope_id", 24]);
  const range = await runToolkit(["subnet", "range", "::1%scope_id/24", "::2"]);
  assert.equal(range.code, 2);
  assertOneError(range.stderr, /"::1%scope_id\/24" is a prefix: drop "\/24"/);
  const same = await runToolkit(["subnet", "same", "::1%scope_id/24", "::2", "/64"]);
  assert.equal(same.code, 2);
});

Deno.test("subnet info: the full (exploded) IPv6 form and RFC 2317 reverse zones, text and --json", async () => {
  const j = JSON.parse((await runToolkit(["--json", "subnet", "info", "2001:db8::1/64"])).stdout);
  assert.equal(j.fullAddress, "2001:0db8:0000:0000:0000:0000:0000:0001");
  assert.equal(j.fullNetwork, "2001:0db8:0000:0000:0000:0000:0000:0000/64");
  const t = await runToolkit(["subnet", "info", "2001:db8::1/64"]);
  assert.match(t.stdout, /^Full address: +2001:0db8:0000:0000:0000:0000:0000:0001$/m);
  assert.match(t.stdout, /^Full network: +2001:0db8:0000:0000:0000:0000:0000:0000\/64$/m);
  // ipcalc's own test case: 193.92.150.3/26 -> 0-63.150.92.193.in-addr.arpa.
  const c = JSON.parse((await runToolkit(["--json", "subnet", "info", "193.92.150.3/26"])).stdout);
  assert.equal(c.reverseZone, "0-63.150.92.193.in-addr.arpa.");
  assert.deepEqual(c.reverseZones, ["0-63.150.92.193.in-addr.arpa."]);
  const ct = await runToolkit(["subnet", "info", "193.92.150.3/26"]);
  assert.match(
    ct.stdout,
    /^Reverse zone: +0-63\.150\.92\.193\.in-addr\.arpa\. \(RFC 2317 classless; CNAMEs in 150\.92\.193\.in-addr\.arpa\.\)$/m,
  );
  const wide = JSON.parse((await runToolkit(["--json", "subnet", "info", "10.1.0.0/22"])).stdout);
  assert.deepEqual(wide.reverseZones, [0, 1, 2, 3].map((i) => `${i}.1.10.in-addr.arpa.`));
  const wt = await runToolkit(["subnet", "info", "10.1.0.0/22"]);
  assert.match(wt.stdout, /^Reverse zones: +4 zones: 0\.1\.10\.in-addr\.arpa\. \.\.\. 3\.1\.10/m);
});

Deno.test("subnet random: RFC 1918 and RFC 4193 networks; --seed repeats; bad lengths are exit 2", async () => {
  const v4 = JSON.parse(
    (await runToolkit(["--json", "subnet", "random", "--count", "50", "/24"])).stdout,
  );
  assert.equal(v4.networks.length, 50);
  const distinct = new Set(v4.networks.map((n: { network: string }) => n.network));
  assert.equal(distinct.size, 50);
  for (const n of v4.networks) {
    assert.match(n.network, /^\d+\.\d+\.\d+\.0\/24$/);
    assert.ok(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].includes(n.block), n.block);
    const inBlock = await runInProcess(["subnet", "contains", n.block, n.network]);
    assert.equal(inBlock.code, 0, `${n.network} in ${n.block}`);
  }
  const a = await runToolkit(["subnet", "random", "--seed", "lab 3", "--count", "5", "/26"]);
  const b = await runToolkit(["subnet", "random", "--seed", "lab 3", "--count", "5", "/26"]);
  const c = await runToolkit(["subnet", "random", "--seed", "lab 4", "--count", "5", "/26"]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout, "the same seed gives the same handout");
  assert.notEqual(a.stdout, c.stdout);
  assert.equal(a.stdout.trim().split("\n").length, 5);
  const ula = JSON.parse((await runToolkit(["--json", "subnet", "random", "--ipv6"])).stdout);
  assert.equal(ula.prefixLength, 48);
  const [u] = ula.networks;
  // fc00::/7 with L = 1 is fd00::/8, then the 40-bit global ID.
  assert.match(u.network, /^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/48$/);
  assert.equal(u.network, u.site);
  assert.match(u.globalId, /^[0-9a-f]{10}$/);
  assert.match(u.eui64Source, /^(MAC of .+|random)$/);
  const s64 = await runToolkit(["subnet", "random", "--seed", "x", "-6", "/64"]);
  assert.equal(
    s64.stdout,
    (await runToolkit(["subnet", "random", "--seed", "x", "-6", "/64"])).stdout,
  );
  assert.match(s64.stdout, /^fd[0-9a-f:]+\/64\n$/);
  for (
    const [args, message] of [
      [["/7"], /no RFC 1918 block holds a \/7/],
      [["-6", "/40"], /a unique local prefix is a \/48 or longer/],
      [["--count", "2", "/8"], /there is only 1 private \/8 network \(asked for 2\)/],
      [["-6", "255.255.255.0"], /is IPv4, the address is IPv6|IPv4/],
    ] as const
  ) {
    const r = await runToolkit(["subnet", "random", ...args]);
    assert.equal(r.code, 2, args.join(" "));
    assertOneError(r.stderr, message);
  }
});

Deno.test("subnet aggregate takes prefixes as arguments; subnet range takes ipcalc's A - B", async () => {
  const r = await runToolkit([
    "subnet",
    "aggregate",
    "10.0.0.0/25",
    "10.0.0.128/25",
    "::/1",
    "8000::/1",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "10.0.0.0/24\n::/0\n");
  const mixed = await runToolkit(["subnet", "aggregate", "10.0.1.0/24", "-"], {
    stdin: "10.0.0.0/24\n",
  });
  assert.equal(mixed.stdout, "10.0.0.0/23\n");
  const bad = await runToolkit(["subnet", "aggregate", "10.0.0.0/24", "010.0.1.0/24"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^toolkit: warning: argument 2: .*leading zero/m);
  const help = await runToolkit(["subnet", "aggregate", "--help"]);
  assert.match(
    help.stdout.replace(/\s+/g, " "),
    /written like an address or prefix .* is taken as one/,
  );
  const dashed = await runToolkit(["subnet", "range", "10.0.0.0", "-", "10.0.4.255"]);
  assert.equal(dashed.code, 0, dashed.stderr);
  assert.equal(dashed.stdout, "10.0.0.0/22\n10.0.4.0/24\n");
  const wrong = await runToolkit(["subnet", "range", "10.0.0.0", "to", "10.0.4.255"]);
  assert.equal(wrong.code, 2);
});

/** Values every numeric option and argument is tried with (issue 16's sweep). */
const sweepValues = ["0", "-1", "99999999999999999999", "abc", "1.5", "0x10", ""];

/**
 * A command line each subnet command with a numeric option runs correctly with, and for options
 * that need a companion, the arguments to add. A subnet command that gains a numeric option
 * without a line here fails the sweep below.
 */
const sweepBase: Record<
  string,
  { args: string[]; with?: Record<string, string[]>; tooBig?: Record<string, string> }
> = {
  "subnet split": {
    args: ["10.0.0.0/16"],
    with: { limit: ["--prefix", "20"] },
    // Values that are numbers but more than the network can give: a /16 holds 65534 hosts.
    tooBig: { hosts: "65535", count: "65537", prefix: "33" },
  },
  "subnet random": { args: ["/24"], tooBig: { count: "1001" } },
};

/** Combinations that are not errors, with the meaning the help documents. */
const sweepAccepted = new Set([
  "subnet mask 0", // /0: the whole address space
  "subnet mask /0",
]);

Deno.test("every subnet command x every numeric option and argument: 0, -1, huge, junk are exit 2", async () => {
  const problems: string[] = [];
  const entries = registry.filter((e) => e.group === "subnet");
  const checkRun = async (label: string, argv: string[]) => {
    const r = await runInProcess(argv);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("toolkit: error:"));
    if (sweepAccepted.has(label)) {
      if (r.code !== 0) problems.push(`${label}: exit ${r.code}, documented as accepted`);
      return;
    }
    if (r.code !== 2) problems.push(`${label}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    else if (errors.length !== 1 || r.stdout !== "") {
      problems.push(`${label}: ${errors.length} error lines, stdout ${JSON.stringify(r.stdout)}`);
    }
  };
  let runs = 0;
  for (const entry of entries) {
    const spec = (await entry.load()).spec;
    const numeric = spec.options.filter((o) => o.type === "string" && /^N\b/.test(o.value ?? ""));
    if (numeric.length && !sweepBase[entry.name]) {
      problems.push(`${entry.name}: numeric options ${numeric.map((o) => o.name)} not swept`);
      continue;
    }
    for (const o of numeric) {
      const base = [...entry.name.split(" "), ...sweepBase[entry.name].args];
      const extra = sweepBase[entry.name].with?.[o.name] ?? [];
      const tooBig = sweepBase[entry.name].tooBig?.[o.name];
      for (const v of tooBig === undefined ? sweepValues : [...sweepValues, tooBig]) {
        await checkRun(`${entry.name} --${o.name}=${v}`, [...base, ...extra, `--${o.name}=${v}`]);
        if (v !== "") {
          await checkRun(`${entry.name} --${o.name} ${v}`, [...base, ...extra, `--${o.name}`, v]);
        }
        runs += 2;
      }
    }
  }
  // The numeric positionals: a mask or length.
  for (const name of ["subnet mask", "subnet random"]) {
    for (const v of sweepValues.flatMap((v) => [v, `/${v}`])) {
      await checkRun(`${name} ${v}`, [...name.split(" "), "--", v]);
      runs++;
    }
  }
  console.error(`${runs} subnet command lines swept`);
  assert.deepEqual(problems, []);
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

Deno.test("errors say what to write: ipcalc habits, ranges, prefixes where addresses go (R21 item 9)", async () => {
  for (
    const [args, message] of [
      [["subnet", "info", "-n", "-p", "10.0.0.1/24"], /'-n': .*--format shell prints ipcalc's/],
      [["subnet", "info", "-r", "24"], /'-r': toolkit subnet random \/24/],
      [["subnet", "info", "-d", "10.0.0.1-10.0.0.5"], /'-d': toolkit subnet range START-END/],
      [["subnet", "info", "--split", "26", "10.0.0.0/24"], /toolkit subnet split NETWORK --prefix/],
      [["subnet", "info", "10.0.0.1-10.0.0.5"], /is a range .*toolkit subnet range 10\.0\.0\.1-/],
      [
        ["subnet", "split", "10.0.0.0/24", "/26"],
        /goes in --prefix: .*10\.0\.0\.0\/24 --prefix 26/,
      ],
      [["ipcalc", "10.0.0.1/24"], /unknown command 'ipcalc' \(did you mean 'subnet info'\?\)/],
      [["subnet", "10.0.0.1/24"], /\(did you mean 'subnet info 10\.0\.0\.1\/24'\?\)/],
      [["subnet", "random", "--count", "-1"], /--count must be between 1 and 1000 \(got -1\)/],
      [["subnet", "random", "-6", "255.255.255.0"], /--ipv6 .* IPv6 length .*an IPv4 netmask/],
      [["subnet", "random", "10.0.0.0/24"], /takes a length \(\/24\), not a network/],
      [["subnet", "split", "10.0.0.0/31", "--hosts", "2"], /with --rfc3021 a \/31 holds 2/],
      [["subnet", "range", "10.0.0.5/24", "10.0.0.9"], /"10\.0\.0\.5\/24" is a prefix: drop/],
      [["subnet", "same", "10.0.0.1/24", "10.0.0.200", "/24"], /already has a prefix length/],
      [["subnet", "info", "2001:db8:::1"], /":::" .*\(did you mean "2001:db8::1"\?\)/],
    ] as const
  ) {
    const r = await runToolkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}`);
    assertOneError(r.stderr, message);
  }
  // ipcalc's own range forms are read, not refused.
  const want = "192.168.1.10/31\n192.168.1.12/31\n";
  for (
    const args of [
      ["192.168.1.10 - 192.168.1.13"],
      ["192.168.1.10", "-192.168.1.13"],
      ["192.168.1.10-", "192.168.1.13"],
      ["192.168.1.10", "-", "192.168.1.13"],
    ]
  ) {
    const r = await runToolkit(["subnet", "range", ...args]);
    assert.equal(r.code, 0, `${JSON.stringify(args)}: ${r.stderr}`);
    assert.equal(r.stdout, want);
  }
});

Deno.test("no option is silently dropped; counts of one are singular (R21 item 10)", async () => {
  for (
    const [args, message] of [
      [["subnet", "info", "--format", "shell", "--binary", "1.2.3.4"], /--binary .*--format shell/],
      [["subnet", "split", "10.0.0.0/24", "--hosts", "2", "--limit", "3"], /--limit goes with/],
      [["subnet", "split", "10.0.0.1/32", "--prefix", "31"], /single address: --prefix can only/],
    ] as const
  ) {
    const r = await runToolkit(args);
    assert.equal(r.code, 2, args.join(" "));
    assertOneError(r.stderr, message);
  }
  const one = await runToolkit(["subnet", "split", "10.0.0.0/31", "--hosts", "1"]);
  assertOneError(one.stderr, /^toolkit: error: 1 host does not fit in 10\.0\.0\.0\/31: it needs/);
  const each = await runToolkit(["subnet", "split", "10.0.0.0/32", "--prefix", "32"]);
  assert.match(
    each.stdout,
    /^10\.0\.0\.0\/32 into 1 subnet of \/32: 1 address, 1 usable host each$/m,
  );
});

Deno.test("subnet info --check answers with the exit status, as ipcalc -c does", async () => {
  for (const args of [["10.0.0.1/24"], ["10.0.0.1", "255.255.255.0"], ["fe80::1%eth0/64"]]) {
    const r = await runToolkit(["subnet", "info", "--check", ...args]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, "", ""], args.join(" "));
  }
  for (const args of [["10.0.0.300"], ["10.0.0.1/33"], ["10.0.0.1", "255.0.255.0"], ["-c", "x"]]) {
    const r = await runToolkit(["subnet", "info", "--check", ...args]);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^toolkit: not valid: .+\n$/);
  }
  const quiet = await runToolkit(["--quiet", "subnet", "info", "-c", "10.0.0.300"]);
  assert.deepEqual([quiet.code, quiet.stderr], [1, ""]);
  // Called wrongly is still a usage error, not a "no".
  const json = await runToolkit(["--json", "subnet", "info", "--check", "10.0.0.1"]);
  assert.equal(json.code, 2);
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

Deno.test("subnet info: IETF-reserved IPv6 space is labelled reserved, not global unicast (R21 item 7)", async () => {
  for (const a of ["e000::1", "fe00::1", "4000::1", "100:1::1"]) {
    const r = await runToolkit(["subnet", "info", a]);
    assert.match(r.stdout, /^Special: +reserved \(Reserved by IETF, RFC 4291\)$/m, a);
  }
  const compat = await runToolkit(["subnet", "info", "::1.2.3.4"]);
  assert.match(compat.stdout, /^Special: +IPv4-compatible \(IPv4-compatible IPv6 Address/m);
  const srv6 = await runToolkit(["subnet", "info", "5f00::1"]);
  assert.match(srv6.stdout, /^Special: +SRv6 SIDs/m, "a registered block inside stays itself");
});
