// `toolkit subnet ...` as users run it: real processes through TOOLKIT_CMD. The course's example,
// help, --json, exit codes, one-line errors, aggregate's streaming input and its read scope, and a
// comparison with ipcalc where it is installed.
import assert from "#assert";
import { hasCommand, runToolkit, testIf } from "./harness.ts";

const commands = ["info", "same", "split", "aggregate", "exclude", "contains", "range", "mask"];

/** Exactly one `toolkit: error:` line, and for usage errors the hint after it. */
function assertOneError(stderr: string, pattern: RegExp, usageOf?: string): void {
  const lines = stderr.trimEnd().split("\n").filter((l) => l.startsWith("toolkit: error:"));
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
  assert.equal(j.addresses, "18446744073709551616", "sizes above 2^53 are strings");
  assert.equal(j.usableHosts, "18446744073709551615");
  assert.equal(j.special.label, "documentation");
  assert.equal(j.reverseZone, "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  const small = JSON.parse((await runToolkit(["subnet", "info", "--json", "10.0.0.1/31"])).stdout);
  assert.equal(small.usableHosts, 2);
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
  assert.deepEqual(j.allocations.map((a: { subnet: string }) => a.subnet), [
    "192.168.1.0/25",
    "192.168.1.128/26",
    "192.168.1.192/28",
    "192.168.1.208/31",
  ]);
  assert.deepEqual(j.leftover, [
    "192.168.1.210/31",
    "192.168.1.212/30",
    "192.168.1.216/29",
    "192.168.1.224/27",
  ]);
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
  assert.equal(b.count, 4294967296);
  assert.equal(b.subnets.length, 3);
  assert.match(big.stderr, /showing the first 3 of 4294967296 subnets/);
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
  assertOneError(r.stderr, /2 lines could not be read as prefixes \(first: stdin: line 2\)/);
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
  assert.equal(rj.addresses, "340282366920938463463374607431768211456");
  const m = JSON.parse((await runToolkit(["--json", "subnet", "mask", "0.0.0.63"])).stdout);
  assert.deepEqual(
    [m.given, m.prefixLength, m.netmask, m.wildcard, m.usableHosts],
    ["wildcard", 26, "255.255.255.192", "0.0.0.63", 62],
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
      assert.equal(j.prefix, field("Network"), `${addr} ${mask}: network`);
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
