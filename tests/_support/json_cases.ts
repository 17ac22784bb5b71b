// One representative `--json` run (or a few) of every registered command, with the peers it needs
// on loopback: what tests/suites/json_output_test.ts validates against docs/json/<command>.json. A
// command added to the registry without a row here fails that test.
import { freePort, root, type RunResult, runToolkit, startToolkit } from "./harness.ts";
import { serve } from "./serve_process.ts";

/** What one run printed under `--json`, sorted by what it is. */
export interface Produced {
  /** The argv, for messages. */
  argv: string[];
  code: number;
  /** The stdout document, the NDJSON lines of stdout, and the NDJSON events on stderr. */
  documents: unknown[];
  /** `{"error": ...}` lines on stderr. */
  errors: unknown[];
  /** `{"warning": ...}` lines on stderr. */
  warnings: unknown[];
  /** stderr lines that are not JSON (there should be none under `--json`). */
  text: string[];
}

/** How a run's stdout is read: a JSON document or NDJSON lines, or the data a stream carried. */
type StdoutKind = "json" | "data";

/**
 * Sorts what a `--json` run printed: stdout as one document (or NDJSON lines), stderr lines as
 * events, warnings, errors or (wrongly) text.
 *
 * @example
 * ```ts
 * collect(["subnet", "info", "10.0.0.1/24"], await runToolkit(["--json", "subnet", "info", "10.0.0.1/24"]));
 * ```
 */
export function collect(argv: string[], r: RunResult, stdout: StdoutKind = "json"): Produced {
  const out: Produced = { argv, code: r.code, documents: [], errors: [], warnings: [], text: [] };
  if (stdout === "json" && r.stdout.trim() !== "") {
    try {
      out.documents.push(JSON.parse(r.stdout));
    } catch {
      for (const line of r.stdout.split("\n").filter((l) => l !== "")) {
        out.documents.push(JSON.parse(line));
      }
    }
  }
  for (const line of r.stderr.split("\n").filter((l) => l !== "")) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      out.text.push(line);
      continue;
    }
    const keys = value !== null && typeof value === "object" ? Object.keys(value) : [];
    if (keys.length === 1 && keys[0] === "error") out.errors.push(value);
    else if (keys.length === 1 && keys[0] === "warning") out.warnings.push(value);
    else out.documents.push(value);
  }
  return out;
}

/** Runs `toolkit --json ARGS` to completion and sorts its output. */
export async function runJson(
  args: string[],
  options: { stdin?: string; stdout?: StdoutKind } = {},
): Promise<Produced> {
  const argv = ["--json", ...args];
  return collect(argv, await runToolkit(argv, { stdin: options.stdin }), options.stdout);
}

/** Peers on loopback for the socket commands, closed by `close()`. */
export class Peers {
  #closers: (() => void)[] = [];
  #tasks: Promise<unknown>[] = [];
  readonly dir = Deno.makeTempDirSync({ prefix: "toolkit-json-" });

  /** A TCP server answering every connection with what it read, then closing. */
  tcpEcho(): number {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#closers.push(() => l.close());
    this.#tasks.push(this.#serve(l));
    return l.addr.port;
  }

  /** A Unix stream socket doing the same as {@linkcode tcpEcho}. */
  unixEcho(name: string): string {
    const path = `${this.dir}/${name}`;
    const l = Deno.listen({ transport: "unix", path });
    this.#closers.push(() => l.close());
    this.#tasks.push(this.#serve(l));
    return path;
  }

  async #serve(l: Deno.Listener): Promise<void> {
    for await (const conn of l) {
      this.#tasks.push((async () => {
        try {
          const chunks: Uint8Array[] = [];
          for await (const c of conn.readable.pipeThrough(new TransformStream())) {
            chunks.push(c);
            await conn.write(c);
            break; // one chunk is the whole of what these cases send
          }
          await conn.closeWrite().catch(() => {});
        } catch { /* the client went away */ }
        try {
          conn.close();
        } catch { /* closed */ }
      })());
    }
  }

  /** A UDP socket echoing every datagram to its sender. */
  udpEcho(): number {
    const s = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    this.#closers.push(() => s.close());
    this.#tasks.push((async () => {
      try {
        for await (const [data, from] of s) await s.send(data, from);
      } catch { /* closed */ }
    })());
    return (s.addr as Deno.NetAddr).port;
  }

  /** A TCP port with nothing listening (bound and closed just now). */
  closedPort(): number {
    return freePort();
  }

  async close(): Promise<void> {
    for (const c of this.#closers) {
      try {
        c();
      } catch { /* already closed */ }
    }
    await Promise.allSettled(this.#tasks);
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Starts a listener under `--json`, waits for its `listening` event and returns its address. */
async function listening(args: string[], stdin?: string) {
  const argv = ["--json", ...args];
  const srv = startToolkit(argv, { stdin, stdinPiped: stdin === undefined });
  const m = await srv.waitForStderr(/"event":"listening","address":"([^"]+)"/);
  return { srv, argv, address: m[1], port: Number(/:(\d+)$/.exec(m[1])?.[1]) };
}

const fixture = (path: string) => `${root}/tests/fixtures/${path}`;

/** Whether this process may build network namespaces (the lab commands need root and `ip`). */
export function labUnavailable(): string | undefined {
  if (Deno.uid() !== 0) return "the lab commands need root";
  try {
    new Deno.Command("ip", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync();
  } catch {
    return "ip (iproute2) is not installed";
  }
  return undefined;
}

/** The class token of the collectors these cases start. */
const classToken = "class-token-json";

/** A `drill serve --json` collector with its database in the peers' directory. */
function collector(p: Peers) {
  return serve(["127.0.0.1:0", "--db", `${p.dir}/class.db`, "--token", classToken]);
}

/** drill run's options to submit to `url`, spooling into the peers' directory. */
function submitTo(url: string, p: Peers): string[] {
  return ["--submit", url, "--token", classToken, "--as", "pc-json", "--spool", `${p.dir}/spool`];
}

/** One command's representative runs. */
export type JsonCase = (peers: Peers) => Promise<Produced[]>;

/**
 * Every registered command's representative `--json` runs, keyed by the command's name. Several
 * runs where options add keys (`--wait-reply`, `--binary`) or the output takes another form.
 */
export const jsonCases: Record<string, JsonCase> = {
  "udp-send": async (p) => {
    const port = p.udpEcho();
    return [
      await runJson(["udp-send", "-v", "-w", `127.0.0.1:${port}`, "hi"]),
      await runJson(["udp-send", "-c", "2", `127.0.0.1:${port}`, "hi"]),
    ];
  },
  "udp-listen": async (p) => {
    const { srv, argv, port } = await listening(["udp-listen", "-v", "-c", "2", "127.0.0.1:0"]);
    const s = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
    await s.send(new TextEncoder().encode("héllo"), to);
    await s.send(new Uint8Array([0xff, 0xfe]), to);
    const runs = [collect(argv, await srv.finish())];
    // A reply the scope does not allow (to the sender's port, outside --net): `reply-error`.
    const own = p.closedPort();
    const narrowed = await listening([
      "--net",
      `127.0.0.1:${own}`,
      "udp-listen",
      "-c",
      "1",
      "--reply",
      "ok",
      `127.0.0.1:${own}`,
    ]);
    await s.send(new TextEncoder().encode("hi"), { ...to, port: own });
    s.close();
    runs.push(collect(narrowed.argv, await narrowed.srv.finish()));
    // A datagram from the listener's own port (another loopback address): -v's `dropped`.
    const guard = await listening(["udp-listen", "-v", "--echo", "-c", "1", "127.0.0.1:0"]);
    const twin = Deno.listenDatagram({ hostname: "127.0.0.2", port: guard.port, transport: "udp" });
    const target: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: guard.port };
    await twin.send(new TextEncoder().encode("loop?"), target);
    await guard.srv.waitForStderr(/"event":"dropped"/);
    twin.close();
    const last = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    await last.send(new TextEncoder().encode("counted"), target);
    await last.receive();
    last.close();
    runs.push(collect(guard.argv, await guard.srv.finish()));
    return runs;
  },
  "udp-connect": async (p) => {
    const argv = ["--json", "udp-connect", "-v", "--linger", "300ms", `127.0.0.1:${p.udpEcho()}`];
    const run = startToolkit(argv, { stdinPiped: true });
    const [, local] = await run.waitForStderr(/"event":"open",.*"address":"127\.0\.0\.1:(\d+)"/);
    // A stranger's datagram is dropped (`dropped` with -v); the peer echoes text and non-UTF-8.
    const stranger = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    await stranger.send(new TextEncoder().encode("not the peer"), {
      transport: "udp",
      hostname: "127.0.0.1",
      port: Number(local),
    });
    stranger.close();
    const w = run.child.stdin.getWriter();
    await w.write(new Uint8Array([0x68, 0x69, 0x0a, 0xff]));
    await w.close();
    return [collect(argv, await run.finish())];
  },
  "tcp-listen": async () => {
    const { srv, argv, port } = await listening(["tcp-listen", "-v", "127.0.0.1:0"], "");
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("hi"));
    await conn.closeWrite();
    for await (const _ of conn.readable) { /* until the listener closes */ }
    return [collect(argv, await srv.finish(), "data")];
  },
  "tcp-connect": async (p) => {
    const argv = ["--json", "tcp-connect", "-v", `127.0.0.1:${p.tcpEcho()}`];
    return [collect(argv, await runToolkit(argv, { stdin: "hi" }), "data")];
  },
  "tcp-send": async (p) => {
    const port = p.tcpEcho();
    return [
      await runJson(["tcp-send", "-v", "-w", `127.0.0.1:${port}`, "ping"]),
      await runJson(["tcp-send", `127.0.0.1:${port}`, "ping"]),
    ];
  },
  "unix-listen": async (p) => {
    const stream = await listening(["unix-listen", `${p.dir}/listen.sock`], "");
    const conn = await Deno.connect({ transport: "unix", path: `${p.dir}/listen.sock` });
    await conn.write(new TextEncoder().encode("hi"));
    await conn.closeWrite();
    for await (const _ of conn.readable) { /* until the listener closes */ }
    const runs = [collect(stream.argv, await stream.srv.finish(), "data")];
    const dgram = await listening(["unix-listen", "-u", "-c", "1", `${p.dir}/dgram.sock`]);
    await runToolkit(["unix-send", "-u", `${p.dir}/dgram.sock`, "hi"]);
    runs.push(collect(dgram.argv, await dgram.srv.finish()));
    // An echo to a sender whose socket file is gone: `reply-error` with -v.
    const echo = await listening([
      "unix-listen",
      "-u",
      "-v",
      "--echo",
      "-c",
      "1",
      `${p.dir}/e.sock`,
    ]);
    const gone = Deno.listenDatagram({ transport: "unixpacket", path: `${p.dir}/gone.sock` });
    await gone.send(new TextEncoder().encode("hi"), {
      transport: "unixpacket",
      path: `${p.dir}/e.sock`,
    });
    gone.close();
    runs.push(collect(echo.argv, await echo.srv.finish()));
    return runs;
  },
  "unix-connect": async (p) => {
    const argv = ["--json", "unix-connect", "-v", p.unixEcho("connect.sock")];
    return [collect(argv, await runToolkit(argv, { stdin: "hi" }), "data")];
  },
  "unix-send": async (p) => {
    const path = p.unixEcho("send.sock");
    const dgram = await listening(["unix-listen", "-u", "--echo", "-c", "1", `${p.dir}/e.sock`]);
    const runs = [
      await runJson(["unix-send", "-v", "-w", path, "hi"]),
      await runJson(["unix-send", path, "hi"]),
      await runJson(["unix-send", "-u", "-v", "-w", `${p.dir}/e.sock`, "hi"]),
    ];
    await dgram.srv.finish();
    return runs;
  },
  "scan": async (p) => [
    await runJson(["scan", "-a", "127.0.0.1", `${p.tcpEcho()},${p.closedPort()}`]),
  ],
  "tcp-ping": async (p) => [
    await runJson(["tcp-ping", "-c", "2", "-i", "10ms", `127.0.0.1:${p.tcpEcho()}`]),
  ],
  "subnet info": async () => [
    await runJson(["subnet", "info", "--binary", "172.16.10.1", "255.255.255.0"]),
    await runJson(["subnet", "info", "2001:db8::1/64"]),
    await runJson(["subnet", "info", "::ffff:127.0.0.1/128"]),
  ],
  "subnet same": async () => [
    await runJson(["subnet", "same", "172.16.10.1", "172.16.10.2", "255.255.255.0"]),
    await runJson(["subnet", "same", "10.0.0.1", "10.0.1.1", "/24"]),
  ],
  "subnet split": async () => [
    await runJson(["subnet", "split", "10.0.0.0/24", "--count", "3"]),
    await runJson(["subnet", "split", "--explain", "192.168.1.0/24", "--hosts", "60,2"]),
    await runJson(["subnet", "split", "2001:db8::/32", "--prefix", "64", "--limit", "2"]),
  ],
  "subnet aggregate": async () => [
    await runJson(["subnet", "aggregate", "10.0.0.0/25", "10.0.0.128/25", "2001:db8::/33"]),
    await runJson(["subnet", "aggregate", "--skip-bad"], { stdin: "10.0.0.0/24\nnope\n" }),
  ],
  "subnet exclude": async () => [
    await runJson(["subnet", "exclude", "192.168.0.0/24", "192.168.0.64/26"]),
  ],
  "subnet contains": async () => [
    await runJson(["subnet", "contains", "10.0.0.0/8", "10.1.2.3", "11.0.0.1"]),
  ],
  "subnet range": async () => [
    await runJson(["subnet", "range", "192.168.1.10", "192.168.1.100"]),
    await runJson(["subnet", "range", "::", "-", "ffff::"]),
  ],
  "subnet mask": async () => [
    await runJson(["subnet", "mask", "0.0.0.63"]),
    await runJson(["subnet", "mask", "/64"]),
  ],
  "subnet random": async () => [
    await runJson(["subnet", "random", "--seed", "lab 3", "--count", "2", "/26"]),
    await runJson(["subnet", "random", "--seed", "lab 3", "--ipv6", "/64"]),
  ],
  "arp show": async () => [
    await runJson(["arp", "show", "--file", fixture("arp/ip_neigh.txt")]),
    await runJson(["arp", "show", "--no-vendor", "--file", fixture("arp/openbsd_arp_an.txt")]),
    await runJson(["arp", "show", "--file", "-"], {
      stdin: "192.168.1.1 dev eth0 lladdr 00:1a:2b:3c:4d:5e REACHABLE\nnot a line\n",
    }),
  ],
  "arp check": async () => [
    await runJson([
      "arp",
      "check",
      "--gateway",
      "192.168.1.1",
      "--file",
      fixture("arp/spoofed_before.txt"),
      "--file",
      fixture("arp/spoofed_after.txt"),
    ]),
  ],
  "arp watch": async () => [
    await runJson([
      "arp",
      "watch",
      ...["watch_old.txt", "watch_1.txt", "watch_2.txt", "watch_3.txt"]
        .flatMap((f) => ["--file", fixture(`arp/${f}`)]),
    ]),
  ],
  "arp resolve": async () => [await runJson(["arp", "resolve", "--timeout", "200ms", "127.0.0.1"])],
  "mac": async () => [
    await runJson(["mac", "--eui64", "3c:22:fb:12:34:56", "DA-A1-19-00-00-01", "01:00:5e:0:0:fb"]),
  ],
  "ifaces": async (p) => {
    // Without `run` in the scope: the runtime's list, and a warning saying why.
    const scope = `${p.dir}/no-run.json`;
    await Deno.writeTextFile(scope, JSON.stringify({ run: [] }));
    return [await runJson(["ifaces"]), await runJson(["--scope", scope, "ifaces"])];
  },
  "sockets": async (p) => {
    p.tcpEcho();
    p.unixEcho("sockets.sock");
    return [
      await runJson(["sockets"]),
      await runJson(["sockets", "-tuxlp"]),
      await runJson(["sockets", "-s"]),
    ];
  },
  "mro": async () => [
    await runJson([
      "mro",
      ...["class C1: pass", "class C2(C1): pass", "class C3(C1, C2): pass", "class C4(C2): pass"]
        .flatMap((c) => ["-e", c]),
    ]),
  ],
  "drill list": async () => [await runJson(["drill", "list"])],
  "drill show": async () => [
    await runJson(["drill", "show", "tcp-echo"]),
    // A file that does not load: a warning per problem, then the error.
    await runJson(["drill", "show", fixture("drill/malformed.yaml")]),
  ],
  "drill run": async (p) => {
    const runs = [
      await runJson(["drill", "run", "same-subnet", "mro-c8"]),
      await runJson(["drill", "run", fixture("drill/wrong_expect.yaml")]),
      await runJson(["drill", "run", fixture("drill/malformed.yaml")]),
    ];
    // --submit: stored (nothing but the report), and spooled when the collector is down (a
    // warning naming the spool file, then the error).
    const srv = await collector(p);
    try {
      runs.push(await runJson(["drill", "run", "same-subnet", ...submitTo(srv.base, p)]));
    } finally {
      await srv.stop();
    }
    const down = `http://127.0.0.1:${p.closedPort()}`;
    runs.push(await runJson(["drill", "run", "same-subnet", ...submitTo(down, p)]));
    return runs;
  },
  "drill serve": async (p) => {
    const args = ["127.0.0.1:0", "--db", `${p.dir}/class.db`, "--token", classToken];
    const srv = await serve(args);
    let stopped;
    try {
      // One submission stored, one refused (a wrong token).
      await runToolkit(["drill", "run", "same-subnet", ...submitTo(srv.base, p)]);
      await runToolkit([
        "drill",
        "run",
        "same-subnet",
        ...submitTo(srv.base, p).map((a) => a === classToken ? "wrong-token-json" : a),
      ]);
      await srv.waitEvent((e) => e.event === "refused");
      // The teacher hides a machine: a `hidden` event.
      const hid = await fetch(`${srv.base}/api/hidden`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${srv.info.teacherToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ kind: "machine", name: "pc-json", hidden: true }),
      });
      await hid.body?.cancel();
      await srv.waitEvent((e) => e.event === "hidden");
    } finally {
      stopped = await srv.stop();
    }
    return [
      collect(["--json", "drill", "serve", ...args], { ...stopped, stdoutBytes: new Uint8Array() }),
    ];
  },
  "drill submit": async (p) => {
    // A report spooled while the collector was down, and a file that is not a submission.
    const down = `http://127.0.0.1:${p.closedPort()}`;
    await runToolkit(["drill", "run", "same-subnet", ...submitTo(down, p)]);
    const [spooled] = [...Deno.readDirSync(`${p.dir}/spool`)].map((e) =>
      `${p.dir}/spool/${e.name}`
    );
    const junk = `${p.dir}/junk.json`;
    await Deno.writeTextFile(junk, '{"machine": "x"}');
    const runs = [
      await runJson(["drill", "submit", spooled, "--to", down, "--token", classToken]),
    ];
    const srv = await collector(p);
    try {
      runs.push(
        await runJson(["drill", "submit", junk, spooled, "--to", srv.base, "--token", classToken]),
      );
    } finally {
      await srv.stop();
    }
    return runs;
  },
  "drill check": async () => [
    await runJson([
      "drill",
      "check",
      fixture("drill/wrong_expect.yaml"),
      fixture("drill/malformed.yaml"),
    ]),
  ],
  "drill schema": async () => [await runJson(["drill", "schema"])],
  "lab up": async () => {
    const runs = [
      await runJson([
        "lab",
        "up",
        "-v",
        "--dry-run",
        "--prefix",
        "tjson",
        "--hosts",
        "2",
        "--router",
      ]),
    ];
    if (labUnavailable()) return runs;
    const prefix = `tj${Deno.pid}`;
    try {
      runs.push(await runJson(["lab", "up", "-v", "--prefix", prefix, "--hosts", "1", "--router"]));
    } finally {
      await runToolkit(["lab", "down", "--prefix", prefix]);
    }
    return runs;
  },
  "lab status": async () => {
    const runs = [await runJson(["lab", "status", "--prefix", `tn${Deno.pid}`])];
    if (labUnavailable()) return runs;
    const prefix = `ts${Deno.pid}`;
    try {
      await runToolkit(["lab", "up", "--prefix", prefix, "--hosts", "1", "--router"]);
      runs.push(await runJson(["lab", "status", "--prefix", prefix]));
    } finally {
      await runToolkit(["lab", "down", "--prefix", prefix]);
    }
    return runs;
  },
  "lab down": async () => {
    const runs = [await runJson(["lab", "down", "--prefix", `tn${Deno.pid}`])];
    if (labUnavailable()) return runs;
    const prefix = `td${Deno.pid}`;
    await runToolkit(["lab", "up", "--prefix", prefix, "--hosts", "1"]);
    runs.push(await runJson(["lab", "down", "--prefix", prefix]));
    return runs;
  },
  "perf": async () => {
    // A plain perf-server: its own --json output is checked in the perf-server row.
    const server = startToolkit(["perf-server", "--count", "3", "127.0.0.1:0"]);
    const port = Number((await server.waitForStderr(/127\.0\.0\.1:(\d+)/))[1]);
    const target = `127.0.0.1:${port}`;
    try {
      return [
        await runJson(["perf", target, "--time", "1s", "--interval", "0.5s", "-P", "2"]),
        await runJson(["perf", target, "--udp", "--rate", "1M", "--time", "1s"]),
        // This end receives UDP: its intervals carry loss and jitter.
        await runJson(["perf", target, "-u", "-R", "--time", "1s", "--interval", "0.5s"]),
      ];
    } finally {
      await server.finish();
    }
  },
  "perf-server": async () => {
    const argv = ["--json", "perf-server", "--count", "2", "127.0.0.1:0"];
    const srv = startToolkit(argv);
    const port = Number((await srv.waitForStderr(/127\.0\.0\.1:(\d+)/))[1]);
    await runToolkit(["perf", `127.0.0.1:${port}`, "--time", "0.5s", "-P", "2"]);
    await runToolkit(["perf", `127.0.0.1:${port}`, "--time", "0.5s", "-u", "-R"]);
    return [collect(argv, await srv.finish())];
  },
  "scope": async () => [
    await runJson(["scope"]),
    await runJson(["--net", "127.0.0.1:9000", "scope"]),
  ],
  "completions": async () => [await runJson(["completions", "fish"])],
  "help": async () => [
    await runJson(["help"]),
    await runJson(["help", "udp-send"]),
    await runJson(["help", "subnet"]),
  ],
};
