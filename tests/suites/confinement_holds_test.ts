// Confinement that holds (issue 15): a narrowed run or a drill listens on every interface only when
// its scope names the wildcard, reads nothing a symlink leads to outside its scope, cannot read the
// toolkit's folder beyond its modules, takes IPv6 prefixes only as Deno can enforce them, and
// `drill check` refuses what `drill run` would. The sweeps at the end make every listening command
// and every command that opens a file bring its own case.
import assert from "#assert";
import type { CommandModule } from "../../lib/cli/command.ts";
import { registry } from "../../lib/commands/registry.ts";
import { labIpv6Addresses } from "../../lib/lab/plan.ts";
import config from "../../deno.json" with { type: "json" };
import {
  freePort,
  hasCommand,
  isRoot,
  labToolkitCmd,
  root,
  runToolkit,
  startToolkit,
  testIf,
} from "../_support/harness.ts";
import { makeLab, runProgram } from "../_support/netns.ts";
import { assertRefused } from "../_support/error_shape.ts";

/** Listening commands take `[HOST:]PORT`; they must each have a wildcard case below. */
async function listeningCommands(): Promise<string[]> {
  const out: string[] = [];
  for (const e of registry) {
    const mod: CommandModule = await e.load();
    // [HOST:]PORT, or [HOST][:PORT] (perf-server: either part may go).
    if (/\[HOST(:\]|\]\[:)PORT/.test(mod.spec.usage)) out.push(e.name);
  }
  return out;
}

/**
 * Commands that open a path given on the command line (files or Unix sockets): those whose
 * positionals or options complete as files or drills (names or files), the completion metadata
 * tests/commands/completions_test.ts requires of every file argument.
 */
async function fileCommands(): Promise<string[]> {
  const out: string[] = [];
  for (const e of registry) {
    const mod: CommandModule = await e.load();
    const kinds = [mod.spec.positionals?.complete, ...mod.spec.options.map((o) => o.complete)]
      .flat();
    if (kinds.includes("file") || kinds.includes("drill")) out.push(e.name);
  }
  return out;
}

/** For each listener: the command line that listens on `host:port`. */
const wildcardCases: Record<string, (hostPort: string) => string[]> = {
  "tcp-listen": (hp) => ["tcp-listen", "--keep-open", "--echo", hp],
  "udp-listen": (hp) => ["udp-listen", hp],
  "perf-server": (hp) => ["perf-server", hp],
  "drill serve": (hp) => ["drill", "serve", hp, "--db", "/nonexistent/x.db"],
};

Deno.test("a wildcard listen needs the wildcard in the scope: 0.0.0.0 and [::], any port", async () => {
  const p = freePort();
  let refused = 0;
  const listening = await listeningCommands();
  // No case goes dead: every command given a case is found listening by its usage.
  assert.deepEqual(Object.keys(wildcardCases).filter((n) => !listening.includes(n)), []);
  for (const name of listening) {
    const make = wildcardCases[name];
    assert.ok(make, `${name} listens: add a wildcard case to wildcardCases`);
    for (const hp of ["0.0.0.0:0", `0.0.0.0:${p}`, "[::]:0", `[::]:${p}`]) {
      const r = await runToolkit(["--net", `127.0.0.1:${p}`, ...make(hp)], { stdin: "" });
      assertRefused(
        `${name} ${hp} under --net 127.0.0.1:${p}`,
        r,
        /access to (0\.0\.0\.0|\[::\]):/,
      );
      refused++;
    }
  }
  // Where the scope names the wildcard, it is granted: the listener starts.
  const srv = startToolkit(["--net", `0.0.0.0:${p}`, "tcp-listen", `0.0.0.0:${p}`], {
    stdinPiped: true,
  });
  await srv.waitForStderr(new RegExp(`listening on 0\\.0\\.0\\.0:${p}`));
  srv.child.kill("SIGINT");
  assert.equal((await srv.finish()).code, 130);
  assert.ok(refused >= 12);
});

/**
 * A prober inside the namespace: TCP connects and UDP datagrams to `host:port` for `secs`
 * seconds (bounded), then prints how many connects succeeded.
 */
const prober = `
import socket, sys, time
host, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.time() + secs; ok = 0; tries = 0
print("ready", flush=True)
while time.time() < end and tries < 100:
    tries += 1
    s = socket.socket(); s.settimeout(0.2)
    try:
        s.connect((host, port)); ok += 1; s.send(b"from-ns")
    except OSError:
        pass
    finally:
        s.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b"from-ns", (host, port)); u.close()
    time.sleep(0.05)
print(ok, tries, flush=True)
`;

/** Ports the process `pid` listens on (TCP, any address), from `ss`. */
async function listeningPorts(pid: number): Promise<number[]> {
  const out = await new Deno.Command("ss", { args: ["-Hltnp"], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split("\n")
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => Number(/:(\d+)\s/.exec(l.split(/\s+/)[3] + " ")?.[1]))
    .filter((n) => n > 0);
}

async function probe(lab: Awaited<ReturnType<typeof makeLab>>, port: number, secs: number) {
  const child = lab.spawn(["python3", "-c", prober, lab.hostIp, String(port), String(secs)]);
  const out = new TextDecoder().decode((await child.output()).stdout).trim().split("\n");
  return Number(out[out.length - 1].split(" ")[0]);
}

testIf(
  isRoot()
    ? (hasCommand("python3") && hasCommand("ss")
      ? undefined
      : "python3 and ss are needed (the prober inside, the listener table)")
    : "needs root for a network namespace of the test's own",
  "a host in another namespace reaches no narrowed listener and no drill's listener",
  async () => {
    const lab = await makeLab("w");
    const dir = await Deno.makeTempDir({ prefix: "toolkit-wildcard-" });
    try {
      // 1. A narrowed tcp-listen on the wildcard, port 0: refused; had it listened, the
      //    namespace host would have been served.
      const narrowed = startToolkit(
        ["--net", "127.0.0.1:9", "tcp-listen", "--keep-open", "--echo", "0.0.0.0:0"],
        { stdinPiped: true },
      );
      const outcome = await Promise.race([
        narrowed.child.status.then(() => undefined),
        narrowed.waitForStderr(/listening on 0\.0\.0\.0:(\d+)/, 5000).then((m) => Number(m[1])),
      ]);
      if (outcome !== undefined) {
        const served = await probe(lab, outcome, 1);
        narrowed.child.kill("SIGINT");
        assert.fail(`the narrowed listener served the namespace host ${served} times`);
      }
      assertRefused("tcp-listen 0.0.0.0:0 under --net 127.0.0.1:9", await narrowed.finish());
      // 2. A narrowed udp-listen on loopback hears nothing the namespace host sends to this
      //    machine's address on the same port.
      const port = freePort();
      const udp = startToolkit(["--net", `127.0.0.1:${port}`, "udp-listen", `127.0.0.1:${port}`]);
      await udp.waitForStderr(/listening on/);
      assert.equal(await probe(lab, port, 1), 0);
      udp.child.kill("SIGINT");
      const heard = await udp.finish();
      assert.equal(heard.stdout, "", "udp-listen heard the namespace host");
      // 3. A drill with `scope: {}` whose run step serves on the wildcard: refused inside the
      //    step (exit 4); while the drill lives, nothing of it listens and the namespace host
      //    is never served.
      const drill = `${dir}/wildcard.yaml`;
      await Deno.writeTextFile(
        drill,
        `name: wildcard
scope: {}
steps:
  - run: { command: "tcp-listen --keep-open --echo 0.0.0.0:0", exit: 4, timeout: 3s }
  - expect-denied: { listen: "0.0.0.0:${port}" }
  - expect-denied: { listen: "[::]:${port}" }
  - sleep: 1500ms
`,
      );
      const running = startToolkit(["drill", "run", drill]);
      let served = 0;
      const deadline = Date.now() + 4000;
      while (Date.now() < deadline) {
        const ports = await listeningPorts(running.child.pid);
        for (const p of ports) served += await probe(lab, p, 0.3);
        if (await Promise.race([running.child.status.then(() => true), delay(100)])) break;
      }
      const r = await running.finish();
      assert.equal(served, 0, "a drill's listener served the namespace host");
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /ok +1 run toolkit tcp-listen/);
    } finally {
      await lab.cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

const delay = (ms: number) => new Promise<false>((r) => setTimeout(() => r(false), ms));

// ---------------------------------------------------------------------------------------------
// Symlinks and the toolkit folder

/** For each command that opens a path: its command line reading (or writing) `path`. */
const symlinkCases: Record<string, (path: string) => string[]> = {
  "mro": (p) => ["mro", p],
  "subnet aggregate": (p) => ["subnet", "aggregate", p],
  "arp show": (p) => ["arp", "show", "--file", p],
  "arp check": (p) => ["arp", "check", "--file", p],
  "arp watch": (p) => ["arp", "watch", "--count", "1", "--file", p],
  "drill check": (p) => ["drill", "check", p],
  "drill show": (p) => ["drill", "show", p],
  "drill run": (p) => ["drill", "run", p],
  "tcp-send": (p) => ["tcp-send", "--file", p, "127.0.0.1:9"],
  "unix-send": (p) => ["unix-send", "--datagram", "--file", p, "/nonexistent/x.sock"],
  "unix-listen": (p) => ["unix-listen", p],
  "unix-connect": (p) => ["unix-connect", p],
  "drill serve": (p) => ["drill", "serve", "127.0.0.1:0", "--db", p],
  "drill submit": (
    p,
  ) => ["drill", "submit", p, "--to", "http://127.0.0.1:9/", "--token", "t0k3n-abcdef"],
};

Deno.test("a symlink inside a read scope that leads outside is refused by every command", async () => {
  const base = await Deno.makeTempDir({ prefix: "toolkit-symlink-" });
  const inside = `${base}/inside`, outside = `${base}/outside`;
  await Deno.mkdir(inside);
  await Deno.mkdir(outside);
  const secret = "10.99.0.0/24\n# SECRET-OUTSIDE class A: pass\n";
  await Deno.writeTextFile(`${outside}/secret.txt`, secret);
  await Deno.symlink(`${outside}/secret.txt`, `${inside}/link`);
  await Deno.symlink(outside, `${inside}/dirlink`);
  const scopeFile = `${base}/scope.json`;
  await Deno.writeTextFile(scopeFile, JSON.stringify({ read: ["inside"], write: ["inside"] }));
  try {
    const cmds = await fileCommands();
    for (const name of cmds) {
      const make = symlinkCases[name];
      assert.ok(make, `${name} opens a path: add a symlink case to symlinkCases`);
      for (const path of [`${inside}/link`, `${inside}/dirlink/secret.txt`]) {
        const r = await runToolkit(["--scope", scopeFile, ...make(path)], { stdin: "" });
        const label = `${name} ${path} under --scope read/write inside`;
        // Named where it leads: at the open, or when a command's own scope is built from it.
        const named = `${outside}/secret\\.txt \\((where .* leads|needed by .*)\\)`;
        assertRefused(label, r, new RegExp(named));
        assert.doesNotMatch(r.stdout + r.stderr, /SECRET-OUTSIDE|10\.99\.0\.0/, label);
      }
    }
    // A write through a link that leads outside creates nothing there.
    await Deno.symlink(`${outside}/report.txt`, `${inside}/out-link`);
    const out = await runToolkit([
      "--scope",
      scopeFile,
      "drill",
      "run",
      "--out",
      `${inside}/dirlink/report.txt`,
      "tcp-echo",
    ]);
    assertRefused("drill run --out through a directory link", out);
    const arpDb = await runToolkit([
      "--scope",
      scopeFile,
      "arp",
      "watch",
      "--count",
      "1",
      "--db",
      `${inside}/out-link`,
      "--file",
      `${root}/tests/fixtures/arp/proc_net_arp.txt`,
    ]);
    assert.equal(arpDb.code, 4, arpDb.stderr);
    assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["secret.txt"]);
    // Inside the scope, a link that stays inside works, and the scope line shows resolved paths.
    await Deno.writeTextFile(`${inside}/p.txt`, "10.0.0.0/25\n10.0.0.128/25\n");
    await Deno.symlink(`${inside}/p.txt`, `${inside}/p-link`);
    const ok = await runToolkit(["--scope", scopeFile, "subnet", "aggregate", `${inside}/p-link`]);
    assert.equal(ok.stdout, "10.0.0.0/24\n", ok.stderr);
    const shown = await runToolkit(["--scope", scopeFile, "scope", "--json"]);
    const read = JSON.parse(shown.stdout).read.grants.map((g: { entry: string }) => g.entry);
    assert.equal(read[0], await Deno.realPath(inside), "relative to the scope file, resolved");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a drill's read scope holds against links, and its run steps cannot read the toolkit folder", async () => {
  const base = await Deno.makeTempDir({ prefix: "toolkit-drill-read-" });
  await Deno.mkdir(`${base}/data`);
  await Deno.writeTextFile(`${base}/outside.txt`, "10.99.0.0/24\n");
  await Deno.symlink(`${base}/outside.txt`, `${base}/data/link`);
  await Deno.writeTextFile(`${base}/data/in.txt`, "10.0.0.0/25\n10.0.0.128/25\n");
  const drill = `${base}/read.yaml`;
  await Deno.writeTextFile(
    drill,
    `name: read-links
scope:
  net: ["127.0.0.1:{{port.sink}}"]
  read: [data]
steps:
  - listen: { as: sink, address: "127.0.0.1:{{port.sink}}" }
  - run: { command: "subnet aggregate data/in.txt", stdout: "10.0.0.0/24\\n" }
  - run: { command: "subnet aggregate ${base}/data/link", exit: 4, stderr-match: "where .* leads" }
  - run: { command: "tcp-send --file ${root}/.git/config 127.0.0.1:{{port.sink}}", exit: 4, stderr-match: "read access to" }
  - run: { command: "tcp-send --file ${root}/deno.json 127.0.0.1:{{port.sink}}", exit: 0 }
  - expect-denied: { read: "${root}/README.md" }
  - expect-denied: { read: "${base}/data/link" }
`,
  );
  try {
    const r = await runToolkit(["drill", "run", "--allow-local", drill], { cwd: base });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // The header shows the resolved read path and the implicit module grants.
    const resolved = await Deno.realPath(`${base}/data`);
    assert.match(
      r.stdout,
      new RegExp(
        `read ${resolved}, ${root}/lib \\(implicit\\), ${root}/deno\\.json \\(implicit\\)`,
      ),
    );
    assert.doesNotMatch(r.stdout, /10\.99\.0\.0/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// IPv6 prefixes, drill check = drill run, the lab set

Deno.test("IPv6 prefixes: /120 and longer are enforced, wider ones are refused at parse time", async () => {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "::1", port: 0 });
  const port = (sock.addr as Deno.NetAddr).port;
  try {
    const ok = await runToolkit(["--net", "::1/128", "udp-send", `[::1]:${port}`, "v6"]);
    assert.equal(ok.code, 0, ok.stderr);
    const [data] = await sock.receive();
    assert.equal(new TextDecoder().decode(data), "v6");
    for (const wide of ["2001:db8::/32", "::1/0", "2001:2::/64"]) {
      const r = await runToolkit(["--net", wide, "scope"]);
      assert.equal(r.code, 2, `${wide}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /^toolkit: error: --net: cannot use network .*must be \/120 or longer/,
      );
    }
    const narrow = await runToolkit(["--net", "2001:2::/126", "scope", "--json"]);
    assert.equal(narrow.code, 0, narrow.stderr);
    // A /126 outside the scope is refused by Deno, inside it is not checked further here.
    const out = await runToolkit(["--net", "2001:2::/126", "udp-send", `[::1]:${port}`, "x"]);
    assertRefused("udp-send [::1] under --net 2001:2::/126", out);
  } finally {
    sock.close();
  }
});

Deno.test("drill check refuses exactly what drill run refuses in a scope", async () => {
  const dir = await Deno.makeTempDir({ prefix: "toolkit-drill-scope-" });
  try {
    const cases: [string, RegExp][] = [
      ['net: ["::1/0"]', /must be \/120 or longer/],
      ['net: ["2001:db8::/32"]', /must be \/120 or longer/],
      ['net: ["unix:"]', /unix: needs a path/],
      ['env: ["A-B"]', /not a variable name/],
      ['sys: ["everything"]', /must be one of hostname/],
      ['read: [""]', /an empty name/],
    ];
    for (const [scope, why] of cases) {
      const file = `${dir}/d.yaml`;
      await Deno.writeTextFile(file, `name: s\nscope:\n  ${scope}\nsteps:\n  - sleep: 1ms\n`);
      for (const cmd of ["check", "run"]) {
        const r = await runToolkit(["drill", cmd, file]);
        assert.equal(r.code, 2, `drill ${cmd} with ${scope}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, why, `drill ${cmd} with ${scope}`);
      }
    }
    // A relative unix: path is the drill file's neighbour, in check and run alike.
    await Deno.writeTextFile(
      `${dir}/rel.yaml`,
      'name: rel\nscope:\n  net: ["unix:rel.sock"]\nsteps:\n  - listen: { as: l, proto: unix, path: "rel.sock" }\n',
    );
    assert.equal((await runToolkit(["drill", "check", `${dir}/rel.yaml`])).code, 0);
    const run = await runToolkit(["drill", "run", "--allow-local", `${dir}/rel.yaml`], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`scope: net unix:${await Deno.realPath(dir)}/rel\\.sock`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the lab permission set lists the lab's own IPv6 hosts and no wildcard bind", () => {
  const lab = config.permissions.lab.net;
  const v6 = lab.filter((e) => e.startsWith("[") && e !== "[::1]").map((e) => e.slice(1, -1));
  assert.deepEqual(v6, labIpv6Addresses());
  assert.ok(!lab.some((e) => /^(0\.0\.0\.0|\[::\])/.test(e)), lab.join(", "));
});

// ---------------------------------------------------------------------------------------------
// What the hostile review of issue 15 found

Deno.test("a prefix holding the wildcard grants no wildcard listen, and the scope says so", async () => {
  const p = freePort();
  const cases: [string, string[]][] = [
    ["::/120", ["tcp-listen", "[::]:0"]],
    ["::/127", ["udp-listen", "[::]:0"]],
    ["0.0.0.0/8", ["udp-listen", "--echo", "0.0.0.0:0"]],
    ["0.0.0.0/31", ["tcp-listen", `0.0.0.0:${p}`]],
    ["::ffff:0.0.0.0/120", ["tcp-listen", "0.0.0.0:0"]],
  ];
  for (const [net, args] of cases) {
    const r = await runToolkit(["--net", net, ...args], { stdin: "" });
    assertRefused(`${args.join(" ")} under --net ${net}`, r, /access to (0\.0\.0\.0|\[::\]):/);
  }
  // The rest of the prefix is still granted: 0.0.0.1 is inside 0.0.0.0/31.
  const shown = await runToolkit(["--net", "0.0.0.0/8,[::]:9000", "scope"]);
  assert.match(
    shown.stdout,
    /0\.0\.0\.0\/8 \(without 0\.0\.0\.0 itself: name it to listen on every interface\)/,
  );
  assert.match(shown.stdout, /\[::\]:9000 \(every interface, IPv4 too on a dual-stack socket\)/);
});

Deno.test("a scope entry with an IPv6 zone is refused: Deno would grant the address on every link", async () => {
  const r = await runToolkit(["--net", "[fe80::1%lo]:9", "scope"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /Deno does not check the zone \(%lo\).*write \[fe80::1\]/);
});

Deno.test("`..` after a symlink goes up from where the link leads, as the kernel walks it", async () => {
  const base = await Deno.makeTempDir({ prefix: "toolkit-dotdot-" });
  await Deno.mkdir(`${base}/rd`);
  await Deno.mkdir(`${base}/outside/deep`, { recursive: true });
  await Deno.writeTextFile(`${base}/outside/secret.txt`, "10.99.0.0/24\n");
  await Deno.writeTextFile(`${base}/rd/secret.txt`, "10.1.0.0/24\n");
  await Deno.symlink(`${base}/outside/deep`, `${base}/rd/dl`);
  await Deno.writeTextFile(`${base}/s.json`, JSON.stringify({ read: ["rd"] }));
  try {
    // cat rd/dl/../secret.txt reads outside/secret.txt: so must the check.
    const r = await runToolkit([
      "--scope",
      `${base}/s.json`,
      "subnet",
      "aggregate",
      `${base}/rd/dl/../secret.txt`,
    ]);
    assertRefused("subnet aggregate rd/dl/../secret.txt", r, /outside\/secret\.txt/);
    assert.doesNotMatch(r.stdout, /10\.99|10\.1\./);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a write-only scope can be written: reading its paths to follow links is granted and shown", async () => {
  const base = await Deno.makeTempDir({ prefix: "toolkit-writeonly-" });
  await Deno.writeTextFile(`${base}/s.json`, JSON.stringify({ read: [], write: ["out"] }));
  await Deno.mkdir(`${base}/out`);
  try {
    const r = await runToolkit([
      "--scope",
      `${base}/s.json`,
      "drill",
      "run",
      "--out",
      `${base}/out/report.txt`,
      "same-subnet",
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(await Deno.readTextFile(`${base}/out/report.txt`), /PASS same-subnet/);
    const shown = await runToolkit(["--scope", `${base}/s.json`, "scope"]);
    assert.match(shown.stdout, /out \(implicit: a write path: read to see where a path leads/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("devices Deno opens only with --allow-all are exit 2 saying so, not a scope refusal", async () => {
  // /dev/stdin itself is read as - by every command that reads stdin; other kernel files are not.
  const stdin = await runToolkit(["mro", "/dev/stdin"], { stdin: "class A: pass\n" });
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.match(stdin.stdout, /A/);
  const r = await runToolkit(["subnet", "aggregate", "/proc/self/status"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /is a device or kernel file, which Deno lets toolkit open only with --allow-all; use - for standard input/,
  );
});

Deno.test("the lab binary narrows to hosts and small prefixes; a wide prefix is exit 2 saying why", async (t) => {
  if (Deno.env.get("TOOLKIT_CMD") !== undefined) {
    console.error("SKIP the lab set check: needs the lab permission set, not TOOLKIT_CMD");
    return void t;
  }
  const lab = (args: string[]) => runToolkit(args, { cmd: labToolkitCmd });
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.2", port: 0 });
  try {
    const port = (sock.addr as Deno.NetAddr).port;
    const ok = await lab(["--net", "127.0.0.0/30", "udp-send", `127.0.0.2:${port}`, "lab"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(new TextDecoder().decode((await sock.receive())[0]), "lab");
    const wide = await lab(["--net", "127.0.0.0/8", "scope"]);
    assert.equal(wide.code, 2, wide.stderr);
    assert.match(
      wide.stderr,
      /cannot narrow to 127\.0\.0\.0\/8 here: this binary's own scope lists prefixes/,
    );
  } finally {
    sock.close();
  }
});

Deno.test("a colleague's drill gets only its own ports, tmp files and ss unless --allow-local", async () => {
  const dir = await Deno.makeTempDir({ prefix: "toolkit-allow-local-" });
  const cases: [string, RegExp][] = [
    ['net: ["unix:/tmp/other.sock"]', /net unix:\/tmp\/other\.sock/],
    ['net: ["127.0.0.1:5432"]', /net 127\.0\.0\.1:5432/],
    ['net: ["127.0.0.1"]', /net 127\.0\.0\.1\b/],
    ["run: [ip]", /run ip/],
    ["read: [/etc]", /read \/etc/],
    ["write: [/tmp]", /write \/tmp/],
    ["env: [NO_COLOR]", /env NO_COLOR/],
  ];
  try {
    for (const [scope, named] of cases) {
      const file = `${dir}/d.yaml`;
      await Deno.writeTextFile(file, `name: d\nscope:\n  ${scope}\nsteps:\n  - sleep: 1ms\n`);
      const refused = await runToolkit(["drill", "run", file]);
      assert.equal(refused.code, 1, `${scope}: ${refused.stdout}${refused.stderr}`);
      assert.match(refused.stdout, /skip +1 sleep/, scope);
      assert.match(refused.stdout, /reaches beyond its own ports and files on this machine/, scope);
      assert.match(refused.stdout, named, scope);
      const allowed = await runToolkit(["drill", "run", "--allow-local", file]);
      assert.equal(allowed.code, 0, `${scope} with --allow-local: ${allowed.stdout}`);
    }
    // What is the drill's own needs no flag: its ports, its tmp directory, the socket table.
    const own = `${dir}/own.yaml`;
    await Deno.writeTextFile(
      own,
      'name: own\nscope:\n  net: ["127.0.0.1:{{port.a}}", "unix:{{tmp}}/s.sock"]\n  read: ["/proc/net", "{{tmp}}"]\n  write: ["{{tmp}}"]\n  run: [ss]\nsteps:\n  - listen: { as: l, address: "127.0.0.1:{{port.a}}" }\n',
    );
    const r = await runToolkit(["drill", "run", own]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("relative paths in a drill's steps start where its scope's do: at the drill file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "toolkit-drill-rel-" });
  try {
    await Deno.writeTextFile(
      `${dir}/rel.yaml`,
      'name: rel\nscope:\n  net: ["unix:ux.sock"]\nsteps:\n  - listen: { as: l, proto: unix, path: "ux.sock" }\n  - connect: { as: c, path: "ux.sock" }\n',
    );
    // Run from elsewhere: the socket is the drill file's neighbour either way.
    const r = await runToolkit(["drill", "run", "--allow-local", `${dir}/rel.yaml`], { cwd: "/" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`net unix:${await Deno.realPath(dir)}/ux\\.sock`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

testIf(
  isRoot() ? undefined : "needs root for a network namespace of the test's own",
  "toward a routed host the implicit bind is the source the routing table picks (ip route get)",
  async () => {
    const lab = await makeLab("r");
    try {
      // Two addresses inside, and a route to a network behind the host side: the route's source
      // is the one on the veth's subnet, and nothing is sent to find it out.
      await runProgram("ip", ["-n", lab.ns, "addr", "add", "198.18.251.1/24", "dev", "lo"]);
      await runProgram("ip", ["-n", lab.ns, "route", "add", "198.18.250.0/24", "via", lab.hostIp]);
      const r = await lab.toolkit(["--net", "198.18.250.5:9", "scope", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const grants = JSON.parse(r.stdout).net.grants as { entry: string; reason?: string }[];
      const bind = grants.find((g) => g.entry === `${lab.nsIp}:0`);
      assert.ok(bind, JSON.stringify(grants));
      assert.match(bind!.reason!, /the source the route to 198\.18\.250\.5 takes/);
      assert.ok(!grants.some((g) => /^(0\.0\.0\.0|198\.18\.251\.1):/.test(g.entry)));
    } finally {
      await lab.cleanup();
    }
  },
);
