// Drill files as teachers write them: YAML and JSON read into the same drill, every problem named
// with its line and column, variables bound from real free ports, the kernel's TCP table parsed,
// and the reports (JUnit escaping included) well-formed.
import assert from "#assert";
import { builtinDrills } from "../../lib/drill/builtin.ts";
import { splitCommand } from "../../lib/drill/command_line.ts";
import { DrillFileError, type DrillIssue, parseDrill } from "../../lib/drill/load.ts";
import {
  formatJunitReport,
  formatTapReport,
  formatTextReport,
  xmlEscape,
} from "../../lib/drill/report.ts";
import { byteDiff, type DrillResult } from "../../lib/drill/result.ts";
import { beyondLoopback, drillScope, scopeNetEntry } from "../../lib/drill/permissions.ts";
import { workerPermissions } from "../../lib/scope/mod.ts";
import { drillSchema, stepKinds } from "../../lib/drill/schema.ts";
import { canonicalHost, readTcpSockets } from "../../lib/drill/tcp_states.ts";
import { allocatePorts, bindVariables, collectVariables } from "../../lib/drill/variables.ts";
import { assertWellFormedXml } from "../_support/drill_xml.ts";
import { python, root, testIf } from "../_support/harness.ts";

const fixtures = new URL("../fixtures/drill/", import.meta.url);
const fixture = (name: string) => Deno.readTextFileSync(new URL(name, fixtures));

function issuesOf(text: string, file = "x.yaml"): DrillIssue[] {
  try {
    parseDrill(text, file);
  } catch (err) {
    if (!(err instanceof DrillFileError)) throw err;
    assert.ok(err instanceof SyntaxError, "a malformed drill is a SyntaxError (exit 2)");
    return err.issues;
  }
  throw new Error("expected a DrillFileError");
}

Deno.test("every built-in drill parses and uses only known step kinds", () => {
  assert.ok(builtinDrills.length >= 9);
  for (const b of builtinDrills) {
    const drill = parseDrill(b.source, b.name);
    assert.equal(drill.name, b.name);
    assert.ok(drill.steps.length > 0);
    for (const step of drill.steps) {
      assert.ok(stepKinds.some((k) => k in step), JSON.stringify(step));
    }
  }
});

Deno.test("YAML and JSON spellings of one drill read the same", () => {
  const yaml = `name: same
steps:
  - listen: { as: s, proto: udp, address: "127.0.0.1:{{port.s}}", reply: echo }
  - udp-send: { socket: c, to: "127.0.0.1:{{port.s}}", text: 我是客户端 }
  - udp-expect: { socket: c, text: 我是客户端, timeout: 500ms }
`;
  const json = JSON.stringify(
    {
      name: "same",
      steps: [
        { listen: { as: "s", proto: "udp", address: "127.0.0.1:{{port.s}}", reply: "echo" } },
        { "udp-send": { socket: "c", to: "127.0.0.1:{{port.s}}", text: "我是客户端" } },
        { "udp-expect": { socket: "c", text: "我是客户端", timeout: "500ms" } },
      ],
    },
    null,
    2,
  );
  assert.deepEqual(parseDrill(yaml, "a.yaml"), parseDrill(json, "a.json"));
});

Deno.test("a malformed YAML drill lists every problem with its line and column", () => {
  const issues = issuesOf(fixture("malformed.yaml"), "malformed.yaml");
  const at = (line: number) => issues.filter((i) => i.line === line).map((i) => i.message);
  assert.match(at(1)[0], /name: "Bad Name" is not valid/);
  assert.match(at(3)[0], /timeout: "soon"/);
  assert.match(at(7)[0], /"nobody" is not defined by an earlier step/);
  assert.match(at(8)[0], /takes only one of text, hex/);
  assert.match(at(9)[0], /unknown step "explode"/);
  assert.match(at(10)[0], /bad regular expression/);
  assert.ok(at(11).some((m) => /unknown key "txt"/.test(m)), at(11).join("|"));
  assert.match(at(12)[0], /"\{\{colour\}\}"/);
  for (const line of [2, 4, 5, 6]) assert.deepEqual(at(line), [], `line ${line} is fine`);
  // Sorted by position; columns point into the line.
  const lines = issues.map((i) => i.line);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  const explode = issues.find((i) => i.line === 9)!;
  assert.equal(explode.col, 14, "the column of the unknown step's value");
});

Deno.test("YAML syntax errors and JSON drills get line numbers too", () => {
  const syntax = issuesOf(fixture("syntax.yaml"));
  assert.equal(syntax.length, 1);
  assert.ok(syntax[0].line >= 3 && syntax[0].line <= 4, `line ${syntax[0].line}`);
  const json = issuesOf(fixture("malformed.json"), "malformed.json");
  assert.deepEqual(json.map((i) => i.line), [5, 6]);
  assert.match(json[0].message, /needs one of to, path/);
  assert.match(json[1].message, /a step has one action, this one has close and send/);
  const indent = issuesOf("name: i\nsteps:\n  - connect:\n    as: c\n    to: 127.0.0.1:9\n");
  assert.deepEqual(indent.map((i) => [i.line, i.message]), [
    [3, `steps[0].connect: "connect" is empty: indent as, to two more spaces, under connect`],
  ]);
  const dup = issuesOf("name: d\nname: e\nsteps:\n  - sleep: 1\n");
  assert.equal(dup[0].line, 2);
  assert.match(dup[0].message, /unique/i);
});

Deno.test("meaning checks: names, kinds of names, addresses, hex, variables, scope entries", () => {
  const cases: [string, RegExp, number][] = [
    ["  - close-write: srv\n", /"srv" is a listener, not a connection/, 5],
    ["  - udp-expect: { socket: srv, bytes: 1 }\n", /"srv" is a listener, not a udp socket/, 5],
    ["  - connect: { as: c, to: 127.0.0.1 }\n", /expected HOST:PORT/, 5],
    ["  - connect: { as: c, to: '127.0.0.1:70000' }\n", /out of range/, 5],
    ["  - send: { conn: srv, hex: 'zz' }\n", /not a hex digit|not valid here/, 5],
    ["  - sleep: '{{port}}'\n", /unknown variable \{\{port\}\}|not valid here/, 5],
    ["  - sockets: { state: TIME_WAIT }\n", /needs "conn", "local" or "remote"/, 5],
    ["  - sockets: { state: TIMEWAIT, conn: x }\n", /must be one of ESTABLISHED/, 5],
    ["  - listen: { as: srv, address: '127.0.0.1:{{port.b}}' }\n", /"srv" is already defined/, 5],
    ["  - run: { command: '' }\n", /the command is empty/, 5],
  ];
  for (const [step, pattern, line] of cases) {
    const text =
      `name: m\nscope:\n  net: ["127.0.0.1:{{port.a}}"]\nsteps:\n  - listen: { as: srv, address: "127.0.0.1:{{port.a}}" }\n${step}`;
    const issues = issuesOf(text);
    assert.ok(
      issues.some((i) => pattern.test(i.message) && i.line >= line),
      `${step.trim()}: ${JSON.stringify(issues)}`,
    );
  }
  const scope = issuesOf("name: s\nscope:\n  net: ['10.0.0.0/99']\nsteps:\n  - sleep: 1\n");
  assert.equal(scope[0].line, 3);
});

Deno.test("splitCommand splits like a shell for words and quotes", () => {
  assert.deepEqual(splitCommand(`subnet same 172.16.10.1 "172.16.10.2" '/24'`), [
    "subnet",
    "same",
    "172.16.10.1",
    "172.16.10.2",
    "/24",
  ]);
  assert.deepEqual(splitCommand(`udp-send 127.0.0.1:9 "a b" c\\ d ''`), [
    "udp-send",
    "127.0.0.1:9",
    "a b",
    "c d",
    "",
  ]);
  assert.throws(() => splitCommand(`mro "x`), SyntaxError);
});

Deno.test("port variables are bound to distinct ports that are free for TCP and UDP", () => {
  const drill = parseDrill(fixture("replies.yaml"), "replies.yaml");
  const vars = collectVariables(drill);
  assert.deepEqual(vars.ports.sort(), ["cli", "srv", "u"]);
  assert.equal(vars.tmp, false);
  const ports = allocatePorts(3);
  assert.equal(new Set(ports).size, 3);
  for (const port of ports) {
    const l = Deno.listen({ hostname: "127.0.0.1", port });
    const u = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
    l.close();
    u.close();
  }
  const bound = bindVariables(drill, {
    ports: { srv: ports[0], u: ports[1], cli: ports[2] },
  });
  assert.equal(
    (bound.steps[1] as { connect: { to: string } }).connect.to,
    `127.0.0.1:${ports[0]}`,
  );
  assert.deepEqual(collectVariables(bound).ports, []);
});

Deno.test("a drill's Worker permissions are exactly its scope plus marked implicit grants", async () => {
  const scope = await drillScope({ net: ["9000", "[::1]:53", "unix:/tmp/x.sock"] }, []);
  const net = scope.kinds.net!;
  assert.deepEqual(net.filter((g) => !g.implicit).map((g) => g.entry), [
    "127.0.0.1:9000",
    "[::1]:53",
    "unix:/tmp/x.sock",
  ]);
  // The local binds its clients need, and no wildcard.
  assert.deepEqual(net.filter((g) => g.implicit).map((g) => g.entry), ["127.0.0.1:0", "[::1]:0"]);
  const p = workerPermissions(scope, { inherit: false });
  // The Unix socket's path, which Deno checks as read and write too; nothing else.
  assert.deepEqual([p.read, p.write, p.run, p.env, p.sys, p.ffi], [
    ["/tmp/x.sock"],
    ["/tmp/x.sock"],
    false,
    false,
    false,
    false,
  ]);
  const modules = [`${root}/lib`, `${root}/deno.json`];
  const withRun = await drillScope({ read: ["/tmp"] }, [], { commandModules: modules });
  assert.deepEqual(withRun.kinds.read, [
    { entry: "/tmp" },
    { entry: `${root}/lib`, implicit: "toolkit's own modules, to load the command" },
    { entry: `${root}/deno.json`, implicit: "toolkit's own modules, to load the command" },
  ]);
  const byDefault = await drillScope(undefined, [41000, 41001]);
  assert.deepEqual(byDefault.kinds.net?.map((g) => g.entry), [
    "127.0.0.1:41000",
    "127.0.0.1:41001",
    "127.0.0.1:0",
  ]);
  assert.equal(scopeNetEntry("::1"), "[::1]");
  assert.throws(() => scopeNetEntry("0x7f.1:80"), SyntaxError);
});

Deno.test("the TCP table shows our own listener and connection in their states", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  const server = await listener.accept();
  try {
    const table = await readTcpSockets();
    const local = (client.localAddr as Deno.NetAddr).port;
    assert.ok(table.some((s) => s.state === "LISTEN" && s.localPort === port));
    assert.ok(
      table.some((s) =>
        s.state === "ESTABLISHED" && s.localHost === "127.0.0.1" && s.localPort === local &&
        s.remoteHost === "127.0.0.1" && s.remotePort === port
      ),
    );
  } finally {
    client.close();
    server.close();
    listener.close();
  }
  assert.equal(canonicalHost("[0:0:0:0:0:0:0:1]"), "::1");
  assert.equal(canonicalHost("[::ffff:7f00:1]"), "127.0.0.1");
  assert.equal(canonicalHost("127.0.0.53%lo"), "127.0.0.53");
});

function sampleResults(): DrillResult[] {
  const want = new TextEncoder().encode("我是服务端");
  const got = new TextEncoder().encode("我是客户端\u0001<&>");
  return [
    {
      name: "good",
      source: "built-in",
      status: "pass",
      durationMs: 12,
      scope: { net: [], read: [], write: [], run: [], env: [], sys: [] },
      steps: [{ index: 1, kind: "sleep", title: "sleep 1ms", status: "pass", durationMs: 1 }],
    },
    {
      name: "bad",
      source: "a&b.yaml",
      status: "fail",
      durationMs: 30,
      scope: { net: ["127.0.0.1:9000"], read: [], write: [], run: ["ss"], env: [], sys: [] },
      steps: [
        {
          index: 1,
          kind: "expect",
          title: `expect c "我是服务端" # <tag>`,
          status: "fail",
          durationMs: 3,
          message: `received bytes differ from the expected ones "quoted" & <angle>`,
          diff: byteDiff(want, got),
        },
        {
          index: 2,
          kind: "connect",
          title: "connect c to 127.0.0.1:9",
          status: "fail",
          durationMs: 1,
          message: "denied by the sandbox: net access to 127.0.0.1:9",
          denied: { kind: "net", resource: "127.0.0.1:9" },
        },
        { index: 3, kind: "close", title: "close c", status: "skip", durationMs: 0 },
      ],
      error: "the drill timed out after 1s",
    },
  ];
}

Deno.test("byteDiff names the first differing byte and shows both as text and hex", () => {
  const d = byteDiff(
    new TextEncoder().encode("我是服务端"),
    new TextEncoder().encode("我是客户端"),
  );
  assert.equal(d.offset, 6);
  assert.equal(d.expected, JSON.stringify("我是服务端"));
  assert.match(d.receivedHex, /^e6 88 91 e6 98 af e5 ae a2/);
  assert.equal(byteDiff(new Uint8Array([1]), new Uint8Array([1])).offset, -1);
  assert.equal(byteDiff(new Uint8Array([1]), new Uint8Array([1, 2])).offset, 1);
  assert.match(byteDiff(new Uint8Array(0), new Uint8Array([0xff])).received, /not UTF-8.*ff/);
});

Deno.test("reports: text shows the diff, TAP is version 14, JUnit escapes everything", async () => {
  const results = sampleResults();
  const text = formatTextReport(results);
  assert.match(text, /^drill good \(built-in\)\n {2}scope: nothing\n/);
  assert.match(text, /^ {2}scope: net 127\.0\.0\.1:9000; run ss$/m);
  assert.match(text, /FAIL {3}1 expect c/);
  assert.match(text, /expected: "我是服务端"/);
  assert.match(text, /first difference at byte 6/);
  assert.match(text, /2 drills: 1 passed, 1 failed\n$/);
  const tap = formatTapReport(results);
  assert.match(tap, /^TAP version 14\n1\.\.2\n/);
  assert.match(tap, /^ {4}not ok 1 - expect c "我是服务端" \\# <tag>$/m);
  assert.match(tap, /^ {4}ok 3 - close c # SKIP/m);
  assert.match(tap, /^not ok 2 - bad$/m);
  const xml = formatJunitReport(results);
  assert.ok(!xml.includes("\u0001"), "control characters are not allowed in XML 1.0");
  assert.match(
    xml,
    /<testsuites name="toolkit drill" tests="5" failures="2" errors="1" skipped="1"/,
  );
  assert.match(
    xml,
    /message="received bytes differ from the expected ones &quot;quoted&quot; &amp; &lt;angle&gt;"/,
  );
  assert.match(xml, /value="a&amp;b.yaml"/);
  await assertWellFormedXml(xml);
  assert.equal(xmlEscape("\ud800x"), "\ufffdx", "a lone surrogate is replaced");
});

function pythonWithJsonschema(): { cmd: string; env: Record<string, string> } | undefined {
  for (const v of ["3.13", "3.12", "3.11", "3.10"]) {
    const py = python(v);
    if (!py) continue;
    const ok = new Deno.Command(py.cmd, {
      args: ["-c", "import jsonschema"],
      env: py.env,
      stdout: "null",
      stderr: "null",
    }).outputSync();
    if (ok.success) return py;
  }
  return undefined;
}

const schemaOracle = pythonWithJsonschema();

testIf(
  schemaOracle ? undefined : "no CPython with the jsonschema package installed",
  "the published schema accepts every built-in drill and rejects a two-action step (jsonschema)",
  async () => {
    const docs = [
      ...builtinDrills.map((b) => parseDrill(b.source, b.name)),
      parseDrill(fixture("replies.yaml"), "replies.yaml"),
      parseDrill(fixture("unix_echo.yaml"), "unix_echo.yaml"),
      JSON.parse(fixture("malformed.json")),
      { name: "Upper", steps: [{ sleep: "1s" }] },
      { name: "extra", steps: [{ sleep: "1s" }], owner: "me" },
    ];
    const child = new Deno.Command(schemaOracle!.cmd, {
      env: schemaOracle!.env,
      args: [
        "-c",
        "import json, sys, jsonschema\n" +
        "d = json.load(sys.stdin)\n" +
        "v = jsonschema.Draft202012Validator(d['schema'])\n" +
        "jsonschema.Draft202012Validator.check_schema(d['schema'])\n" +
        "print(json.dumps([v.is_valid(x) for x in d['docs']]))",
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify({ schema: drillSchema, docs })));
    await w.close();
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const verdicts: boolean[] = JSON.parse(new TextDecoder().decode(out.stdout));
    const n = builtinDrills.length + 2;
    assert.deepEqual(verdicts.slice(0, n), Array(n).fill(true));
    assert.deepEqual(verdicts.slice(n), [false, false, false]);
  },
);

Deno.test("scopes beyond loopback are recognised: other hosts, wide CIDRs, all-interface binds", () => {
  assert.deepEqual(
    beyondLoopback([
      "127.0.0.1:9000",
      "127.0.0.2",
      "127.0.0.0/8",
      "127.1.0.0/16",
      "[::1]:53",
      "[::1]",
      "localhost:80",
      "unix:/tmp/x.sock",
      "10.0.0.1:80",
      "127.0.0.0/7",
      "0.0.0.0:9000",
      "[::]:9000",
      "198.18.0.0/15",
      "example.com:443",
    ]),
    ["10.0.0.1:80", "127.0.0.0/7", "0.0.0.0:9000", "[::]:9000", "198.18.0.0/15", "example.com:443"],
  );
});
