// `deno task bench [--quick] [--only NAME]`: runs every bench/*_bench.ts module, prints one table
// (name | ours | peer | ratio | target | met) with numbered notes, writes bench/results.json and
// compares the ratios with the previous results.json. A module that fails becomes a row with a
// note, never a crash. `--quick` is the CI smoke mode: small sizes, nothing written.
import { parseArgs } from "node:util";
import type { BenchModule, BenchRow } from "./rows.ts";

const here = new URL(".", import.meta.url);
const resultsPath = new URL("results.json", here);

/** What bench/results.json holds. */
export interface BenchResults {
  date: string;
  quick: boolean;
  machine: Record<string, string | number>;
  rows: BenchRow[];
}

/** Module files in run order: sockets first (the noisiest), then the rest by name. */
export async function discoverModules(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(here)) {
    if (e.isFile && e.name.endsWith("_bench.ts")) names.push(e.name);
  }
  return names.sort();
}

function machine(): Record<string, string | number> {
  let cpu = "unknown";
  try {
    cpu = /model name\s*:\s*(.*)/.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1] ?? cpu;
  } catch { /* not Linux */ }
  return {
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    arch: Deno.build.arch,
    cpu,
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not finish within ${ms / 1000}s`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs one module; any failure becomes a single row saying why. */
async function runModule(file: string, quick: boolean): Promise<BenchRow[]> {
  const log = (message: string) => console.error(`[${file}] ${message}`);
  const failed = (why: string): BenchRow[] => [{
    name: file.replace(/_bench\.ts$/, ""),
    peer: "-",
    unit: "",
    higherIsBetter: true,
    ours: null,
    peerValue: null,
    ratio: null,
    target: 0,
    met: null,
    note: `module failed: ${why}`,
  }];
  try {
    const mod = await import(new URL(file, here).href);
    const fn = mod.default as BenchModule;
    if (typeof fn !== "function") return failed("it does not default-export a BenchModule");
    const rows = await withTimeout(fn({ quick, log }), quick ? 45_000 : 900_000, file);
    if (!Array.isArray(rows)) return failed("it returned no rows");
    return rows;
  } catch (err) {
    return failed((err instanceof Error ? err.message : String(err)).split("\n")[0]);
  }
}

/**
 * Formats a number with three significant digits and thousands grouping for large values.
 *
 * @example
 * ```ts
 * formatValue(1234567); // "1,234,567"
 * formatValue(0.01234); // "0.0123"
 * ```
 */
export function formatValue(v: number | null): string {
  if (v === null) return "-";
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return Number(v.toPrecision(3)).toString();
}

/** The table and the notes, as printed. */
export function renderTable(rows: readonly BenchRow[]): string {
  const notes: string[] = [];
  const lines = [["name", "ours", "peer", "ratio", "target", "met"]];
  for (const r of rows) {
    let name = r.name;
    if (r.note) {
      notes.push(r.note);
      name += ` [${notes.length}]`;
    }
    lines.push([
      name,
      r.ours === null ? "-" : `${formatValue(r.ours)} ${r.unit}`,
      `${r.peerValue === null ? "-" : `${formatValue(r.peerValue)} ${r.unit}`} (${r.peer})`,
      r.ratio === null ? "-" : `${r.ratio.toFixed(2)}x`,
      r.target > 0 ? `>= ${r.target.toFixed(2)}x` : "-",
      r.met === null ? "skipped" : r.met ? "yes" : "NO",
    ]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const out = lines.map((l) => l.map((c, i) => c.padEnd(widths[i])).join(" | ").trimEnd());
  out.splice(1, 0, widths.map((w) => "-".repeat(w)).join("-|-"));
  const noteLines = notes.map((n, i) => `[${i + 1}] ${n}`);
  return out.join("\n") + "\n" + (noteLines.length ? "\n" + noteLines.join("\n") + "\n" : "");
}

/** Lines comparing this run's ratios with a previous run's, by row name. */
export function compareRuns(previous: BenchResults, rows: readonly BenchRow[]): string[] {
  const before = new Map(previous.rows.map((r) => [`${r.name} vs ${r.peer}`, r]));
  const lines: string[] = [];
  for (const r of rows) {
    const old = before.get(`${r.name} vs ${r.peer}`);
    if (!old || old.ratio === null || r.ratio === null) continue;
    const change = ((r.ratio - old.ratio) / old.ratio) * 100;
    lines.push(
      `  ${r.name} vs ${r.peer}: ${old.ratio.toFixed(2)}x -> ${r.ratio.toFixed(2)}x (${
        change >= 0 ? "+" : ""
      }${change.toFixed(0)}%)`,
    );
  }
  return lines;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean" },
      only: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "usage: deno task bench [--quick] [--only NAME]\n\n" +
        "  --quick      smoke mode for CI: small sizes, a few seconds per module, nothing written\n" +
        "  --only NAME  run only bench/NAME_bench.ts",
    );
    Deno.exit(0);
  }
  const quick = values.quick === true;
  const started = performance.now();
  let files = await discoverModules();
  if (values.only) files = files.filter((f) => f === `${values.only}_bench.ts`);
  const rows: BenchRow[] = [];
  for (const file of files) {
    console.error(`running ${file}${quick ? " (quick)" : ""}`);
    rows.push(...await runModule(file, quick));
  }
  const results: BenchResults = {
    date: new Date().toISOString(),
    quick,
    machine: machine(),
    rows,
  };
  const m = results.machine;
  console.log(
    `\ntoolkit bench${quick ? " --quick (smoke mode: sizes too small for the targets)" : ""}: ` +
      `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, deno ${m.deno}\n`,
  );
  console.log(renderTable(rows));
  let previous: BenchResults | undefined;
  try {
    previous = JSON.parse(await Deno.readTextFile(resultsPath));
  } catch { /* first run */ }
  if (previous && !quick) {
    const lines = compareRuns(previous, rows);
    if (lines.length) console.log(`Ratios against the previous run (${previous.date}):`);
    for (const l of lines) console.log(l);
  }
  if (!quick && !values.only) {
    await Deno.writeTextFile(resultsPath, JSON.stringify(results, null, 2) + "\n");
    console.log(`\nwrote ${resultsPath.pathname}`);
  }
  console.error(`bench took ${((performance.now() - started) / 1000).toFixed(1)}s`);
}
