// `arp check` finds a spoof planted in fixtures (the attacker's MAC taking the gateway's IP) and
// says nothing about a clean table.
import assert from "#assert";
import { parseNeighborTable } from "../lib/arp/parse_neighbor_table.ts";
import { checkNeighborTables } from "../lib/arp/spoof_check.ts";
import { runToolkit } from "./harness.ts";

const fx = (name: string) => new URL(`./fixtures/arp/${name}`, import.meta.url).pathname;
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
  assert.equal(j.code, 1);
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.findings[0].kind, "mac-several-ips");
  assert.equal(doc.findings[0].severity, "warning"); // no gateway given: not critical
  assert.equal((await runToolkit(["arp", "check", "--help"])).code, 0);
});

Deno.test("toolkit arp check: bad gateway and unreadable file are exit 2 with one line", async () => {
  const r = await runToolkit(["arp", "check", "--gateway", "gw", "-f", fx("clean.txt")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^toolkit: error: --gateway takes an IP address \(got "gw"\)\nTry /);
  const n = await runToolkit(["arp", "check", "-f", fx("no-such-file.txt")]);
  assert.equal(n.code, 2);
  assert.equal(n.stderr.split("\n").filter(Boolean).length, 1);
});
