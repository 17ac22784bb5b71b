// Shared by the perf tests: a perf-server on a free port, NDJSON parsing, and checks on the
// JSON convention (camelCase keys, measured values rounded).
import assert from "#assert";
import { type RunningToolkit, startToolkit } from "./harness.ts";

/** A parsed JSON object from toolkit's output (tests index into it freely). */
// deno-lint-ignore no-explicit-any
export type Doc = Record<string, any>;

/**
 * Starts `perf-server` on a free loopback port; `port` resolves once it listens.
 *
 * @example
 * ```ts
 * const { srv, port } = startPerfServer(["--count", "1"]);
 * ```
 */
export function startPerfServer(
  args: string[] = [],
  options: { json?: boolean; cmd?: string[] } = {},
): { srv: RunningToolkit; port: Promise<number> } {
  const srv = startToolkit([
    ...(options.json ? ["--json"] : []),
    "perf-server",
    "127.0.0.1:0",
    ...args,
  ]);
  const pattern = options.json
    ? /"event":"listening","address":"127\.0\.0\.1:(\d+)"/
    : /listening on 127\.0\.0\.1:(\d+)/;
  return { srv, port: srv.waitForStderr(pattern).then((m) => Number(m[1])) };
}

/**
 * The objects of NDJSON text.
 *
 * @example
 * ```ts
 * ndjson('{"a":1}\n{"b":2}\n'); // [{ a: 1 }, { b: 2 }]
 * ```
 */
export function ndjson(text: string): Doc[] {
  return text.trim().split("\n").filter((l) => l).map((l) => JSON.parse(l));
}

/**
 * Every number in a JSON document has at most `decimals` decimals (no binary float noise).
 *
 * @example
 * ```ts
 * assertRounded({ seconds: 1.005 });
 * ```
 */
export function assertRounded(value: unknown, decimals = 3, path = "$"): void {
  if (typeof value === "number") {
    const text = String(value);
    const frac = text.includes(".") ? text.split(".")[1].replace(/e.*$/, "") : "";
    assert.ok(frac.length <= decimals, `${path} = ${text} has more than ${decimals} decimals`);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) assertRounded(v, decimals, `${path}.${k}`);
  }
}

/**
 * No key anywhere in the document is snake_case or otherwise not camelCase.
 *
 * @example
 * ```ts
 * assertCamelCase({ bitsPerSecond: 1 });
 * ```
 */
export function assertCamelCase(value: unknown, path = "$"): void {
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (!Array.isArray(value)) assert.match(k, /^[a-z][a-zA-Z0-9]*$/, `${path}.${k}`);
      assertCamelCase(v, `${path}.${k}`);
    }
  }
}
