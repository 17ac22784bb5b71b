// The shape every benchmark module returns, so bench/run.ts can print one table and write
// bench/results.json. A module measures ours and the peer side by side in the same run.

/** One measured pair. */
export interface BenchRow {
  /** What was measured: `tcp 2 GiB copy`, `aggregate 1M prefixes`. */
  name: string;
  /** The peer tool: `nc`, `python3 ipaddress`, `iperf3`. */
  peer: string;
  /** Unit of `ours` and `peer`: `s`, `MB/s`, `datagrams/s`. */
  unit: string;
  /** `true` when a larger value is better (rates), `false` for times. */
  higherIsBetter: boolean;
  ours: number | null;
  peerValue: number | null;
  /** ours relative to the peer, oriented so that > 1 means toolkit is better. */
  ratio: number | null;
  /** The ratio the issue asks for, e.g. 1.5 (at least 1.5x better), or 0.9. */
  target: number;
  met: boolean | null;
  /** Why a row is skipped or missed, and anything a reader must know. */
  note?: string;
}

/** Options every benchmark module gets. */
export interface BenchContext {
  /** Small sizes for CI (`deno task bench --quick`): checks the code runs, not the numbers. */
  quick: boolean;
  /** Writes a progress line to stderr. */
  log(message: string): void;
}

/** A benchmark module's entry point. */
export type BenchModule = (ctx: BenchContext) => Promise<BenchRow[]>;

/**
 * Builds a row from two measurements, computing the ratio and whether the target is met.
 *
 * @example
 * ```ts
 * row({ name: "startup", peer: "deno run empty", unit: "s", higherIsBetter: false, ours: 0.02, peerValue: 0.015, target: 1 / 1.3 });
 * ```
 */
export function row(r: Omit<BenchRow, "ratio" | "met">): BenchRow {
  let ratio: number | null = null;
  if (r.ours !== null && r.peerValue !== null && r.ours > 0 && r.peerValue > 0) {
    ratio = r.higherIsBetter ? r.ours / r.peerValue : r.peerValue / r.ours;
  }
  return { ...r, ratio, met: ratio === null ? null : ratio >= r.target };
}
