// tcp-send as a real process against course-style servers on loopback: --wait-reply, --json,
// --crlf, --file, --hex and stdin, no reply within the timeout (exit 3); and its parse in process.
import assert from "#assert";
import { runToolkit } from "../_support/harness.ts";
import { randomBytes, readToEnd, sha256 } from "../_support/byte_streams.ts";
import { writeAll } from "../../lib/net/write_all.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import { noGlobals } from "../_support/parse_globals.ts";
import { assertHelpUsage, assertUsageRefused } from "../_support/usage_checks.ts";
import { InputError } from "../../lib/cli/errors.ts";
import tcpSend from "../../lib/commands/tcp_send.ts";

const enc = new TextEncoder();

const dec = new TextDecoder();

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "tcp-send --wait-reply and --json against a course-style server; --crlf converts LF",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = (async () => {
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const conn = await listener.accept();
        const got = dec.decode(await readToEnd(conn));
        seen.push(got);
        await writeAll(conn, enc.encode("我是服务端"));
        conn.close();
      }
      listener.close();
      return seen;
    })();
    const addr = `127.0.0.1:${listener.addr.port}`;
    const a = await runToolkit(["tcp-send", "--wait-reply", addr, "我是客户端"]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, "我是服务端");
    const b = await runToolkit(["--json", "tcp-send", "-w", addr, "ping"]);
    assert.equal(b.code, 0, b.stderr);
    const doc = JSON.parse(b.stdout);
    assert.equal(doc.remote, addr);
    assert.equal(doc.sent, 4);
    assert.equal(doc.reply.text, "我是服务端");
    assert.equal(doc.reply.size, 15);
    const c = await runToolkit(["tcp-connect", "--crlf", addr], { stdin: "a\nb\r\nc\n" });
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(await server, ["我是客户端", "ping", "a\r\nb\r\nc\r\n"]);
  },
);

Deno.test(
  "tcp-send --file streams a file; --wait-reply with no reply is exit 3",
  opts,
  async () => {
    const dir = await Deno.makeTempDir();
    const file = `${dir}/payload.bin`;
    const data = randomBytes(20 * 1024 * 1024 + 3); // a regular file: read synchronously
    await Deno.writeFile(file, data);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = (async () => {
      const conn = await listener.accept();
      const got = await readToEnd(conn);
      conn.close();
      const silent = await listener.accept(); // accepts, reads, never answers
      const held = await readToEnd(silent);
      await new Promise((r) => setTimeout(r, 1500));
      silent.close();
      listener.close();
      return { got, held };
    })();
    const addr = `127.0.0.1:${listener.addr.port}`;
    const a = await runToolkit(["tcp-send", "--file", file, addr]);
    assert.equal(a.code, 0, a.stderr);
    const b = await runToolkit(["tcp-send", "-w", "--timeout", "500ms", addr, "anyone?"]);
    assert.equal(b.code, 3);
    assert.match(
      b.stderr,
      /^toolkit: error: timed out \(no reply from 127\.0\.0\.1:\d+ within 0\.5s\)\n$/,
    );
    const s = await server;
    assert.equal(await sha256(s.got), await sha256(data));
    assert.equal(dec.decode(s.held), "anyone?");
    await Deno.remove(dir, { recursive: true });
  },
);

Deno.test(
  "tcp-send --hex sends bytes and prints the reply as hex; without DATA it reads stdin",
  opts,
  async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = (async () => {
      const seen: Uint8Array[] = [];
      for (let i = 0; i < 2; i++) {
        const conn = await listener.accept();
        seen.push(await readToEnd(conn));
        await writeAll(conn, new Uint8Array([0xca, 0xfe, 0x0a]));
        conn.close();
      }
      listener.close();
      return seen;
    })();
    const addr = `127.0.0.1:${listener.addr.port}`;
    const a = await runToolkit(["tcp-send", "--hex", "-w", addr, "de:ad be-ef"]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, "ca fe 0a\n");
    const b = await runToolkit(["tcp-send", addr], { stdin: new Uint8Array([1, 2, 3, 0]) });
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, "");
    const [first, second] = await server;
    assert.deepEqual([...first], [0xde, 0xad, 0xbe, 0xef]);
    assert.deepEqual([...second], [1, 2, 3, 0]);
  },
);

Deno.test("tcp-send --help; DATA and --file together is one error line and exit 2", async () => {
  await assertHelpUsage("tcp-send");
  await assertUsageRefused(["tcp-send", "--file", "x", "127.0.0.1:9", "data"], /not both/);
});

Deno.test("tcp-send parse: defaults, --hex data, --file; DATA and --file together, bad hex refused", () => {
  assert.deepEqual(tcpSend.parse(["127.0.0.1:9000", "hi"], noGlobals), {
    target: { host: "127.0.0.1", port: 9000, family: "ipv4" },
    data: enc.encode("hi"),
    file: undefined,
    hex: false,
    waitReply: false,
    timeoutMs: 5000,
    verbose: false,
    json: false,
  });
  const hex = tcpSend.parse(["-w", "--hex", "-t", "500ms", "127.0.0.1:9000", "6869"], noGlobals);
  assert.deepEqual([hex.data, hex.hex, hex.waitReply, hex.timeoutMs], [
    enc.encode("hi"),
    true,
    true,
    500,
  ]);
  const file = tcpSend.parse(["--file", "/tmp/x", "127.0.0.1:9000"], noGlobals);
  assert.deepEqual([file.file, file.data], ["/tmp/x", undefined]);
  assert.throws(
    () => tcpSend.parse(["--file", "/tmp/x", "127.0.0.1:9000", "hi"], noGlobals),
    UsageError,
    "give DATA or --file, not both",
  );
  assert.throws(
    () => tcpSend.parse(["--hex", "127.0.0.1:9000", "zz"], noGlobals),
    InputError,
    "hex",
  );
});
