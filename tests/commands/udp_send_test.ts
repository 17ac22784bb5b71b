// udp-send end to end: the course's example received by a real UDP socket the test owns, payloads
// from arguments, stdin and hex, --wait-reply against the test's echo server, timeouts, SIGINT.
import assert from "#assert";
import { runToolkit, startToolkit } from "../_support/harness.ts";
import { InputError, UsageError } from "../../lib/cli/errors.ts";
import udpSend from "../../lib/commands/udp_send.ts";
import { jsonGlobals, noGlobals } from "../_support/parse_globals.ts";

function receiver(hostname = "127.0.0.1") {
  const sock = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  return { sock, port: (sock.addr as Deno.NetAddr).port };
}

async function receiveOne(sock: Deno.DatagramConn, ms = 3000): Promise<[Uint8Array, Deno.NetAddr]> {
  const timer = setTimeout(() => sock.close(), ms);
  try {
    const [data, addr] = await sock.receive();
    return [data, addr as Deno.NetAddr];
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("udp-send 127.0.0.1:PORT hi: the datagram arrives, nothing is printed", async () => {
  const { sock, port } = receiver();
  try {
    const r = await runToolkit(["udp-send", `127.0.0.1:${port}`, "hi"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "");
    const [data] = await receiveOne(sock);
    assert.equal(new TextDecoder().decode(data), "hi");
  } finally {
    sock.close();
  }
});

Deno.test("udp-send reads the payload from stdin byte for byte, and --hex decodes hex", async () => {
  const { sock, port } = receiver();
  try {
    const binary = new Uint8Array([0, 255, 10, 13, 0xc3, 0x28, 10]);
    assert.equal((await runToolkit(["udp-send", `127.0.0.1:${port}`], { stdin: binary })).code, 0);
    assert.deepEqual((await receiveOne(sock))[0], binary);
    const r = await runToolkit(["udp-send", "--hex", `127.0.0.1:${port}`, "de ad:be-ef"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await receiveOne(sock))[0], new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    const utf8 = "我是客户端";
    assert.equal((await runToolkit(["udp-send", `127.0.0.1:${port}`, utf8])).code, 0);
    assert.equal(new TextDecoder().decode((await receiveOne(sock))[0]), utf8);
  } finally {
    sock.close();
  }
});

Deno.test("udp-send --count sends exactly N datagrams; --verbose and --json report them", async () => {
  const { sock, port } = receiver();
  try {
    const r = await runToolkit([
      "udp-send",
      "-c",
      "5",
      "-i",
      "5ms",
      "-v",
      `127.0.0.1:${port}`,
      "x",
    ]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `sent 5 datagrams of 1 bytes to 127.0.0.1:${port}\n`);
    for (let i = 0; i < 5; i++) {
      assert.equal(new TextDecoder().decode((await receiveOne(sock))[0]), "x");
    }
    const j = await runToolkit(["udp-send", "--json", `127.0.0.1:${port}`, "abc"]);
    const doc = { remote: `127.0.0.1:${port}`, datagramCount: 1, size: 3 };
    assert.deepEqual(JSON.parse(j.stdout), doc);
    await receiveOne(sock);
    // Under --json -v's line is an event on stderr: nothing but JSON lines there.
    const v = await runToolkit(["udp-send", "--json", "-v", `127.0.0.1:${port}`, "abc"]);
    assert.deepEqual(JSON.parse(v.stdout), doc);
    assert.deepEqual(JSON.parse(v.stderr), { event: "sent", ...doc });
    await receiveOne(sock);
  } finally {
    sock.close();
  }
});

Deno.test("udp-send --wait-reply prints the echo server's reply; --json describes it", async () => {
  const { sock, port } = receiver();
  const echo = (async () => {
    for (let i = 0; i < 2; i++) {
      const [data, from] = await receiveOne(sock);
      await sock.send(
        new TextEncoder().encode("我是服务端:" + new TextDecoder().decode(data)),
        from,
      );
    }
  })();
  try {
    const r = await runToolkit(["udp-send", "--wait-reply", `127.0.0.1:${port}`, "hello"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "我是服务端:hello");
    const j = await runToolkit(["udp-send", "-w", "--json", `127.0.0.1:${port}`, "hey"]);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.reply.text, "我是服务端:hey");
    assert.equal(doc.reply.remote, `127.0.0.1:${port}`);
    assert.equal(doc.reply.size, new TextEncoder().encode("我是服务端:hey").length);
    await echo;
  } finally {
    sock.close();
  }
});

Deno.test("udp-send over IPv6 loopback", async () => {
  const { sock, port } = receiver("::1");
  try {
    const r = await runToolkit(["udp-send", `[::1]:${port}`, "six"]);
    assert.equal(r.code, 0, r.stderr);
    const [data, from] = await receiveOne(sock);
    assert.equal(new TextDecoder().decode(data), "six");
    assert.equal(from.hostname, "::1");
  } finally {
    sock.close();
  }
});

Deno.test("udp-send --wait-reply times out with exit 3 naming the address", async () => {
  const { sock, port } = receiver();
  try {
    const r = await runToolkit(["udp-send", "-w", "-t", "200ms", `127.0.0.1:${port}`, "anyone?"]);
    assert.equal(r.code, 3);
    assert.equal(
      r.stderr,
      `toolkit: error: timed out (no reply from 127.0.0.1:${port} within 0.2s)\n`,
    );
  } finally {
    sock.close();
  }
});

Deno.test("udp-send to a closed port with --wait-reply reports connection refused (ICMP) or timeout, exit 3", async () => {
  const { sock, port } = receiver();
  sock.close(); // the port is now closed: Linux answers with ICMP port unreachable
  const r = await runToolkit(["udp-send", "-w", "-t", "500ms", `127.0.0.1:${port}`, "x"]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `^toolkit: error: (connection refused|timed out) \\(.*127\\.0\\.0\\.1:${port}.*\\)\\n$`,
    ),
  );
});

Deno.test("a payload larger than a UDP datagram is rejected before sending", async () => {
  const r = await runToolkit(["udp-send", "127.0.0.1:9"], { stdin: new Uint8Array(70_000) });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "toolkit: error: input is larger than 65507 bytes\n");
});

Deno.test("SIGINT while waiting for a reply exits 130 promptly", async () => {
  const { sock, port } = receiver();
  try {
    const p = startToolkit(["udp-send", "-w", "-t", "30s", "-v", `127.0.0.1:${port}`, "x"]);
    await p.waitForStderr(/sent 1 datagram/);
    p.child.kill("SIGINT");
    const r = await p.finish(5000);
    assert.equal(r.code, 130);
  } finally {
    sock.close();
  }
});

Deno.test("udp-send with an empty stdin sends nothing, as nc -u does; an empty DATA argument is one empty datagram", async () => {
  const { sock, port } = receiver();
  try {
    const r = await runToolkit(["--json", "udp-send", "127.0.0.1", String(port)], { stdin: "" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).datagramCount, 0);
    // The marker sent next is the first thing the socket holds: nothing came before it.
    assert.equal((await runToolkit(["udp-send", `127.0.0.1:${port}`, "marker"])).code, 0);
    assert.equal(new TextDecoder().decode((await receiveOne(sock))[0]), "marker");
    const empty = await runToolkit(["udp-send", `127.0.0.1:${port}`, ""]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal((await receiveOne(sock))[0].length, 0);
  } finally {
    sock.close();
  }
});

Deno.test("udp-send parse is pure and validates everything up front", () => {
  const o = udpSend.parse(["-c", "3", "-i", "250ms", "[::1]:9000", "hi"], jsonGlobals);
  assert.equal(o.count, 3);
  assert.equal(o.intervalMs, 250);
  assert.deepEqual(o.target, { host: "::1", port: 9000, family: "ipv6" });
  assert.equal(new TextDecoder().decode(o.data), "hi");
  assert.equal(o.json, true);
  assert.equal(udpSend.parse(["127.0.0.1:9"], noGlobals).data, undefined);
  assert.throws(() => udpSend.parse(["127.0.0.1:0", "x"], noGlobals), /out of range/);
});

Deno.test("udp-send parse: one datagram and a 2 s reply wait by default; nc's HOST PORT and each option; a zero count refused", () => {
  assert.deepEqual(udpSend.parse(["127.0.0.1:9000", "hi"], noGlobals), {
    target: { host: "127.0.0.1", port: 9000, family: "ipv4" },
    data: new TextEncoder().encode("hi"),
    hex: false,
    count: 1,
    intervalMs: 0,
    waitReply: false,
    timeoutMs: 2000,
    verbose: false,
    json: false,
    broadcast: false,
    ttl: undefined,
    loop: false,
  });
  const o = udpSend.parse(
    ["-c", "3", "-i", "250ms", "-w", "-t", "1s", "--hex", "127.0.0.1", "9000", "6869"],
    noGlobals,
  );
  assert.deepEqual(
    [o.target.port, o.data, o.hex, o.count, o.intervalMs, o.waitReply, o.timeoutMs],
    [
      9000,
      new TextEncoder().encode("hi"),
      true,
      3,
      250,
      true,
      1000,
    ],
  );
  assert.throws(
    () => udpSend.parse(["127.0.0.1:9", "x", "-c", "0"], noGlobals),
    UsageError,
    "--count must be between 1 and",
  );
  assert.throws(() => udpSend.parse(["--hex", "127.0.0.1:9", "zz"], noGlobals), InputError, "hex");
});
