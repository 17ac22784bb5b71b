// `drill serve` under a class's burst: 200 lab machines submitting a real drill report at once on
// loopback, in rounds, against the real command (its own scope, SQLite with synchronous=FULL, so
// every 201 is on disk). Figures: submissions per second, the p99 latency of one submission, and
// the server's peak memory. No peer tool collects drill reports, so these are plain figures.
import { type BenchContext, type BenchRow, row } from "./rows.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** The toolkit command line: TOOLKIT_CMD (a compiled binary) or `deno run` as the tests do. */
const toolkit = Deno.env.get("TOOLKIT_CMD")?.trim().split(/\s+/) ??
  ["deno", "run", "-q", "-P", "--no-prompt", "--config", `${root}/deno.json`, `${root}/main.ts`];

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Peak resident memory of a process, in MiB (Linux VmHWM). */
function peakRssMiB(pid: number): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** Runs the collector benchmark. */
export default async function collectBench(ctx: BenchContext): Promise<BenchRow[]> {
  const machines = ctx.quick ? 20 : 200;
  const rounds = ctx.quick ? 1 : 5;
  const dir = await Deno.makeTempDir({ prefix: "toolkit-bench-collect-" });
  const report = await new Deno.Command(toolkit[0], {
    args: [...toolkit.slice(1), "drill", "run", "--json", "tcp-echo", "same-subnet", "udp-echo"],
    stdout: "piped",
  }).output();
  if (!report.success) throw new Error("drill run --json failed");
  const token = "bench-class-token";
  const server = new Deno.Command(toolkit[0], {
    args: [
      ...toolkit.slice(1),
      "drill",
      "serve",
      "127.0.0.1:0",
      "--db",
      `${dir}/class.db`,
      "--token",
      token,
      "--teacher-token",
      "bench-teacher-token",
      // 200 machines on loopback share one address: its rate and connection cap raised, as a
      // lab behind one NAT address would raise them.
      "--rate",
      "100000/s",
      "--max-connections",
      "1000",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    const reader = server.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    const deadline = Date.now() + 30_000;
    while (!/listening on (\S+)\n/.test(seen)) {
      const { value, done } = await reader.read();
      if (done || Date.now() > deadline) throw new Error(`drill serve did not start: ${seen}`);
      seen += value;
    }
    reader.releaseLock();
    server.stderr.cancel().catch(() => {});
    const base = `http://${/listening on (\S+)\n/.exec(seen)![1]}`;
    const url = `${base}/api/submit`;
    const body = (machine: string) =>
      JSON.stringify({
        machine,
        toolkitVersion: "0.1.0",
        ranAt: new Date().toISOString(),
        scope: {
          narrowed: false,
          ...Object.fromEntries(
            ["net", "read", "write", "run", "env", "sys"].map((k) => [k, {
              all: true,
              grants: [],
            }]),
          ),
        },
        report: JSON.parse(new TextDecoder().decode(report.stdout)),
      });
    // Checked before timing: a body the collector refuses would make every round a 400.
    const probe = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: body("probe"),
    });
    if (probe.status !== 201) {
      throw new Error(`the benchmark's submission was refused: ${await probe.text()}`);
    }
    // The teacher's dashboard is open: every submission is also pushed as an event.
    const watching = new AbortController();
    let events = 0;
    // Connected before the first round, so it sees every submission.
    const stream = await fetch(`${base}/api/events?t=bench-teacher-token`, {
      signal: watching.signal,
    });
    const dashboard = (async () => {
      for await (const chunk of stream.body!.pipeThrough(new TextDecoderStream())) {
        events += chunk.split("event: submission\n").length - 1;
      }
    })().catch(() => {});
    const latencies: number[] = [];
    let wall = 0;
    let failed = 0;
    for (let r = 0; r < rounds; r++) {
      const bodies = Array.from({ length: machines }, (_, i) => body(`pc${r}-${i}`));
      const started = performance.now();
      await Promise.all(bodies.map(async (b) => {
        const t = performance.now();
        const res = await fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
          body: b,
          signal: AbortSignal.timeout(60_000),
        });
        await res.body?.cancel();
        if (res.status !== 201) failed++;
        latencies.push(performance.now() - t);
      }));
      wall += performance.now() - started;
      ctx.log(`round ${r + 1}/${rounds}: ${machines} submissions`);
    }
    if (failed) throw new Error(`${failed} submissions were not stored`);
    for (let i = 0; i < 100 && events < machines * rounds; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    watching.abort();
    await dashboard;
    if (events !== machines * rounds) {
      throw new Error(`the dashboard saw ${events} of ${machines * rounds} submissions`);
    }
    const bytes = body("pc0-0").length;
    const rate = (machines * rounds) / (wall / 1000);
    const note =
      `plain figure (no peer tool collects drill reports): ${rounds} rounds of ${machines} ` +
      `machines at once, ${Math.round(bytes / 1024)} KiB reports, each 201 fsynced, a dashboard ` +
      `streaming every submission`;
    return [
      row({
        name: `drill serve: ${machines} machines submit at once`,
        peer: "-",
        unit: "submissions/s",
        higherIsBetter: true,
        ours: rate,
        peerValue: null,
        target: 0,
        note,
      }),
      row({
        name: `drill serve: p99 latency, ${machines} at once`,
        peer: "-",
        unit: "ms",
        higherIsBetter: false,
        ours: percentile(latencies, 99),
        peerValue: null,
        target: 0,
      }),
      row({
        name: "drill serve: server peak memory",
        peer: "-",
        unit: "MiB",
        higherIsBetter: false,
        ours: peakRssMiB(server.pid),
        peerValue: null,
        target: 0,
      }),
    ];
  } finally {
    try {
      server.kill("SIGINT");
    } catch { /* exited */ }
    await server.status;
    await Deno.remove(dir, { recursive: true });
  }
}
