// This process's CPU use during a test, as iperf3 reports it in its results (cpu_util_total, _user,
// _system: percent of one core over the wall-clock time since the meter started).
import process from "node:process";

/** Percent of one core: total, user and system. */
export interface CpuUtilization {
  total: number;
  user: number;
  system: number;
}

let since = { wall: performance.now(), usage: process.cpuUsage() };

/**
 * Starts measuring from now (call when the test starts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuUtilization, startCpuMeter } from "./perf_cpu.ts";
 *
 * startCpuMeter();
 * const until = performance.now() + 50;
 * while (performance.now() < until) Math.random(); // busy: one core
 * assert.ok(cpuUtilization().total > 0);
 * ```
 */
export function startCpuMeter(): void {
  since = { wall: performance.now(), usage: process.cpuUsage() };
}

/**
 * CPU use since {@linkcode startCpuMeter} (or since the module loaded), rounded to 0.01%.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuUtilization, startCpuMeter } from "./perf_cpu.ts";
 *
 * startCpuMeter();
 * await new Promise((r) => setTimeout(r, 50)); // idle: little CPU
 * const { total, user, system } = cpuUtilization();
 * assert.ok(total >= 0);
 * assert.ok(Math.abs(total - (user + system)) <= 0.02); // each rounded to 0.01%
 * ```
 */
export function cpuUtilization(): CpuUtilization {
  const wallUs = Math.max((performance.now() - since.wall) * 1000, 1);
  const d = process.cpuUsage(since.usage);
  const pct = (us: number) => Math.round((us * 10000) / wallUs) / 100;
  return { total: pct(d.user + d.system), user: pct(d.user), system: pct(d.system) };
}
