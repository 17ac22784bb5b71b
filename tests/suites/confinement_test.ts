// Confinement: every command that touches the network, files or subprocesses, run narrowed with
// --net / --scope, is refused by Deno (exit 4) outside the scope, and a listener the test holds
// outside the scope receives nothing. Spellings that might slip around a scope (localhost vs
// 127.0.0.1 vs [::1], IPv4-mapped IPv6, 0.0.0.0, DNS names, 2130706433 / 0x7f.1 / 0177.0.0.1)
// are refused too, and the numeric ones are not addresses at all (exit 2). Plus a sweep of every
// registered command's help examples under an empty scope.
import assert from "#assert";
import type { CommandModule } from "../../lib/cli/command.ts";
import { registry } from "../../lib/commands/registry.ts";
import {
  freePort,
  hasCommand,
  isRoot,
  root,
  runToolkit,
  startToolkit,
  testIf,
} from "../_support/harness.ts";
import { exampleArgs, pool } from "../_support/command_lines.ts";
import { makeLab } from "../_support/netns.ts";
import { assertRefused } from "../_support/error_shape.ts";
import {
  coverageProblems,
  type DeclaredCommand,
  declaredCommands,
  declaredNeeds,
} from "../_support/declared_needs.ts";

const stress = Deno.env.get("TOOLKIT_STRESS") === "1";
const figures: string[] = [];
globalThis.addEventListener("unload", () => {
  if (figures.length) console.error(`confinement figures:\n  ${figures.join("\n  ")}`);
});

/**
 * A trap: TCP and UDP listeners on 127.0.0.1 and [::1], all on one port, counting every
 * connection and datagram. Nothing may ever reach it.
 */
interface Trap {
  port: number;
  /** Waits a moment for stragglers, then returns what arrived. */
  hits(): Promise<string[]>;
  close(): void;
}

function openTrap(): Trap {
  for (let attempt = 0; attempt < 50; attempt++) {
    const opened: (Deno.Listener | Deno.DatagramConn)[] = [];
    try {
      const t4 = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      opened.push(t4);
      const port = (t4.addr as Deno.NetAddr).port;
      const t6 = Deno.listen({ hostname: "::1", port });
      opened.push(t6);
      const u4 = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
      opened.push(u4);
      const u6 = Deno.listenDatagram({ transport: "udp", hostname: "::1", port });
      opened.push(u6);
      const got: string[] = [];
      for (const [l, name] of [[t4, "tcp4"], [t6, "tcp6"]] as const) {
        (async () => {
          try {
            for await (const c of l) {
              got.push(`${name} connection from ${(c.remoteAddr as Deno.NetAddr).port}`);
              c.close();
            }
          } catch { /* closed */ }
        })();
      }
      for (const [u, name] of [[u4, "udp4"], [u6, "udp6"]] as const) {
        (async () => {
          try {
            for (;;) got.push(`${name} datagram of ${(await u.receive())[0].length} bytes`);
          } catch { /* closed */ }
        })();
      }
      return {
        port,
        hits: async () => {
          await new Promise((r) => setTimeout(r, 150));
          return [...got];
        },
        close: () => opened.forEach((o) => o.close()),
      };
    } catch {
      opened.forEach((o) => o.close());
    }
  }
  throw new Error("no port free on both 127.0.0.1 and [::1]");
}

/** A decoy inside the scope, to prove the narrowed command does work where it may. */
function openDecoy() {
  const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (udp.addr as Deno.NetAddr).port;
  const received: string[] = [];
  const loop = (async () => {
    try {
      for (;;) received.push(new TextDecoder().decode((await udp.receive())[0]));
    } catch { /* closed */ }
  })();
  return {
    port,
    received,
    close: async () => {
      udp.close();
      await loop;
    },
  };
}

Deno.test({
  name: "--net: every network command is refused outside the scope; the trap receives nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const trap = openTrap();
    const decoy = openDecoy();
    const inScope = `127.0.0.1:${decoy.port}`;
    const out = `127.0.0.1:${trap.port}`;
    const free = freePort();
    // A spooled submission for `drill submit` (an empty report is a valid one).
    const spool = await Deno.makeTempFile({ prefix: "toolkit-confine-spool-", suffix: ".json" });
    const kind = { all: false, grants: [] };
    await Deno.writeTextFile(
      spool,
      JSON.stringify({
        machine: "pc01",
        toolkitVersion: "0.1.0",
        ranAt: new Date().toISOString(),
        scope: {
          narrowed: false,
          net: kind,
          read: kind,
          write: kind,
          run: kind,
          env: kind,
          sys: kind,
        },
        report: { drills: [], passed: 0, failed: 0 },
      }),
    );
    const cases: [string, string[]][] = [
      ["udp-send", ["udp-send", out, "escape"]],
      ["udp-send --wait-reply", ["udp-send", "-w", "-t", "500ms", out, "escape"]],
      ["udp-connect", ["udp-connect", "--linger", "0", out]],
      ["udp-connect HOST PORT", ["udp-connect", "127.0.0.1", String(trap.port)]],
      ["tcp-connect HOST PORT", ["tcp-connect", "127.0.0.1", String(trap.port)]],
      ["udp-send HOST PORT DATA", ["udp-send", "127.0.0.1", String(trap.port), "escape"]],
      ["tcp-connect", ["tcp-connect", out]],
      ["tcp-send", ["tcp-send", out, "escape"]],
      ["tcp-ping", ["tcp-ping", "-c", "1", out]],
      ["scan", ["scan", "127.0.0.1", String(trap.port)]],
      ["perf", ["perf", "--time", "1s", out]],
      ["perf --udp", ["perf", "--udp", "--time", "1s", out]],
      ["arp resolve", ["arp", "resolve", "--port", String(trap.port), "127.0.0.1"]],
      ["tcp-listen", ["tcp-listen", `127.0.0.1:${free}`]],
      ["tcp-listen -p", ["tcp-listen", "-p", String(free)]],
      ["udp-listen", ["udp-listen", `127.0.0.1:${free}`]],
      ["udp-listen HOST PORT", ["udp-listen", "127.0.0.1", String(free)]],
      ["perf-server", ["perf-server", `127.0.0.1:${free}`]],
      ["drill serve", ["drill", "serve", `127.0.0.1:${free}`, "--db", "/nonexistent/class.db"]],
      [
        "drill run --submit",
        ["drill", "run", "same-subnet", "--submit", `http://${out}`, "--token", "class-token-1"],
      ],
      ["drill submit", [
        "drill",
        "submit",
        spool,
        "--to",
        `http://${out}`,
        "--token",
        "class-token-1",
      ]],
    ];
    try {
      let refused = 0;
      for (const [label, args] of cases) {
        const stdin = label.startsWith("udp-connect") ? "escape\n" : "";
        const r = await runToolkit(["--net", inScope, ...args], { stdin, timeoutMs: 15_000 });
        assertRefused(label, r);
        refused++;
      }
      // Positive control: the same narrowing lets the in-scope target through.
      const ok = await runToolkit(["--net", inScope, "udp-send", inScope, "inside"]);
      assert.equal(ok.code, 0, ok.stderr);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(decoy.received, ["inside"]);
      assert.deepEqual(await trap.hits(), [], "nothing reached the trap");
      figures.push(
        `--net: ${refused} network command lines refused outside the scope (exit 4), ` +
          `0 packets or connections reached the trap`,
      );
    } finally {
      trap.close();
      await decoy.close();
      await Deno.remove(spool);
    }
  },
});

Deno.test({
  name: "--net tricks: other spellings of loopback are refused, numeric IPv4 forms are no address",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const trap = openTrap();
    const decoy = openDecoy();
    const p = trap.port;
    const allowed = `127.0.0.1:${decoy.port}`;
    let refusedCount = 0, rejectedCount = 0;
    try {
      const spellings = [
        `localhost:${p}`,
        `[::1]:${p}`,
        `[::ffff:127.0.0.1]:${p}`,
        `[::ffff:7f00:1]:${p}`,
        `[0:0:0:0:0:ffff:127.0.0.1]:${p}`,
        `0.0.0.0:${p}`,
        `[::]:${p}`,
        `127.0.0.1:${p}`,
        `localhost:${decoy.port}`, // the name resolves into the scope, but the scope is literal
      ];
      for (const cmd of ["udp-send", "tcp-send"]) {
        for (const target of spellings) {
          const r = await runToolkit(["--net", allowed, cmd, target, "escape"], { stdin: "" });
          assertRefused(`${cmd} ${target} under --net ${allowed}`, r);
          refusedCount++;
        }
      }
      // Deno checks an IPv4-mapped IPv6 address as the IPv4 address it is: the same socket as
      // the scope's, so it is allowed there, and refused on any other port (above).
      const mapped = await runToolkit([
        "--net",
        allowed,
        "udp-send",
        `[::ffff:127.0.0.1]:${decoy.port}`,
        "mapped",
      ]);
      assert.equal(mapped.code, 0, mapped.stderr);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(decoy.received, ["mapped"]);
      decoy.received.length = 0;
      // A name in the scope does not grant the address it resolves to, nor other ports.
      for (const target of [`127.0.0.1:${decoy.port}`, `localhost:${p}`]) {
        const r = await runToolkit(["--net", `localhost:${decoy.port}`, "udp-send", target, "x"]);
        assertRefused(`udp-send ${target} under --net localhost:${decoy.port}`, r);
        refusedCount++;
      }
      // Numeric spellings that inet_aton and URL parsers read as 127.0.0.1 are not addresses
      // here, narrowed or not: exit 2 before anything is sent.
      const numeric = [
        "2130706433",
        "0x7f.1",
        "0177.0.0.1",
        "127.1",
        "0x7f000001",
        "017700000001",
        "127.0.0.01",
        "0x7f.0.0.1",
      ];
      for (const n of numeric) {
        for (const narrowed of [true, false]) {
          const args = [...(narrowed ? ["--net", allowed] : []), "udp-send", `${n}:${p}`, "x"];
          const r = await runToolkit(args);
          assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
          assert.match(r.stderr, /^toolkit: error: cannot parse IPv4 address/, args.join(" "));
          rejectedCount++;
        }
        const t = await runToolkit(["tcp-connect", `${n}:${p}`], { stdin: "" });
        assert.equal(t.code, 2, `tcp-connect ${n}: ${t.stderr}`);
        rejectedCount++;
        const inList = await runToolkit(["--net", `${n}:${p}`, "udp-send", `127.0.0.1:${p}`, "x"]);
        assert.equal(inList.code, 2, `--net ${n}: ${inList.stderr}`);
        rejectedCount++;
      }
      assert.deepEqual(await trap.hits(), [], "nothing reached the trap");
      assert.deepEqual(decoy.received, [], "nor the decoy, through a spelling");
      figures.push(
        `tricks: ${refusedCount} alternative loopback spellings refused (exit 4), ` +
          `${rejectedCount} numeric IPv4 spellings rejected as addresses (exit 2), 0 packets out`,
      );
    } finally {
      trap.close();
      await decoy.close();
    }
  },
});

Deno.test({
  name:
    "--net unix:PATH: Unix sockets outside the scope are refused; the trap socket hears nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "toolkit-confine-unix-" });
    const trapPath = `${dir}/trap.sock`;
    const trap = Deno.listen({ transport: "unix", path: trapPath });
    let connections = 0;
    const loop = (async () => {
      try {
        for await (const c of trap) {
          connections++;
          c.close();
        }
      } catch { /* closed */ }
    })();
    const dgramTrap = Deno.listenDatagram({
      transport: "unixpacket",
      path: `${dir}/dgram-trap.sock`,
    });
    let datagrams = 0;
    const dgramLoop = (async () => {
      try {
        for (;;) {
          await dgramTrap.receive();
          datagrams++;
        }
      } catch { /* closed */ }
    })();
    try {
      const scope = `unix:${dir}/allowed.sock`;
      for (
        const args of [
          ["unix-connect", trapPath],
          ["unix-send", trapPath, "escape"],
          ["unix-listen", `${dir}/new.sock`],
          ["unix-listen", "--datagram", `${dir}/new.sock`],
          ["unix-send", "--datagram", `${dir}/dgram-trap.sock`, "escape"],
        ]
      ) {
        assertRefused(args.join(" "), await runToolkit(["--net", scope, ...args], { stdin: "" }));
      }
      // A TCP-only scope does not cover Unix sockets either.
      assertRefused(
        "unix-send under --net 127.0.0.1",
        await runToolkit(["--net", "127.0.0.1", "unix-send", trapPath, "x"]),
      );
      await assert.rejects(() => Deno.lstat(`${dir}/new.sock`), Deno.errors.NotFound);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(connections, 0, "nothing connected to the trap socket");
      assert.equal(datagrams, 0, "no datagram reached the datagram trap");
      figures.push(
        "unix: 6 Unix socket command lines refused outside --net unix:PATH, 0 connections",
      );
    } finally {
      trap.close();
      dgramTrap.close();
      await loop;
      await dgramLoop;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "--scope read/write: files outside the scope are refused and never created",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const base = await Deno.makeTempDir({ prefix: "toolkit-confine-files-" });
    const inside = `${base}/inside`, outside = `${base}/outside`;
    await Deno.mkdir(inside);
    await Deno.mkdir(outside);
    const table =
      "IP address       HW type     Flags       HW address            Mask     Device\n" +
      "192.0.2.1        0x1         0x2         52:54:00:12:35:01     *        eth0\n";
    for (const d of [inside, outside]) {
      await Deno.writeTextFile(`${d}/h.py`, "class A: pass\nclass B(A): pass\n");
      await Deno.writeTextFile(`${d}/p.txt`, "10.0.0.0/25\n10.0.0.128/25\n");
      await Deno.writeTextFile(`${d}/arp.txt`, table);
    }
    await Deno.copyFile(`${root}/tests/fixtures/drill/wrong_expect.yaml`, `${outside}/d.yaml`);
    const scopeFile = `${base}/scope.json`;
    await Deno.writeTextFile(scopeFile, JSON.stringify({ read: [inside], write: [inside] }));
    const scoped = (args: string[]) => runToolkit(["--scope", scopeFile, ...args], { stdin: "" });
    try {
      // Inside: works.
      const ok = await scoped(["mro", "--class", "B", `${inside}/h.py`]);
      assert.equal(ok.code, 0, ok.stderr);
      const agg = await scoped(["subnet", "aggregate", `${inside}/p.txt`]);
      assert.equal(agg.stdout, "10.0.0.0/24\n", agg.stderr);
      const cases: string[][] = [
        ["mro", `${outside}/h.py`],
        ["subnet", "aggregate", `${outside}/p.txt`],
        ["arp", "show", "--file", `${outside}/arp.txt`],
        ["arp", "check", "--file", `${outside}/arp.txt`],
        ["arp", "watch", "--count", "1", "--file", `${outside}/arp.txt`],
        ["arp", "watch", "--db", `${outside}/arp.dat`, "--file", `${inside}/arp.txt`],
        ["drill", "check", `${outside}/d.yaml`],
        ["drill", "show", `${outside}/d.yaml`],
        ["drill", "run", `${outside}/d.yaml`],
        ["drill", "run", "--out", `${outside}/report.txt`, "tcp-echo"],
        // Its own scope (its database) is wider than this one: Deno refuses the nested Worker.
        ["drill", "serve", "127.0.0.1:0", "--db", `${outside}/class.db`],
        ["sockets"],
        ["arp", "show"],
      ];
      for (const args of cases) assertRefused(args.join(" "), await scoped(args));
      const created = [...Deno.readDirSync(outside)].map((e) => e.name).sort();
      assert.deepEqual(created, ["arp.txt", "d.yaml", "h.py", "p.txt"], "nothing written outside");
      figures.push(
        `files: ${cases.length} file command lines refused outside --scope ` +
          `read/write (exit 4), nothing created outside`,
      );
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

async function namespaces(prefix: string): Promise<string[]> {
  const out = await new Deno.Command("ip", { args: ["netns", "list"], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split("\n").map((l) => l.split(" ")[0])
    .filter((n) => n.startsWith(prefix));
}

testIf(
  isRoot() ? undefined : "needs root to prove no namespace was created",
  "--scope run: subprocesses outside the scope are refused; no namespace appears",
  async () => {
    const prefix = `tkc${Deno.pid % 100000}`;
    const base = await Deno.makeTempDir({ prefix: "toolkit-confine-run-" });
    const scopeFile = `${base}/scope.json`;
    await Deno.writeTextFile(scopeFile, JSON.stringify({ run: [] }));
    try {
      const cases = [
        ["lab", "up", "--prefix", prefix],
        ["lab", "status", "--prefix", prefix],
        ["lab", "down", "--prefix", prefix],
      ];
      for (const args of cases) {
        assertRefused(args.join(" "), await runToolkit(["--scope", scopeFile, ...args]));
      }
      assert.deepEqual(await namespaces(`${prefix}-`), [], "no namespace was created");
      // ifaces runs `ip` only where the scope lets it; here it lists the runtime's view instead.
      const ifaces = await runToolkit(["--scope", scopeFile, "--json", "ifaces"]);
      assert.equal(ifaces.code, 0, ifaces.stderr);
      assert.match(
        JSON.parse(ifaces.stderr).warning.message,
        /^running `ip` is outside the scope/,
        "under --json the note is a warning object",
      );
      const links = JSON.parse(ifaces.stdout) as { state: string | null; mtu: number | null }[];
      assert.ok(links.length > 0 && links.every((l) => l.state === null && l.mtu === null));
      figures.push(
        `run: ${cases.length} lab command lines refused with "run": [] (exit 4), ` +
          `no namespace created; ifaces fell back to the runtime's list without running ip`,
      );
    } finally {
      if ((await namespaces(`${prefix}-`)).length) {
        await runToolkit(["lab", "down", "--prefix", prefix]);
      }
      await Deno.remove(base, { recursive: true });
    }
  },
);

/** The commands the targeted tests above narrow, and those that need no network, file or program. */
const narrowedAbove = new Set([
  "udp-send",
  "udp-connect",
  "udp-listen",
  "tcp-listen",
  "tcp-connect",
  "tcp-send",
  "tcp-ping",
  "scan",
  "perf",
  "perf-server",
  "unix-listen",
  "unix-connect",
  "unix-send",
  "arp resolve",
  "arp show",
  "arp check",
  "arp watch",
  "sockets",
  "ifaces",
  "mro",
  "subnet aggregate",
  "drill check",
  "drill run",
  "drill show",
  "drill serve",
  "drill submit",
  "lab up",
  "lab status",
  "lab down",
]);
/**
 * Commands that need no network, file or program: each is named here (not let off by its group),
 * and none may declare a need in its spec (a file argument, a listening address, a host).
 */
const pure = new Set([
  "mac",
  "drill list",
  "drill schema",
  "scope",
  "completions",
  "help",
  // Address arithmetic on their own arguments (subnet aggregate reads files: narrowed above).
  "subnet info",
  "subnet same",
  "subnet split",
  "subnet exclude",
  "subnet contains",
  "subnet range",
  "subnet mask",
  "subnet random",
]);

/** Why the lists above do not cover `commands`; empty when every command has its place. */
const confinementListProblems = (
  commands: readonly DeclaredCommand[],
  narrowed: ReadonlySet<string>,
  needNothing: ReadonlySet<string>,
) =>
  coverageProblems(
    commands,
    { covered: narrowed, exempt: needNothing },
    { covered: "narrowed case", exempt: "needing no access" },
    (c) => declaredNeeds(c).length ? `it ${declaredNeeds(c).join(", ")}` : undefined,
  );

Deno.test("every registered command has a confinement case or is known to need no access", async () => {
  const problems = confinementListProblems(await declaredCommands(registry), narrowedAbove, pure);
  assert.deepEqual(problems, [], "add a narrowed case above for these commands");
});

Deno.test("the confinement list check lets no command off by its name", () => {
  const spec = { usage: "ADDR", options: [], examples: [] };
  const info: DeclaredCommand = { name: "subnet info", spec };
  const ok = confinementListProblems([info], new Set(), new Set(["subnet info"]));
  assert.deepEqual(ok, []);
  const cases: [DeclaredCommand, RegExp][] = [
    // A new subnet command in neither list, whatever it needs.
    [{ name: "subnet frob", spec }, /^subnet frob: no narrowed case above/],
    [
      { name: "subnet serve", spec: { ...spec, usage: "[HOST:]PORT" } },
      /^subnet serve: no narrowed case above/,
    ],
    // Listed as needing nothing while its spec says otherwise.
    [
      { name: "subnet info", spec: { ...spec, positionals: { complete: "file" } } },
      /^subnet info: listed as needing no access, but it opens paths/,
    ],
    [
      {
        name: "subnet info",
        spec: {
          ...spec,
          options: [{ name: "db", type: "string", complete: "file", description: "" }],
        },
      },
      /but it opens paths/,
    ],
    [{ name: "subnet info", spec: { ...spec, usage: "[HOST][:PORT]" } }, /but it listens/],
    [{ name: "subnet info", spec: { ...spec, usage: "ADDR --to URL" } }, /but it reaches hosts/],
  ];
  for (const [command, expected] of cases) {
    const problems = confinementListProblems([command], new Set(), new Set(["subnet info"]))
      .filter((p) => !/not registered/.test(p));
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], expected);
  }
  assert.deepEqual(
    confinementListProblems([], new Set(["gone"]), new Set()),
    ["gone: listed but not registered"],
  );
});

// ---------------------------------------------------------------------------------------------
// Every registered command's examples under an empty scope

/** Points every host:port at the trap and every other IP at loopback, so nothing can leave. */
function aimAtTrap(args: string[], port: number): string[] {
  return args.map((a) =>
    a
      .replace(/^\[[0-9a-f:.]+(%\w+)?\]:\d+$/i, `[::1]:${port}`)
      .replace(/^(\d{1,3}(\.\d{1,3}){3}|localhost|[\w-]+(\.[\w-]+)+):\d+$/, `127.0.0.1:${port}`)
  );
}

const networkGroups = new Set(["sockets", "arp", "lab", "bench"]);

Deno.test({
  name: "every command's examples under an empty scope: refused (4) or pure, never a leak or 70",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const trap = openTrap();
    const dir = await Deno.makeTempDir({ prefix: "toolkit-confine-examples-" });
    const scopeFile = `${dir}.json`;
    await Deno.writeTextFile(scopeFile, JSON.stringify({ net: [], read: [], write: [], run: [] }));
    const problems: string[] = [];
    const tally = { refused: 0, pure: 0, other: 0, skipped: 0 };
    const slow: string[] = [];
    try {
      const runs: { name: string; args: string[] }[] = [];
      for (const entry of registry) {
        const mod: CommandModule = await entry.load();
        // Every example under TOOLKIT_STRESS; by default the first two of each command.
        const examples = stress ? mod.spec.examples : mod.spec.examples.slice(0, 2);
        for (const ex of examples) {
          const words = exampleArgs(ex);
          if (!words) {
            tally.skipped++;
            continue;
          }
          let args = aimAtTrap(words, trap.port);
          // In network groups, any remaining address literal goes to loopback as well.
          if (networkGroups.has(entry.group)) {
            args = args.map((a) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a) ? "127.0.0.1" : a);
            if (args.some((a) => /^[\w-]+(\.[\w-]+)*\.(example|com|org|net)(:\d+)?$/.test(a))) {
              tally.skipped++;
              continue;
            }
          }
          runs.push({ name: entry.name, args });
        }
      }
      await pool(runs, 3, async ({ args }) => {
        const label = `toolkit ${args.join(" ")}`;
        const started = performance.now();
        const srv = startToolkit(["--scope", scopeFile, ...args], { stdin: "", cwd: dir });
        const exited = await Promise.race([
          srv.child.status.then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), 4000)),
        ]);
        if (!exited) {
          try {
            srv.child.kill("SIGINT");
          } catch { /* just exited */ }
        }
        const r = await srv.finish(8000);
        const ms = performance.now() - started;
        if (ms > 1500) slow.push(`${label} (${Math.round(ms)} ms, exit ${r.code})`);
        if (/^\s+at |internal error|Uncaught/m.test(r.stderr)) {
          problems.push(`${label}: crashed (exit ${r.code}):\n${r.stderr.slice(0, 500)}`);
        } else if (r.code === 4) {
          tally.refused++;
          // Examples with --json end stderr with the error object instead of the text line.
          const scopeError = /^toolkit: error: outside the permission scope/m.test(r.stderr) ||
            /^\{"error":\{"message":"outside the permission scope.*"kind":"scope"/m.test(r.stderr);
          if (!scopeError) {
            problems.push(`${label}: exit 4 without the scope error:\n${r.stderr.slice(0, 500)}`);
          }
        } else if (r.code === 3) {
          problems.push(
            `${label}: exit 3 under an empty scope (a refusal turned into a network ` +
              `error?):\n${r.stderr.slice(0, 500)}`,
          );
        } else if (r.code === 0 || r.code === 1) tally.pure++;
        else if (r.code === 2 || r.code === 130) tally.other++;
        else problems.push(`${label}: undocumented exit ${r.code}\n${r.stderr.slice(0, 500)}`);
      });
      if (slow.length) console.error(`slow under an empty scope:\n  ${slow.join("\n  ")}`);
      const hits = await trap.hits();
      assert.deepEqual(hits, [], "nothing reached the trap");
      const left = [...Deno.readDirSync(dir)].map((e) => e.name);
      assert.deepEqual(left, [], "nothing written under an empty write scope");
      assert.equal(problems.length, 0, problems.join("\n\n"));
      figures.push(
        `examples: ${runs.length} help examples of ${registry.length} commands run ` +
          `under an empty scope: ${tally.refused} refused (exit 4), ${tally.pure} needed nothing, ` +
          `${tally.other} other (usage/interrupted), ${tally.skipped} skipped (pipes or DNS names), ` +
          `0 packets out`,
      );
    } finally {
      trap.close();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(scopeFile);
    }
  },
});

/**
 * A UDP trap inside the namespace: prints every datagram (as text) when it has been quiet for half
 * a second after the first, or after argv[2] seconds.
 */
const nsTrap = `
import socket, sys, json, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("", int(sys.argv[1])))
s.settimeout(0.1); print("ready", flush=True); got = []; end = time.time() + float(sys.argv[2])
last = 0
while time.time() < end and not (got and time.time() - last > 0.5):
    try: got.append(s.recv(65535).decode()); last = time.time()
    except socket.timeout: pass
print(json.dumps(got), flush=True)
`;

testIf(
  isRoot()
    ? (hasCommand("python3") ? undefined : "python3 is not installed (the trap inside)")
    : "needs root for a network namespace of the test's own",
  "broadcast in our own namespace: refused without --broadcast and outside --net, sent inside",
  async () => {
    const lab = await makeLab("b");
    const port = String(40000 + (Deno.pid % 20000));
    const trap = lab.spawn(["python3", "-c", nsTrap, port, "6"]);
    try {
      const reader = trap.stdout.pipeThrough(new TextDecoderStream()).getReader();
      assert.match((await reader.read()).value ?? "", /ready/);
      const to = `${lab.broadcast}:${port}`;
      const noFlag = await lab.toolkit(["udp-send", to, "no-flag"]);
      assert.equal(noFlag.code, 2, noFlag.stderr);
      assert.match(noFlag.stderr, /^toolkit: error: .*broadcast/);
      for (
        const args of [
          ["--net", `${lab.nsIp}/32`, "udp-send", "--broadcast", to, "narrowed"],
          ["--net", "127.0.0.1", "udp-send", "--broadcast", `255.255.255.255:${port}`, "all"],
        ]
      ) {
        assertRefused(args.join(" "), await lab.toolkit(args));
      }
      const allowed = await lab.toolkit(["udp-send", "--broadcast", to, "allowed"]);
      assert.equal(allowed.code, 0, allowed.stderr);
      let text = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      assert.deepEqual(JSON.parse(text.trim().split("\n").pop()!), ["allowed"]);
      figures.push(
        "broadcast (own namespace): without --broadcast exit 2, outside --net exit 4, " +
          "only the allowed datagram reached the trap",
      );
    } finally {
      try {
        trap.kill("SIGKILL");
      } catch { /* exited */ }
      await trap.status;
      await lab.cleanup();
    }
  },
);

// The global --net and --scope narrowing, seen through one client (udp-send): a datagram inside the
// scope arrives, one outside is refused by Deno (exit 4) and never reaches the test's socket, and
// other spellings of a loopback address do not get around it.

function udpSocket() {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  return { sock, port: (sock.addr as Deno.NetAddr).port };
}

/** Resolves to the datagrams received within `ms`. */
async function drain(sock: Deno.DatagramConn, ms: number): Promise<string[]> {
  const got: string[] = [];
  const done = new Promise<void>((r) => setTimeout(r, ms));
  const loop = (async () => {
    try {
      for (;;) got.push(new TextDecoder().decode((await sock.receive())[0]));
    } catch { /* closed */ }
  })();
  await done;
  sock.close();
  await loop;
  return got;
}

Deno.test("--net: a datagram to a port inside the scope is delivered", async () => {
  const { sock, port } = udpSocket();
  const r = await runToolkit([
    "--net",
    `127.0.0.1:${port}`,
    "udp-send",
    `127.0.0.1:${port}`,
    "inside",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await drain(sock, 200), ["inside"]);
});

Deno.test("--net: a port outside the scope is refused by Deno with exit 4 and nothing arrives", async () => {
  const allowed = udpSocket();
  const outside = udpSocket();
  try {
    const r = await runToolkit([
      "--net",
      `127.0.0.1:${allowed.port}`,
      "udp-send",
      `127.0.0.1:${outside.port}`,
      "escape",
    ]);
    assert.equal(r.code, 4);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0],
      new RegExp(
        `^toolkit: error: outside the permission scope: net access to 127\\.0\\.0\\.1:${outside.port} is not allowed \\(scope net: .*127\\.0\\.0\\.1:${allowed.port}`,
      ),
    );
  } finally {
    allowed.sock.close();
  }
  assert.deepEqual(await drain(outside.sock, 300), []);
});

Deno.test("--net: other spellings of a loopback address do not get around the scope", async () => {
  const outside = udpSocket();
  const p = outside.port;
  for (const target of [`localhost:${p}`, `[::ffff:127.0.0.1]:${p}`, `127.0.0.2:${p}`]) {
    const r = await runToolkit(["--net", `127.0.0.1:${p + 1}`, "udp-send", target, "escape"]);
    assert.equal(r.code, 4, `${target}: ${r.stderr}`);
  }
  for (const target of [`2130706433:${p}`, `0x7f.1:${p}`, `0177.0.0.1:${p}`, `127.1:${p}`]) {
    const r = await runToolkit(["--net", `127.0.0.1:${p + 1}`, "udp-send", target, "escape"]);
    assert.equal(r.code, 2, `${target} must be rejected as an address: ${r.stderr}`);
    assert.match(r.stderr, /^toolkit: error: cannot parse IPv4 address/);
  }
  assert.deepEqual(await drain(outside.sock, 300), []);
});

Deno.test("--scope FILE narrows the network the same way: a port outside it is exit 4", async () => {
  const outside = udpSocket();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/scope.json`,
      JSON.stringify({ net: [`127.0.0.1:${outside.port + 1}`] }),
    );
    const r = await runToolkit([
      "--scope",
      `${dir}/scope.json`,
      "udp-send",
      `127.0.0.1:${outside.port}`,
      "x",
    ]);
    assert.equal(r.code, 4, r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(await drain(outside.sock, 200), []);
});
