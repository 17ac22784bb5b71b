// lab up/down/status: the layout (pure, no root), the command line (help, --dry-run, --json, bad
// input, a refused scope, a missing privilege), and with root a real lab built, read back and
// removed, a crashed lab cleaned up, and an interrupted build rolled back. Every namespace name
// carries a prefix with this process's id, so parallel runs never touch each other's labs.
import assert from "#assert";
import { batches, checkLabPrefix, labNamePattern, labRoleOf, planLab } from "../lib/lab/mod.ts";
import {
  hasCommand,
  isRoot,
  runToolkit,
  startToolkit,
  testIf,
  toolkitCmd,
} from "./_support/harness.ts";

const rootReason = !isRoot()
  ? "not root: network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN"
  : !hasCommand("ip")
  ? "the ip program (iproute2) is not installed"
  : undefined;

/** A prefix unique to this process and test. */
const uniquePrefix = (letter: string) => `${letter}${Deno.pid}`;

async function ip(args: string[]): Promise<string> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Namespaces, links and bridges in this (the test's) namespace named with `prefix`. */
async function leftovers(prefix: string): Promise<string[]> {
  const names = (text: string, key: string) =>
    (text.trim() ? JSON.parse(text) as Record<string, string>[] : []).map((r) => r[key]);
  return [
    ...names(await ip(["-j", "netns", "list"]), "name"),
    ...names(await ip(["-j", "link", "show"]), "ifname"),
    ...names(await ip(["-j", "link", "show", "type", "bridge"]), "ifname"),
  ].filter((n) => n.startsWith(`${prefix}-`));
}

/** Removes whatever a failed test left, without going through the code under test. */
async function forceCleanup(prefix: string): Promise<void> {
  for (const n of await leftovers(prefix).catch(() => [])) {
    await ip(["netns", "delete", n]).catch(() => ip(["link", "delete", n]).catch(() => {}));
  }
}

Deno.test("planLab lays out hosts, a router and two segments in 198.18.0.0/15", () => {
  const plan = planLab({ prefix: "t1", hosts: 3, router: true });
  assert.deepEqual(plan.hosts.map((h) => [h.namespace, h.ipv4, h.ipv6, h.gateway]), [
    ["t1-h1", "198.18.1.1/24", "2001:2:0:1::1/64", "198.18.1.254"],
    ["t1-h2", "198.18.1.2/24", "2001:2:0:1::2/64", "198.18.1.254"],
    ["t1-h3", "198.18.1.3/24", "2001:2:0:1::3/64", "198.18.1.254"],
    ["t1-h4", "198.18.2.4/24", "2001:2:0:2::4/64", "198.18.2.254"],
  ]);
  assert.deepEqual(plan.segments.map((s) => [s.namespace, s.ipv4, s.broadcast]), [
    ["t1-sw1", "198.18.1.0/24", "198.18.1.255"],
    ["t1-sw2", "198.18.2.0/24", "198.18.2.255"],
  ]);
  assert.deepEqual(plan.router?.interfaces.map((i) => i.ipv4), [
    "198.18.1.254/24",
    "198.18.2.254/24",
  ]);
  // Every namespace the steps create carries the prefix; nothing is added outside them.
  for (const step of plan.steps) {
    if (step[0] === "netns" && step[1] === "add") assert.match(step[2], /^t1-(h|r|sw)\d+$/);
    else if (step[0] === "netns") assert.deepEqual(step.slice(1, 3), ["exec", "t1-r1"]);
    else assert.equal(step[0], "-n");
  }
  const sysctl = plan.steps.find((s) => s.includes("sysctl"));
  assert.ok(sysctl?.includes("net.ipv4.ip_forward=1"));
});

Deno.test("the build runs each namespace's steps as one ip -batch, in the planned order", () => {
  const plan = planLab({ prefix: "t1", hosts: 2, router: true });
  const runs = batches(plan.steps);
  assert.deepEqual(runs[0].global, []);
  assert.deepEqual(runs[0].commands.map((c) => c.join(" ")), [
    "netns add t1-sw1",
    "netns add t1-sw2",
    "netns add t1-h1",
    "netns add t1-h2",
    "netns add t1-h3",
    "netns add t1-r1",
  ]);
  assert.deepEqual(runs.map((r) => r.global.join(" ")), [
    "",
    "-n t1-sw1",
    "-n t1-sw2",
    "-n t1-h1",
    "-n t1-h2",
    "-n t1-h3",
    "-n t1-r1",
    "-n t1-sw1",
    "-n t1-sw2",
    "",
  ]);
  // Flattened back, the batches are exactly the planned steps.
  assert.deepEqual(runs.flatMap((r) => r.commands.map((c) => [...r.global, ...c])), plan.steps);
  // No per-line global options: `ip -batch` does not accept them.
  for (const r of runs) for (const c of r.commands) assert.ok(!c[0].startsWith("-"), c.join(" "));
});

Deno.test("planLab without a router: one segment, no gateway, limits checked", () => {
  const plan = planLab({ hosts: 1 });
  assert.equal(plan.prefix, "tklab");
  assert.equal(plan.segments.length, 1);
  assert.equal(plan.router, undefined);
  assert.equal(plan.hosts[0].gateway, undefined);
  assert.throws(() => planLab({ hosts: 0 }), RangeError);
  assert.throws(() => planLab({ hosts: 61 }), RangeError);
  assert.throws(() => planLab({ behind: 2 }), /need a router/);
  assert.throws(() => planLab({ prefix: "Lab" }), SyntaxError);
});

Deno.test("lab names: a prefix matches its own lab's names only", () => {
  assert.equal(checkLabPrefix("t-4711"), "t-4711");
  for (const bad of ["", "1lab", "tk_lab", "a-b-c", "tklab-", "x".repeat(25)]) {
    assert.throws(() => checkLabPrefix(bad), SyntaxError, bad);
  }
  const p = labNamePattern("tklab");
  assert.ok(p.test("tklab-h12") && p.test("tklab-r1") && p.test("tklab-sw2"));
  for (const other of ["tklab2-h1", "tklab-x-h1", "tklab-h0", "tklab-h1x", "xtklab-h1"]) {
    assert.ok(!p.test(other), other);
  }
  assert.equal(labRoleOf("tklab", "tklab-sw1"), "switch");
  assert.equal(labRoleOf("tklab", "other-h1"), undefined);
});

Deno.test("lab up --help shows the options and examples", async () => {
  const r = await runToolkit(["lab", "up", "--help"]);
  assert.equal(r.code, 0, r.stderr);
  for (const word of ["--hosts", "--router", "--behind", "--prefix", "--dry-run", "Examples"]) {
    assert.ok(r.stdout.includes(word), word);
  }
  for (const sub of ["status", "down"]) {
    const h = await runToolkit(["lab", sub, "--help"]);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /--prefix/);
  }
});

Deno.test("lab up --dry-run prints the ip commands, --json the plan; nothing is created", async () => {
  const prefix = uniquePrefix("d");
  const r = await runToolkit(["lab", "up", "--dry-run", "--router", "--prefix", prefix]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines[0], `ip netns add ${prefix}-sw1`);
  assert.ok(lines.includes(`ip -n ${prefix}-h3 route add default via 198.18.2.254`), r.stdout);
  const j = await runToolkit(["--json", "lab", "up", "--dry-run", "--hosts", "1", "-p", prefix]);
  assert.equal(j.code, 0, j.stderr);
  const plan = JSON.parse(j.stdout);
  assert.equal(plan.hosts.length, 1);
  assert.equal(plan.segments[0].broadcast, "198.18.1.255");
  if (!rootReason) assert.deepEqual(await leftovers(prefix), []);
});

Deno.test("lab bad input: one error line, the help hint, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["lab", "up", "--hosts", "0"], /--hosts must be between 1 and 60/],
    [["lab", "up", "--behind", "2"], /--behind needs --router/],
    [["lab", "up", "--prefix", "Bad Name"], /cannot use lab prefix "Bad Name"/],
    [["lab", "down", "extra"], /unexpected argument "extra"/],
    [["lab", "status", "--hosts", "2"], /unknown option '--hosts'/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runToolkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], /^toolkit: error: /);
    assert.match(lines[0], pattern);
    assert.match(lines[1], new RegExp(`^Try 'toolkit lab (up|down|status) --help'$`));
  }
});

Deno.test("lab commands in a scope without the ip program: refused by Deno, exit 4", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/scope.json`;
    await Deno.writeTextFile(file, JSON.stringify({ run: [] }));
    for (const sub of ["up", "status", "down"]) {
      const r = await runToolkit(["--scope", file, "lab", sub, "--prefix", uniquePrefix("s")]);
      assert.equal(r.code, 4, `${sub}: ${r.stderr}`);
      assert.match(r.stderr, /^toolkit: error: outside the permission scope: run access to ip/);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    if (!rootReason) assert.deepEqual(await leftovers(uniquePrefix("s")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

testIf(
  hasCommand("ip") && (!isRoot() || hasCommand("setpriv"))
    ? undefined
    : "needs ip, and as root setpriv to drop the capabilities",
  "lab without CAP_SYS_ADMIN/CAP_NET_ADMIN: a clear 'needs root' error, exit 2, nothing left",
  async () => {
    const prefix = uniquePrefix("p");
    // As root, drop the two capabilities for the child (uid stays 0, so files stay readable).
    const wrap = isRoot()
      ? [
        "setpriv",
        "--bounding-set=-sys_admin,-net_admin",
        "--inh-caps=-sys_admin,-net_admin",
        "--",
      ]
      : [];
    const argv = [...wrap, ...toolkitCmd, "lab", "up", "--prefix", prefix];
    try {
      const out = await new Deno.Command(argv[0], {
        args: argv.slice(1),
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 2, stderr);
      assert.match(
        stderr,
        /^toolkit: error: the lab needs root \(CAP_SYS_ADMIN and CAP_NET_ADMIN\)/,
      );
      assert.match(stderr, /Operation not permitted/);
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
      if (isRoot()) assert.deepEqual(await leftovers(prefix), []);
    } finally {
      if (isRoot()) await forceCleanup(prefix);
    }
  },
);

testIf(
  rootReason,
  "lab up --router builds hosts and a forwarding router; status reads it back; down removes all",
  async () => {
    const prefix = uniquePrefix("l");
    try {
      const up = await runToolkit(
        ["lab", "up", "--hosts", "3", "--router", "--prefix", prefix],
        { timeoutMs: 60_000 },
      );
      assert.equal(up.code, 0, up.stderr);
      assert.match(up.stderr, new RegExp(`lab "${prefix}" is up`));
      assert.ok(up.stdout.includes(`ip netns exec ${prefix}-h2 toolkit udp-listen`), up.stdout);
      assert.ok(
        up.stdout.includes(`toolkit udp-send --broadcast 198.18.1.255:9000 hello`),
        up.stdout,
      );
      assert.match(up.stdout, new RegExp(`${prefix}-r1 +router \\(forwarding on\\)`));

      // What the kernel says, independently of toolkit.
      const h2 = JSON.parse(await ip(["-j", "-n", `${prefix}-h2`, "addr", "show", "eth0"]));
      assert.ok(h2[0].addr_info.some((a: { local: string }) => a.local === "198.18.1.2"));
      const fwd = await ip([
        "netns",
        "exec",
        `${prefix}-r1`,
        "sysctl",
        "-n",
        "net.ipv4.ip_forward",
      ]);
      assert.equal(fwd.trim(), "1");
      // Nothing in the test's own namespace.
      const own = JSON.parse(await ip(["-j", "link", "show"])) as { ifname: string }[];
      assert.ok(!own.some((l) => l.ifname.startsWith(prefix)));

      const again = await runToolkit(["lab", "up", "--prefix", prefix]);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /is already up .*run 'toolkit lab down --prefix/);

      const status = await runToolkit(["--json", "lab", "status", "--prefix", prefix]);
      assert.equal(status.code, 0, status.stderr);
      const s = JSON.parse(status.stdout);
      assert.equal(s.up, true);
      const hosts = s.namespaces.filter((n: { role: string }) => n.role === "host");
      assert.deepEqual(
        hosts.map((h: { interfaces: { ipv4: string[] }[] }) => h.interfaces[0].ipv4[0]),
        ["198.18.1.1/24", "198.18.1.2/24", "198.18.1.3/24", "198.18.2.4/24"],
      );
      assert.equal(hosts[3].gateway, "198.18.2.254");
      const router = s.namespaces.find((n: { role: string }) => n.role === "router");
      assert.equal(router.forwarding, true);
      assert.deepEqual(s.segments.map((g: { broadcast: string[] }) => g.broadcast), [
        ["198.18.1.255"],
        ["198.18.2.255"],
      ]);
      assert.deepEqual(
        s.segments[0].members,
        [1, 2, 3].map((i) => `${prefix}-h${i}`).concat(`${prefix}-r1`),
      );

      const text = await runToolkit(["lab", "status", "--prefix", prefix]);
      assert.equal(text.code, 0);
      assert.match(text.stdout, /198\.18\.1\.0\/24 +198\.18\.1\.255/);

      const down = await runToolkit(["lab", "down", "--prefix", prefix], { timeoutMs: 60_000 });
      assert.equal(down.code, 0, down.stderr);
      assert.ok(down.stdout.includes(`${prefix}-h1`) && down.stdout.includes(`${prefix}-sw2`));
      assert.deepEqual(await leftovers(prefix), [], "no namespace, link or bridge is left");

      const gone = await runToolkit(["lab", "status", "--prefix", prefix]);
      assert.equal(gone.code, 1);
      assert.match(gone.stdout, /No lab ".*" is up/);
      const twice = await runToolkit(["lab", "down", "--prefix", prefix]);
      assert.equal(twice.code, 0);
      assert.match(twice.stdout, /No lab ".*" to remove/);
    } finally {
      await forceCleanup(prefix);
    }
  },
);

testIf(
  rootReason,
  "lab down finds what a crashed lab up left: half-built namespaces, links, stray root links",
  async () => {
    const prefix = uniquePrefix("c");
    try {
      // What a crash half-way through `up` leaves, plus a stray link named with the prefix.
      await ip(["netns", "add", `${prefix}-sw1`]);
      await ip(["-n", `${prefix}-sw1`, "link", "add", "br0", "type", "bridge"]);
      await ip(["netns", "add", `${prefix}-h1`]);
      await ip([
        "-n",
        `${prefix}-h1`,
        "link",
        "add",
        "eth0",
        "type",
        "veth",
        "peer",
        "name",
        "h1",
        "netns",
        `${prefix}-sw1`,
      ]);
      await ip(["link", "add", `${prefix}-x`, "type", "veth", "peer", "name", `${prefix}-y`]);
      const status = await runToolkit(["--json", "lab", "status", "--prefix", prefix]);
      assert.equal(status.code, 0, status.stderr);
      assert.equal(JSON.parse(status.stdout).strayLinks.length, 2);
      const down = await runToolkit(["--json", "lab", "down", "--prefix", prefix]);
      assert.equal(down.code, 0, down.stderr);
      const d = JSON.parse(down.stdout);
      assert.deepEqual(d.namespaces, [`${prefix}-h1`, `${prefix}-sw1`]);
      assert.equal(d.links.length, 1, "deleting one end of the veth removes its peer");
      assert.deepEqual(await leftovers(prefix), []);
    } finally {
      await forceCleanup(prefix);
    }
  },
);

testIf(rootReason, "lab up interrupted by SIGTERM removes what it built, exit 130", async () => {
  const prefix = uniquePrefix("i");
  try {
    const up = startToolkit(["lab", "up", "--hosts", "60", "--verbose", "--prefix", prefix]);
    await up.waitForStderr(new RegExp(`ip -n ${prefix}-h3 link add`), 30_000);
    up.child.kill("SIGTERM");
    const r = await up.finish(60_000);
    assert.equal(r.code, 130, r.stderr);
    assert.deepEqual(await leftovers(prefix), []);
  } finally {
    await forceCleanup(prefix);
  }
});
