// The real kernel: two network namespaces of our own joined by a veth pair on 198.18.7.0/24.
// `arp resolve` (one empty UDP datagram across the pair) makes the kernel learn the peer's MAC and
// `arp show` then lists it. Nothing leaves the namespaces. Root only; skipped with the reason
// otherwise. Also, on loopback: `arp resolve` sends exactly one empty datagram, and none when the
// target is outside `--net`.
import assert from "#assert";
import { hasCommand, isRoot, runToolkit, testIf } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import arpResolve from "../../lib/commands/arp_resolve.ts";
import { noGlobals } from "../_support/parse_globals.ts";
import { runToolkitIn } from "../_support/netns.ts";

async function ip(...args: string[]): Promise<string> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

function netnsSkipReason(): string | undefined {
  if (!isRoot()) return "needs root to create network namespaces (run the suite as root)";
  const run = (...args: string[]) =>
    new Deno.Command("ip", { args, stdout: "null", stderr: "null" }).outputSync().success;
  const probe = `tkarpprobe${Deno.pid}`;
  try {
    if (!run("netns", "add", probe)) return "`ip netns add` does not work here";
  } catch {
    return "iproute2 (ip) is not installed";
  }
  try {
    if (!run("netns", "exec", probe, "true")) return "`ip netns exec` does not work here";
  } finally {
    run("netns", "del", probe);
  }
  return undefined;
}

testIf(
  netnsSkipReason(),
  "arp resolve and arp show find a neighbour the kernel learned across our own veth pair",
  async () => {
    const id = Deno.pid;
    const [a, b] = [`tkarpa${id}`, `tkarpb${id}`];
    const [va, vb] = [`tka${id}`, `tkb${id}`];
    await ip("netns", "add", a);
    try {
      await ip("netns", "add", b);
      await ip("link", "add", va, "netns", a, "type", "veth", "peer", "name", vb, "netns", b);
      await ip("-n", a, "addr", "add", "198.18.7.1/24", "dev", va);
      await ip("-n", b, "addr", "add", "198.18.7.2/24", "dev", vb);
      await ip("-n", a, "link", "set", va, "up");
      await ip("-n", b, "link", "set", vb, "up");
      const [{ address: peerMac }] = JSON.parse(await ip("-n", b, "-j", "link", "show", vb));

      const before = await runToolkitIn(a, ["arp", "show", "--json"]);
      assert.equal(before.code, 0, before.stderr);
      assert.equal(
        JSON.parse(before.stdout).entries.some((e: { address: string }) =>
          e.address === "198.18.7.2"
        ),
        false,
      );

      const r = await runToolkitIn(a, ["--net", "198.18.7.0/24", "arp", "resolve", "198.18.7.2"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`^198\\.18\\.7\\.2\\s+${peerMac}\\s+${va}\\s+complete`, "m"),
      );

      const show = await runToolkitIn(a, ["arp", "show", "--json"]);
      assert.equal(show.code, 0, show.stderr);
      const entry = JSON.parse(show.stdout).entries.find((e: { address: string }) =>
        e.address === "198.18.7.2"
      );
      assert.deepEqual([entry?.mac, entry?.iface, entry?.state], [peerMac, va, "complete"]);
      const text = await runToolkitIn(a, ["arp", "show"]);
      assert.match(text.stdout, new RegExp(`198\\.18\\.7\\.2\\s+${peerMac}\\s+${va}`));

      // The same kernel entry as every Linux tool prints it parses to the same normalised entry.
      const captures: Record<string, string> = {
        ip: await ip("-n", a, "neigh"),
        "ip-json": await ip("-n", a, "-j", "neigh"),
        proc: await ip("netns", "exec", a, "cat", "/proc/net/arp"),
      };
      if (hasCommand("arp")) captures.bsd = await ip("netns", "exec", a, "arp", "-an");
      for (const [format, text] of Object.entries(captures)) {
        const r = await runToolkit(["arp", "show", "--json", "--no-vendor", "-f", "-"], {
          stdin: text,
        });
        assert.equal(r.code, 0, `${format}: ${r.stderr}`);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.format, format);
        const e = doc.entries.find((x: { address: string }) => x.address === "198.18.7.2");
        assert.deepEqual([e?.mac, e?.iface, e?.state], [peerMac, va, "complete"], format);
      }

      // Nobody at .9: the entry stays incomplete or fails, exit 1.
      const none = await runToolkitIn(a, ["arp", "resolve", "--timeout", "300ms", "198.18.7.9"]);
      assert.equal(none.code, 1, none.stderr);
      assert.match(none.stdout, /^198\.18\.7\.9 (incomplete|failed)/);
    } finally {
      await ip("netns", "del", b).catch(() => {});
      await ip("netns", "del", a).catch(() => {});
    }
  },
);

Deno.test("arp resolve sends one empty datagram; outside --net it sends none and exits 4", async () => {
  const listener = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const got: number[] = [];
  const receiving = (async () => {
    try {
      for await (const [data] of listener) got.push(data.length);
    } catch { /* closed */ }
  })();
  try {
    const resolve = ["arp", "resolve", "--timeout", "100ms", "--port", String(port), "127.0.0.1"];
    const denied = await runToolkit(["--net", "127.0.0.2/32", ...resolve]);
    assert.equal(denied.code, 4, denied.stderr);
    assert.match(
      denied.stderr,
      /^toolkit: error: outside the permission scope: net access to 127\.0\.0\.1:\d+/,
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(got, []);
    const r = await runToolkit(resolve);
    assert.equal(r.code, 1, r.stderr); // loopback has no neighbour entry
    assert.match(r.stdout, /^127\.0\.0\.1 incomplete \(no neighbour entry/);
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, [0]);
    const j = await runToolkit([
      "arp",
      "resolve",
      "--json",
      "-t",
      "50ms",
      "-p",
      String(port),
      "127.0.0.1",
    ]);
    assert.equal(j.code, 1);
    assert.deepEqual(JSON.parse(j.stdout), {
      address: "127.0.0.1",
      resolved: false,
      neighbor: null,
    });
    const bad = await runToolkit(["arp", "resolve", "router.lan"]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^toolkit: error: cannot parse IP address "router\.lan"\nTry 'toolkit arp resolve --help'\n$/,
    );
  } finally {
    listener.close();
    await receiving;
  }
});

testIf(
  netnsSkipReason(),
  "live tables whose interface names hold control characters and bidi overrides: every entry, escaped",
  async () => {
    const ns = `tkarpn${Deno.pid}`;
    const evil = "e\x1b[31m"; // `ip -j neigh` writes the ESC raw: not JSON any parser accepts
    const bidi = "p\u202ex";
    await ip("netns", "add", ns);
    try {
      await ip("-n", ns, "link", "add", evil, "type", "veth", "peer", "name", bidi);
      await ip("-n", ns, "link", "add", "ok0", "type", "veth", "peer", "name", "ok1");
      const neighbors: [string, string, string][] = [
        ["198.18.7.21", "02:00:00:00:00:21", evil],
        ["198.18.7.22", "02:00:00:00:00:22", bidi],
        ["198.18.7.23", "02:00:00:00:00:23", "ok0"],
      ];
      for (const [addr, mac, dev] of neighbors) {
        await ip("-n", ns, "link", "set", dev, "up");
        await ip("-n", ns, "neigh", "add", addr, "lladdr", mac, "dev", dev, "nud", "permanent");
      }
      // deno-lint-ignore no-control-regex
      const raw = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/;
      const show = await runToolkitIn(ns, ["arp", "show", "--no-vendor"]);
      assert.equal(show.code, 0, show.stderr);
      assert.ok(!raw.test(show.stdout + show.stderr), JSON.stringify(show));
      assert.match(show.stdout, /\n198\.18\.7\.21 +02:00:00:00:00:21 +e\\x1b\[31m +permanent/);
      assert.match(show.stdout, /\n198\.18\.7\.22 +02:00:00:00:00:22 +p\\u202ex +permanent/);
      assert.match(show.stdout, /\n198\.18\.7\.23 +02:00:00:00:00:23 +ok0 +permanent/);
      const json = await runToolkitIn(ns, ["arp", "show", "--json", "--no-vendor"]);
      assert.equal(json.code, 0, json.stderr);
      assert.ok(!raw.test(json.stdout), json.stdout);
      const ifaces = Object.fromEntries(
        JSON.parse(json.stdout).entries.map((e: { address: string; iface: string }) => [
          e.address,
          e.iface,
        ]),
      );
      assert.deepEqual(
        neighbors.map(([addr]) => ifaces[addr]),
        neighbors.map(([, , dev]) => dev),
      );
      // The filters select what ip's own do (`ip neigh show dev IF`, `nud STATE`, `to PREFIX`).
      await ip(
        "-n",
        ns,
        "neigh",
        "add",
        "198.18.7.24",
        "dev",
        "ok0",
        "nud",
        "stale",
        "lladdr",
        "02:00:00:00:00:24",
      );
      for (
        const [ours, theirs] of [
          [["--iface", "ok0"], ["dev", "ok0"]],
          [["--state", "permanent"], ["nud", "permanent"]],
          [["--state", "stale"], ["nud", "stale"]],
          [["198.18.7.22"], ["to", "198.18.7.22"]],
          [["198.18.7.20/30"], ["to", "198.18.7.20/30"]],
        ]
      ) {
        const r = await runToolkitIn(ns, ["arp", "show", "--json", "--no-vendor", ...ours]);
        assert.equal(r.code, 0, r.stderr);
        const got = JSON.parse(r.stdout).entries.map((e: { address: string }) => e.address).sort();
        // ip's JSON holds the raw ESC that JSON.parse refuses: its addresses are taken by pattern.
        const want = [
          ...(await ip("-n", ns, "-j", "neigh", "show", ...theirs)).matchAll(/"dst":"([^"]+)"/g),
        ].map((m) => m[1]).sort();
        assert.ok(want.length > 0, theirs.join(" "));
        assert.deepEqual(got, want, ours.join(" "));
      }
      const check = await runToolkitIn(ns, ["arp", "check", "--gateway", "198.18.7.23"]);
      assert.equal(check.code, 0, check.stderr);
      // The default route through the ESC-named interface: `ip -j route` has the same raw ESC.
      await ip("-n", ns, "addr", "add", "198.18.7.1/24", "dev", evil);
      await ip("-n", ns, "route", "add", "default", "via", "198.18.7.21", "dev", evil);
      const gateways = await runToolkitIn(ns, ["arp", "check", "--json"]);
      assert.equal(gateways.code, 0, gateways.stderr);
      assert.deepEqual(JSON.parse(gateways.stdout).gateways, ["198.18.7.21"]);
      const watch = await runToolkitIn(ns, ["arp", "watch", "--no-vendor", "-c", "1"]);
      assert.equal(watch.code, 0, watch.stderr);
      assert.ok(!raw.test(watch.stdout + watch.stderr), JSON.stringify(watch));
      assert.equal(watch.stdout.match(/ new station /g)?.length, 4, watch.stdout);
    } finally {
      await ip("netns", "del", ns).catch(() => {});
    }
  },
);

Deno.test("arp resolve parse: port 9 and 1 s by default; no IP or a bad port refused", () => {
  const o = arpResolve.parse(["198.18.0.1"], noGlobals);
  assert.deepEqual([String(o.ip), o.port, o.timeoutMs, o.vendor, o.json], [
    "198.18.0.1",
    9,
    1000,
    true,
    false,
  ]);
  assert.throws(() => arpResolve.parse([], noGlobals), UsageError, "expected IP");
  assert.throws(() => arpResolve.parse(["-p", "x", "198.18.0.1"], noGlobals), UsageError, "--port");
});
