// udp-listen as a real process on loopback: datagrams printed raw, as hex and as NDJSON with the
// sender; --echo and --reply answer the sender; --count stops; udp-send's example lands in a
// socket the test owns and in udp-listen; IPv6; exit 4 outside --net with nothing received.
import assert from "#assert";
import { runToolkit, startToolkit } from "./harness.ts";

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
  "the udp-send 127.0.0.1:PORT hi example arrives in a socket the test owns",
  opts,
  async () => {
    const sock = udpSocket();
    const port = (sock.addr as Deno.NetAddr).port;
    const r = await runToolkit(["udp-send", `127.0.0.1:${port}`, "hi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    const got = await receiveWithin(sock, 5000);
    sock.close();
    assert.ok(got, "no datagram arrived");
    assert.equal(dec.decode(got![0]), "hi");
  },
);

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
