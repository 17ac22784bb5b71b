// `toolkit sockets` with ss's flags, differentially against the real `ss` on the same machine: the
// test opens sockets of its own (a TCP listener, an established pair, a TIME_WAIT, an unconnected
// UDP socket, a connected one held by Python, a Unix listener and a connection to it) and both
// tools must list them alike for every
// flag and state filter, process column included. State names are refused as ss refuses them;
// `-s` is compared with `ss -s` inside a network namespace of the test's own, where nobody else's
// sockets change the counts.
import assert from "#assert";
import { parseSsOutput, parseSsUsers, readSockets } from "../../lib/net/proc_sockets.ts";
import {
  parseStateWord,
  selectStates,
  ssStateGroups,
  ssStateOf,
  ssStates,
} from "../../lib/net/socket_states.ts";
import {
  hasCommand,
  isRoot,
  root,
  type RunResult,
  runToolkit,
  testIf,
  toolkitCmd,
} from "../_support/harness.ts";
import { runProgram } from "../_support/netns.ts";

const noSs = hasCommand("ss") ? undefined : "ss (iproute2) is not installed";
const noPython = hasCommand("python3") ? undefined : "python3 is not installed";

Deno.test("state words: ss's names, groups and the kernel's spellings; others are refused", () => {
  assert.deepEqual(parseStateWord("bucket"), ["syn-recv", "time-wait"]);
  assert.deepEqual(parseStateWord("TIME_WAIT"), ["time-wait"]);
  assert.deepEqual(parseStateWord("Fin-Wait-2"), ["fin-wait-2"]);
  assert.deepEqual(parseStateWord("closed"), ["closed"]);
  assert.deepEqual(parseStateWord("unconnected"), ["closed"]);
  assert.equal(parseStateWord("all").length, 12);
  assert.ok(!parseStateWord("connected").includes("listening"));
  assert.ok(!parseStateWord("synchronized").includes("syn-sent"));
  assert.ok(!parseStateWord("big").includes("time-wait"));
  for (const bad of ["bogus", "new-syn-recv", "NEW_SYN_RECV", "", "estab lished"]) {
    assert.throws(() => parseStateWord(bad), /Unknown socket state .*: use one of established/);
  }
  // ss's default: connected and not waiting; -l: listening and unconnected.
  const def = selectStates({ all: false, listening: false, include: [], exclude: [] });
  assert.deepEqual([...def].sort(), [
    "bound-inactive",
    "close-wait",
    "closing",
    "established",
    "fin-wait-1",
    "fin-wait-2",
    "last-ack",
    "syn-sent",
  ]);
  const l = selectStates({ all: false, listening: true, include: [], exclude: [] });
  assert.deepEqual([...l].sort(), ["closed", "listening"]);
  // A state filter replaces -l and -a; exclude starts from every state.
  const both = selectStates({ all: true, listening: true, include: ["established"], exclude: [] });
  assert.deepEqual([...both], ["established"]);
  const ex = selectStates({ all: false, listening: false, include: [], exclude: ["listening"] });
  assert.equal(ex.size, 11);
  assert.equal(ssStateOf("UNCONN"), "closed");
  assert.equal(ssStateOf("TIME-WAIT"), "time-wait");
  assert.equal(ssStateOf("UNKNOWN(42)"), undefined);
});

Deno.test("ss's process column: names with spaces and parentheses, several holders", () => {
  const line = 'tcp ESTAB 0 0 127.0.0.1:1 127.0.0.1:2 users:(("Web Content (x)",pid=12,fd=3),' +
    '("nc",pid=7,fd=4))';
  assert.deepEqual(parseSsUsers(line), [
    { name: "Web Content (x)", pid: 12, fd: 3 },
    { name: "nc", pid: 7, fd: 4 },
  ]);
  assert.deepEqual(parseSsUsers("tcp LISTEN 0 5 *:22 *:*"), []);
  const [entry] = parseSsOutput(line, { processes: true });
  assert.equal(entry.remote, "127.0.0.1:2");
  assert.equal(entry.processes?.length, 2);
});

Deno.test("ss -e -o details: uid (left out for 0), inode, the time-wait timer; a process name fakes none", () => {
  const entries = parseSsOutput(
    [
      "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* ino:1587 sk:2 cgroup:/ <->",
      "tcp ESTAB 0 0 127.0.0.1:5 127.0.0.1:6 uid:1000 ino:77 sk:3 cgroup:/user <->",
      "tcp TIME-WAIT 0 0 127.0.0.1:7 127.0.0.1:8 timer:(timewait,46sec,0) ino:0 sk:4",
      "tcp FIN-WAIT-2 0 0 127.0.0.1:9 127.0.0.1:10 timer:(timewait,59sec,0) ino:0 sk:5",
      'tcp ESTAB 0 0 127.0.0.1:11 127.0.0.1:12 users:(("x timer:(timewait, ino:5 sk:1",pid=9,fd=3)) ' +
      "uid:1000 ino:99 sk:6 <->",
    ].join("\n"),
    { processes: true },
  );
  assert.deepEqual(entries.map((e) => [e.state, e.uid, e.inode, e.timeWait ?? false]), [
    ["LISTEN", 0, 1587, false],
    ["ESTABLISHED", 1000, 77, false],
    ["TIME_WAIT", null, null, true],
    ["FIN_WAIT2", null, null, true],
    ["ESTABLISHED", 1000, 99, false],
  ]);
  assert.equal(entries[4].processes?.[0].name, "x timer:(timewait, ino:5 sk:1");
});

testIf(noSs, "sockets refuses a state name as ss does, naming the valid ones; exit 2", async () => {
  // Every name and group we accept (ss is the judge of each), and some that no one should.
  const words = [
    ...ssStates.filter((s) => s !== "bound-inactive"), // newer than this machine's ss, maybe
    ...Object.keys(ssStateGroups),
    "ESTABLISHED",
    "Time-Wait",
    "bogus",
    "new-syn-recv",
    "listen-ing",
  ];
  for (const word of words) {
    const ss = await new Deno.Command("ss", {
      args: ["-H", "-n", "-t", "state", word],
      stdout: "null",
      stderr: "piped",
    }).output();
    const ours = await runToolkit(["sockets", "-t", "state", word]);
    const flag = await runToolkit(["sockets", "--state", word]);
    const ssAccepts = ss.success;
    assert.equal(ours.code, ssAccepts ? 0 : 2, `sockets -t state ${word}: ${ours.stderr}`);
    assert.equal(flag.code, ours.code, `sockets --state ${word}: ${flag.stderr}`);
    if (!ssAccepts) {
      assert.match(new TextDecoder().decode(ss.stderr), /wrong state name/);
      assert.match(
        flag.stderr,
        new RegExp(
          `^toolkit: error: unknown socket state "${word}": use one of established, .*` +
            `or a group: all, connected, synchronized, bucket, big\\nTry 'toolkit sockets --help'\\n$`,
        ),
      );
      assert.equal(flag.stdout, "");
    }
  }
  // The kernel's spelling is ours alone (ss refuses it): the course and drills write TIME_WAIT.
  assert.equal((await runToolkit(["sockets", "--state", "TIME_WAIT"])).code, 0);
  const dangling = await runToolkit(["sockets", "state"]);
  assert.equal(dangling.code, 2);
  assert.match(dangling.stderr, /^toolkit: error: state needs a STATE/);
  const stray = await runToolkit(["sockets", "established"]);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /unexpected argument "established" \(filters are 'state STATE'/);
});

/** Sockets of the test's own, in every state the flags tell apart. */
async function openOwnSockets() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  const server = await listener.accept();
  // A pair closed by the client first leaves the client's side in TIME_WAIT.
  const twClient = await Deno.connect({ hostname: "127.0.0.1", port });
  const twServer = await listener.accept();
  const twPort = (twClient.localAddr as Deno.NetAddr).port;
  twClient.close();
  await new Promise((r) => setTimeout(r, 50));
  twServer.close();
  const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  // Deno cannot connect a UDP socket; Python holds one (ss shows it ESTAB).
  const py = new Deno.Command("python3", {
    args: [
      "-c",
      "import socket,sys,time\n" +
      "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.bind(('127.0.0.1',0))\n" +
      "u.connect(('127.0.0.1',int(sys.argv[1]))); print(u.getsockname()[1], flush=True)\n" +
      "sys.stdin.read()",
      String((udp.addr as Deno.NetAddr).port),
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = py.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const connectedUdp = Number((await reader.read()).value!.trim());
  // A Unix stream listener and a connection to it (the accepted side carries the path).
  const dir = await Deno.makeTempDir({ prefix: "tkss" });
  const unixListener = Deno.listen({ transport: "unix", path: `${dir}/s.sock` });
  const unixClient = await Deno.connect({ transport: "unix", path: `${dir}/s.sock` });
  const unixServer = await unixListener.accept();
  // Each of our sockets by protocol, local and peer address: a port alone is not ours for sure (a
  // TIME_WAIT of someone else's may hold the same local port toward another peer).
  const [lp, cp, up] = [
    port,
    (client.localAddr as Deno.NetAddr).port,
    (udp.addr as Deno.NetAddr).port,
  ];
  const locals = new Set([
    `unix ${dir}/s.sock *`,
    `tcp 127.0.0.1:${lp} *:*`,
    `tcp 127.0.0.1:${lp} 127.0.0.1:${cp}`,
    `tcp 127.0.0.1:${cp} 127.0.0.1:${lp}`,
    `tcp 127.0.0.1:${twPort} 127.0.0.1:${lp}`,
    `udp 127.0.0.1:${up} *:*`,
    `udp 127.0.0.1:${connectedUdp} 127.0.0.1:${up}`,
  ]);
  return {
    locals,
    pythonPid: py.pid,
    async close() {
      client.close();
      server.close();
      listener.close();
      udp.close();
      unixClient.close();
      unixServer.close();
      unixListener.close();
      await Deno.remove(dir, { recursive: true });
      await py.stdin.close();
      reader.releaseLock();
      await py.stdout.cancel().catch(() => {});
      await py.status;
    },
  };
}

interface Row {
  protocol: string;
  state: string;
  address: string;
  remote: string;
  processes?: { name: string; pid: number; fd: number }[];
}

/** Our rows only (by protocol, local, peer), as comparable text: with the ss state and holders. */
function ours(rows: Row[], locals: Set<string>, processes: boolean): string[] {
  return rows.filter((r) => locals.has(`${r.protocol} ${r.address} ${r.remote}`)).map((r) =>
    `${r.protocol} ${ssStateOf(r.state)} ${r.address} ${r.remote}` +
    (processes
      ? ` ${(r.processes ?? []).map((p) => `${p.name}/${p.pid}/${p.fd}`).sort().join(",") || "-"}`
      : "")
  ).sort();
}

/**
 * What `ss -H -n FLAGS` lists, parsed. ss leaves out the Netid column when it lists one protocol,
 * and the State column when only one state can show (`state time-wait`; plain `-u`, where UDP
 * sockets can only be connected): both are put back from the flags.
 */
async function ssRows(flags: string[]): Promise<Row[]> {
  const text = await runProgram("ss", ["-H", "-n", ...flags]);
  const letters = flags.filter((f) => /^-[a-z]+$/.test(f)).join("");
  const one = letters.includes("t") !== letters.includes("u")
    ? (letters.includes("t") ? "tcp" : "udp")
    : undefined;
  const states = flags.flatMap((f, i) => flags[i - 1] === "state" ? [f] : []);
  const onlyState = states.length === 1 && !flags.includes("exclude")
    ? states[0]
    : one === "udp" && !/[al]/.test(letters) && states.length === 0
    ? "established"
    : undefined;
  const lines = text.split("\n").filter((l) => l.trim()).map((l) => {
    let line = one ? `${one} ${l}` : l;
    const f = line.trim().split(/\s+/);
    if (/^\d+$/.test(f[1])) {
      assert.ok(onlyState, `ss left out the state column for ${flags.join(" ")}: ${l}`);
      line = `${f[0]} ${onlyState} ${line.trim().slice(f[0].length).trim()}`;
    }
    return line;
  });
  return parseSsOutput(lines.join("\n"), { processes: flags.some((f) => /^-\w*p/.test(f)) });
}

const flagSets: string[][] = [
  ["-x"],
  ["-xl"],
  ["-xa"],
  ["-xap"],
  ["-t"],
  ["-tl"],
  ["-ta"],
  ["-u"],
  ["-ul"],
  ["-ua"],
  ["-tu"],
  ["-tua"],
  ["-tuln"],
  ["-tupn"],
  ["-tuap"],
  ["-ta", "state", "connected"],
  ["-ta", "state", "bucket"],
  ["-t", "state", "big"],
  ["-t", "state", "synchronized"],
  ["-t", "state", "time-wait"],
  ["-t", "state", "listening", "state", "established"],
  ["-tu", "exclude", "listening"],
  ["-tu", "state", "closed"],
  ["-tu", "state", "all", "exclude", "established"],
];

testIf(
  noSs ?? noPython,
  "sockets lists the test's own sockets as ss does, for every flag and state filter",
  async () => {
    const own = await openOwnSockets();
    // Run from source, toolkit can also be started with --allow-all, where it reads /proc/net
    // and /proc/PID/fd itself instead of asking ss: both sources are compared with ss.
    const sources: [string, string[]][] = [["permission set (ss)", toolkitCmd]];
    if (!Deno.env.get("TOOLKIT_CMD")) {
      sources.push(["allow-all (/proc)", ["deno", "run", "-A", "-q", `${root}/main.ts`]]);
    }
    try {
      let compared = 0;
      for (const flags of flagSets) {
        const processes = flags.some((f) => /^-\w*p/.test(f));
        const expected = ours(await ssRows(flags), own.locals, processes);
        for (const [label, cmd] of sources) {
          const child = new Deno.Command(cmd[0], {
            args: [...cmd.slice(1), "sockets", "--json", ...flags],
            stdout: "piped",
            stderr: "piped",
            env: { NO_COLOR: "1" },
          });
          const out = await child.output();
          const stderr = new TextDecoder().decode(out.stderr);
          assert.equal(out.code, 0, `${label} sockets ${flags.join(" ")}: ${stderr}`);
          const got = ours(JSON.parse(new TextDecoder().decode(out.stdout)), own.locals, processes);
          assert.deepEqual(got, expected, `${label}: sockets ${flags.join(" ")} vs ss`);
          compared++;
        }
      }
      // The flags did tell the states apart: each of our sockets was seen, and hidden.
      const all = ours(await ssRows(["-tuxap"]), own.locals, true);
      assert.equal(all.length, 8, all.join("\n"));
      assert.ok(all.some((r) => r.includes(` python3/${own.pythonPid}/`)), all.join("\n"));
      assert.ok(all.some((r) => r.includes(` deno/${Deno.pid}/`)), all.join("\n"));
      console.error(
        `sockets vs ss: ${flagSets.length} flag sets, ${compared} runs, ${all.length} own sockets`,
      );
    } finally {
      await own.close();
    }
  },
);

testIf(
  noSs ?? noPython,
  "sockets -p: ss's process column in text; in-process /proc reading agrees with ss -p",
  async () => {
    const own = await openOwnSockets();
    try {
      const listenerLocal = [...own.locals].find((l) => l.startsWith("tcp "))!.split(" ")[1];
      const port = listenerLocal.split(":")[1];
      const text = await runToolkit(["sockets", "-tlpn", "--port", port]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^NETID\s+STATE\s+RECV-Q\s+SEND-Q\s+LOCAL\s+PEER\s+PROCESS\n/);
      assert.match(
        text.stdout,
        new RegExp(
          `\\ntcp +LISTEN +0 +\\d+ +127\\.0\\.0\\.1:${port} +\\*:\\* +users:\\(\\("deno",pid=${Deno.pid},fd=\\d+\\)\\)\\n`,
        ),
      );
      // This test runs with --allow-all, so readSockets reads /proc itself.
      const fromProc = await readSockets({ tcp: true, udp: true, unix: false }, {
        processes: true,
      });
      const procRows = ours(fromProc as Row[], own.locals, true).filter((r) =>
        !/ time-wait /.test(r)
      );
      const ssRowsP = ours(await ssRows(["-tuap"]), own.locals, true)
        .filter((r) => !/ time-wait /.test(r));
      assert.deepEqual(procRows, ssRowsP);
    } finally {
      await own.close();
    }
  },
);

testIf(
  noSs,
  "sockets -p outside the /proc read scope: a note says why, the list still comes",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "tksockp" });
    try {
      // /proc/net is readable (the tables), /proc as a whole is not (the processes).
      await Deno.writeTextFile(`${dir}/scope.json`, JSON.stringify({ read: ["/proc/net"] }));
      const r = await runToolkit(["--scope", `${dir}/scope.json`, "sockets", "-tlp"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stderr,
        "toolkit: note: no process column: read access to /proc is outside the scope\n",
      );
      assert.match(r.stdout, /^NETID\s+STATE\s+RECV-Q\s+SEND-Q\s+LOCAL\s+PEER\n/);
      // Under --json the note is a warning object, and the sockets have no `processes`.
      const j = await runToolkit(["--json", "--scope", `${dir}/scope.json`, "sockets", "-tlp"]);
      assert.equal(j.code, 0, j.stderr);
      assert.deepEqual(JSON.parse(j.stderr), {
        warning: { message: "no process column: read access to /proc is outside the scope" },
      });
      assert.ok(JSON.parse(j.stdout).every((s: object) => !("processes" in s)), j.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/**
 * Holds sockets inside a namespace: listeners, established pairs, TIME_WAIT, UDP; v4 and v6; and
 * an orphaned FIN_WAIT2 (its peer kept in CLOSE_WAIT), which the kernel turns into a time-wait
 * socket that ss -s counts as timewait.
 */
const nsSockets = `
import socket, time, sys
def pair(fam, host):
    l = socket.socket(fam); l.bind((host, 0)); l.listen(5)
    c = socket.create_connection(l.getsockname()[:2]); s, _ = l.accept()
    return l, c, s
keep = []
for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    keep += pair(fam, host)
    l, c, s = pair(fam, host)
    c.close(); time.sleep(0.05); s.close(); l.close()
    u = socket.socket(fam, socket.SOCK_DGRAM); u.bind((host, 0)); keep.append(u)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
u.connect(("127.0.0.1", 9)); keep.append(u)
l, c, s = pair(socket.AF_INET, "127.0.0.1")
c.close(); time.sleep(0.05); keep += [l, s]
print("ready", flush=True)
sys.stdin.read()
`;

/** `ss -s`'s numbers: the TCP line and the transport rows. */
function parseSsSummary(text: string) {
  const tcp = /^TCP:\s+\d+ \(estab (\d+), closed \d+, orphaned \d+, timewait (\d+)\)/m.exec(text)!;
  const row = (name: string) => {
    const m = new RegExp(`^${name}\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)`, "m").exec(text)!;
    return [Number(m[1]), Number(m[2]), Number(m[3])];
  };
  return {
    estab: Number(tcp[1]),
    timewait: Number(tcp[2]),
    udp: row("UDP"),
    tcp: row("TCP"),
    inet: row("INET"),
  };
}

testIf(
  isRoot() ? (noSs ?? noPython) : "needs root for a network namespace of the test's own",
  "sockets -s counts like ss -s, in a namespace where only the test's sockets live",
  async () => {
    const ns = `tkss-${Deno.pid % 100000}`;
    await runProgram("ip", ["netns", "add", ns]);
    let holder: Deno.ChildProcess | undefined;
    try {
      await runProgram("ip", ["-n", ns, "link", "set", "lo", "up"]);
      holder = new Deno.Command("ip", {
        args: ["netns", "exec", ns, "python3", "-c", nsSockets],
        stdin: "piped",
        stdout: "piped",
      }).spawn();
      const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
      assert.match((await reader.read()).value ?? "", /ready/);
      reader.releaseLock();
      const inside = (args: string[]) =>
        new Deno.Command("ip", {
          args: ["netns", "exec", ns, ...args],
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1" },
        }).output().then((o): RunResult => ({
          code: o.code,
          stdout: new TextDecoder().decode(o.stdout),
          stderr: new TextDecoder().decode(o.stderr),
          stdoutBytes: o.stdout,
        }));
      const ss = parseSsSummary((await inside(["ss", "-s"])).stdout);
      const text = await inside([...toolkitCmd, "sockets", "-s"]);
      assert.equal(text.code, 0, text.stderr);
      const ours = parseSsSummary(
        text.stdout.replace(
          /^TCP:\s+(\d+) \(estab (\d+), listen \d+, timewait (\d+), other \d+\)/m,
          (
            _,
            total,
            estab,
            tw,
          ) => `TCP:   ${total} (estab ${estab}, closed 0, orphaned 0, timewait ${tw})`,
        ),
      );
      assert.deepEqual(ours, ss);
      // Three listeners, two established pairs, a CLOSE_WAIT; not the time-wait sockets.
      assert.deepEqual(ss.tcp, [8, 5, 3]);
      assert.deepEqual(ss.udp, [3, 2, 1]);
      assert.equal(ss.timewait, 3); // two TIME_WAIT and the orphaned FIN_WAIT2
      assert.equal(ss.estab, 5); // the kernel's CurrEstab: ESTABLISHED and CLOSE_WAIT
      const json = await inside([...toolkitCmd, "--json", "sockets", "-s"]);
      const doc = JSON.parse(json.stdout);
      assert.deepEqual(
        [
          doc.tcp.total,
          doc.tcp.states.ESTABLISHED,
          doc.tcp.states.TIME_WAIT,
          doc.tcp.states.LISTEN,
          doc.tcp.states.FIN_WAIT2,
          doc.tcp.states.CLOSE_WAIT,
          doc.tcp.timeWaitCount,
        ],
        [11, 4, 2, 3, 1, 1, 3],
      );
      assert.deepEqual([doc.udp.total, doc.udp.ipv4Count, doc.udp.ipv6Count], [3, 2, 1]);
      // The list says who owns each socket (root here) and its inode; a time-wait socket has
      // neither (null, not 0).
      const list = JSON.parse((await inside([...toolkitCmd, "--json", "sockets", "-tua"])).stdout);
      assert.equal(list.length, 14, JSON.stringify(list));
      for (const e of list) {
        const waiting = e.state === "TIME_WAIT" || e.state === "FIN_WAIT2";
        assert.deepEqual(
          [e.uid, e.inode === null],
          waiting ? [null, true] : [0, false],
          JSON.stringify(e),
        );
        assert.ok(e.inode === null || e.inode > 0, JSON.stringify(e));
      }
      console.error(`sockets -s vs ss -s in ${ns}: ${JSON.stringify(ss)}`);
    } finally {
      if (holder) {
        await holder.stdin.close().catch(() => {});
        await holder.stdout.cancel().catch(() => {});
        await holder.status;
      }
      await runProgram("ip", ["netns", "del", ns]).catch(() => {});
    }
  },
);
