// lib/collect/http.ts on its own, with real sockets on loopback and short deadlines: a slowloris
// head, a silent connection, a trickled body and a reader that stops reading are each cut off;
// one address gets at most its cap of connections while another is still served; the wire format
// (lengths, chunked bodies both ways, 100-continue, pipelining, HEAD, smuggling-shaped requests).
import assert from "#assert";
import net from "node:net";
import { type HttpLimits, serveHttp } from "../../lib/collect/http.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A server on a free loopback port with `limits`; the handler echoes what it got. */
function start(limits: Partial<HttpLimits>, handler?: (req: Request) => Promise<Response>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const refused: string[] = [];
  const server = serveHttp(
    listener,
    handler ?? (async (req, info) => {
      const body = req.body ? await req.text() : "";
      return new Response(
        JSON.stringify({
          method: req.method,
          path: new URL(req.url).pathname,
          body,
          from: info.remoteAddr.hostname,
        }),
        { headers: { "content-type": "application/json" } },
      );
    }),
    { limits, onConnectionRefused: (remote, status) => refused.push(`${remote} ${status}`) },
  );
  return { server, port: (listener.addr as Deno.NetAddr).port, refused };
}

/** Reads until the peer closes (or `ms` pass); the text and whether it was closed in time. */
async function readAll(conn: Deno.Conn, ms = 5000): Promise<{ text: string; closed: boolean }> {
  let text = "";
  const buf = new Uint8Array(64 * 1024);
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return { text, closed: false };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      conn.read(buf).catch(() => null),
      new Promise<"late">((r) => (timer = setTimeout(() => r("late"), left))),
    ]);
    clearTimeout(timer);
    if (n === "late") return { text, closed: false };
    if (n === null) return { text, closed: true };
    text += dec.decode(buf.subarray(0, n));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("http: a slowloris head, a silent connection and a trickled body are cut off", async () => {
  const { server, port } = start({ headerTimeoutMs: 400, idleTimeoutMs: 300, bodyTimeoutMs: 400 });
  const conns: Deno.Conn[] = [];
  try {
    // A header line every 100 ms, never the empty line: closed at the header deadline.
    const slow = await Deno.connect({ hostname: "127.0.0.1", port });
    conns.push(slow);
    const started = Date.now();
    await slow.write(enc.encode("POST /api/submit HTTP/1.1\r\nHost: x\r\n"));
    const dripping = (async () => {
      for (let i = 0; i < 30; i++) {
        await sleep(100);
        if (await slow.write(enc.encode(`X-${i}: y\r\n`)).catch(() => null) === null) return i;
      }
      return 30;
    })();
    const cut = await readAll(slow, 3000);
    assert.ok(cut.closed, "the slowloris connection stays open");
    const took = Date.now() - started;
    assert.ok(took >= 350 && took < 1500, `closed after ${took} ms`);
    assert.ok((await dripping) < 30);
    // Nothing at all: closed too.
    const silent = await Deno.connect({ hostname: "127.0.0.1", port });
    conns.push(silent);
    assert.ok((await readAll(silent, 3000)).closed, "a silent connection stays open");
    // A body promised and trickled: cut at the body deadline, no answer.
    const trickle = await Deno.connect({ hostname: "127.0.0.1", port });
    conns.push(trickle);
    await trickle.write(
      enc.encode("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123"),
    );
    const t = await readAll(trickle, 3000);
    assert.ok(t.closed);
    assert.equal(t.text, "");
    // Kept alive after an answer, then idle: closed at the idle deadline.
    const kept = await Deno.connect({ hostname: "127.0.0.1", port });
    conns.push(kept);
    await kept.write(enc.encode("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
    const k = await readAll(kept, 3000);
    assert.ok(k.closed);
    assert.match(k.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(k.text, /connection: keep-alive/);
  } finally {
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await server.close();
  }
});

Deno.test("http: one address gets its cap of connections, the next is 429; others are served", async () => {
  const { server, port, refused } = start({ maxConnectionsPerAddress: 3, headerTimeoutMs: 5000 });
  const held: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      await c.write(enc.encode("GET / HTTP/1.1\r\n"));
      held.push(c);
    }
    await sleep(100);
    assert.deepEqual(server.connections(), new Map([["127.0.0.1", 3]]));
    const fourth = await Deno.connect({ hostname: "127.0.0.1", port });
    held.push(fourth);
    await fourth.write(enc.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    const answer = await readAll(fourth);
    assert.ok(answer.closed);
    assert.match(answer.text, /^HTTP\/1\.1 429 Too Many Requests\r\n/);
    assert.match(answer.text, /retry-after: 5\r\n/);
    assert.match(answer.text, /too many connections from 127\.0\.0\.1 \(at most 3 at once\)/);
    assert.deepEqual(refused, ["127.0.0.1 429"]);
    // Another address (the teacher's machine, another student) is served meanwhile.
    const text = await new Promise<string>((resolve, reject) => {
      let got = "";
      const s = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" }, () => {
        s.write("GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      });
      s.on("data", (d: Uint8Array) => (got += dec.decode(d)));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    });
    assert.match(text, /^HTTP\/1\.1 200 OK/);
    assert.match(text, /"from":"127\.0\.0\.2"/);
    // Closing one frees its place.
    held[0].close();
    held.shift();
    await sleep(100);
    const again = await fetch(`http://127.0.0.1:${port}/again`);
    assert.equal(again.status, 200);
    await again.body?.cancel();
  } finally {
    for (const c of held) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await server.close();
  }
});

Deno.test("http: a reader that stops reading is dropped at the send deadline", async () => {
  const big = new Uint8Array(64 << 20);
  const { server, port } = start({ sendTimeoutMs: 400 }, () => Promise.resolve(new Response(big)));
  const c = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await c.write(enc.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await sleep(1500);
    let got = 0;
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = await c.read(buf).catch(() => null);
      if (n === null) break;
      got += n;
    }
    assert.ok(got < big.length, `all ${got} bytes arrived`);
  } finally {
    c.close();
    await server.close();
  }
});

Deno.test("http: lengths, chunked bodies, 100-continue, pipelining, HEAD; malformed requests", async () => {
  const { server, port } = start({});
  const url = `http://127.0.0.1:${port}`;
  try {
    // fetch sends a stream chunked; keep-alive reuses the connection.
    for (let i = 0; i < 3; i++) {
      const body = new ReadableStream({
        start(c) {
          c.enqueue(enc.encode("héllo "));
          c.enqueue(enc.encode("wörld"));
          c.close();
        },
      });
      const r = await fetch(`${url}/chunked`, { method: "POST", body });
      assert.deepEqual(await r.json(), {
        method: "POST",
        path: "/chunked",
        body: "héllo wörld",
        from: "127.0.0.1",
      });
    }
    const raw = async (text: string) => {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        await c.write(enc.encode(text));
        return (await readAll(c, 3000)).text;
      } finally {
        c.close();
      }
    };
    // 100-continue: the interim answer once the handler reads the body.
    const cont = await raw(
      "POST /c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n" +
        "Connection: close\r\n\r\nok",
    );
    assert.match(cont, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    // Two requests in one write: two answers, in order.
    const two = await raw(
      "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.deepEqual([...two.matchAll(/"path":"(\/\w+)"/g)].map((m) => m[1]), ["/one", "/two"]);
    // Chunked with an extension and a trailer.
    const chunked = await raw(
      "POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
        "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n",
    );
    assert.match(chunked, /"body":"abcde"/);
    const head = await raw("HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.match(head, /^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: \d+\r\n[\s\S]*\r\n\r\n$/);
    const bad: [string, RegExp][] = [
      [
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
        /^HTTP\/1\.1 400 .*both Content-Length and Transfer-Encoding/s,
      ],
      ["POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", /^HTTP\/1\.1 400 .*Content-Length/s],
      ["POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", /^HTTP\/1\.1 501 /],
      ["GET / HTTP/2.0\r\n\r\n", /^HTTP\/1\.1 505 /],
      ["\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", /^HTTP\/1\.1 400 .*not an HTTP/s],
      [`GET / HTTP/1.1\r\nX: ${"a".repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
      [
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        /^HTTP\/1\.1 400 .*malformed chunk size/s,
      ],
    ];
    for (const [text, answer] of bad) assert.match(await raw(text), answer, JSON.stringify(text));
    // Still serving.
    assert.equal((await (await fetch(`${url}/after`)).json()).path, "/after");
  } finally {
    await server.close();
  }
});

Deno.test("http: an event stream whose reader went away is cancelled at once", async () => {
  let cancelled: () => void = () => {};
  const gone = new Promise<void>((r) => (cancelled = r));
  const { server, port } = start({}, () =>
    Promise.resolve(
      new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(enc.encode(": hello\n\n"));
          },
          cancel() {
            cancelled();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      ),
    ));
  try {
    const stop = new AbortController();
    const r = await fetch(`http://127.0.0.1:${port}/events`, { signal: stop.signal });
    const reader = r.body!.getReader();
    assert.match(dec.decode((await reader.read()).value), /hello/);
    const t = Date.now();
    stop.abort();
    await reader.cancel().catch(() => {});
    await Promise.race([gone, sleep(3000).then(() => Promise.reject(new Error("not cancelled")))]);
    assert.ok(Date.now() - t < 2000);
  } finally {
    await server.close();
  }
});
