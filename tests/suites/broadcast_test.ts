// Broadcast and multicast: which addresses are broadcasts (pure), the --broadcast guard and the
// multicast options of udp-send and udp-listen on the command line, and with root a real lab of
// three hosts and a router where a subnet broadcast reaches every host on its segment and none
// behind the router, and a multicast datagram reaches the group's members and nobody else.
// All traffic stays inside namespaces this test creates (198.18.0.0/15, 2001:2::/48).
import assert from "#assert";
import { broadcastKind, localBroadcastKind, subnetBroadcasts } from "../../lib/net/broadcast.ts";
import { Addr } from "../../lib/ip/addr.ts";
import {
  groupInterface,
  isLinkScopeGroup,
  isMulticastGroup,
  multicastInterface,
  parseMulticastGroup,
} from "../../lib/net/multicast.ts";
import { hasCommand, isRoot, python, runToolkit, testIf, toolkitCmd } from "../_support/harness.ts";
import { runProgram, runToolkitIn } from "../_support/netns.ts";

const rootReason = !isRoot()
  ? "not root: the lab's network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN"
  : !hasCommand("ip")
  ? "the ip program (iproute2) is not installed"
  : undefined;

const eth0 = {
  name: "eth0",
  family: "IPv4" as const,
  address: "198.18.1.1",
  cidr: "198.18.1.1/24",
};
const p2p = { name: "tun0", family: "IPv4" as const, address: "10.9.0.1", cidr: "10.9.0.1/31" };
const v6 = {
  name: "eth0",
  family: "IPv6" as const,
  address: "fe80::1",
  cidr: "fe80::1/64",
  scopeid: 7,
};

Deno.test("broadcastKind: limited, subnet broadcast of a local interface, or neither", () => {
  assert.deepEqual(broadcastKind("255.255.255.255", []), { kind: "limited" });
  assert.deepEqual(broadcastKind("198.18.1.255", [eth0]), {
    kind: "subnet",
    iface: "eth0",
    network: "198.18.1.0/24",
  });
  assert.equal(broadcastKind("198.18.1.254", [eth0]), undefined);
  // Another subnet's broadcast is not known to be one from here (a router drops it anyway).
  assert.equal(broadcastKind("198.18.2.255", [eth0]), undefined);
  // /31 has no broadcast address (RFC 3021): 10.9.0.1 is a host.
  assert.deepEqual(subnetBroadcasts([p2p]), []);
  assert.equal(broadcastKind("10.9.0.1", [p2p]), undefined);
  for (const other of ["ff02::1", "localhost", "example.org"]) {
    assert.equal(broadcastKind(other, [eth0]), undefined, other);
  }
});

Deno.test("localBroadcastKind: this host's interfaces, never loopback or multicast", () => {
  assert.deepEqual(localBroadcastKind("255.255.255.255"), { kind: "limited" });
  for (const host of ["127.255.255.255", "239.255.255.255", "::1", "localhost"]) {
    assert.equal(localBroadcastKind(host), undefined, host);
  }
  for (const i of Deno.networkInterfaces()) {
    const b = subnetBroadcasts([i])[0];
    if (b && !b.address.startsWith("127.")) {
      assert.deepEqual(localBroadcastKind(b.address), {
        kind: "subnet",
        iface: i.name,
        network: b.network,
      });
    }
  }
});

Deno.test("the built-in broadcast drill passes", async () => {
  const r = await runToolkit(["drill", "run", "broadcast"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /PASS broadcast/);
});

Deno.test("multicast groups: IPv4 224.0.0.0/4 and IPv6 ff00::/8 only", () => {
  for (const g of ["224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1:2:3"]) {
    assert.ok(isMulticastGroup(g), g);
  }
  for (const g of ["223.255.255.255", "240.0.0.1", "198.18.1.255", "fe80::1", "name"]) {
    assert.ok(!isMulticastGroup(g), g);
  }
  assert.equal(parseMulticastGroup("FF0E::1").toString(), "ff0e::1");
  assert.throws(() => parseMulticastGroup("10.0.0.1"), /"10.0.0.1" is not a multicast group/);
});

Deno.test("multicastInterface: by address, by name, IPv6 index from the link-local scope id", () => {
  assert.deepEqual(multicastInterface(4, undefined, []), {
    family: 4,
    address: "0.0.0.0",
    label: "any",
  });
  assert.equal(multicastInterface(4, "198.18.1.1", [eth0]).label, "198.18.1.1 (eth0)");
  assert.deepEqual(multicastInterface(4, "eth0", [eth0]), {
    family: 4,
    address: "198.18.1.1",
    label: "198.18.1.1 (eth0)",
  });
  assert.deepEqual(multicastInterface(6, "eth0", [eth0, v6]), {
    family: 6,
    index: 7,
    zone: "eth0",
    label: "eth0 (index 7)",
  });
  assert.deepEqual(multicastInterface(6, "7", [eth0, v6]), {
    family: 6,
    index: 7,
    zone: "7",
    label: "index 7",
  });
  // An index no interface has is the user's mistake (exit 2), not a failed join (exit 3).
  assert.throws(() => multicastInterface(6, "999", [eth0, v6]), /No local interface has index 999/);
  assert.throws(() => multicastInterface(4, "198.18.9.9", [eth0]), /No local interface has/);
  assert.throws(() => multicastInterface(4, "wlan0", [eth0]), /No local interface named "wlan0"/);
  assert.throws(() => multicastInterface(6, "tun0", [p2p]), /no IPv6 link-local address/);
});

Deno.test("link-scope IPv6 groups need one interface: the only one, or --iface naming it", () => {
  const scoped = ["ff02::1234", "ff12::1", "ff01::1", "ff32::8000:1"];
  for (const g of scoped) assert.ok(isLinkScopeGroup(Addr.parse(g)), g);
  for (const g of ["ff05::1", "ff0e::18:7", "ff15::1", "239.1.2.3", "fe80::1"]) {
    assert.ok(!isLinkScopeGroup(Addr.parse(g)), g);
  }
  const group = Addr.parse("ff02::1234");
  const wlan = { ...v6, name: "wlan0", address: "fe80::2", cidr: "fe80::2/64", scopeid: 9 };
  // The host's one link is taken; a group of wider scope still lets the routes choose.
  assert.deepEqual(groupInterface(group, undefined, [eth0, v6]), {
    family: 6,
    index: 7,
    zone: "eth0",
    label: "eth0 (index 7)",
  });
  assert.equal(groupInterface(Addr.parse("ff0e::1"), undefined, [eth0, v6, wlan]).label, "any");
  assert.equal(groupInterface(group, "wlan0", [eth0, v6, wlan]).label, "wlan0 (index 9)");
  assert.throws(
    () => groupInterface(group, undefined, [eth0, v6, wlan]),
    /ff02::1234 is a link-local group: choose its interface with --iface \(eth0, wlan0\)/,
  );
  assert.throws(
    () => groupInterface(Addr.parse("ff01::1"), undefined, [eth0]),
    /ff01::1 is an interface-local group and no interface has an IPv6 link-local address/,
  );
  assert.throws(() => groupInterface(group, "0", [v6]), /--iface 0 names no interface/);
});

/** Exactly one error line and the help hint, exit 2. */
function assertUsage(r: { code: number; stderr: string }, pattern: RegExp, command: string) {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0], /^toolkit: error: /);
  assert.match(lines[0], pattern);
  assert.equal(lines[1], `Try 'toolkit ${command} --help'`);
}

Deno.test("udp-send refuses a broadcast address without --broadcast, exit 2, nothing sent", async () => {
  // 255.255.255.255 is refused before any socket is opened, so nothing leaves this host.
  const r = await runToolkit(["udp-send", "255.255.255.255:9", "hi"]);
  assertUsage(
    r,
    /255\.255\.255\.255 is the limited broadcast address: add --broadcast/,
    "udp-send",
  );
});

Deno.test("udp-send multicast and broadcast options: wrong combinations are usage errors", async () => {
  const cases: [string[], RegExp][] = [
    [["--broadcast", "[::1]:9"], /IPv6 has no broadcast: send to a multicast group/],
    [["--ttl", "2", "127.0.0.1:9"], /--ttl is for multicast groups/],
    [["--loop", "127.0.0.1:9"], /--loop is for multicast groups/],
    [["--ttl", "2", "[ff02::1]:9"], /--ttl is for IPv4 groups/],
    [["--hops", "2", "239.1.2.3:9"], /--hops is for IPv6 groups/],
    [["--ttl", "256", "239.1.2.3:9"], /--ttl must be between 0 and 255/],
    [
      ["--hops", "4", "[ff0e::1]:9"],
      /--hops 4 is not available: .*hop limit 1 \(this link only\); drop --hops/,
    ],
  ];
  for (const [args, pattern] of cases) {
    assertUsage(await runToolkit(["udp-send", ...args, "x"]), pattern, "udp-send");
  }
});

Deno.test("udp-listen --multicast: bad group, --iface alone, mixed versions are usage errors", async () => {
  const cases: [string[], RegExp][] = [
    [["--multicast", "10.0.0.1", "9000"], /"10\.0\.0\.1" is not a multicast group/],
    [["--iface", "127.0.0.1", "9000"], /--iface needs --multicast GROUP/],
    [["--multicast", "ff0e::1", "0.0.0.0:9000"], /of different IP versions/],
    // A unicast bind never receives the group's datagrams (it used to print `joined` and wait).
    [
      ["--multicast", "ff02::1234", "--iface", "lo", "[2001:2:0:16::1]:9000"],
      /--multicast ff02::1234: a socket bound to \[2001:2:0:16::1\]:9000 never receives the group's datagrams; bind the group \(give only the PORT\) or every address \(\[::\]:9000\)/,
    ],
    [["--multicast", "239.1.2.3", "127.0.0.1:9000"], /bound to 127\.0\.0\.1:9000 never receives/],
    [["--multicast", "239.1.2.3", "localhost:9000"], /bound to localhost:9000 never receives/],
    // The group's zone names the interface; --iface may only repeat it.
    [
      ["--multicast", "ff02::1%eth0", "--iface", "eth1", "0"],
      /--multicast ff02::1%eth0 names interface eth0 and --iface names eth1: give one/,
    ],
    [["--multicast", "ff02::1%nosuch0", "0"], /No local interface named "nosuch0"/i],
    [["--multicast", "ff02::1", "--iface", "99999", "0"], /No local interface has index 99999/i],
  ];
  for (const [args, pattern] of cases) {
    assertUsage(await runToolkit(["udp-listen", ...args]), pattern, "udp-listen");
  }
  const help = await runToolkit(["udp-listen", "--help"]);
  assert.match(help.stdout, /--multicast GROUP/);
  const sendHelp = await runToolkit(["udp-send", "--help"]);
  for (const flag of ["--broadcast", "--ttl N", "--hops N", "--loop"]) {
    assert.ok(sendHelp.stdout.includes(flag), flag);
  }
});

/** A toolkit process running inside a lab host, its output collected as it comes. */
interface InHost {
  child: Deno.ChildProcess;
  stdout(): string;
  stderr(): string;
  waitFor(stream: "stdout" | "stderr", pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

function startIn(namespace: string, args: string[]): InHost {
  return startInHost(namespace, [...toolkitCmd, ...args]);
}

function startInHost(namespace: string, argv: string[], env: Record<string, string> = {}): InHost {
  const args = argv;
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", namespace, ...argv],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
  const text = { stdout: "", stderr: "" };
  const pumps = (["stdout", "stderr"] as const).map(async (k) => {
    for await (const chunk of child[k].pipeThrough(new TextDecoderStream())) text[k] += chunk;
  });
  let exited = false;
  const status = child.status.finally(() => (exited = true));
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    async waitFor(stream, pattern, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const m = text[stream].match(pattern);
        if (m) return m;
        if (exited) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(
        `${namespace} ${args.join(" ")}: ${stream} did not match ${pattern}\n` +
          `stdout: ${text.stdout}\nstderr: ${text.stderr}`,
      );
    },
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 5000);
      await status;
      await Promise.all(pumps);
      clearTimeout(timer);
    },
  };
}

/** The text of each NDJSON datagram a `udp-listen --json` printed. */
function received(listener: InHost): string[] {
  return listener.stdout().trim().split("\n").filter(Boolean).map((l) => JSON.parse(l).text);
}

/** Builds a lab of three hosts on a segment, a router, and one host behind it; always removed. */
/**
 * A lab (as {@linkcode withLab}) and `start(n, args)`, which runs `--json udp-listen ARGS` in host
 * n; every listener started is stopped after `fn`.
 */
async function withListeners(
  prefix: string,
  fn: (
    start: (n: number, args: string[]) => InHost,
    h: (n: number) => string,
    listeners: InHost[],
  ) => Promise<void>,
) {
  await withLab(prefix, async (h) => {
    const listeners: InHost[] = [];
    const start = (n: number, args: string[]) => {
      const l = startIn(h(n), ["--json", "udp-listen", ...args]);
      listeners.push(l);
      return l;
    };
    try {
      await fn(start, h, listeners);
    } finally {
      await Promise.all(listeners.map((l) => l.stop()));
    }
  });
}

async function withLab(prefix: string, fn: (h: (n: number) => string) => Promise<void>) {
  try {
    const up = await runToolkit(["lab", "up", "--hosts", "3", "--router", "--prefix", prefix], {
      timeoutMs: 60_000,
    });
    assert.equal(up.code, 0, up.stderr);
    await fn((n) => `${prefix}-h${n}`);
  } finally {
    const down = await runToolkit(["lab", "down", "--prefix", prefix], { timeoutMs: 60_000 });
    assert.equal(down.code, 0, down.stderr);
  }
}

/** The IPv6 link-local address of `namespace`'s eth0, once duplicate detection has passed. */
async function linkLocalOf(namespace: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const shown = await runProgram("ip", ["-n", namespace, "-j", "-6", "addr", "show", "eth0"]);
    const addrs = JSON.parse(shown)[0].addr_info as {
      local?: string;
      scope?: string;
      tentative?: boolean;
    }[];
    const link = addrs.find((a) => a.scope === "link" && a.local);
    if (link && !link.tentative) return link.local!;
    if (Date.now() > deadline) {
      throw new Error(`${namespace}: no usable link-local address: ${shown}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits a moment for datagrams that must not come, then stops every listener. */
async function settle(listeners: InHost[]) {
  await new Promise((r) => setTimeout(r, 1000));
  await Promise.all(listeners.map((l) => l.stop()));
}

testIf(
  rootReason,
  "a subnet broadcast reaches every host on its segment and none behind the router",
  async () => {
    await withLab(`b${Deno.pid}`, async (h) => {
      const listeners: InHost[] = [];
      try {
        const l2 = startIn(h(2), ["--json", "udp-listen", "0.0.0.0:0"]);
        listeners.push(l2);
        const port = (await l2.waitFor("stderr", /"listening","address":"0\.0\.0\.0:(\d+)"/))[1];
        const l3 = startIn(h(3), ["--json", "udp-listen", `0.0.0.0:${port}`]);
        const l4 = startIn(h(4), ["--json", "udp-listen", `0.0.0.0:${port}`]);
        listeners.push(l3, l4);
        await Promise.all([l3, l4].map((l) => l.waitFor("stderr", /"event":"listening"/)));

        // Without --broadcast: refused, nothing sent.
        const refused = await runToolkitIn(h(1), ["udp-send", `198.18.1.255:${port}`, "refused"]);
        assert.equal(refused.code, 2, refused.stderr);
        assert.match(
          refused.stderr,
          /broadcast address of 198\.18\.1\.0\/24 \(eth0\): add --broadcast/,
        );
        // Narrowed to one host: Deno refuses the broadcast address, exit 4.
        const scoped = await runToolkitIn(h(1), [
          "--net",
          `198.18.1.2:${port}`,
          "udp-send",
          "--broadcast",
          `198.18.1.255:${port}`,
          "scoped",
        ]);
        assert.equal(scoped.code, 4, scoped.stderr);
        assert.match(scoped.stderr, /outside the permission scope/);

        for (const [to, text] of [["198.18.1.255", "subnet"], ["255.255.255.255", "limited"]]) {
          const sent = await runToolkitIn(h(1), ["udp-send", "--broadcast", `${to}:${port}`, text]);
          assert.equal(sent.code, 0, sent.stderr);
        }
        // Behind the router: a broadcast aimed at segment 1 from segment 2 is not forwarded
        // either, while unicast through the router arrives (the path itself works).
        const directed = await runToolkitIn(h(4), [
          "udp-send",
          "--broadcast",
          `198.18.1.255:${port}`,
          "directed",
        ]);
        assert.equal(directed.code, 0, directed.stderr);
        const unicast = await runToolkitIn(h(1), ["udp-send", `198.18.2.4:${port}`, "unicast"]);
        assert.equal(unicast.code, 0, unicast.stderr);

        await l2.waitFor("stdout", /limited/);
        await l3.waitFor("stdout", /limited/);
        await l4.waitFor("stdout", /unicast/);
        await settle(listeners);
        assert.deepEqual(received(l2), ["subnet", "limited"]);
        assert.deepEqual(received(l3), ["subnet", "limited"]);
        assert.deepEqual(received(l4), ["unicast"], "no broadcast crossed the router");
        assert.equal(JSON.parse(l2.stdout().split("\n")[0]).remote.split(":")[0], "198.18.1.1");
      } finally {
        await Promise.all(listeners.map((l) => l.stop()));
      }
    });
  },
);

testIf(
  rootReason,
  "a multicast datagram reaches the group's members and not the others (IPv4 and IPv6)",
  async () => {
    await withListeners(`m${Deno.pid}`, async (start, h, listeners) => {
      const member2 = start(2, ["--multicast", "239.18.0.7", "0"]);
      const port =
        (await member2.waitFor("stderr", /"listening","address":"239\.18\.0\.7:(\d+)"/))[1];
      assert.match(member2.stderr(), /"event":"joined","group":"239\.18\.0\.7","iface":"any"/);
      const other3 = start(3, [`0.0.0.0:${port}`]); // same port, not a member
      const member4 = start(4, ["--multicast", "239.18.0.7", port]); // behind the router
      const member1 = start(1, ["--multicast", "239.18.0.7", port]); // on the sender
      // IPv6 on a port of its own: [::] would also take the IPv4 port on h3 (dual stack).
      const member2v6 = start(2, ["--multicast", "ff0e::18:7", "--iface", "eth0", "0"]);
      const port6 =
        (await member2v6.waitFor("stderr", /"listening","address":"\[ff0e::18:7\]:(\d+)"/))[1];
      const other3v6 = start(3, [`[::]:${port6}`]);
      await Promise.all(
        listeners.slice(1).map((l) => l.waitFor("stderr", /"event":"listening"/)),
      );
      assert.match(
        member2v6.stderr(),
        /"event":"joined","group":"ff0e::18:7","iface":"eth0 \(index \d+\)"/,
      );

      const sends = [
        ["--ttl", "8", `239.18.0.7:${port}`, "group"],
        ["--loop", `239.18.0.7:${port}`, "looped"],
        [`[ff0e::18:7]:${port6}`, "group6"],
      ];
      for (const args of sends) {
        const r = await runToolkitIn(h(1), ["udp-send", ...args]);
        assert.equal(r.code, 0, r.stderr);
      }
      await member2.waitFor("stdout", /looped/);
      await member2v6.waitFor("stdout", /group6/);
      await member1.waitFor("stdout", /looped/);
      await settle(listeners);
      assert.deepEqual(received(member2), ["group", "looped"]);
      assert.deepEqual(received(member2v6), ["group6"]);
      assert.deepEqual(received(member1), ["looped"], "only --loop reaches the sender's host");
      assert.deepEqual(received(other3), [], "a non-member on the segment gets nothing");
      assert.deepEqual(received(other3v6), []);
      assert.deepEqual(received(member4), [], "the router does not forward multicast");
    });
  },
);

testIf(
  rootReason,
  "link-scope IPv6 groups (ff02::, ff12::) work: bound on the link, joined by its index",
  async () => {
    await withListeners(`l${Deno.pid}`, async (start, h, listeners) => {
      // Without --iface the host's one link is taken; the group gets it as its zone.
      const member2 = start(2, ["--multicast", "ff02::1234", "0"]);
      const port =
        (await member2.waitFor("stderr", /"listening","address":"\[ff02::1234%eth0\]:(\d+)"/))[1];
      assert.match(
        member2.stderr(),
        /"event":"joined","group":"ff02::1234","iface":"eth0 \(index \d+\)"/,
      );
      // [::] with --iface works too; so does a transient (ff12::) group, echoing to the sender.
      const any3 = start(3, ["--multicast", "ff02::1234", "--iface", "eth0", `[::]:${port}`]);
      const echo3 = start(3, ["--echo", "--multicast", "ff12::18:7", "--iface", "eth0", "0"]);
      const port12 =
        (await echo3.waitFor("stderr", /"listening","address":"\[ff12::18:7%eth0\]:(\d+)"/))[1];
      const member4 = start(4, ["--multicast", "ff02::1234", port]); // behind the router
      await Promise.all([any3, member4].map((l) => l.waitFor("stderr", /"event":"listening"/)));

      const sent = await runToolkitIn(h(1), ["udp-send", `[ff02::1234%eth0]:${port}`, "link"]);
      assert.equal(sent.code, 0, sent.stderr);
      // The echo goes back to h1's link-local address, through the link it came in on.
      const asked = await runToolkitIn(h(1), [
        "udp-send",
        "--wait-reply",
        "--timeout",
        "5s",
        `[ff12::18:7%eth0]:${port12}`,
        "ping",
      ]);
      assert.equal(asked.code, 0, asked.stderr);
      assert.equal(asked.stdout, "ping");
      // Deno gives a link-local peer without its zone; the zone named on the command line is it.
      const linkLocal = await linkLocalOf(h(3));
      await linkLocalOf(h(1)); // the sender's own, or it sends from its global address
      const echoLink = start(3, ["--echo", "-c", "1", `[${linkLocal}%eth0]:0`]);
      const portLink =
        (await echoLink.waitFor("stderr", /"listening","address":"\[.*\]:(\d+)"/))[1];
      const askedJson = await runToolkitIn(h(1), [
        "--json",
        "udp-send",
        "-w",
        `[${linkLocal}%eth0]:${portLink}`,
        "ping",
      ]);
      assert.equal(JSON.parse(askedJson.stdout).reply.remote, `[${linkLocal}%eth0]:${portLink}`);
      assert.match(JSON.parse(echoLink.stdout()).remote, /^\[fe80::[0-9a-f:]+%eth0\]:\d+$/);
      await member2.waitFor("stdout", /link/);
      await any3.waitFor("stdout", /link/);
      await settle(listeners);
      assert.deepEqual(received(member2), ["link"]);
      assert.deepEqual(received(any3), ["link"]);
      assert.deepEqual(received(echo3), ["ping"]);
      assert.deepEqual(received(member4), [], "a link-scope group never crosses the router");
      // Nothing went wrong while it echoed; it ends interrupted, as it was stopped.
      assert.doesNotMatch(echo3.stderr(), /"warning"|"kind":"(?!interrupted")/);

      // On the router's two links, the group's zone picks one, as udp-send's [ff02::1234%eth0]
      // does: it used to be an internal error (link-local) or "name not resolved" (ff0e::).
      const router = `l${Deno.pid}-r1`;
      const zoned = startIn(router, [
        "--json",
        "udp-listen",
        "--multicast",
        "ff02::1234%eth1",
        port,
      ]);
      const zonedWide = startIn(router, ["--json", "udp-listen", "-m", "ff0e::18:8%eth1", "0"]);
      try {
        await zoned.waitFor("stderr", /"listening","address":"\[ff02::1234%eth1\]:\d+"/);
        assert.match(zoned.stderr(), /"joined","group":"ff02::1234","iface":"eth1 \(index \d+\)"/);
        const wide =
          (await zonedWide.waitFor("stderr", /"listening","address":"\[ff0e::18:8\]:(\d+)"/))[1];
        assert.match(zonedWide.stderr(), /"joined","group":"ff0e::18:8","iface":"eth1 \(index/);
        for (const to of [`[ff02::1234%eth0]:${port}`, `[ff0e::18:8]:${wide}`]) {
          const r = await runToolkitIn(h(1), ["udp-send", to, "zoned"]);
          assert.equal(r.code, 0, r.stderr);
        }
        await zoned.waitFor("stdout", /zoned/);
        await zonedWide.waitFor("stdout", /zoned/);
      } finally {
        await Promise.all([zoned.stop(), zonedWide.stop()]);
      }
      assert.deepEqual(received(zoned), ["zoned"]);
      assert.deepEqual(received(zonedWide), ["zoned"]);

      // Two links and no --iface, or --iface 0: a usage error naming the choice (exit 2).
      const r = await runToolkitIn(`l${Deno.pid}-r1`, [
        "udp-listen",
        "--multicast",
        "ff02::1234",
        "0",
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^toolkit: error: ff02::1234 is a link-local group: choose its interface with --iface \(\w+, \w+\)\n/,
      );
      const zero = await runToolkitIn(h(1), [
        "udp-listen",
        "--multicast",
        "ff12::1",
        "--iface",
        "0",
        "0",
      ]);
      assert.equal(zero.code, 2, zero.stderr);
      assert.match(zero.stderr, /--iface 0 names no interface/);
    });
  },
);

// The TTL a member sees, read by CPython with IP_RECVTTL: the kernel default 1, then --ttl's.
const ttlOracle = `
import socket, sys
g = "239.18.0.9"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((g, 0))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(g) + socket.inet_aton("0.0.0.0"))
s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL
s.settimeout(15)
print(s.getsockname()[1], flush=True)
for _ in range(2):
    data, anc, _, _ = s.recvmsg(100, 64)
    ttl = [int.from_bytes(d[:4], sys.byteorder) for level, kind, d in anc if kind == 2][0]
    print(data.decode(), ttl, flush=True)
`;

const py = python("3.13");
testIf(
  rootReason ?? (py ? undefined : "CPython 3.13 (pyenv) is not installed"),
  "udp-send --ttl sets the IPv4 multicast TTL a member receives (CPython IP_RECVTTL oracle)",
  async () => {
    await withLab(`t${Deno.pid}`, async (h) => {
      const oracle = startInHost(h(2), [py!.cmd, "-c", ttlOracle], py!.env);
      try {
        const port = (await oracle.waitFor("stdout", /^(\d+)\n/))[1];
        for (const args of [[], ["--ttl", "9"]]) {
          const r = await runToolkitIn(h(1), ["udp-send", ...args, `239.18.0.9:${port}`, "x"]);
          assert.equal(r.code, 0, r.stderr);
        }
        await oracle.waitFor("stdout", /x 9\n/);
        assert.deepEqual(oracle.stdout().trim().split("\n").slice(1), ["x 1", "x 9"]);
      } finally {
        await oracle.stop();
      }
    });
  },
);
