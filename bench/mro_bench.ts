// `toolkit mro`'s engine against CPython creating the same classes, measured in one run: a
// generated module of 10,000 classes (blocks of 200 classes, each with up to three bases among
// the 12 classes before it, kept consistent so Python creates every one). Ours is reading the
// source plus resolving every MRO in-process; CPython's is compile + exec of the same source,
// timed inside the interpreter (start-up excluded on both sides), best of several runs because the
// machines are shared. Target: at least 5x faster.
import { linearizeC3 } from "../lib/mro/linearize_c3.ts";
import { readClassStatements } from "../lib/mro/read_classes.ts";
import { resolveClasses } from "../lib/mro/resolve.ts";
import { type BenchContext, type BenchRow, row } from "./rows.ts";
import { python, toolkitCmd } from "../tests/_support/harness.ts";

/** CPython 3.13 by absolute path (pyenv), or whatever python3 is on PATH. */
const cpython = python("3.13") ?? { cmd: "python3", env: {} };

/**
 * Generates a consistent hierarchy of `count` classes (deterministic).
 *
 * @example
 * ```ts
 * generateBenchHierarchy(3); // "class K0: pass\nclass K1(K0): pass\nclass K2(K1, K0): pass\n" (or similar)
 * ```
 */
export function generateBenchHierarchy(count: number, block = 200): string {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const mro = new Map<string, readonly string[]>([["object", ["object"]]]);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = i - (i % block);
    const window: string[] = [];
    for (let j = Math.max(start, i - 12); j < i; j++) window.push(`K${j}`);
    let bases: string[] = [];
    const want = Math.min(window.length, 1 + Math.floor(rand() * 3));
    while (bases.length < want) {
      const b = window[Math.floor(rand() * window.length)];
      if (!bases.includes(b)) bases.push(b);
    }
    // Drop bases from the right until the order is consistent.
    while (bases.length > 1 && !linearizeC3(`K${i}`, bases, (b) => mro.get(b)!).ok) {
      bases = bases.slice(0, -1);
    }
    const r = linearizeC3(`K${i}`, bases.length ? bases : ["object"], (b) => mro.get(b)!);
    if (!r.ok) throw new Error("generator produced an inconsistent hierarchy");
    mro.set(`K${i}`, r.mro);
    lines.push(`class K${i}${bases.length ? `(${bases.join(", ")})` : ""}: pass`);
  }
  return lines.join("\n") + "\n";
}

const pythonTiming = `
import sys, time
src = open(sys.argv[1]).read()
best = None
for _ in range(int(sys.argv[2])):
    g = {}
    t = time.perf_counter()
    exec(compile(src, "hierarchy", "exec"), g)
    t = time.perf_counter() - t
    best = t if best is None else min(best, t)
last = [k for k in g if k.startswith("K")][-1]
print(best, ",".join(c.__name__ for c in g[last].__mro__))
`;

/** The benchmark module: one row, ours against CPython 3.13. */
export default async function mroBench(ctx: BenchContext): Promise<BenchRow[]> {
  const count = ctx.quick ? 1000 : 10_000;
  const repeats = 3;
  const source = generateBenchHierarchy(count);
  const base = {
    name: `mro resolve ${count.toLocaleString("en-US")} classes`,
    peer: "CPython 3.13 creating the classes",
    unit: "s",
    higherIsBetter: false,
    target: 5,
  };
  ctx.log(`mro: resolving ${count} classes`);
  // Warm the JIT on a different, smaller module first; CPython has nothing to warm.
  const warmUp = generateBenchHierarchy(ctx.quick ? 500 : 2000, 150);
  for (let i = 0; i < 4; i++) resolveClasses(readClassStatements(warmUp));
  let ours = Infinity;
  let ourLast = "";
  for (let i = 0; i < repeats + 2; i++) {
    const t = performance.now();
    const out = resolveClasses(readClassStatements(source));
    ours = Math.min(ours, (performance.now() - t) / 1000);
    ourLast = out[out.length - 1].cls!.mro.map((c) => c.qualname).join(",");
  }
  const file = await Deno.makeTempFile({ prefix: "mro_bench_", suffix: ".py" });
  try {
    await Deno.writeTextFile(file, source);
    ctx.log(`mro: CPython creating ${count} classes`);
    let out;
    try {
      out = await new Deno.Command(cpython.cmd, {
        args: ["-c", pythonTiming, file, String(repeats)],
        env: cpython.env,
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch (err) {
      return [row({ ...base, ours, peerValue: null, note: `python3: ${(err as Error).message}` })];
    }
    if (!out.success) {
      const why = new TextDecoder().decode(out.stderr).trim().split("\n").pop();
      return [row({ ...base, ours, peerValue: null, note: `CPython 3.13 not usable: ${why}` })];
    }
    const [seconds, pyLast] = new TextDecoder().decode(out.stdout).trim().split(" ");
    const agree = pyLast === ourLast;
    const rows = [row({
      ...base,
      ours,
      peerValue: Number(seconds),
      note: agree
        ? `best of ${
          repeats + 2
        } (ours, after a warm-up) and ${repeats} (CPython, compile + exec); the last class's MRO (${
          ourLast.split(",").length
        } classes) matches`
        : "MROs DIFFER from CPython's",
    })];
    if (!ctx.quick) rows.push(await endToEnd(ctx, file, count));
    return rows;
  } finally {
    await Deno.remove(file);
  }
}

/** Wall time of one process run, in seconds (the command must succeed). */
async function timeProcess(cmd: string, args: string[], env: Record<string, string> = {}) {
  const t = performance.now();
  const out = await new Deno.Command(cmd, { args, env, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr).trim().split("\n")[0]);
  return (performance.now() - t) / 1000;
}

/**
 * The cold path users meet: `toolkit mro --format json FILE` (start-up, reading, resolving and
 * printing every MRO) against `python3 FILE` creating the classes. Runs alternate; medians kept.
 */
async function endToEnd(ctx: BenchContext, file: string, count: number): Promise<BenchRow> {
  const base = {
    name: `mro CLI end to end, ${count.toLocaleString("en-US")} classes`,
    peer: "python3 FILE",
    unit: "s",
    higherIsBetter: false,
    target: 1,
  };
  ctx.log("mro: end to end, toolkit mro --format json against python3");
  // The same command the tests use, so TOOLKIT_CMD=dist/toolkit measures a compiled binary.
  const [program, ...toolkit] = toolkitCmd;
  const ours: number[] = [];
  const peer: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      ours.push(await timeProcess(program, [...toolkit, "mro", "--format", "json", file]));
      peer.push(await timeProcess(cpython.cmd, [file], cpython.env));
    }
  } catch (err) {
    return row({ ...base, ours: null, peerValue: null, note: (err as Error).message });
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return row({
    ...base,
    ours: median(ours),
    peerValue: median(peer),
    note:
      "median of 3 alternating runs; ours includes Deno start-up and printing every MRO as JSON",
  });
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const rows = await mroBench({ quick, log: (m) => console.error(m) });
  console.log(JSON.stringify(rows, null, 2));
}
