// lab up (with status and down around it): the command line (help, --dry-run, --json, bad input,
// a refused scope, a missing privilege), and with root a real lab built, read back and removed, and
// an interrupted build rolled back; and its parse in process. The layout engine is in
// tests/lib/lab_test.ts, a crashed lab cleaned up in lab_down_test.ts. Every namespace name
// carries a prefix with this process's id, so parallel runs never touch each other's labs.
import assert from "#assert";
import {
  hasCommand,
  isRoot,
  runToolkit,
  startToolkit,
  testIf,
  toolkitCmd,
} from "../_support/harness.ts";
import {
  forceCleanup,
  ip,
  leftovers,
  rootReason,
  uniquePrefix,
} from "../_support/lab_namespaces.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import labUp from "../../lib/commands/lab_up.ts";
import { noGlobals } from "../_support/parse_globals.ts";

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

Deno.test("lab up parse: two hosts on one segment by default, --hosts --router --dry-run; bad counts refused", () => {
  const o = labUp.parse([], noGlobals);
  assert.deepEqual([o.plan.prefix, o.plan.hosts.length, o.plan.segments.length, o.plan.router], [
    "tklab",
    2,
    1,
    undefined,
  ]);
  assert.deepEqual([o.dryRun, o.verbose, o.json], [false, false, false]);
  const r = labUp.parse(["--hosts", "3", "--router", "--dry-run", "--prefix", "t1"], noGlobals);
  assert.deepEqual([r.plan.prefix, r.plan.hosts.length, r.plan.segments.length, r.dryRun], [
    "t1",
    4,
    2,
    true,
  ]);
  assert.equal(r.plan.router?.namespace, "t1-r1");
  assert.throws(() => labUp.parse(["--hosts", "0"], noGlobals), UsageError, "between 1 and 60");
  assert.throws(
    () => labUp.parse(["--behind", "2"], noGlobals),
    UsageError,
    "--behind needs --router",
  );
});
