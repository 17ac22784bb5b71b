// Sockets against the tools users would pick instead, measured side by side in one run:
// - TCP: a file through `tcp-listen`/`tcp-connect` versus `nc` and `socat` (2 GiB; target 1.5x nc),
// - UDP: 64-byte datagrams per second of `perf --udp --rate 0` versus `iperf3 -u -b 0` (0.9x),
//   with the receiver's loss at that rate in the note,
// - start-up: `toolkit udp-send` end to end versus `deno run` of an empty script (at most 1.3x).
// Everything runs on loopback; ports come from binding port 0. Runs are interleaved (ours, peer,
// ours, peer...) and the median kept, because the machines are shared and noisy.
// The CLI is run the way the tests run it (TOOLKIT_CMD, default `deno run -P main.ts`), so
// `TOOLKIT_CMD=dist/toolkit deno task bench` measures the compiled binary instead.
import { hasCommand as has, toolkitCmd as toolkit } from "../tests/_support/harness.ts";
import { type BenchContext, type BenchRow, row } from "./rows.ts";

/** Whether toolkit has a command (it may not exist yet while another issue is in progress). */
async function toolkitHas(name: string): Promise<boolean> {
  const r = await new Deno.Command(toolkit[0], {
    args: [...toolkit.slice(1), name, "--help"],
    stdout: "null",
    stderr: "null",
  }).output();
  return r.success;
}

function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A free TCP port on loopback, found by binding port 0 (the tool then binds it itself). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Waits until something listens on 127.0.0.1:port (read from /proc, without connecting). */
export async function waitListening(port: number, timeoutMs = 10_000): Promise<void> {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const table = await Deno.readTextFile("/proc/net/tcp");
    if (table.split("\n").some((l) => l.includes(` ${hex} `) && / 0A /.test(l))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function sh(script: string, stderr: "piped" | "null" = "null"): Deno.ChildProcess {
  return new Deno.Command("sh", {
    args: ["-c", script],
    stdin: "null",
    stdout: "null",
    stderr,
  }).spawn();
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * A row whose ratio is the median of per-round ratios: each round measures ours and the peer
 * back to back, so both see the same load, which on a shared machine moves more than either.
 */
export function pairedRow(
  r: Omit<BenchRow, "ratio" | "met" | "ours" | "peerValue">,
  ours: (number | undefined)[],
  peer: (number | undefined)[],
): BenchRow {
  const o = ours.filter((x): x is number => x !== undefined);
  const p = peer.filter((x): x is number => x !== undefined);
  const base = row({
    ...r,
    ours: o.length ? median(o) : null,
    peerValue: p.length ? median(p) : null,
  });
  const ratios: number[] = [];
  ours.forEach((x, i) => {
    const y = peer[i];
    if (x !== undefined && y !== undefined && x > 0 && y > 0) {
      ratios.push(r.higherIsBetter ? x / y : y / x);
    }
  });
  if (!ratios.length) return base;
  const ratio = median(ratios);
  return { ...base, ratio, met: ratio >= r.target };
}

export async function killAfter<T>(
  p: Promise<T>,
  children: Deno.ChildProcess[],
  ms: number,
): Promise<T> {
  const timer = setTimeout(() => {
    for (const c of children) {
      try {
        c.kill("SIGKILL");
      } catch { /* gone */ }
    }
  }, ms);
  try {
    return await p;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a toolkit listener (stdout discarded) and waits for the port it prints on stderr; the
 * rest of its stderr is drained so it never blocks on a full pipe.
 */
export async function startToolkitListener(
  args: string[],
): Promise<{ child: Deno.ChildProcess; port: number }> {
  const child = new Deno.Command(toolkit[0], {
    args: [...toolkit.slice(1), ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`toolkit ${args[0]} exited before printing its address: ${seen}`);
    seen += value;
    const m = /127\.0\.0\.1:(\d+)/.exec(seen);
    if (m) {
      (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })().catch(() => {});
      return { child, port: Number(m[1]) };
    }
  }
}

/** Times a client from its spawn until it and the listener have both exited, in seconds. */
async function timeCopy(listener: Deno.ChildProcess, clientScript: string): Promise<number> {
  const start = performance.now();
  const client = sh(clientScript);
  const [l, c] = await killAfter(
    Promise.all([listener.status, client.status]),
    [listener, client],
    120_000,
  );
  if (!l.success || !c.success) throw new Error(`listener exited ${l.code}, client ${c.code}`);
  return (performance.now() - start) / 1000;
}

/** One copy of `file` through a listener and a client; seconds from the client's spawn. */
type Copier = (file: string) => Promise<number>;

const tk = toolkit.map(quote).join(" ");

const copiers: Record<string, Copier> = {
  async toolkit(file) {
    const { child, port } = await startToolkitListener(["tcp-listen", "127.0.0.1:0"]);
    return await timeCopy(child, `exec ${tk} tcp-connect 127.0.0.1:${port} < ${quote(file)}`);
  },
  async nc(file) {
    const port = freePort();
    const listener = sh(`exec nc -l 127.0.0.1 ${port} < /dev/null > /dev/null`);
    await waitListening(port);
    return await timeCopy(listener, `exec nc -N 127.0.0.1 ${port} < ${quote(file)} > /dev/null`);
  },
  async socat(file) {
    const port = freePort();
    const listener = sh(`exec socat -u TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr STDOUT`);
    await waitListening(port);
    return await timeCopy(listener, `exec socat -u STDIN TCP:127.0.0.1:${port} < ${quote(file)}`);
  },
};

/** Reads a file to the end and discards it (fills the page cache). */
function warmRead(path: string): void {
  using f = Deno.openSync(path);
  const buf = new Uint8Array(1 << 20);
  while (f.readSync(buf) !== null) { /* discard */ }
}

async function tcpRows(ctx: BenchContext): Promise<BenchRow[]> {
  const size = ctx.quick ? 32 * 2 ** 20 : 2 * 2 ** 30;
  const label = ctx.quick ? "tcp 32 MiB copy" : "tcp 2 GiB copy";
  const reps = ctx.quick ? 1 : 3;
  // A sparse file: reading it costs no disk, so the copy is what is measured.
  const file = await Deno.makeTempFile({ prefix: "toolkit-bench-", suffix: ".bin" });
  const notes: Record<string, string> = {};
  try {
    await Deno.truncate(file, size);
    const ours = (await toolkitHas("tcp-listen")) && (await toolkitHas("tcp-connect"));
    if (!ours) notes.toolkit = "skipped: toolkit tcp-listen/tcp-connect do not exist yet (issue 7)";
    const tools = ["toolkit", "nc", "socat"].filter((t) => {
      if (t === "toolkit") return ours;
      if (!has(t)) {
        notes[t] = `skipped: ${t} is not installed (apt-get install -y netcat-openbsd socat)`;
      }
      return has(t);
    });
    // The first reader of a fresh sparse file pays for filling the page cache (about 2.5 s for
    // 2 GiB here): read it once, unmeasured, so that no tool pays for it.
    warmRead(file);
    // rates[tool][round] in MiB/s; undefined where a run failed.
    const rates: Record<string, (number | undefined)[]> = { toolkit: [], nc: [], socat: [] };
    const order = ["toolkit", "nc", "socat"];
    for (let r = 0; r < reps; r++) {
      // Each round starts with a different tool, so no tool is always first after the others.
      for (const t of [...order.slice(r % 3), ...order.slice(0, r % 3)]) {
        if (!tools.includes(t) || notes[t]) {
          rates[t].push(undefined);
          continue;
        }
        try {
          const s = await copiers[t](file);
          rates[t].push(size / 2 ** 20 / s);
          ctx.log(`${label}: ${t} ${s.toFixed(2)} s`);
        } catch (err) {
          rates[t].push(undefined);
          notes[t] = `${t} failed: ${(err as Error).message}`;
        }
      }
    }
    const note = (peer: string) =>
      [
        notes.toolkit,
        notes[peer],
        `${reps} rounds; MiB/s from the client's start to both exits; values are medians, ` +
        `the ratio is the median of per-round ratios`,
      ].filter(Boolean).join("; ");
    return [
      pairedRow(
        {
          name: label,
          peer: "nc",
          unit: "MiB/s",
          higherIsBetter: true,
          target: 1.5,
          note: note("nc"),
        },
        rates.toolkit,
        rates.nc,
      ),
      pairedRow(
        {
          name: label,
          peer: "socat",
          unit: "MiB/s",
          higherIsBetter: true,
          target: 1.0,
          note: note("socat") + "; target from issue 7 (at least as fast as socat)",
        },
        rates.toolkit,
        rates.socat,
      ),
    ];
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

interface UdpRun {
  rate: number;
  lossPercent: number;
}

async function runOurUdp(seconds: number): Promise<UdpRun> {
  const { child: server, port } = await startToolkitListener([
    "perf-server",
    "127.0.0.1:0",
    "--count",
    "1",
  ]);
  const client = new Deno.Command(toolkit[0], {
    args: [
      ...toolkit.slice(1),
      "--json",
      "perf",
      `127.0.0.1:${port}`,
      "--udp",
      "--length",
      "64",
      "--rate",
      "0",
      "--time",
      String(seconds),
      "--interval",
      "0",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = await killAfter(client.output(), [client, server], seconds * 1000 + 20_000);
  await killAfter(server.status, [server], 10_000);
  const text = new TextDecoder().decode(out.stdout);
  const summary = text.trim().split("\n").map((l) => JSON.parse(l)).find((o) =>
    o.event === "summary"
  );
  if (!summary) throw new Error(`perf gave no summary: ${new TextDecoder().decode(out.stderr)}`);
  return {
    rate: summary.sender.datagramCount / (summary.sender.durationMs / 1000),
    lossPercent: summary.receiver.lossPercent,
  };
}

async function runIperfUdp(seconds: number): Promise<UdpRun> {
  const port = freePort();
  const server = sh(`exec iperf3 -s -1 -B 127.0.0.1 -p ${port}`);
  await waitListening(port);
  const client = new Deno.Command("iperf3", {
    args: [
      "-c",
      "127.0.0.1",
      "-p",
      String(port),
      "-u",
      "-l",
      "64",
      "-b",
      "0",
      "-t",
      String(seconds),
      "--json",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const out = await killAfter(client.output(), [client, server], seconds * 1000 + 20_000);
  await killAfter(server.status, [server], 10_000);
  const doc = JSON.parse(new TextDecoder().decode(out.stdout));
  if (doc.error) throw new Error(`iperf3: ${doc.error}`);
  const sum = doc.end.sum;
  return { rate: sum.packets / sum.seconds, lossPercent: sum.lost_percent };
}

async function udpRows(ctx: BenchContext): Promise<BenchRow[]> {
  const seconds = ctx.quick ? 1 : 5;
  const reps = ctx.quick ? 1 : 3;
  const ours: (UdpRun | undefined)[] = [];
  const peer: (UdpRun | undefined)[] = [];
  const notes: string[] = [];
  const iperf = has("iperf3");
  if (!iperf) notes.push("skipped iperf3: not installed (apt-get install -y iperf3)");
  for (let r = 0; r < reps; r++) {
    try {
      ours.push(await runOurUdp(seconds));
      ctx.log(`udp 64 B: toolkit ${Math.round(ours.at(-1)!.rate)}/s`);
    } catch (err) {
      ours.push(undefined);
      notes.push(`toolkit perf failed: ${(err as Error).message}`);
    }
    if (!iperf) continue;
    try {
      peer.push(await runIperfUdp(seconds));
      ctx.log(`udp 64 B: iperf3 ${Math.round(peer.at(-1)!.rate)}/s`);
    } catch (err) {
      peer.push(undefined);
      notes.push(`iperf3 failed: ${(err as Error).message}`);
    }
  }
  const loss = (runs: (UdpRun | undefined)[]) => {
    const l = runs.filter((x) => x !== undefined).map((x) => x!.lossPercent);
    return l.length ? `${median(l).toFixed(1)}%` : "-";
  };
  notes.push(
    `${reps} rounds of ${seconds}s, --rate 0 / -b 0; median receiver loss at that rate: toolkit ${
      loss(ours)
    } (perf-server), iperf3 ${loss(peer)} (iperf3 -s)`,
  );
  return [pairedRow(
    {
      name: "udp 64 B send rate",
      peer: "iperf3",
      unit: "datagrams/s",
      higherIsBetter: true,
      target: 0.9,
      note: notes.join("; "),
    },
    ours.map((x) => x?.rate),
    peer.map((x) => x?.rate),
  )];
}

async function startupRows(ctx: BenchContext): Promise<BenchRow[]> {
  const sink = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (sink.addr as Deno.NetAddr).port;
  const empty = await Deno.makeTempFile({ prefix: "toolkit-bench-empty-", suffix: ".ts" });
  const ours = `${tk} udp-send 127.0.0.1:${port} hi`;
  const bare = `deno run -q ${quote(empty)}`;
  const rounds = ctx.quick ? 1 : 6;
  const runs = ctx.quick ? 3 : 10;
  const hyperfine = has("hyperfine");
  try {
    const oursMs: number[] = [];
    const bareMs: number[] = [];
    let oursMin = Infinity;
    let bareMin = Infinity;
    for (let r = 0; r < rounds; r++) {
      const [a, b] = hyperfine
        ? await hyperfineTimes([ours, bare], runs, ctx.quick ? 1 : 3)
        : await ownTimes([ours, bare], runs);
      oursMs.push(a.median * 1000);
      bareMs.push(b.median * 1000);
      oursMin = Math.min(oursMin, a.min * 1000);
      bareMin = Math.min(bareMin, b.min * 1000);
      ctx.log(
        `startup: udp-send ${oursMs.at(-1)!.toFixed(1)} ms, empty ${bareMs.at(-1)!.toFixed(1)} ms`,
      );
    }
    return [pairedRow(
      {
        name: "startup udp-send",
        peer: "deno run empty.ts",
        unit: "ms",
        higherIsBetter: false,
        target: 1 / 1.3,
        note: `${rounds} rounds of ${runs} runs each (${
          hyperfine
            ? `hyperfine -N --warmup ${ctx.quick ? 1 : 3}`
            : "own timing: hyperfine is not installed"
        }), medians; fastest runs ${oursMin.toFixed(1)} ms vs ${bareMin.toFixed(1)} ms (${
          (oursMin / bareMin).toFixed(2)
        }x the time); target: at most 1.3x the time of the empty script`,
      },
      oursMs,
      bareMs,
    )];
  } finally {
    sink.close();
    await Deno.remove(empty).catch(() => {});
  }
}

/** Median and fastest wall time in seconds of each command, measured by hyperfine. */
async function hyperfineTimes(
  commands: string[],
  runs: number,
  warmup: number,
): Promise<{ median: number; min: number }[]> {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const r = await new Deno.Command("hyperfine", {
      args: [
        "-N",
        "--warmup",
        String(warmup),
        "--runs",
        String(runs),
        "--export-json",
        json,
        ...commands,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!r.success) throw new Error(new TextDecoder().decode(r.stderr).split("\n")[0]);
    const doc = JSON.parse(await Deno.readTextFile(json));
    return doc.results.map((x: { median: number; min: number }) => ({
      median: x.median,
      min: x.min,
    }));
  } finally {
    await Deno.remove(json).catch(() => {});
  }
}

/** Median and fastest wall time in seconds of each command, runs interleaved. */
async function ownTimes(
  commands: string[],
  runs: number,
): Promise<{ median: number; min: number }[]> {
  const times = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, c] of commands.entries()) {
      const t = performance.now();
      const s = await sh(`exec ${c}`).status;
      if (!s.success) throw new Error(`${c} exited ${s.code}`);
      times[k].push((performance.now() - t) / 1000);
    }
  }
  return times.map((t) => ({ median: median(t), min: Math.min(...t) }));
}

/** The sockets benchmarks: TCP copy, UDP send rate, start-up. */
export default async function socketsBench(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const part of [tcpRows, udpRows, startupRows]) {
    try {
      rows.push(...await part(ctx));
    } catch (err) {
      rows.push(row({
        name: part.name.replace(/Rows$/, ""),
        peer: "-",
        unit: "",
        higherIsBetter: true,
        ours: null,
        peerValue: null,
        target: 0,
        note: `failed: ${(err as Error).message.split("\n")[0]}`,
      }));
    }
  }
  return rows;
}
