// udp-listen as a real process on loopback: datagrams printed raw, as hex and as NDJSON with the
// sender; --echo and --reply answer the sender; --count stops; udp-send's example lands in
// udp-listen (in a socket the test owns: udp_send_test.ts); IPv6; exit 4 outside --net with
// nothing received.
import assert from "#assert";
import { isRoot, python, runToolkit, startToolkit, testIf } from "../_support/harness.ts";
import { InputError, UsageError } from "../../lib/cli/errors.ts";
import udpListen from "../../lib/commands/udp_listen.ts";
import { noGlobals } from "../_support/parse_globals.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const opts = { sanitizeOps: false, sanitizeResources: false };

function udpSocket(hostname = "127.0.0.1"): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
}

function receiveWithin(
  sock: Deno.DatagramConn,
  ms: number,
): Promise<[Uint8Array, Deno.Addr] | undefined> {
  return Promise.race([
    sock.receive(),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), ms)),
  ]);
}

Deno.test(
  "udp-listen prints datagrams raw, exits after --count; udp-send --wait-reply gets --reply",
  opts,
  async () => {
    const srv = startToolkit(["udp-listen", "--count", "2", "--reply", "我是服务端", "0"]);
    const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
    const a = await runToolkit(["udp-send", "--wait-reply", `127.0.0.1:${port}`, "我是客户端"]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, "我是服务端");
    const b = await runToolkit(["udp-send", `127.0.0.1:${port}`], { stdin: "line\n" });
    assert.equal(b.code, 0, b.stderr);
    const r = await srv.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "我是客户端line\n");
  },
);

Deno.test(
  "udp-listen --hex and --json describe each datagram with its sender and size",
  opts,
  async () => {
    const hex = startToolkit(["udp-listen", "--hex", "-c", "1", "127.0.0.1:0"]);
    const [, p1] = await hex.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
    const client = udpSocket();
    await client.send(new Uint8Array([0, 0xff, 0x0a, 0x41]), {
      transport: "udp",
      hostname: "127.0.0.1",
      port: Number(p1),
    });
    assert.equal((await hex.finish()).stdout, "00 ff 0a 41\n");
    const json = startToolkit(["--json", "udp-listen", "-c", "2", "0"]);
    // Under --json the status lines on stderr are NDJSON events too.
    const [, p2] = await json.waitForStderr(/"event":"listening","address":"127\.0\.0\.1:(\d+)"/);
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port: Number(p2) };
    await client.send(enc.encode("héllo"), to);
    await new Promise((r) => setTimeout(r, 100));
    await client.send(new Uint8Array([0xc3]), to);
    const r = await json.finish();
    client.close();
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const me = `127.0.0.1:${(client.addr as Deno.NetAddr).port}`;
    assert.deepEqual(lines, [
      { event: "datagram", remote: me, size: 6, text: "héllo", hex: "68 c3 a9 6c 6c 6f" },
      { event: "datagram", remote: me, size: 1, text: null, hex: "c3" },
    ]);
  },
);

Deno.test(
  "udp-listen --echo sends each datagram back to its sender (IPv6 loopback)",
  opts,
  async () => {
    const srv = startToolkit(["udp-listen", "--echo", "-c", "3", "[::1]:0"]);
    const [, port] = await srv.waitForStderr(/listening on \[::1\]:(\d+)/);
    const client = udpSocket("::1");
    const got: string[] = [];
    for (const msg of ["one", "two", "three"]) {
      await client.send(enc.encode(msg), { transport: "udp", hostname: "::1", port: Number(port) });
      const reply = await receiveWithin(client, 5000);
      assert.ok(reply, `no echo for ${msg}`);
      got.push(dec.decode(reply![0]));
    }
    client.close();
    assert.deepEqual(got, ["one", "two", "three"]);
    const r = await srv.finish();
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "onetwothree");
  },
);

Deno.test(
  "udp-listen: SIGINT exits 130; address in use is exit 3; outside --net is exit 4",
  opts,
  async () => {
    const srv = startToolkit(["udp-listen", "0"]);
    await srv.waitForStderr(/listening on/);
    srv.child.kill("SIGINT");
    assert.equal((await srv.finish()).code, 130);
    const busy = udpSocket();
    const port = (busy.addr as Deno.NetAddr).port;
    const r = await runToolkit(["udp-listen", `127.0.0.1:${port}`]);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, `toolkit: error: address in use (127.0.0.1:${port})\n`);
    // udp-send outside the scope: the test's socket receives nothing.
    const s = await runToolkit(["--net", "127.0.0.1:1", "udp-send", `127.0.0.1:${port}`, "secret"]);
    assert.equal(s.code, 4, s.stderr);
    assert.equal(await receiveWithin(busy, 300), undefined);
    busy.close();
    const l = await runToolkit(["--net", "127.0.0.2", "udp-listen", `127.0.0.1:${port}`]);
    assert.equal(l.code, 4, l.stderr);
    assert.match(l.stderr, /^toolkit: error: outside the permission scope/);
  },
);

Deno.test(
  "udp-listen --echo under --net: a sender outside the scope loses its echo, nobody else does",
  opts,
  async () => {
    const friend = udpSocket();
    const stranger = udpSocket();
    const probe = udpSocket(); // a free port for the listener, held until it starts
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const friendPort = (friend.addr as Deno.NetAddr).port;
    const scope = `127.0.0.1:${port},127.0.0.1:${friendPort}`;
    const srv = startToolkit(["--net", scope, "udp-listen", "--echo", `127.0.0.1:${port}`]);
    try {
      await srv.waitForStderr(/listening on/);
      const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
      await stranger.send(enc.encode("stranger"), to);
      await srv.waitForStderr(/warning/);
      await friend.send(enc.encode("friend"), to);
      const echo = await receiveWithin(friend, 5000);
      assert.equal(echo && dec.decode(echo[0]), "friend", srv.stderrSoFar());
      assert.equal(await receiveWithin(stranger, 200), undefined, "the sandbox let an echo out");
    } finally {
      try {
        srv.child.kill("SIGINT");
      } catch { /* it exited: the checks below say how */ }
      friend.close();
      stranger.close();
    }
    const r = await srv.finish();
    assert.equal(r.code, 130, r.stderr);
    assert.equal(r.stdout, "strangerfriend");
    const strangerPort = (stranger.addr as Deno.NetAddr).port;
    assert.match(
      r.stderr,
      new RegExp(
        `^toolkit: warning: no reply sent to 127\\.0\\.0\\.1:${strangerPort}: outside the permission scope`,
        "m",
      ),
    );
    assert.doesNotMatch(r.stderr, /toolkit: error/);
  },
);

Deno.test("udp-listen --help; bad input is one error line, the hint and exit 2", async () => {
  const h = await runToolkit(["udp-listen", "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^Usage: toolkit udp-listen \[options\] \[HOST:\]PORT/);
  for (
    const [args, pattern] of [
      [["udp-listen", "70000"], /out of range/],
      [["udp-listen", "--echo", "--reply", "x", "0"], /cannot be used together/],
      [["udp-listen", "--count", "0", "0"], /--count must be between/],
      [["udp-listen", "--hex", "--reply", "zz", "0"], /hex/],
      // An --iface no interface has is the user's (it was an internal error once bare
      // RangeErrors stopped counting as bad input). Nothing is joined, nothing sent.
      [
        ["udp-listen", "--multicast", "239.1.2.3", "--iface", "198.19.255.77", "0"],
        /no local interface has the address 198\.19\.255\.77/,
      ],
    ] as [string[], RegExp][]
  ) {
    const r = await runToolkit(args);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trimEnd().split("\n");
    assert.match(lines[0], pattern);
    assert.match(lines[0], /^toolkit: error: /);
    assert.ok(lines.length <= 2);
  }
});

/** Python source that sends one UDP datagram with a source address and port it does not own. */
const spoofScript = `
import socket, struct, sys
src, sport, dst, dport, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5].encode()
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload  # checksum 0: none
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                 socket.inet_aton(src), socket.inet_aton(dst))
s.sendto(ip + udp, (dst, 0))
`;

/** Sends one spoofed datagram on loopback through a raw socket (root). */
async function spoof(from: [string, number], to: [string, number], text: string): Promise<void> {
  const py = python("3");
  if (!py) throw new Error("CPython 3 (pyenv) is needed");
  const r = await new Deno.Command(py.cmd, {
    args: ["-c", spoofScript, from[0], String(from[1]), to[0], String(to[1]), text],
    env: py.env,
    stderr: "piped",
  }).output();
  assert.ok(r.success, dec.decode(r.stderr));
}

testIf(
  !isRoot()
    ? "needs root (a raw socket spoofs the datagrams)"
    : python("3")
    ? undefined
    : "CPython 3 (pyenv) is not installed",
  "--echo/--reply drop datagrams from the listener's own port and from echo, daytime, chargen, time",
  async () => {
    // One spoofed datagram from the listener's own address and port used to echo forever.
    const srv = startToolkit(["udp-listen", "-v", "--echo", "127.0.0.1:0"]);
    const port = Number((await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/))[1]);
    await spoof(["127.0.0.1", port], ["127.0.0.1", port], "loop");
    for (const service of [7, 13, 19, 37]) {
      await spoof(["127.0.0.1", service], ["127.0.0.1", port], "from a service");
    }
    await srv.waitForStderr(/from 127\.0\.0\.1:37 /);
    const ok = await runToolkit(["udp-send", "-w", `127.0.0.1:${port}`, "still echoed"]);
    assert.equal(ok.stdout, "still echoed", ok.stderr);
    await new Promise((r) => setTimeout(r, 300));
    srv.child.kill("SIGINT");
    const r = await srv.finish();
    assert.equal(r.stdout, "still echoed", "a dropped datagram was printed (or echoed to itself)");
    const dropped = r.stderr.split("\n").filter((l) => l.startsWith("dropped a datagram"));
    assert.deepEqual(dropped, [
      `dropped a datagram from 127.0.0.1:${port} (port ${port} is this listener's own: a reply could start a loop)`,
      "dropped a datagram from 127.0.0.1:7 (port 7 is echo, which answers every datagram: a reply could start a loop)",
      "dropped a datagram from 127.0.0.1:13 (port 13 is daytime, which answers every datagram: a reply could start a loop)",
      "dropped a datagram from 127.0.0.1:19 (port 19 is chargen, which answers every datagram: a reply could start a loop)",
      "dropped a datagram from 127.0.0.1:37 (port 37 is time, which answers every datagram: a reply could start a loop)",
    ]);

    // Two answering listeners on one port (two loopback addresses), one datagram spoofed from A
    // to B: they used to answer each other forever. With --json -v, B's drop is an event.
    const a = startToolkit(["udp-listen", "--reply", "PONG", "127.0.0.1:0"]);
    const shared = Number((await a.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/))[1]);
    const b = startToolkit([
      "--json",
      "udp-listen",
      "-v",
      "--reply",
      "PING",
      `127.0.0.2:${shared}`,
    ]);
    await b.waitForStderr(/"event":"listening"/);
    await spoof(["127.0.0.1", shared], ["127.0.0.2", shared], "PING");
    await b.waitForStderr(/"event":"dropped"/);
    await new Promise((r) => setTimeout(r, 500));
    a.child.kill("SIGINT");
    b.child.kill("SIGINT");
    const [ra, rb] = [await a.finish(), await b.finish()];
    assert.equal(ra.stdout, "", "A got an answer from B");
    assert.equal(rb.stdout, "", "B printed the looped datagram");
    const event = JSON.parse(rb.stderr.split("\n").find((l) => l.includes('"dropped"'))!);
    assert.deepEqual(event, {
      event: "dropped",
      remote: `127.0.0.1:${shared}`,
      size: 4,
      reason: `port ${shared} is this listener's own: a reply could start a loop`,
    });
  },
);

Deno.test("udp-listen parse: no count and no reply by default, nc's -l -p PORT, --reply in hex; --echo with --reply refused", () => {
  assert.deepEqual(udpListen.parse(["127.0.0.1:0"], noGlobals), {
    multicast: undefined,
    iface: undefined,
    bind: { host: "127.0.0.1", port: 0, family: "ipv4" },
    hex: false,
    echo: false,
    reply: undefined,
    count: Infinity,
    verbose: false,
    json: false,
  });
  assert.deepEqual(udpListen.parse(["-l", "-p", "9000"], noGlobals).bind, {
    host: "127.0.0.1",
    port: 9000,
    family: "ipv4",
  });
  const o = udpListen.parse(["-c", "2", "--reply", "6f6b", "--hex", "[::1]:9000"], noGlobals);
  assert.deepEqual([o.bind.host, o.count, o.hex, o.reply], [
    "::1",
    2,
    true,
    new TextEncoder().encode("ok"),
  ]);
  assert.throws(
    () => udpListen.parse(["--echo", "--reply", "x", "127.0.0.1:0"], noGlobals),
    UsageError,
    "--echo and --reply cannot be used together",
  );
  assert.throws(() => udpListen.parse([], noGlobals), UsageError, "missing argument");
  assert.throws(
    () => udpListen.parse(["--hex", "--reply", "ok", "127.0.0.1:0"], noGlobals),
    InputError,
  );
});
