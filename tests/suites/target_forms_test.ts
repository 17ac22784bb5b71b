// The argument forms users bring from nc: `HOST PORT` as two words for every client command,
// `tcp-listen -p PORT` (nc -l -p), `udp-listen HOST PORT`, `scan HOST:PORTS`, each tried for real
// against the test's own sockets (and nc itself), with the one-word forms still working beside
// them. Where two words cannot be told apart the first word decides, and the error shows the
// one-word form.
import assert from "#assert";
import { targetWords } from "../../lib/cli/target_arg.ts";
import { parsePortWord, parseServices } from "../../lib/net/services.ts";
import { freePort, hasCommand, runToolkit, startToolkit, testIf } from "../_support/harness.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("targetWords: one word or two; the first word decides; errors show the one-word form", () => {
  const t = (words: string[], o = {}) => {
    const { target, rest } = targetWords(words, "x", o);
    return [target.host, target.port, target.family, ...rest];
  };
  assert.deepEqual(t(["127.0.0.1:9000"]), ["127.0.0.1", 9000, "ipv4"]);
  assert.deepEqual(t(["127.0.0.1", "9000"]), ["127.0.0.1", 9000, "ipv4"]);
  assert.deepEqual(t(["::1", "9000"]), ["::1", 9000, "ipv6"]);
  assert.deepEqual(t(["[::1]", "9000"]), ["::1", 9000, "ipv6"]);
  assert.deepEqual(t(["[::1]:9000"]), ["::1", 9000, "ipv6"]);
  assert.deepEqual(t(["localhost", "80"]), ["localhost", 80, "name"]);
  // With DATA: a word with a port makes every later word data; a host alone takes the port next.
  assert.deepEqual(t(["127.0.0.1:9000", "9001"], { maxRest: 1 }), [
    "127.0.0.1",
    9000,
    "ipv4",
    "9001",
  ]);
  assert.deepEqual(t(["127.0.0.1", "9000", "hi"], { maxRest: 1 }), [
    "127.0.0.1",
    9000,
    "ipv4",
    "hi",
  ]);
  // An unbracketed IPv6 address never carries a port: ::1:9000 is an address.
  assert.deepEqual(t(["::1:9000", "9001"]), ["::1:9000", 9001, "ipv6"]);
  // Listeners: a lone port, a host and a port.
  const l = { defaultHost: "127.0.0.1", allowPortZero: true };
  assert.deepEqual(t(["9000"], l), ["127.0.0.1", 9000, "ipv4"]);
  assert.deepEqual(t(["0.0.0.0", "0"], l), ["0.0.0.0", 0, "ipv4"]);
  const fails: [string[], RegExp][] = [
    [
      ["127.0.0.1"],
      /^missing port after 127\.0\.0\.1: write 127\.0\.0\.1:PORT or 127\.0\.0\.1 PORT$/,
    ],
    [
      ["127.0.0.1", "hi"],
      /^expected a port after 127\.0\.0\.1 \(got "hi", no service of that name in \/etc\/services\)/,
    ],
    [["127.0.0.1", "-1"], /^expected a port after 127\.0\.0\.1 \(got "-1"\): write/],
    [
      ["127.0.0.1:nosuchservice"],
      /^cannot parse port "nosuchservice" of 127\.0\.0\.1:nosuchservice/,
    ],
    [["::1:9000"], /\(for port 9000 of ::1, write \[::1\]:9000\)$/],
    [["9000"], /^missing host before port 9000: write HOST:9000 or HOST 9000$/],
    [["0x7f.1", "9000"], /^Cannot parse IPv4 address "0x7f\.1"/],
    [["127.1:9000"], /^Cannot parse IPv4 address "127\.1"/],
    [
      ["127.0.0.1:9000", "9001"],
      /^unexpected argument "9001": the port is already in 127\.0\.0\.1:9000$/,
    ],
    [["127.0.0.1", "99999"], /^Port 99999 is out of range/],
  ];
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return (err as Error).message;
    }
    return "(no error)";
  };
  for (const [words, pattern] of fails) {
    assert.match(message(() => targetWords(words, "x")), pattern, words.join(" "));
  }
  assert.match(
    message(() => targetWords(["127.0.0.1:9000", "a", "b"], "x", { maxRest: 1, restName: "DATA" })),
    /^unexpected argument "b": DATA is one argument; quote it \('a b'\)$/,
  );
});

/** A TCP listener of the test's own that collects what each connection sends, then closes it. */
function tcpSink(hostname = "127.0.0.1") {
  const listener = Deno.listen({ hostname, port: 0 });
  const got: string[] = [];
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        let text = "";
        const buf = new Uint8Array(4096);
        for (let n; (n = await conn.read(buf)) !== null;) text += dec.decode(buf.subarray(0, n));
        got.push(text);
        await conn.write(enc.encode(text.toUpperCase())).catch(() => {});
        conn.close();
      }
    } catch { /* closed */ }
  })();
  return {
    port: listener.addr.port,
    got,
    async close() {
      listener.close();
      await loop;
    },
  };
}

Deno.test(
  "tcp-connect, tcp-send and tcp-ping take HOST PORT as well as HOST:PORT",
  opts,
  async () => {
    for (const host of ["127.0.0.1", "::1"]) {
      const sink = tcpSink(host);
      const one = host.includes(":") ? `[${host}]:${sink.port}` : `${host}:${sink.port}`;
      const p = String(sink.port);
      try {
        for (const words of [[one], [host, p]]) {
          const c = await runToolkit(["tcp-connect", ...words], {
            stdin: `connect ${words.length}`,
          });
          assert.equal(c.code, 0, c.stderr);
          assert.equal(c.stdout, `CONNECT ${words.length}`);
          const s = await runToolkit(["tcp-send", "-w", ...words, `send ${words.length}`]);
          assert.equal(s.code, 0, s.stderr);
          assert.equal(s.stdout, `SEND ${words.length}`);
          const ping = await runToolkit(["--json", "tcp-ping", "-c", "1", ...words]);
          assert.equal(ping.code, 0, ping.stderr);
          assert.equal(JSON.parse(ping.stdout).connected, 1);
        }
        // Bracketed IPv6 without a port is a host too.
        if (host === "::1") {
          const b = await runToolkit(["tcp-send", "[::1]", p, "brackets"]);
          assert.equal(b.code, 0, b.stderr);
        }
      } finally {
        await sink.close();
      }
      const heard = sink.got.filter((g) => g !== "").sort(); // tcp-ping's connects send nothing
      const expected = ["connect 1", "connect 2", "send 1", "send 2"];
      assert.deepEqual(heard, host === "::1" ? ["brackets", ...expected] : expected);
    }
  },
);

/** A UDP socket of the test's own that collects datagrams. */
function udpSink(hostname = "127.0.0.1") {
  const sock = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  const got: string[] = [];
  const loop = (async () => {
    try {
      for (;;) got.push(dec.decode((await sock.receive())[0]));
    } catch { /* closed */ }
  })();
  return {
    port: (sock.addr as Deno.NetAddr).port,
    async received(n: number) {
      for (let i = 0; i < 50 && got.length < n; i++) await new Promise((r) => setTimeout(r, 20));
      return [...got];
    },
    async close() {
      sock.close();
      await loop;
    },
  };
}

Deno.test(
  "udp-send HOST PORT DATA; a word with a port makes the next word DATA",
  opts,
  async () => {
    for (const host of ["127.0.0.1", "::1"]) {
      const sink = udpSink(host);
      const p = String(sink.port);
      const one = host.includes(":") ? `[${host}]:${p}` : `${host}:${p}`;
      try {
        for (
          const args of [
            [host, p, "two words"],
            [one, "one word"],
            [one, "9001"], // DATA that looks like a port is DATA after HOST:PORT
          ]
        ) {
          const r = await runToolkit(["udp-send", ...args]);
          assert.equal(r.code, 0, r.stderr);
        }
        const fromStdin = await runToolkit(["udp-send", host, p], { stdin: "from stdin" });
        assert.equal(fromStdin.code, 0, fromStdin.stderr);
        assert.deepEqual(await sink.received(4), ["two words", "one word", "9001", "from stdin"]);
      } finally {
        await sink.close();
      }
    }
    // Too many words: DATA is one argument.
    const r = await runToolkit(["udp-send", "127.0.0.1", "9", "hello", "world"]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "toolkit: error: unexpected argument \"world\": DATA is one argument; quote it ('hello world')\n" +
        "Try 'toolkit udp-send --help'\n",
    );
  },
);

Deno.test(
  "udp-listen HOST PORT and -p PORT [HOST] hear datagrams; PORT alone still does",
  opts,
  async () => {
    const cases: [string[], string][] = [
      [["127.0.0.1", "P"], "127.0.0.1"],
      [["-p", "P"], "127.0.0.1"],
      [["-p", "P", "::1"], "::1"],
      [["::1", "P"], "::1"],
      [["P"], "127.0.0.1"],
      [["127.0.0.1:P"], "127.0.0.1"],
    ];
    for (const [words, host] of cases) {
      const port = String(freePort());
      const args = words.map((w) => w.replace("P", port));
      const srv = startToolkit(["udp-listen", "-c", "1", ...args]);
      const shown = host.includes(":") ? `\\[${host}\\]` : host.replace(/\./g, "\\.");
      await srv.waitForStderr(new RegExp(`listening on ${shown}:${port}`));
      const send = await runToolkit(["udp-send", host, port, `via ${args.join(" ")}`]);
      assert.equal(send.code, 0, send.stderr);
      const r = await srv.finish(5000);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `via ${args.join(" ")}`);
    }
  },
);

Deno.test(
  "tcp-listen -p PORT (nc -l -p), HOST PORT and -p PORT HOST accept a connection",
  opts,
  async () => {
    const cases: [string[], string][] = [
      [["-p", "P"], "127.0.0.1"],
      [["127.0.0.1", "P"], "127.0.0.1"],
      [["-p", "P", "::1"], "::1"],
      [["[::1]", "P"], "::1"],
      // nc's -l is accepted (the command listens already), alone or grouped as nc -lp.
      [["-l", "-p", "P"], "127.0.0.1"],
      [["-lp", "P"], "127.0.0.1"],
    ];
    for (const [words, host] of cases) {
      const port = String(freePort());
      const args = words.map((w) => w.replace("P", port));
      const srv = startToolkit(["tcp-listen", ...args], { stdin: "from listener" });
      await srv.waitForStderr(/listening on /);
      const c = await runToolkit(["tcp-connect", host, port], { stdin: "from client" });
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout, "from listener");
      const r = await srv.finish(5000);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "from client", args.join(" "));
    }
    const bad: [string[], RegExp][] = [
      [["-p", "9000", "127.0.0.1:9001"], /with -p 9000, give only a host to listen on/],
      [["-p", "nosuchservice"], /^toolkit: error: --port: cannot parse port "nosuchservice"/],
      [["-p", "9000", "a", "b"], /unexpected argument "b"/],
      [[], /missing argument: expected \[HOST:\]PORT, HOST PORT or -p PORT/],
      [["127.0.0.1"], /missing port after 127\.0\.0\.1/],
    ];
    for (const [args, pattern] of bad) {
      for (const cmd of ["tcp-listen", "udp-listen"]) {
        const r = await runToolkit([cmd, ...args]);
        assert.equal(r.code, 2, `${cmd} ${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, pattern);
      }
    }
  },
);

Deno.test(
  "a wildcard listen in the two-word and -p forms is refused under a narrowed scope",
  opts,
  async () => {
    const p = String(freePort());
    for (
      const args of [
        ["tcp-listen", "-p", p, "0.0.0.0"],
        ["tcp-listen", "0.0.0.0", p],
        ["udp-listen", "::", p],
        ["udp-listen", "-p", p, "[::]"],
      ]
    ) {
      const r = await runToolkit(["--net", `127.0.0.1:${p}`, ...args], { stdin: "" });
      assert.equal(r.code, 4, `${args.join(" ")}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /^toolkit: error: outside the permission scope: net access to (0\.0\.0\.0|\[::\]):/,
      );
    }
  },
);

Deno.test("scan HOST:PORTS and [V6]:PORTS in one word, HOST PORTS as before", opts, async () => {
  const l4 = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const l6 = Deno.listen({ hostname: "::1", port: 0 });
  try {
    for (
      const [args, port] of [
        [["127.0.0.1", String(l4.addr.port)], l4.addr.port],
        [[`127.0.0.1:${l4.addr.port}`], l4.addr.port],
        [[`[::1]:${l6.addr.port}`], l6.addr.port],
        [["::1", String(l6.addr.port)], l6.addr.port],
      ] as const
    ) {
      const r = await runToolkit(["--json", "scan", ...args]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).openPorts, [port]);
    }
    const bare = await runToolkit(["scan", "::1"]);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /missing ports: write HOST PORTS or HOST:PORTS/);
  } finally {
    l4.close();
    l6.close();
  }
});

testIf(
  hasCommand("nc") ? undefined : "nc (openbsd netcat) is not installed",
  "the same words work with nc and toolkit: nc -l HOST PORT / tcp-connect HOST PORT, and back",
  async () => {
    // nc -l 127.0.0.1 PORT, toolkit tcp-connect 127.0.0.1 PORT
    let port = String(freePort());
    const nc = new Deno.Command("nc", {
      args: ["-N", "-l", "127.0.0.1", port],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const w = nc.stdin.getWriter();
    await w.write(enc.encode("from nc"));
    await w.close();
    let r;
    for (let i = 0; i < 50; i++) {
      r = await runToolkit(["tcp-connect", "127.0.0.1", port], { stdin: "from toolkit" });
      if (r.code !== 3) break; // nc not listening yet
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(r!.code, 0, r!.stderr);
    assert.equal(r!.stdout, "from nc");
    assert.equal(dec.decode((await nc.output()).stdout), "from toolkit");
    // toolkit tcp-listen -p PORT, nc 127.0.0.1 PORT
    port = String(freePort());
    const srv = startToolkit(["tcp-listen", "-p", port], { stdin: "from toolkit" });
    await srv.waitForStderr(/listening on/);
    const client = new Deno.Command("nc", {
      args: ["-N", "127.0.0.1", port],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const cw = client.stdin.getWriter();
    await cw.write(enc.encode("from nc"));
    await cw.close();
    assert.equal(dec.decode((await client.output()).stdout), "from toolkit");
    assert.equal((await srv.finish(5000)).stdout, "from nc");
  },
);

Deno.test(
  "zones: only on link-local addresses, and only naming an interface here (exit 2, not 3)",
  opts,
  async () => {
    // Both used to be exit 3 "name not resolved": the resolver's words for the user's mistake.
    const notLinkLocal = await runToolkit(["udp-send", "[::1%lo]:9", "x"]);
    assert.equal(notLinkLocal.code, 2, notLinkLocal.stderr);
    assert.match(
      notLinkLocal.stderr,
      /^toolkit: error: cannot use a zone with ::1: a zone \(%lo\) names the link of a link-local address \(fe80::\/10, ff02::\/16\); write ::1 alone\n/,
    );
    for (
      const args of [["udp-send", "[fe80::1%nosuch9]:9", "x"], [
        "tcp-connect",
        "[fe80::1%nosuch9]:9",
      ]]
    ) {
      const r = await runToolkit(args, { stdin: "" });
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
      assert.equal(
        r.stderr,
        'toolkit: error: no local interface named "nosuch9" (the zone of [fe80::1%nosuch9]:9)\n',
      );
    }
    const json = await runToolkit(["--json", "udp-send", "[fe80::1%nosuch9]:9", "x"]);
    assert.equal(JSON.parse(json.stderr).error.kind, "input");
  },
);

/** A TCP service from /etc/services whose port is free on 127.0.0.1 now, held by the listener. */
function listenOnAService(): { name: string; listener: Deno.TcpListener } {
  const table = parseServices(Deno.readTextFileSync("/etc/services"));
  for (const [name, { tcp }] of table) {
    if (tcp === undefined || !/^[a-z][a-z0-9-]*$/.test(name)) continue;
    // The first line of a port names it; an alias may be shared by several ports.
    if ([...table].find(([, e]) => e.tcp === tcp)?.[0] !== name) continue;
    try {
      return { name, listener: Deno.listen({ hostname: "127.0.0.1", port: tcp }) };
    } catch { /* in use */ }
  }
  throw new Error("no free port of a service in /etc/services");
}

testIf(
  hasCommand("python3") ? undefined : "python3 is not installed",
  "service names are ports, as getservbyname reads them: ssh, http, domain/udp; an unknown name says so",
  () => {
    const names: [string, "tcp" | "udp"][] = [
      ["ssh", "tcp"],
      ["http", "tcp"],
      ["https", "tcp"],
      ["smtp", "tcp"],
      ["domain", "udp"],
      ["ntp", "udp"],
      ["snmp", "udp"],
      ["www", "tcp"], // an alias of http
    ];
    const py = new Deno.Command("python3", {
      args: [
        "-c",
        "import socket, sys\nfor a in sys.argv[1:]:\n n, p = a.split('/'); print(socket.getservbyname(n, p))",
        ...names.map(([n, p]) => `${n}/${p}`),
      ],
      stdout: "piped",
    }).outputSync();
    const expected = new TextDecoder().decode(py.stdout).trim().split("\n").map(Number);
    assert.deepEqual(names.map(([n, p]) => parsePortWord(n, { protocol: p })), expected);
    assert.throws(
      () => parsePortWord("nosuchservice", { protocol: "tcp" }),
      /not a number, and no service of that name in \/etc\/services/,
    );
  },
);

Deno.test(
  "nc's service names and letters, for real: tcp-send HOST NAME, HOST:NAME, scan HOST NAME PORT, udp -u -l",
  opts,
  async () => {
    const { name, listener } = listenOnAService();
    const served = (async () => {
      for await (const c of listener) {
        const buf = new Uint8Array(64);
        const n = await c.read(buf);
        if (n) await c.write(buf.subarray(0, n));
        c.close();
      }
    })().catch(() => {});
    const other = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      // nc 127.0.0.1 ssh: the second word may be a service name, and so may the part after ':'.
      for (const target of [["127.0.0.1", name], [`127.0.0.1:${name}`]]) {
        const r = await runToolkit(["tcp-send", "-w", ...target, "hi"]);
        assert.equal(r.code, 0, `${target.join(" ")}: ${r.stderr}`);
        assert.equal(r.stdout, "hi");
      }
      // nc -z HOST PORT PORT...: several words are one list, names included; nc's -w is --timeout.
      const scan = await runToolkit([
        "--json",
        "scan",
        "-w",
        "1",
        "127.0.0.1",
        name,
        String(other.addr.port),
      ]);
      assert.equal(scan.code, 0, scan.stderr);
      assert.deepEqual(
        JSON.parse(scan.stdout).openPorts,
        [listener.addr.port, other.addr.port].sort((a, b) => a - b),
      );
    } finally {
      listener.close();
      other.close();
      await served;
    }
    // nc -u -l -p PORT and nc -u HOST PORT: -u and -l change nothing here.
    const port = String(freePort());
    const srv = startToolkit(["udp-listen", "-u", "-l", "-p", port, "-c", "1"]);
    await srv.waitForStderr(/listening on 127\.0\.0\.1:/);
    const send = await runToolkit(["udp-send", "-u", "127.0.0.1", port, "nc habits"]);
    assert.equal(send.code, 0, send.stderr);
    const r = await srv.finish(5000);
    assert.deepEqual([r.code, r.stdout], [0, "nc habits"]);
  },
);
