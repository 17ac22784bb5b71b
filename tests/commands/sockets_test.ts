// `toolkit sockets` sees a listener this test opened on loopback, and the four-way close the
// course describes: FIN_WAIT2 / CLOSE_WAIT after the client closes, TIME_WAIT after the server does.
// The /proc/net parsers are checked against `ss` on the same live sockets.
import assert from "#assert";
import {
  parseProcNetInet,
  parseProcNetUnix,
  parseSsOutput,
  readSockets,
} from "../../lib/net/proc_sockets.ts";
import { hasCommand, runToolkit, testIf } from "../_support/harness.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import sockets from "../../lib/commands/sockets.ts";
import { noGlobals } from "../_support/parse_globals.ts";

Deno.test("/proc/net/tcp and tcp6 lines decode addresses, ports, states and queues", () => {
  const tcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000  1000        0 4242 1 0 100 0 0 10 0\n" +
    "   1: 0100007F:D2F0 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0\n" +
    "   2: garbage\n";
  const { sockets } = parseProcNetInet(tcp, "tcp", "ipv4");
  assert.deepEqual(
    sockets.map((s) => [s.state, s.address, s.remote, s.recvQ, s.uid, s.inode, s.timeWait]),
    [
      ["LISTEN", "127.0.0.1:8080", "*:*", 3, 1000, 4242, undefined],
      // Timer 3 marks the kernel's time-wait socket: no owner, no inode (null, not 0).
      ["TIME_WAIT", "127.0.0.1:54000", "127.0.0.1:8080", 0, null, null, true],
    ],
  );
  const tcp6 =
    "  sl  local_address                         remote_address                        st\n" +
    "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1\n" +
    "   1: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 98 1\n" +
    "   2: 000080FE00000000FF005450563412FE:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 97 1\n";
  assert.deepEqual(parseProcNetInet(tcp6, "tcp", "ipv6").sockets.map((s) => s.address), [
    "[::1]:22",
    "[::ffff:127.0.0.1]:80",
    "[fe80::5054:ff:fe12:3456]:22",
  ]);
  const unix = "Num       RefCount Protocol Flags    Type St Inode Path\n" +
    "0000000000000000: 00000002 00000000 00010000 0001 01 12345 /run/tk.sock\n" +
    "0000000000000000: 00000002 00000000 00000000 0002 01 12346 @abstract\n" +
    "0000000000000000: 00000003 00000000 00000000 0001 03 12347\n";
  assert.deepEqual(parseProcNetUnix(unix).map((s) => [s.type, s.state, s.address]), [
    ["STREAM", "LISTEN", "/run/tk.sock"],
    ["DGRAM", "UNCONN", "@abstract"],
    ["STREAM", "ESTAB", "*"],
  ]);
});

testIf(
  hasCommand("ss") ? undefined : "ss is not installed",
  "/proc/net parser agrees with ss",
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    try {
      const fromProc = (await readSockets({ tcp: true, udp: false, unix: false }))
        .filter((s) => s.port === port);
      const ss = new TextDecoder().decode(
        new Deno.Command("ss", { args: ["-H", "-a", "-n", "-t", "-u"], stdout: "piped" })
          .outputSync()
          .stdout,
      );
      const fromSs = parseSsOutput(ss).filter((s) => s.port === port);
      assert.deepEqual(fromProc.map((s) => [s.state, s.address, s.remote]), [[
        "LISTEN",
        `127.0.0.1:${port}`,
        "*:*",
      ]]);
      assert.deepEqual(
        fromSs.map((s) => [s.state, s.address, s.remote]),
        fromProc.map((s) => [s.state, s.address, s.remote]),
      );
    } finally {
      listener.close();
    }
  },
);

/** Reads until `done` holds (the kernel finishes a close asynchronously), at most 6 tries. */
async function settled(
  read: () => Promise<string[]>,
  done: (rows: string[]) => boolean,
): Promise<string[]> {
  let rows = await read();
  for (let i = 0; i < 5 && !done(rows); i++) {
    await new Promise((r) => setTimeout(r, 100));
    rows = await read();
  }
  return rows;
}

Deno.test("toolkit sockets: LISTEN, then FIN_WAIT2 and CLOSE_WAIT, then TIME_WAIT", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const udp = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const states = async (...extra: string[]) => {
    const r = await runToolkit(["sockets", "--json", "--port", String(port), ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { state: string; address: string; remote: string }[])
      .map((s) => `${s.state} ${s.address} ${s.remote}`).sort();
  };
  try {
    assert.deepEqual(await states("--tcp", "--listening"), [`LISTEN 127.0.0.1:${port} *:*`]);
    const text = await runToolkit(["sockets", "-t", "-l", "--port", String(port)]);
    assert.match(text.stdout, /^NETID\s+STATE\s+RECV-Q\s+SEND-Q\s+LOCAL\s+PEER\n/);
    assert.match(
      text.stdout,
      new RegExp(`\\ntcp +LISTEN +0 +\\d+ +127\\.0\\.0\\.1:${port} +\\*:\\*\\n`),
    );
    const udpPort = (udp.addr as Deno.NetAddr).port;
    const u = await runToolkit(["sockets", "--udp", "--listening", "--port", String(udpPort)]);
    assert.match(u.stdout, new RegExp(`udp +UNCONN .*127\\.0\\.0\\.1:${udpPort}`));

    const client = await Deno.connect({ hostname: "127.0.0.1", port });
    const server = await listener.accept();
    const cport = (client.localAddr as Deno.NetAddr).port;
    assert.deepEqual(
      await states("--tcp", "--state", "established"),
      [
        `ESTABLISHED 127.0.0.1:${cport} 127.0.0.1:${port}`,
        `ESTABLISHED 127.0.0.1:${port} 127.0.0.1:${cport}`,
      ].sort(),
    );
    client.close(); // active close: FIN from the client, ACKed by the server's kernel
    assert.deepEqual(
      await settled(() => states("-ta"), (rows) => !rows.some((r) => r.startsWith("ESTAB"))),
      [
        `CLOSE_WAIT 127.0.0.1:${port} 127.0.0.1:${cport}`,
        `FIN_WAIT2 127.0.0.1:${cport} 127.0.0.1:${port}`,
        `LISTEN 127.0.0.1:${port} *:*`,
      ].sort(),
    );
    server.close(); // passive close: the server's FIN, the client's last ACK
    assert.deepEqual(
      await settled(() => states("--tcp", "--state", "TIME-WAIT"), (rows) => rows.length === 1),
      [
        `TIME_WAIT 127.0.0.1:${cport} 127.0.0.1:${port}`,
      ],
    );
  } finally {
    listener.close();
    udp.close();
  }
});

Deno.test("toolkit sockets: --help, bad --port exit 2, outside the read scope exit 4", async () => {
  assert.equal((await runToolkit(["sockets", "--help"])).code, 0);
  const bad = await runToolkit(["sockets", "--port", "nosuchservice"]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^toolkit: error: --port: cannot parse port "nosuchservice": not a number, and no service of that name in \/etc\/services\nTry 'toolkit sockets --help'\n$/,
  );
  // A service name is a port, as ss's `sport = :ssh` takes it.
  assert.equal((await runToolkit(["sockets", "-t", "--port", "ssh"])).code, 0);
  const dir = await Deno.makeTempDir({ prefix: "tkarp" });
  try {
    await Deno.writeTextFile(`${dir}/scope.json`, JSON.stringify({ read: [dir] }));
    const r = await runToolkit(["--scope", `${dir}/scope.json`, "sockets"]);
    assert.equal(r.code, 4);
    assert.match(
      r.stderr,
      /^toolkit: error: outside the permission scope: read access to \/proc\/net\/tcp/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A Python process holding a TCP listener on `host`, named `name` (prctl); resolves its port. */
function namedListener(host: string, name: string) {
  const child = new Deno.Command("python3", {
    args: [
      "-c",
      `import ctypes, socket, sys
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(sys.argv[2].encode()), 0, 0, 0)
l = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
l.bind((sys.argv[1], 0)); l.listen(1)
print(l.getsockname()[1], flush=True)
sys.stdin.read()`,
      host,
      name,
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const port = child.stdout.pipeThrough(new TextDecoderStream()).getReader().read()
    .then((r) => Number(r.value));
  return {
    port,
    async close() {
      await child.stdin.close().catch(() => {});
      await child.status;
    },
  };
}

testIf(
  hasCommand("python3") ? undefined : "python3 is not installed",
  "sockets: -4 and -6 keep one family, -H drops the header, -p escapes a process name's control characters",
  async () => {
    // Any user may name a process so; a raw ESC would repaint the reader's terminal.
    const evil = '\x1b[31mev"il';
    const v4 = namedListener("127.0.0.1", evil);
    const v6 = namedListener("::1", "tkv6");
    try {
      const [p4, p6] = [await v4.port, await v6.port];
      const rows = async (...args: string[]) => {
        const r = await runToolkit(["sockets", "-tlH", ...args]);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.split("\n").filter((l) => l.includes(`:${p4} `) || l.includes(`:${p6} `));
      };
      const both = await rows();
      assert.equal(both.length, 2, both.join("\n"));
      const only4 = await rows("-4");
      assert.deepEqual(only4.map((l) => l.split(/\s+/)[4]), [`127.0.0.1:${p4}`]);
      const only6 = await rows("-6");
      assert.deepEqual(only6.map((l) => l.split(/\s+/)[4]), [`[::1]:${p6}`]);
      assert.equal((await rows("-4", "-6")).length, 2);
      const noHeader = await runToolkit(["sockets", "-tlH", "--port", String(p4)]);
      assert.doesNotMatch(noHeader.stdout, /NETID/);
      const p = await runToolkit(["sockets", "-tlp", "--port", String(p4)]);
      assert.equal(p.code, 0, p.stderr);
      assert.ok(!p.stdout.includes("\x1b"), p.stdout);
      assert.ok(p.stdout.includes('users:(("\\x1b[31mev"il",pid='), p.stdout);
      // --json keeps the name as it is (JSON escapes the control character itself).
      const j = await runToolkit(["--json", "sockets", "-tlp", "--port", String(p4)]);
      assert.ok(!j.stdout.includes("\x1b"), j.stdout);
      assert.equal(JSON.parse(j.stdout)[0].processes[0].name, evil);
    } finally {
      await v4.close();
      await v6.close();
    }
  },
);

Deno.test("sockets parse: ss's defaults (TCP and UDP, both families, connected states), -t -l -n -p -x -s and state filters; a bad port or state refused", () => {
  const d = sockets.parse([], noGlobals);
  assert.deepEqual([d.tcp, d.udp, d.unix, [...d.families], d.header, d.port], [
    true,
    true,
    false,
    ["ipv4", "ipv6"],
    true,
    undefined,
  ]);
  assert.deepEqual([...d.states], [
    "established",
    "syn-sent",
    "fin-wait-1",
    "fin-wait-2",
    "close-wait",
    "last-ack",
    "closing",
    "bound-inactive",
  ]);
  assert.deepEqual([d.processes, d.summary, d.json], [false, false, false]);
  const t = sockets.parse(["-tlnp"], noGlobals);
  assert.deepEqual([t.tcp, t.udp, t.processes, [...t.states]], [true, false, true, [
    "listening",
    "closed",
  ]]);
  const six = sockets.parse(["-6", "state", "listening"], noGlobals);
  assert.deepEqual([[...six.families], [...six.states]], [["ipv6"], ["listening"]]);
  assert.deepEqual([
    sockets.parse(["-x"], noGlobals).unix,
    sockets.parse(["-s"], noGlobals).summary,
  ], [
    true,
    true,
  ]);
  assert.throws(() => sockets.parse(["--port", "x"], noGlobals), UsageError, "--port");
  assert.throws(
    () => sockets.parse(["state", "bogus"], noGlobals),
    UsageError,
    'socket state "bogus"',
  );
});
