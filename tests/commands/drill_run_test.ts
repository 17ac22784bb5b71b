// `toolkit drill run` as users run it: every built-in drill passes and the JUnit file parses; a
// wrong expectation fails with both byte strings shown; a drill reaching outside its scope is
// refused by the sandbox before a packet leaves (our own listener on that port sees nothing); a
// hanging drill is stopped and its sockets closed; and its parse in process. drill list, show,
// schema, check and submit have files of their own.
import assert from "#assert";
import { parseDrill } from "../../lib/drill/load.ts";
import { runDrill } from "../../lib/drill/runner.ts";
import { ownModules } from "../../lib/cli/sandbox.ts";
import { assertWellFormedXml } from "../_support/drill_xml.ts";
import { root, runToolkit, startToolkit } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import drillRun from "../../lib/commands/drill_run.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const fixtures = `${root}/tests/fixtures/drill`;

async function tempDrill(text: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "drill-test-" });
  const file = `${dir}/drill.yaml`;
  await Deno.writeTextFile(file, text);
  return file;
}

/** Resolves true if `listener` accepts a connection within `ms`; the connection is closed. */
async function acceptsWithin(listener: Deno.Listener, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const accepted = listener.accept().then((c) => (c.close(), true), () => false);
  const result = await Promise.race([
    accepted,
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]);
  clearTimeout(timer);
  return result;
}

Deno.test("every built-in drill passes; the JUnit report written with --out is valid", async () => {
  const dir = await Deno.makeTempDir({ prefix: "drill-junit-" });
  try {
    const out = `${dir}/drills.xml`;
    const r = await runToolkit(["drill", "run", "--all", "--report", "junit", "--out", out], {
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const list = await runToolkit(["drill", "list", "--json"]);
    const names: string[] = JSON.parse(list.stdout).drills.map((d: { name: string }) => d.name);
    for (const name of names) assert.match(r.stdout, new RegExp(`^PASS ${name}$`, "m"));
    const xml = await Deno.readTextFile(out);
    await assertWellFormedXml(xml);
    assert.match(xml, /<testsuites name="toolkit drill" tests="\d+" failures="0" errors="0"/);
    for (const name of names) assert.match(xml, new RegExp(`<testsuite name="${name}" `));
    // Written through a temporary file and a rename: nothing else is left in the directory.
    const left = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(left, ["drills.xml"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the course drills name the messages and states they check", async () => {
  const r = await runToolkit(["drill", "run", "tcp-hello", "four-way-close", "mro-inconsistent"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok +\d+ send client "我是客户端"/);
  assert.match(r.stdout, /ok +\d+ expect client "我是服务端"/);
  assert.match(r.stdout, /ok +\d+ sockets client in FIN_WAIT2/);
  assert.match(r.stdout, /ok +\d+ sockets peer in CLOSE_WAIT/);
  assert.match(r.stdout, /ok +\d+ 4: the client acknowledges and waits 2MSL in TIME_WAIT/);
  assert.match(r.stdout, /3 drills: 3 passed, 0 failed/);
});

Deno.test("a wrong expectation fails with exit 1 and a diff of expected and received bytes", async () => {
  const r = await runToolkit(["drill", "run", `${fixtures}/wrong_expect.yaml`]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /FAIL +4 expect c "我是服务端"/);
  assert.match(r.stdout, /received bytes differ from the expected ones/);
  assert.match(
    r.stdout,
    /expected: "我是服务端"\n +e6 88 91 e6 98 af e6 9c 8d e5 8a a1 e7 ab af\n/,
  );
  assert.match(
    r.stdout,
    /received: "我是客户端"\n +e6 88 91 e6 98 af e5 ae a2 e6 88 b7 e7 ab af\n/,
  );
  assert.match(r.stdout, /first difference at byte 6/);
  assert.match(r.stdout, /skip +5 close c/);
  const json = await runToolkit(["drill", "run", "--json", `${fixtures}/wrong_expect.yaml`]);
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout);
  assert.equal(report.failed, 1);
  const step = report.drills[0].steps[3];
  assert.equal(step.status, "fail");
  assert.equal(step.diff.offset, 6);
  assert.equal(step.diff.received, JSON.stringify("我是客户端"));
});

Deno.test("a pattern that does not match fails with /pattern/ against the bytes received", async () => {
  // One drill per place a pattern is matched: a stream, a datagram, a command's stdout, and its
  // stdout and stderr together. Each fails with the same diff: the pattern, what came, no offset.
  const drills = {
    expect: `name: expect-regex
scope: { net: ["127.0.0.1:{{port.echo}}"] }
steps:
  - listen: { as: echo, address: "127.0.0.1:{{port.echo}}", reply: echo }
  - connect: { as: c, to: "127.0.0.1:{{port.echo}}" }
  - send: { conn: c, text: "hello there" }
  - close-write: c
  - expect: { conn: c, regex: "^bye" }
`,
    "udp-expect": `name: udp-expect-regex
scope: { net: ["127.0.0.1:{{port.u}}", "127.0.0.1:{{port.c}}"] }
steps:
  - listen: { as: u, proto: udp, address: "127.0.0.1:{{port.u}}", reply: echo }
  - udp-send: { socket: c, bind: "127.0.0.1:{{port.c}}", to: "127.0.0.1:{{port.u}}", text: "hello there" }
  - udp-expect: { socket: c, regex: "^bye" }
`,
    "stdout-match": `name: stdout-regex
steps:
  - run: { command: "subnet same 10.0.0.1 10.0.0.2 /8", stdout-match: "^bye" }
`,
    "output-match": `name: output-regex
steps:
  - run: { command: "subnet same 10.0.0.1 10.0.0.2 /8", output-match: "^bye" }
`,
  };
  const files = await Promise.all(Object.values(drills).map(tempDrill));
  try {
    const r = await runToolkit(["drill", "run", "--json", ...files]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.failed, 4);
    const failed = report.drills.map((d: { steps: { status: string }[] }) =>
      d.steps.find((s) => s.status === "fail")
    );
    const hello = "hello there";
    const same = "same network: 10.0.0.1 and 10.0.0.2 are both in 10.0.0.0/8\n";
    const received = [hello, hello, same, same];
    const messages = [
      /^the stream ended before \/\^bye\/ matched$/,
      /^the datagram from 127\.0\.0\.1:\d+ does not match \/\^bye\/$/,
      /^stdout does not match \/\^bye\/$/,
      /^output does not match \/\^bye\/$/,
    ];
    failed.forEach((s: { message: string }, i: number) => assert.match(s.message, messages[i]));
    failed.forEach((s: { diff: unknown }, i: number) => {
      const bytes = new TextEncoder().encode(received[i]);
      assert.deepEqual(s.diff, {
        expected: "/^bye/",
        expectedHex: "",
        received: JSON.stringify(received[i]),
        receivedHex: [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" "),
        offset: -1,
      });
    });
  } finally {
    for (const f of files) await Deno.remove(f.replace(/\/[^/]*$/, ""), { recursive: true });
  }
});

Deno.test("a drill reaching a port outside its scope is refused; our listener there gets nothing", async () => {
  const outside = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const outsidePort = (outside.addr as Deno.NetAddr).port;
  const udpOutside = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const udpPort = (udpOutside.addr as Deno.NetAddr).port;
  const tcpFile = await tempDrill(`name: escape-tcp
scope:
  net: ["127.0.0.1:{{port.inside}}"]
steps:
  - listen: { as: inside, address: "127.0.0.1:{{port.inside}}", reply: echo }
  - connect: { as: c, to: "127.0.0.1:${outsidePort}" }
  - send: { conn: c, text: "should never arrive" }
`);
  const udpFile = await tempDrill(`name: escape-udp
steps:
  - udp-send: { socket: u, to: "127.0.0.1:${udpPort}", text: "should never arrive" }
`);
  try {
    const r = await runToolkit(["drill", "run", "--report", "tap", tcpFile, udpFile]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `not ok 2 - connect c to 127\\.0\\.0\\.1:${outsidePort}\n +---\n +message: ` +
          `"denied by the sandbox: net access to 127\\.0\\.0\\.1:${outsidePort} is outside the drill's scope"\n +denied: "net 127\\.0\\.0\\.1:${outsidePort}"`,
      ),
    );
    assert.match(r.stdout, new RegExp(`not ok 1 - udp-send u to 127\\.0\\.0\\.1:${udpPort}`));
    assert.match(r.stdout, new RegExp(`denied: "net 127\\.0\\.0\\.1:${udpPort}"`));
    assert.match(r.stdout, /^not ok 1 - escape-tcp$/m);
    assert.match(r.stdout, /^not ok 2 - escape-udp$/m);
    assert.equal(
      await acceptsWithin(outside, 300),
      false,
      "the TCP listener accepted a connection",
    );
    let received = false;
    udpOutside.receive().then(() => (received = true), () => {});
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(received, false, "the UDP socket received a datagram");
  } finally {
    outside.close();
    udpOutside.close();
    await Deno.remove(tcpFile.replace(/\/drill\.yaml$/, ""), { recursive: true });
    await Deno.remove(udpFile.replace(/\/drill\.yaml$/, ""), { recursive: true });
  }
});

Deno.test("the scope-escape drill proves its own confinement, step by step", async () => {
  const r = await runToolkit(["drill", "run", "scope-escape"]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(
    r.stdout,
    /expect-denied read \/etc\/passwd[^\n]*\n +refused: read access to \/etc\/passwd/,
  );
  assert.match(r.stdout, /expect-denied env HOME[^\n]*\n +refused: env access to HOME/);
  assert.match(r.stdout, /ok +\d+ run toolkit udp-send 127\.0\.0\.1:\{\{port\.outside\}\} escape/);
});

Deno.test("usage and input errors: one error line, exit 2; --submit's options too", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["drill", "run"],
      /^toolkit: error: missing drill: give NAME\|FILE\.\.\. or --all\nTry 'toolkit drill run --help'\n$/,
    ],
    [
      ["drill", "run", "--report", "xml", "tcp-echo"],
      /--report must be one of text, json, tap, junit/,
    ],
    [["drill", "run", "no-such-drill"], /^toolkit: error: unknown drill "no-such-drill"/],
    [["drill", "run", "same-subnet", "--token", "class-token-x"], /--token goes with --submit/],
    [["drill", "run", "same-subnet", "--submit", "ftp://127.0.0.1/"], /must start with http/],
    [["drill", "run", "same-subnet", "--submit", "http://127.0.0.1:9"], /missing --token/],
    [
      [
        "drill",
        "run",
        "same-subnet",
        "--submit",
        "http://127.0.0.1:9",
        "--token",
        "class-token-x",
        "--as",
        "pc 1",
      ],
      /--as: "pc 1" is not a machine name/,
    ],
  ];
  // In a directory of its own: a run that got past its options would spool its report there.
  const dir = await Deno.makeTempDir();
  try {
    for (const [args, pattern] of cases) {
      const r = await runToolkit(args, { cwd: dir });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("toolkit: error:")).length, 1);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run narrowed with --net cannot widen a drill's sandbox: exit 4", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const file = await tempDrill(`name: reach-our-listener
scope:
  net: ["127.0.0.1:${port}"]
steps:
  - connect: { as: c, to: "127.0.0.1:${port}" }
  - send: { conn: c, text: "should never arrive" }
`);
  try {
    const r = await runToolkit(["--net", "127.0.0.1:1", "drill", "run", "--allow-local", file]);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.equal(
      r.stderr,
      `toolkit: error: outside the permission scope: net access to 127.0.0.1:${port} ` +
        `(needed by drill reach-our-listener) is not allowed (scope net: 127.0.0.1:1, ` +
        `127.0.0.1:0 (implicit: local bind for clients of 127.0.0.1:1))\n`,
    );
    assert.equal(await acceptsWithin(listener, 300), false, "our listener accepted a connection");
    const wide = await runToolkit(["--net", "127.0.0.1:1", "drill", "run", "tcp-echo"]);
    assert.equal(wide.code, 4, wide.stdout + wide.stderr);
  } finally {
    listener.close();
    await Deno.remove(file.replace(/\/drill\.yaml$/, ""), { recursive: true });
  }
});

Deno.test("drill run --help names the report formats", async () => {
  const help = await runToolkit(["drill", "run", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--report FORMAT/);
});

Deno.test("scripted replies, hex, byte counts, unix sockets and an in-sandbox run step", async () => {
  const r = await runToolkit([
    "drill",
    "run",
    `${fixtures}/replies.yaml`,
    `${fixtures}/unix_echo.yaml`,
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /2 drills: 2 passed, 0 failed/);
  const piped = await runToolkit(["drill", "run", "--report", "tap", "-"], {
    stdin: await Deno.readTextFile(`${fixtures}/replies.yaml`),
  });
  assert.equal(piped.code, 0, piped.stdout + piped.stderr);
  assert.match(piped.stdout, /^ok 1 - replies$/m);
});

Deno.test("a hanging drill is stopped at its time limit and its sockets are closed", async () => {
  const text = await Deno.readTextFile(`${fixtures}/hang.json`);
  const result = await runDrill(parseDrill(text, "hang.json"), { source: "hang.json" });
  assert.equal(result.status, "fail");
  assert.match(result.error ?? "", /timed out after 0\.7s/);
  assert.equal(result.steps[2].status, "fail");
  assert.equal(result.steps[3].status, "skip");
  const port = Number(/:(\d+)$/.exec(result.steps[0].message ?? "")![1]);
  // The Worker was terminated, so its listener is gone and the port can be bound again.
  const again = Deno.listen({ hostname: "127.0.0.1", port });
  again.close();
  const step = await runDrill(
    parseDrill(
      `name: slow-expect
steps:
  - listen: { as: s, address: "127.0.0.1:{{port.s}}" }
  - connect: { as: c, to: "127.0.0.1:{{port.s}}" }
  - expect: { conn: c, text: never, timeout: 200ms }
`,
      "slow.yaml",
    ),
    { source: "slow.yaml" },
  );
  assert.equal(step.status, "fail");
  assert.match(step.steps[2].message ?? "", /timed out after 0\.2s with 0 of 5 expected bytes/);
});

Deno.test("Ctrl-C stops a running drill: the runner returns interrupted and frees its sockets", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const text = `name: long
timeout: 30s
scope:
  net: ["127.0.0.1:${port}"]
steps:
  - listen: { as: s, address: "127.0.0.1:${port}" }
  - sleep: 20s
`;
  const controller = new AbortController();
  // A literal port the test chose (not {{port.X}}): not the drill's own, so --allow-local.
  const running = runDrill(parseDrill(text, "long.yaml"), {
    source: "long.yaml",
    signal: controller.signal,
    allowLocal: true,
  });
  // Interrupt once the drill's listener is up (it accepts our probe connection).
  for (let i = 0; i < 200; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port }).catch(() => undefined);
    if (conn) {
      conn.close();
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  controller.abort();
  const result = await running;
  assert.equal(result.error, "interrupted");
  assert.equal(result.steps[0].status, "pass");
  assert.equal(result.steps[1].message, "interrupted");
  Deno.listen({ hostname: "127.0.0.1", port }).close();
});

Deno.test("SIGINT during drill run: exit 130 with the partial report", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const file = await tempDrill(`name: wait-for-ctrl-c
scope:
  net: ["127.0.0.1:${port}"]
steps:
  - listen: { as: s, address: "127.0.0.1:${port}" }
  - sleep: 20s
`);
  try {
    const run = startToolkit(["drill", "run", "--allow-local", file]);
    // Interrupt once the drill's listener is up (it accepts our probe connection).
    for (let i = 0; i < 300; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port }).catch(() => undefined);
      if (conn) {
        conn.close();
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    run.child.kill("SIGINT");
    const r = await run.finish(10_000);
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL +2 sleep 20s +\d+ ms\n +interrupted\n/);
    assert.match(r.stdout, /FAIL wait-for-ctrl-c: 1\/2 steps passed/);
  } finally {
    await Deno.remove(file.replace(/\/drill\.yaml$/, ""), { recursive: true });
  }
});

Deno.test("a UDP server whose reply leaves the scope: the failing step says the reply was refused", async () => {
  const result = await runDrill(
    parseDrill(
      `name: udp-reply-outside
steps:
  - listen: { as: echo, proto: udp, address: "127.0.0.1:{{port.echo}}", reply: echo }
  - udp-send: { socket: c, to: "127.0.0.1:{{port.echo}}", text: ping }
  - udp-expect: { socket: c, text: ping, timeout: 300ms }
`,
      "udp.yaml",
    ),
    { source: "udp.yaml" },
  );
  assert.equal(result.status, "fail");
  assert.match(
    result.steps[2].message ?? "",
    /^timed out after 0\.3s: no datagram; meanwhile "echo" could not reply: denied by the sandbox: net access to 127\.0\.0\.1:\d+$/,
  );
});

Deno.test("a drill whose scope reaches beyond loopback fails unrun unless --allow-remote", async () => {
  const file = await tempDrill(`name: remote-scope
scope:
  net: ["198.18.0.1:9", "127.0.0.1:{{port.a}}"]
steps:
  - sleep: 10ms
`);
  try {
    const r = await runToolkit(["drill", "run", file]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /skip +1 sleep 10ms/);
    assert.match(r.stdout, /error: the drill's scope reaches beyond loopback \(198\.18\.0\.1:9\)/);
    const allowed = await runToolkit(["drill", "run", "--allow-remote", file]);
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    // Every grant is in the header, the implicit local binds marked; no wildcard among them.
    assert.match(
      allowed.stdout,
      /scope: net 198\.18\.0\.1:9, 127\.0\.0\.1:\d+, .*127\.0\.0\.1:0 \(implicit\)/,
    );
    assert.doesNotMatch(allowed.stdout, /0\.0\.0\.0|\[::\]/);
  } finally {
    await Deno.remove(file.replace(/\/drill\.yaml$/, ""), { recursive: true });
  }
});

/** How the CLI hands the drill engine its command runner, for drills run in process here. */
const commands = {
  host: new URL("../../lib/cli/drill_host.ts", import.meta.url),
  modules: ownModules(),
};

Deno.test("system information is in a drill's scope only when it lists the kind (sys)", async () => {
  const withSys = await runDrill(
    parseDrill(
      `name: with-sys
scope:
  sys: [networkInterfaces]
steps:
  - run: { command: "ifaces --json", stdout-match: '"lo"' }
`,
      "sys.yaml",
    ),
    { source: "sys.yaml", commands },
  );
  assert.equal(withSys.status, "pass", JSON.stringify(withSys.steps));
  assert.deepEqual(withSys.scope.sys, ["networkInterfaces"]);
  const without = await runDrill(
    parseDrill(
      `name: without-sys
steps:
  - run: { command: "ifaces", exit: 4, stderr-match: "sys access to networkInterfaces" }
`,
      "nosys.yaml",
    ),
    { source: "nosys.yaml", commands },
  );
  assert.equal(without.status, "pass", JSON.stringify(without.steps));
});

Deno.test("drill run parse: text report by default, --report and --out; no drill or an unknown format refused", () => {
  assert.deepEqual(drillRun.parse(["udp-echo"], noGlobals), {
    drills: ["udp-echo"],
    report: "text",
    out: undefined,
    quiet: false,
    allowRemote: false,
    allowLocal: false,
    submit: undefined,
    as: undefined,
    spool: "drill-spool",
  });
  const o = drillRun.parse(
    ["--report", "junit", "--out", "r.xml", "udp-echo", "tcp-hello"],
    noGlobals,
  );
  assert.deepEqual([o.drills, o.report, o.out], [["udp-echo", "tcp-hello"], "junit", "r.xml"]);
  assert.throws(() => drillRun.parse([], noGlobals), UsageError, "missing drill");
  assert.throws(
    () => drillRun.parse(["--report", "pdf", "udp-echo"], noGlobals),
    UsageError,
    "--report must be one of text, json, tap, junit",
  );
});
