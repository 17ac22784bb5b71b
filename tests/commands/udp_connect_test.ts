// udp-connect, nc -u's two-way UDP, against a CPython UDP echo server and openbsd `nc -u -l`: one
// datagram a stdin line with its newline kept, the peer's datagrams on stdout and nobody else's,
// --hex and --json, the linger after EOF, the idle timeout, Ctrl-C, bad input (2) and a scope
// refusal (4). And what a closed port does: the kernel answers with ICMP port unreachable (a
// connected Python socket reads ECONNREFUSED), which Deno's unconnected socket never hears, so
// udp-connect ends like `nc -u` does there: silently, exit 0 (or 3 with --timeout).
import assert from "#assert";
import { readLines } from "../../lib/net/lines.ts";
import { hasCommand, python, runToolkit, startToolkit, testIf } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import udpConnect from "../../lib/commands/udp_connect.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const py = python("3.13");
const noPython = py ? undefined : "CPython 3.13 (pyenv) is not installed";

/**
 * A UDP echo server in CPython: answers each datagram with `echo:` and the datagram, and prints
 * what it received (as JSON lists of strings) when it has been quiet for `quiet` seconds.
 */
const echoServer = `
import socket, sys, json, time
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.bind((sys.argv[1], 0))
print(s.getsockname()[1], flush=True)
s.settimeout(float(sys.argv[2])); got = []
try:
    while True:
        d, a = s.recvfrom(65535); got.append(d.decode("latin-1")); s.sendto(b"echo:" + d, a)
except socket.timeout:
    pass
print(json.dumps(got), flush=True)
`;

async function startEcho(host = "127.0.0.1", quiet = 2) {
  const child = new Deno.Command(py!.cmd, {
    args: ["-c", echoServer, host, String(quiet)],
    env: py!.env,
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await reader.read()).value ?? "";
  const port = Number(text.trim());
  return {
    port,
    /** What the server received, once it has gone quiet. */
    async received(): Promise<string[]> {
      let rest = text.slice(text.indexOf("\n") + 1);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += value;
      }
      await child.status;
      return JSON.parse(rest.trim());
    },
  };
}

Deno.test("readLines: LF kept, last line without one, binary-safe, bounded", async () => {
  const source = (chunks: string[]) => {
    let i = 0;
    return { read: () => Promise.resolve(i < chunks.length ? enc.encode(chunks[i++]) : null) };
  };
  const all = async (chunks: string[], max = 100) => {
    const out: string[] = [];
    for await (const l of readLines(source(chunks), max)) out.push(dec.decode(l));
    return out;
  };
  assert.deepEqual(await all(["a\nb", "c\n\nd"]), ["a\n", "bc\n", "\n", "d"]);
  assert.deepEqual(await all(["\u00e9\n"]), ["\u00e9\n"]);
  assert.deepEqual(await all([]), []);
  await assert.rejects(() => all(["12345\n"], 5), /Line 1 is longer than 5 bytes/);
  await assert.rejects(() => all(["ok\n", "123", "456"], 5), /Line 2 is longer than 5 bytes/);
});

testIf(
  noPython,
  "udp-connect ↔ CPython echo server: a datagram a line, newline kept; replies on stdout",
  async () => {
    for (const host of ["127.0.0.1", "::1"]) {
      const echo = await startEcho(host);
      const target = host.includes(":") ? `[${host}]:${echo.port}` : `${host}:${echo.port}`;
      const r = await runToolkit(["udp-connect", target], { stdin: "hello\n\nworld" });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.equal(r.stdout, "echo:hello\necho:\necho:world");
      assert.deepEqual(await echo.received(), ["hello\n", "\n", "world"]);
    }
    // nc's two words, --json and --hex.
    const echo = await startEcho();
    const p = String(echo.port);
    const j = await runToolkit(["--json", "udp-connect", "127.0.0.1", p], { stdin: "héllo\n" });
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), {
      event: "datagram",
      remote: `127.0.0.1:${p}`,
      size: 12,
      text: "echo:héllo\n",
      hex: "65 63 68 6f 3a 68 c3 a9 6c 6c 6f 0a",
    });
    const events = j.stderr.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => e.event), ["open", "close"]);
    assert.equal(events[0].remote, `127.0.0.1:${p}`);
    assert.match(events[0].address, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(events[1], {
      event: "close",
      remote: `127.0.0.1:${p}`,
      sent: 7,
      received: 12,
      datagramsSent: 1,
      datagramsReceived: 1,
      dropped: 0,
    });
    const h = await runToolkit(["udp-connect", "--hex", `127.0.0.1:${p}`], {
      stdin: "de ad be ef\n\nff\n",
    });
    assert.equal(h.code, 0, h.stderr);
    assert.equal(h.stdout, "65 63 68 6f 3a de ad be ef\n65 63 68 6f 3a ff\n");
    // The server keeps bytes as latin-1 text: é is its two UTF-8 bytes.
    assert.deepEqual(await echo.received(), ["h\xc3\xa9llo\n", "\xde\xad\xbe\xef", "\xff"]);
  },
);

testIf(
  noPython,
  "udp-connect prints only its peer's datagrams: other ports and addresses are dropped",
  async () => {
    const echo = await startEcho("127.0.0.1", 4);
    const run = startToolkit(
      ["udp-connect", "-v", "--linger", "1500ms", `127.0.0.1:${echo.port}`],
      {
        stdinPiped: true,
      },
    );
    const [, localPort] = await run.waitForStderr(/from 127\.0\.0\.1:(\d+)/);
    const w = run.child.stdin.getWriter();
    await w.write(enc.encode("first\n"));
    // Strangers: another port on the peer's address, and another loopback address.
    for (const hostname of ["127.0.0.1", "127.0.0.2"]) {
      const stranger = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
      await stranger.send(enc.encode(`spoof from ${hostname}\n`), {
        transport: "udp",
        hostname: "127.0.0.1",
        port: Number(localPort),
      });
      stranger.close();
    }
    await new Promise((r) => setTimeout(r, 200));
    await w.write(enc.encode("second\n"));
    await w.close();
    const r = await run.finish(10_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "echo:first\necho:second\n");
    assert.equal((r.stderr.match(/dropped a datagram from .* \(not the peer\)/g) ?? []).length, 2);
    assert.match(r.stderr, /received 2 datagrams \(23 bytes\), dropped 2 from other senders\n$/);
    assert.deepEqual(await echo.received(), ["first\n", "second\n"]);
  },
);

testIf(
  hasCommand("nc") ? undefined : "nc (openbsd netcat) is not installed",
  "udp-connect talks with nc -u -l both ways",
  async () => {
    const probe = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const nc = new Deno.Command("nc", {
      args: ["-u", "-l", "127.0.0.1", String(port)],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const ncOut = nc.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      await new Promise((r) => setTimeout(r, 300)); // nc binds
      const run = startToolkit(["udp-connect", "--linger", "2s", "127.0.0.1", String(port)], {
        stdinPiped: true,
      });
      const w = run.child.stdin.getWriter();
      await w.write(enc.encode("from toolkit\n"));
      let heard = "";
      while (!heard.includes("\n")) heard += (await ncOut.read()).value ?? "";
      assert.equal(heard, "from toolkit\n");
      // nc is connected to udp-connect's socket now: its stdin comes back as a datagram.
      const ncIn = nc.stdin.getWriter();
      await ncIn.write(enc.encode("from nc\n"));
      await new Promise((r) => setTimeout(r, 300));
      await w.close();
      const r = await run.finish(10_000);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "from nc\n");
      await ncIn.close().catch(() => {});
    } finally {
      try {
        nc.kill("SIGTERM");
      } catch { /* exited */ }
      ncOut.releaseLock();
      await nc.status;
    }
  },
);

testIf(
  py && hasCommand("nc") ? undefined : "CPython 3.13 (pyenv) and nc are needed",
  "a closed port: ICMP port unreachable is sent, and udp-connect ends as nc -u does (silently)",
  async () => {
    const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const port = (sock.addr as Deno.NetAddr).port;
    sock.close();
    // The kernel answers the closed port with ICMP port unreachable: a connected socket hears it.
    const probe = await new Deno.Command(py!.cmd, {
      args: [
        "-c",
        "import socket,sys\n" +
        "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.settimeout(2)\n" +
        "u.connect(('127.0.0.1',int(sys.argv[1]))); u.send(b'x\\n')\n" +
        "try: u.recv(100); print('reply')\n" +
        "except ConnectionRefusedError: print('refused')\n" +
        "except socket.timeout: print('timeout')",
        String(port),
      ],
      env: py!.env,
      stdout: "piped",
    }).output();
    assert.equal(dec.decode(probe.stdout).trim(), "refused");
    // nc -u (no -v) sees the error on its connected socket and exits 0 without a word.
    const nc = await new Deno.Command("sh", {
      args: ["-c", `printf 'x\\n' | nc -u -q 1 127.0.0.1 ${port}`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.deepEqual([nc.code, dec.decode(nc.stdout), dec.decode(nc.stderr)], [0, "", ""]);
    // udp-connect cannot connect(2) its socket: the ICMP error never reaches it. It ends after the
    // linger like nc, exit 0 and nothing printed; --timeout makes the silence an error (exit 3).
    const quiet = await runToolkit(["udp-connect", "--linger", "300ms", `127.0.0.1:${port}`], {
      stdin: "x\n",
    });
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);
    const started = performance.now();
    const timed = await runToolkit(
      ["udp-connect", "-w", "500ms", "--linger", "10s", `127.0.0.1:${port}`],
      { stdin: "x\n" },
    );
    const ms = performance.now() - started;
    assert.equal(timed.code, 3, timed.stderr);
    assert.equal(
      timed.stderr,
      `toolkit: error: timed out (127.0.0.1:${port}: nothing sent or received for 0.5s)\n`,
    );
    assert.ok(ms < 5000, `took ${Math.round(ms)} ms with -w 500ms`);
  },
);

Deno.test({
  name: "udp-connect: idle --timeout with stdin open is exit 3; Ctrl-C is exit 130",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const silent = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const port = (silent.addr as Deno.NetAddr).port;
    try {
      const idle = startToolkit(["udp-connect", "-w", "400ms", `127.0.0.1:${port}`], {
        stdinPiped: true,
      });
      const w = idle.child.stdin.getWriter();
      await w.write(enc.encode("anyone?\n"));
      const r = await idle.finish(5000);
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        /^toolkit: error: timed out \(.*nothing sent or received for 0\.4s\)\n$/,
      );
      await w.close().catch(() => {});
      const [data] = await silent.receive();
      assert.equal(dec.decode(data), "anyone?\n");

      const run = startToolkit(["udp-connect", "-v", `127.0.0.1:${port}`], { stdinPiped: true });
      await run.waitForStderr(/sending to/);
      run.child.kill("SIGINT");
      const i = await run.finish(5000);
      assert.equal(i.code, 130, i.stderr);
    } finally {
      silent.close();
    }
  },
});

Deno.test("udp-connect: --help with examples; bad input exit 2; outside --net exit 4", async () => {
  const h = await runToolkit(["udp-connect", "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^Usage: toolkit udp-connect \[options\] HOST:PORT \| HOST PORT\n/);
  assert.match(
    h.stdout,
    /Examples:\n {2}printf 'hello\\n' \| toolkit udp-connect 127\.0\.0\.1:9000\n/,
  );
  const cases: [string[], string | Uint8Array, RegExp][] = [
    [["udp-connect"], "", /^toolkit: error: missing argument: expected HOST:PORT \| HOST PORT\n/],
    [["udp-connect", "127.0.0.1"], "", /missing port after 127\.0\.0\.1/],
    [["udp-connect", "239.1.2.3:9000"], "", /is a multicast group/],
    [["udp-connect", "255.255.255.255:9000"], "", /the limited broadcast address/],
    [["udp-connect", "--linger", "soon", "127.0.0.1:9"], "", /--linger takes a duration/],
    [
      ["udp-connect", "127.0.0.1:9"],
      new Uint8Array(70_000).fill(0x61),
      /line 1 of stdin is larger than a UDP datagram \(65507 bytes\)/,
    ],
    [["udp-connect", "--hex", "127.0.0.1:9"], "zz\n", /cannot parse hex payload on line 1/],
  ];
  for (const [args, stdin, pattern] of cases) {
    const r = await runToolkit(args, { stdin });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("toolkit: error:")).length, 1);
  }
  const trap = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (trap.addr as Deno.NetAddr).port;
  let heard = 0;
  const loop = (async () => {
    try {
      for (;;) (await trap.receive(), heard++);
    } catch { /* closed */ }
  })();
  try {
    const r = await runToolkit(["--net", "127.0.0.1:1", "udp-connect", `127.0.0.1:${port}`], {
      stdin: "escape\n",
    });
    assert.equal(r.code, 4, r.stderr);
    assert.match(
      r.stderr,
      /^toolkit: error: outside the permission scope: net access to 127\.0\.0\.1:/,
    );
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(heard, 0);
  } finally {
    trap.close();
    await loop;
  }
});

Deno.test("udp-connect parse: a 1 s linger by default, --hex and --linger; a host without a port refused", () => {
  assert.deepEqual(udpConnect.parse(["127.0.0.1:9000"], noGlobals), {
    target: { host: "127.0.0.1", port: 9000, family: "ipv4" },
    hex: false,
    timeoutMs: undefined,
    lingerMs: 1000,
    verbose: false,
    json: false,
  });
  const o = udpConnect.parse(["--hex", "--linger", "2s", "127.0.0.1", "9000"], noGlobals);
  assert.deepEqual([o.target.port, o.hex, o.lingerMs], [9000, true, 2000]);
  assert.throws(() => udpConnect.parse(["127.0.0.1"], noGlobals), UsageError, "missing port");
});
