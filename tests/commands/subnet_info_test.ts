// `toolkit subnet info` as users run it: real processes through TOOLKIT_CMD (--binary, the default
// route, --class-prefix, IPv4-mapped addresses, exploded IPv6 and reverse zones, --check, reserved
// IPv6 space, and a comparison with ipcalc where it is installed); and its parse in process. The
// other subnet commands have files of their own; tests/suites/subnet_family_test.ts covers them all.
import assert from "#assert";
import { hasCommand, runToolkit, testIf } from "../_support/harness.ts";
import { assertOneError } from "../_support/error_shape.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import info from "../../lib/commands/subnet_info.ts";
import { noGlobals } from "../_support/parse_globals.ts";

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

Deno.test("subnet info parse: ADDR/N, ADDR MASK, --binary and --class-prefix; no address refused", () => {
  const o = info.parse(["10.1.2.3/24"], noGlobals);
  assert.deepEqual([String(o.target), o.binary, o.check, o.format, o.json], [
    "10.1.2.3/24",
    false,
    false,
    "text",
    false,
  ]);
  assert.equal(String(info.parse(["10.1.2.3", "255.255.255.0"], noGlobals).target), "10.1.2.3/24");
  const c = info.parse(["--binary", "--class-prefix", "10.1.2.3"], noGlobals);
  assert.deepEqual([String(c.target), c.binary], ["10.1.2.3/8", true]);
  assert.throws(() => info.parse([], noGlobals), UsageError, "missing argument");
});
