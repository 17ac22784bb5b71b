// `arp check` finds a spoof planted in fixtures (the attacker's MAC taking the gateway's IP) and
// says nothing about a clean table.
import assert from "#assert";
import { parseNeighborTable } from "../../lib/arp/parse_neighbor_table.ts";
import { checkNeighborTables } from "../../lib/arp/spoof_check.ts";
import { runToolkit } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import arpCheck from "../../lib/commands/arp_check.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const fx = (name: string) => new URL(`../fixtures/arp/${name}`, import.meta.url).pathname;
const entries = (name: string) => parseNeighborTable(Deno.readTextFileSync(fx(name))).entries;

Deno.test("a MAC claiming the gateway across snapshots is critical twice over", () => {
  const findings = checkNeighborTables([
    { name: "before", entries: entries("spoofed_before.txt") },
    { name: "after", entries: entries("spoofed_after.txt") },
  ], { gateways: ["192.168.1.1"] });
  assert.deepEqual(findings.map((f) => [f.severity, f.kind, f.ips]), [
    ["critical", "mac-several-ips", ["192.168.1.1", "192.168.1.66"]],
    ["critical", "ip-several-macs", ["192.168.1.1"]],
  ]);
  assert.deepEqual(findings[1].macs, ["00:1a:2b:3c:4d:5e", "3c:22:fb:66:66:66"]);
});

Deno.test("a clean table (IPv6 router with several addresses, incomplete entries) has no findings", () => {
  assert.deepEqual(
    checkNeighborTables([{ name: "clean", entries: entries("clean.txt") }], {
      gateways: ["192.168.1.1"],
    }),
    [],
  );
});

Deno.test("Windows' static broadcast and multicast entries are expected; a group MAC for a host is not", () => {
  assert.deepEqual(
    checkNeighborTables([{ name: "w", entries: entries("windows_arp_a.txt") }]).map((f) => f.kind),
    [],
  );
  const bsd = checkNeighborTables([{ name: "b", entries: entries("bsd_arp_an.txt") }]);
  assert.deepEqual(bsd.map((f) => f.kind), ["mac-several-ips"]); // .1 and .77 share a MAC
  const planted = parseNeighborTable(
    "10.0.0.5 dev eth0 lladdr ff:ff:ff:ff:ff:ff STALE\n10.0.0.6 dev eth0 lladdr 01:00:5e:00:00:01 STALE\n" +
      "10.0.0.1 dev eth0 lladdr 52:54:00:00:00:01 REACHABLE\n",
  ).entries;
  const f = checkNeighborTables([{ name: "p", entries: planted }], { gateways: ["10.0.0.1"] });
  assert.deepEqual(f.map((x) => x.kind), ["gateway-local-mac", "group-mac", "group-mac"]);
});

Deno.test("toolkit arp check: exit 1 with findings, 0 when clean, --json, --help", async () => {
  const bad = await runToolkit([
    "arp",
    "check",
    "--gateway",
    "192.168.1.1",
    "--file",
    fx("spoofed_before.txt"),
    "--file",
    fx("spoofed_after.txt"),
  ]);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(
    bad.stdout,
    /^critical {2}mac-several-ips: 3c:22:fb:66:66:66 answers for 2 addresses/,
  );
  assert.match(bad.stdout, /impersonating the gateway/);
  const good = await runToolkit([
    "arp",
    "check",
    "--gateway",
    "192.168.1.1",
    "-f",
    fx("clean.txt"),
  ]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /^no findings: 5 entries in 1 table look consistent\n$/);
  const j = await runToolkit(["arp", "check", "--json", "-f", fx("spoofed_after.txt")]);
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.findings[0].kind, "mac-several-ips");
  assert.equal(doc.findings[0].severity, "warning"); // no gateway given: not critical
  assert.equal(doc.failOn, "critical");
  assert.equal(j.code, 0, "a warning alone does not fail by default");
  assert.equal((await runToolkit(["arp", "check", "--help"])).code, 0);
});

Deno.test("toolkit arp check --fail-on: a cloud VM's local gateway MAC is printed but passes by default", async () => {
  // A cloud VM: the hypervisor's gateway answers with a locally administered MAC.
  const table = "10.0.0.1 dev ens4 lladdr 42:01:0a:00:00:01 REACHABLE\n" +
    "10.0.0.7 dev ens4 lladdr 42:01:0a:00:00:07 STALE\n";
  const args = ["arp", "check", "--gateway", "10.0.0.1", "-f", "-"];
  const dflt = await runToolkit(args, { stdin: table });
  assert.equal(dflt.code, 0, dflt.stderr);
  assert.match(
    dflt.stdout,
    /^warning {2}gateway-local-mac: gateway 10\.0\.0\.1 has the locally administered MAC 42:01:0a:00:00:01/,
  );
  const strict = await runToolkit([...args, "--fail-on", "warning"], { stdin: table });
  assert.equal(strict.code, 1);
  assert.equal(strict.stdout, dflt.stdout);
  const critical = await runToolkit([...args, "--fail-on", "critical"], { stdin: table });
  assert.equal(critical.code, 0);
  // A critical finding fails at either threshold.
  const spoof = [
    "--gateway",
    "192.168.1.1",
    "-f",
    fx("spoofed_before.txt"),
    "-f",
    fx("spoofed_after.txt"),
  ];
  for (const level of ["critical", "warning"]) {
    const r = await runToolkit(["arp", "check", "--fail-on", level, ...spoof]);
    assert.equal(r.code, 1, level);
  }
  const bad = await runToolkit(["arp", "check", "--fail-on", "info", "-f", fx("clean.txt")]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^toolkit: error: --fail-on must be one of critical, warning \(got "info"\)\n/,
  );
});

Deno.test("arp check reads the new formats; this host's own addresses are no spoofing sign", () => {
  // Solaris 11: two SPLA rows (this host's addresses on two interfaces) beside four neighbours.
  const s11 = entries("solaris11_arp_an.txt");
  assert.deepEqual(checkNeighborTables([{ name: "s11", entries: s11 }]), []);
  // OpenBSD: a firewall's own aliases share one MAC (`permanent l`), a neighbour's MAC is its own.
  const own = parseNeighborTable(
    "Host                                 Ethernet Address    Netif Expire    Flags\n" +
      "192.168.66.1                         00:e2:69:3e:73:e6     em0 permanent l\n" +
      "192.168.66.6                         00:e2:69:3e:73:e6     em0 permanent l\n" +
      "192.168.66.4                         a0:b3:cc:e3:cc:a4     em0 5m8s\n",
  ).entries;
  assert.deepEqual(checkNeighborTables([{ name: "obsd", entries: own }]), []);
  // Without the `l` flag the same shared MAC is a finding.
  const foreign = own.map((e) => ({ ...e, local: undefined }));
  assert.deepEqual(
    checkNeighborTables([{ name: "obsd", entries: foreign }]).map((f) => f.kind),
    ["mac-several-ips"],
  );
});

Deno.test("toolkit arp check: bad gateway and unreadable file are exit 2 with one line", async () => {
  const r = await runToolkit(["arp", "check", "--gateway", "gw", "-f", fx("clean.txt")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^toolkit: error: --gateway takes an IP address \(got "gw"\)\nTry /);
  const n = await runToolkit(["arp", "check", "-f", fx("no-such-file.txt")]);
  assert.equal(n.code, 2);
  assert.equal(n.stderr.split("\n").filter(Boolean).length, 1);
});

Deno.test("arp check parse: the live table and --fail-on critical by default, --file; an argument refused", () => {
  assert.deepEqual(arpCheck.parse([], noGlobals), {
    files: [],
    format: "auto",
    gateways: [],
    failOn: "critical",
    json: false,
  });
  assert.deepEqual(arpCheck.parse(["--file", "t.txt"], noGlobals).files, ["t.txt"]);
  assert.throws(() => arpCheck.parse(["x"], noGlobals), UsageError, 'unexpected argument "x"');
});
