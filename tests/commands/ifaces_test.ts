// `toolkit ifaces` shows what `ip -j addr` shows: every link, with or without addresses, its state,
// MTU and MAC. Checked against `ip` itself in a network namespace of the test's own (a veth pair
// with one end down and one end up but without a carrier, a bridge standing in for a dummy link
// where the dummy driver is missing, loopback down), and the fallback to the runtime's list where
// the scope does not let toolkit run `ip`.
import assert from "#assert";
import { linksFromInterfaces, parseIpAddrJson } from "../../lib/net/links.ts";
import { hasCommand, isRoot, runToolkit, testIf, toolkitCmd } from "../_support/harness.ts";
import { runProgram } from "../_support/netns.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import ifacesCommand from "../../lib/commands/ifaces.ts";
import { noGlobals } from "../_support/parse_globals.ts";

interface IfaceJson {
  name: string;
  index: number | null;
  state: string | null;
  mtu: number | null;
  mac: string | null;
  addresses: { family: string; cidr: string; prefixLength: number; scopeId: number | null }[];
}

Deno.test("parseIpAddrJson: links without addresses, state, MTU, MAC; zones of link-local", () => {
  const text = JSON.stringify([
    {
      ifindex: 1,
      ifname: "lo",
      flags: ["LOOPBACK", "UP"],
      mtu: 65536,
      operstate: "UNKNOWN",
      link_type: "loopback",
      address: "00:00:00:00:00:00",
      addr_info: [{ family: "inet", local: "127.0.0.1", prefixlen: 8, scope: "host" }],
    },
    {
      ifindex: 3,
      ifname: "eth0",
      flags: ["BROADCAST", "UP"],
      mtu: 1500,
      operstate: "UP",
      link_type: "ether",
      address: "52:54:00:12:34:56",
      addr_info: [
        { family: "inet6", local: "fe80::5054:ff:fe12:3456", prefixlen: 64, scope: "link" },
        { family: "inet6", local: "2001:db8::1", prefixlen: 64, scope: "global" },
      ],
    },
    { ifindex: 4, ifname: "tun0", mtu: 1400, operstate: "DOWN", link_type: "none" },
    { addr_info: [{}] }, // what some iproute2 versions print between links
  ]);
  const { links, unreadable } = parseIpAddrJson(text);
  assert.equal(unreadable, 0);
  assert.deepEqual(links.map((l) => [l.name, l.state, l.mtu, l.mac]), [
    ["lo", "UNKNOWN", 65536, null],
    ["eth0", "UP", 1500, "52:54:00:12:34:56"],
    ["tun0", "DOWN", 1400, null],
  ]);
  assert.deepEqual(links[1].addresses.map((a) => [a.family, a.prefixLength, a.cidr, a.scopeId]), [
    ["ipv6", 64, "fe80::5054:ff:fe12:3456/64", 3],
    ["ipv6", 64, "2001:db8::1/64", 0],
  ]);
  assert.deepEqual(links[2].addresses, []);
  // The runtime's rows group the same way, with what it cannot know left null.
  const fromRuntime = linksFromInterfaces([{
    family: "IPv4",
    name: "lo",
    address: "127.0.0.1",
    netmask: "255.0.0.0",
    scopeid: null,
    cidr: "127.0.0.1/8",
    mac: "00:00:00:00:00:00",
  }]);
  assert.deepEqual(fromRuntime.map((l) => [l.name, l.state, l.mtu, l.mac, l.addresses[0].cidr]), [
    ["lo", null, null, null, "127.0.0.1/8"],
  ]);
  assert.deepEqual(fromRuntime[0].addresses[0], {
    family: "ipv4",
    address: "127.0.0.1",
    prefixLength: 8,
    cidr: "127.0.0.1/8",
    scopeId: null,
  });
});

Deno.test("toolkit ifaces: loopback with state, MTU and addresses; --json; extra argument exit 2", async () => {
  const r = await runToolkit(["ifaces", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "", "ip runs under the default permission set: no fallback note");
  const lo = (JSON.parse(r.stdout) as IfaceJson[]).find((i) => i.name === "lo")!;
  assert.equal(lo.mac, null);
  assert.equal(lo.mtu, 65536);
  assert.equal(lo.state, "UNKNOWN");
  assert.ok(lo.addresses.some((a) => a.cidr === "127.0.0.1/8" && a.family === "ipv4"));
  const t = await runToolkit(["ifaces"]);
  assert.match(
    t.stdout,
    /^INTERFACE\s+STATE\s+MTU\s+MAC\s+ADDRESS\nlo\s+UNKNOWN\s+65536\s+-\s+127\.0\.0\.1\/8\n/m,
  );
  const extra = await runToolkit(["ifaces", "extra"]);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /^toolkit: error: unexpected argument "extra"/);
});

testIf(
  isRoot()
    ? (hasCommand("ip") ? undefined : "ip (iproute2) is not installed")
    : "needs root for a network namespace of the test's own",
  "toolkit ifaces in our own namespace agrees with ip -j addr, links without addresses included",
  async () => {
    const id = `${Deno.pid % 100000}`;
    const ns = `tkif-${id}`;
    const [down, up, extra] = [`tki${id}d`, `tki${id}u`, `tki${id}x`];
    const ip = (...args: string[]) => runProgram("ip", ["-n", ns, ...args]);
    await runProgram("ip", ["netns", "add", ns]);
    try {
      await ip("link", "add", up, "type", "veth", "peer", "name", down);
      // A dummy link where the kernel has the driver; a bridge (also addressless, also DOWN until
      // set up) where it has not.
      const kind = await ip("link", "add", extra, "type", "dummy").then(() => "dummy", async () => {
        await ip("link", "add", extra, "type", "bridge");
        return "bridge";
      });
      await ip("link", "set", extra, "mtu", "1280", "address", "02:00:5e:10:00:42");
      await ip("link", "set", up, "up"); // its peer stays down: LOWERLAYERDOWN, no carrier
      const third = 1 + (Deno.pid % 250);
      await ip("addr", "add", `198.18.${third}.1/30`, "dev", up);
      const truth = parseIpAddrJson(await ip("-j", "addr", "show")).links;
      assert.deepEqual(truth.map((l) => l.name).sort(), ["lo", down, up, extra].sort());

      const inside = (args: string[]) =>
        runProgram("ip", ["netns", "exec", ns, ...toolkitCmd, ...args]);
      const shown = JSON.parse(await inside(["--json", "ifaces"])) as IfaceJson[];
      assert.deepEqual(
        shown.map((i) => [i.name, i.index, i.state, i.mtu, i.mac, i.addresses.map((a) => a.cidr)]),
        truth.map((l) => [l.name, l.index, l.state, l.mtu, l.mac, l.addresses.map((a) => a.cidr)]),
      );
      const byName = new Map(shown.map((i) => [i.name, i]));
      assert.equal(byName.get(down)!.state, "DOWN");
      assert.equal(byName.get(up)!.state, "LOWERLAYERDOWN");
      assert.deepEqual(byName.get(down)!.addresses, []);
      assert.deepEqual(
        [byName.get(extra)!.mtu, byName.get(extra)!.mac, byName.get(extra)!.addresses],
        [1280, "02:00:5e:10:00:42", []],
        kind,
      );
      assert.equal(byName.get("lo")!.state, "DOWN"); // a new namespace's loopback is down

      const text = await inside(["ifaces"]);
      assert.match(text, new RegExp(`\\n${down} +DOWN +1500 +[0-9a-f:]{17} +-\\n`));
      assert.match(
        text,
        new RegExp(`\\n${extra} +DOWN +1280 +02:00:5e:10:00:42 +-\\n`),
      );
      assert.match(
        text,
        new RegExp(`\\n${up} +LOWERLAYERDOWN +1500 .* 198\\.18\\.${third}\\.1/30\\n`),
      );

      // Without `run` in the scope: the runtime's list, only links with an address, and a note.
      const scope = await Deno.makeTempFile({ suffix: ".json" });
      try {
        await Deno.writeTextFile(scope, JSON.stringify({ run: [] }));
        const child = new Deno.Command("ip", {
          args: ["netns", "exec", ns, ...toolkitCmd, "--scope", scope, "--json", "ifaces"],
          stdout: "piped",
          stderr: "piped",
        });
        const out = await child.output();
        const stderr = new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 0, stderr);
        assert.match(
          JSON.parse(stderr).warning.message,
          /^running `ip` is outside the scope: showing/,
        );
        const fallback = JSON.parse(new TextDecoder().decode(out.stdout)) as IfaceJson[];
        assert.deepEqual(
          fallback.map((i) => [i.name, i.state, i.mtu, i.addresses.map((a) => a.cidr)]),
          [[up, null, null, [`198.18.${third}.1/30`]]],
        );
      } finally {
        await Deno.remove(scope);
      }
      console.error(
        `ifaces: ${truth.length} links in namespace ${ns} (${kind} for the addressless link) ` +
          `matched ip -j addr field for field`,
      );
    } finally {
      await runProgram("ip", ["netns", "del", ns]).catch(() => {});
    }
  },
);

Deno.test("parseIpAddrJson: raw control characters in a name (as ip -j writes them), one bad entry costs one link", () => {
  // iproute2 writes an ESC in a link name raw, which is not JSON.
  const raw = '[{"ifindex":1,"ifname":"lo","mtu":65536,"operstate":"UNKNOWN","addr_info":[]},' +
    '{"ifindex":2,"ifname":"e\x1b[31mv","mtu":1500,"operstate":"DOWN","addr_info":[]}]\n';
  assert.throws(() => JSON.parse(raw));
  const { links, unreadable } = parseIpAddrJson(raw);
  assert.deepEqual(links.map((l) => [l.name, l.state]), [["lo", "UNKNOWN"], [
    "e\x1b[31mv",
    "DOWN",
  ]]);
  assert.equal(unreadable, 0);
  // An entry that does not parse however it is read: the others are kept, and counted.
  const bad = '[{"ifindex":1,"ifname":"lo","mtu":65536,"addr_info":[]},' +
    '{"ifindex":2,"ifname":"x","mtu":15OO},' +
    '{"ifindex":3,"ifname":"eth0","mtu":"1500","addr_info":{"family":"inet"}}]';
  const some = parseIpAddrJson(bad);
  assert.deepEqual(some.links.map((l) => [l.name, l.mtu, l.addresses]), [
    ["lo", 65536, []],
    ["eth0", null, []], // fields of the wrong type are unknown, not trusted
  ]);
  assert.equal(some.unreadable, 1);
  assert.throws(() => parseIpAddrJson("not json"), SyntaxError);
  // The runtime's list names an address by its label (eth0:1); the link is eth0.
  const rows = ["eth0", "eth0:1"].map((name, i) => ({
    family: "IPv4" as const,
    name,
    address: `198.18.0.${i + 1}`,
    netmask: "255.255.255.0",
    scopeid: null,
    cidr: `198.18.0.${i + 1}/24`,
    mac: "02:00:00:00:00:01",
  }));
  assert.deepEqual(linksFromInterfaces(rows).map((l) => [l.name, l.addresses.length]), [[
    "eth0",
    2,
  ]]);
});

testIf(
  isRoot()
    ? (hasCommand("ip") ? undefined : "ip (iproute2) is not installed")
    : "needs root for a network namespace of the test's own",
  "toolkit ifaces: link names with ESC and a bidi override are shown escaped, and ip's list is still read",
  async () => {
    const id = `${Deno.pid % 100000}`;
    const ns = `tkife-${id}`;
    const ip = (...args: string[]) => runProgram("ip", ["-n", ns, ...args]);
    const evil = `e\x1b[31m${id}`.slice(0, 15);
    const bidi = `r\u202e${id}`.slice(0, 14);
    const plain = `tkv${id}`;
    await runProgram("ip", ["netns", "add", ns]);
    try {
      await ip("link", "add", plain, "type", "veth", "peer", "name", evil);
      await ip("link", "add", `${plain}b`, "type", "veth", "peer", "name", bidi);
      await ip("addr", "add", "198.18.77.1/24", "dev", plain, "label", `${plain}:1`);
      const inside = (args: string[]) =>
        runProgram("ip", ["netns", "exec", ns, ...toolkitCmd, ...args]);
      const json = JSON.parse(await inside(["--json", "ifaces"])) as IfaceJson[];
      assert.deepEqual(
        json.map((i) => i.name).sort(),
        ["lo", plain, `${plain}b`, evil, bidi].sort(),
      );
      // From ip, not the runtime's fallback: every link has its state and MTU.
      assert.ok(json.every((i) => i.state !== null && i.mtu !== null), JSON.stringify(json));
      const text = await inside(["ifaces"]);
      assert.ok(!text.includes("\x1b") && !text.includes("\u202e"), text);
      assert.ok(text.includes(`e\\x1b[31m${id}`.slice(0, 18)), text);
      assert.ok(text.includes("r\\u202e"), text);
      assert.doesNotMatch(text, new RegExp(`^${plain}:1`, "m"), "a label is not a link");
    } finally {
      await runProgram("ip", ["netns", "del", ns]).catch(() => {});
    }
  },
);

Deno.test("ifaces parse: no arguments, the global flags passed on; an interface name or unknown option refused", () => {
  assert.deepEqual(ifacesCommand.parse([], noGlobals), { json: false, quiet: false });
  assert.deepEqual(ifacesCommand.parse([], { ...noGlobals, json: true }), {
    json: true,
    quiet: false,
  });
  assert.throws(
    () => ifacesCommand.parse(["eth0"], noGlobals),
    UsageError,
    'unexpected argument "eth0"',
  );
  assert.throws(() => ifacesCommand.parse(["--all"], noGlobals), UsageError, "unknown option");
});
