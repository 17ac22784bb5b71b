// Interoperation with what users already run: the course's Python TCP and UDP servers and clients
// (utf-8 text both ways, written the way the course writes them), OpenBSD nc and socat, over
// loopback only, with real processes on both sides.
import assert from "#assert";
import {
  freePort,
  hasCommand,
  python,
  runToolkit,
  startToolkit,
  testIf,
} from "../_support/harness.ts";

const py = python("3.13");
const noPython = py ? undefined : "CPython 3.13 (pyenv) is not installed";
const dec = new TextDecoder();

/** A running helper process with its stdout/stderr readable. */
interface Helper {
  child: Deno.ChildProcess;
  /** Resolves to the first stdout line. */
  firstLine: Promise<string>;
  output(): Promise<{ code: number; stdout: string; stderr: string }>;
}

function spawn(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Helper {
  const child = new Deno.Command(cmd, {
    args,
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    w.write(new TextEncoder().encode(options.stdin)).then(() => w.close()).catch(() => {});
  }
  let out = "";
  let resolveLine!: (line: string) => void;
  const firstLine = new Promise<string>((r) => (resolveLine = r));
  const stdoutDone = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      out += chunk;
      if (out.includes("\n")) resolveLine(out.slice(0, out.indexOf("\n")));
    }
    resolveLine(out);
  })();
  const stderrDone = new Response(child.stderr).text();
  const killer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, 20_000);
  return {
    child,
    firstLine,
    async output() {
      const status = await child.status;
      clearTimeout(killer);
      await stdoutDone;
      return { code: status.code, stdout: out, stderr: await stderrDone };
    },
  };
}

// The course's TCP server, with port 0 (printed) instead of a fixed 8080.
const courseTcpServer = `
import socket
sk = socket.socket()
sk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sk.bind(('127.0.0.1', 0))
sk.listen(10)
print(sk.getsockname()[1], flush=True)
client_conn, client_addr = sk.accept()
buffer_size = 1024
data = client_conn.recv(buffer_size).decode(encoding='utf-8')
print(f'接收客户端发送的数据 {data}')
client_conn.send(bytes('我是服务端', 'utf-8'))
client_conn.close()
sk.close()
`;

const courseTcpClient = `
import socket, sys
sk = socket.socket()
ip_port = ('127.0.0.1', int(sys.argv[1]))
sk.connect(ip_port)
sk.send(bytes('我是客户端', 'utf-8'))
buffer_size = 1024
data = sk.recv(buffer_size).decode(encoding='utf-8')
print(f'接收服务端发送的数据 {data}')
sk.close()
`;

const courseUdpServer = `
import socket
udp_sk = socket.socket(type=socket.SOCK_DGRAM)
udp_sk.bind(('127.0.0.1', 0))
print(udp_sk.getsockname()[1], flush=True)
msg, addr = udp_sk.recvfrom(1024)
print(msg.decode('utf-8'))
udp_sk.sendto(bytes('我是服务端', 'utf-8'), addr)
udp_sk.close()
`;

const courseUdpClient = `
import socket, sys
ip_port = ('127.0.0.1', int(sys.argv[1]))
udp_sk = socket.socket(type=socket.SOCK_DGRAM)
udp_sk.settimeout(10)
udp_sk.sendto(bytes('我是客户端', 'utf-8'), ip_port)
back_msg, addr = udp_sk.recvfrom(1024)
print(back_msg.decode('utf-8'))
`;

testIf(
  noPython,
  "course TCP server (Python) ← toolkit tcp-connect and tcp-send",
  async () => {
    for (const client of [["tcp-connect"], ["tcp-send", "--wait-reply"]]) {
      const srv = spawn(py!.cmd, ["-c", courseTcpServer], { env: py!.env });
      const port = (await srv.firstLine).trim();
      const args = client[0] === "tcp-send"
        ? [...client, `127.0.0.1:${port}`, "我是客户端"]
        : [...client, `127.0.0.1:${port}`];
      const r = await runToolkit(args, client[0] === "tcp-connect" ? { stdin: "我是客户端" } : {});
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "我是服务端");
      const s = await srv.output();
      assert.equal(s.code, 0, s.stderr);
      assert.equal(s.stdout, `${port}\n接收客户端发送的数据 我是客户端\n`);
    }
  },
);

testIf(noPython, "course TCP client (Python) → toolkit tcp-listen", async () => {
  const srv = startToolkit(["tcp-listen", "0"], { stdin: "我是服务端" });
  const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
  const cli = spawn(py!.cmd, ["-c", courseTcpClient, port], { env: py!.env });
  const c = await cli.output();
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stdout, "接收服务端发送的数据 我是服务端\n");
  const r = await srv.finish();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "我是客户端");
});

testIf(
  noPython,
  "course UDP server and client (Python) ↔ toolkit udp-send and udp-listen",
  async () => {
    const srv = spawn(py!.cmd, ["-c", courseUdpServer], { env: py!.env });
    const port = (await srv.firstLine).trim();
    const r = await runToolkit(["udp-send", "--wait-reply", `127.0.0.1:${port}`, "我是客户端"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "我是服务端");
    assert.equal((await srv.output()).stdout, `${port}\n我是客户端\n`);

    const listen = startToolkit(["udp-listen", "--reply", "我是服务端", "--count", "1", "0"]);
    const [, lport] = await listen.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
    const cli = spawn(py!.cmd, ["-c", courseUdpClient, lport], { env: py!.env });
    const c = await cli.output();
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout, "我是服务端\n");
    const l = await listen.finish();
    assert.equal(l.code, 0);
    assert.equal(l.stdout, "我是客户端");
  },
);

const noNc = hasCommand("nc") ? undefined : "nc is not installed (apt-get install netcat-openbsd)";

testIf(
  noNc,
  "nc client → toolkit tcp-listen, and toolkit tcp-connect → nc -l, binary-safe",
  async () => {
    const data = new Uint8Array(256 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
    const dir = await Deno.makeTempDir();
    await Deno.writeFile(`${dir}/data.bin`, data);
    try {
      const srv = startToolkit(["tcp-listen", "0"], { stdin: "from toolkit" });
      const [, port] = await srv.waitForStderr(/listening on 127\.0\.0\.1:(\d+)/);
      const nc = new Deno.Command("sh", {
        args: ["-c", `nc -N 127.0.0.1 ${port} < "${dir}/data.bin"`],
        stdout: "piped",
        stderr: "piped",
      });
      const n = await nc.output();
      assert.equal(n.code, 0, dec.decode(n.stderr));
      assert.equal(dec.decode(n.stdout), "from toolkit");
      const r = await srv.finish();
      assert.deepEqual(r.stdoutBytes, data);

      // nc -l needs a port number: take a free one, then retry while nc is not listening yet
      // (a refused connect does not use up nc's single accept).
      const free = freePort();
      const ncl = new Deno.Command("sh", {
        args: ["-c", `printf 'from nc' | nc -l -N 127.0.0.1 ${free} > "${dir}/got.bin"`],
        stdout: "null",
        stderr: "piped",
      }).spawn();
      let c;
      for (let i = 0; i < 50; i++) {
        c = await runToolkit(["tcp-connect", `127.0.0.1:${free}`], { stdin: data });
        if (c.code !== 3) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(c!.code, 0, c!.stderr);
      assert.equal(c!.stdout, "from nc");
      await ncl.status;
      assert.deepEqual(await Deno.readFile(`${dir}/got.bin`), data);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

const noSocat = hasCommand("socat") ? undefined : "socat is not installed (apt-get install socat)";

testIf(
  noSocat,
  "socat echo server ← tcp-connect; socat client → unix-listen and tcp-listen [::1]",
  async () => {
    const echo = new Deno.Command("socat", {
      args: ["-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1", "EXEC:cat"],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let log = "";
    const reader = echo.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let port: string | undefined;
    while (!port) {
      const { value, done } = await reader.read();
      if (done) break;
      log += value;
      port = /listening on AF=2 127\.0\.0\.1:(\d+)/.exec(log)?.[1];
    }
    assert.ok(port, log);
    const payload = "line one\n第二行\n\x00\xff end";
    const r = await runToolkit(["tcp-connect", `127.0.0.1:${port}`], { stdin: payload });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, payload);
    await echo.status;
    reader.releaseLock();
    await echo.stderr.cancel().catch(() => {});

    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/s.sock`;
      const srv = startToolkit(["unix-listen", path], { stdin: "unix reply" });
      await srv.waitForStderr(/listening on /);
      const s = await new Deno.Command("socat", {
        args: ["-", `UNIX-CONNECT:${path}`],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const w = s.stdin.getWriter();
      await w.write(new TextEncoder().encode("unix hello"));
      await w.close();
      const so = await s.output();
      assert.equal(dec.decode(so.stdout), "unix reply");
      const u = await srv.finish();
      assert.equal(u.code, 0, u.stderr);
      assert.equal(u.stdout, "unix hello");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }

    const v6 = startToolkit(["tcp-listen", "[::1]:0"], { stdin: "v6 reply" });
    const [, p6] = await v6.waitForStderr(/listening on \[::1\]:(\d+)/);
    const c6 = new Deno.Command("socat", {
      args: ["-", `TCP6:[::1]:${p6}`],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w6 = c6.stdin.getWriter();
    await w6.write(new TextEncoder().encode("v6 hello"));
    await w6.close();
    assert.equal(dec.decode((await c6.output()).stdout), "v6 reply");
    assert.equal((await v6.finish()).stdout, "v6 hello");
  },
);
