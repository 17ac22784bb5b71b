// Drill variables: `{{port.NAME}}` becomes a port the kernel chose for us (bound to port 0 and
// released just before the drill starts), `{{tmp}}` a fresh directory for Unix sockets. Bound
// before the sandbox is made, so the scope names concrete ports.

/** Matches one `{{ name }}` placeholder; group 1 is the name. */
export const placeholderPattern: RegExp = /\{\{\s*([\w.-]+)\s*\}\}/g;

/** The values placeholders are replaced with. */
export interface DrillVariables {
  ports: Record<string, number>;
  tmp?: string;
}

/**
 * Lists the port variable names and whether `{{tmp}}` appears anywhere in `value`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectVariables } from "./variables.ts";
 *
 * assert.deepEqual(collectVariables({ to: "127.0.0.1:{{port.echo}}" }), {
 *   ports: ["echo"],
 *   tmp: false,
 * });
 * assert.deepEqual(collectVariables(["{{ tmp }}/s.sock", "{{port.a}}", "{{port.a}}"]), {
 *   ports: ["a"],
 *   tmp: true,
 * });
 * ```
 */
export function collectVariables(value: unknown): { ports: string[]; tmp: boolean } {
  const ports = new Set<string>();
  let tmp = false;
  const walk = (v: unknown) => {
    if (typeof v === "string") {
      for (const m of v.matchAll(placeholderPattern)) {
        if (m[1].startsWith("port.")) ports.add(m[1].slice(5));
        else if (m[1] === "tmp") tmp = true;
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return { ports: [...ports], tmp };
}

/**
 * Returns a deep copy of `value` with every placeholder replaced.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bindVariables } from "./variables.ts";
 *
 * const vars = { ports: { echo: 40000 }, tmp: "/tmp/toolkit-drill-x" };
 * assert.equal(bindVariables("127.0.0.1:{{port.echo}}", vars), "127.0.0.1:40000");
 * assert.deepEqual(bindVariables({ path: "{{tmp}}/s.sock", n: 1 }, vars), {
 *   path: "/tmp/toolkit-drill-x/s.sock",
 *   n: 1,
 * });
 * assert.equal(bindVariables("{{port.other}}", vars), "{{port.other}}"); // unknown: left as is
 * ```
 */
export function bindVariables<T>(value: T, vars: DrillVariables): T {
  const replace = (text: string) =>
    text.replace(placeholderPattern, (whole, name: string) => {
      if (name.startsWith("port.") && vars.ports[name.slice(5)] !== undefined) {
        return String(vars.ports[name.slice(5)]);
      }
      if (name === "tmp" && vars.tmp !== undefined) return vars.tmp;
      return whole;
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return replace(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * Picks `count` distinct loopback ports that are free for both TCP and UDP right now, by binding
 * port 0 and releasing it. The ports stay free unless another program takes one in between.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allocatePorts } from "./variables.ts";
 *
 * const ports = allocatePorts(2);
 * assert.equal(new Set(ports).size, 2);
 * // Free for both TCP and UDP: binding either works.
 * Deno.listen({ hostname: "127.0.0.1", port: ports[0] }).close();
 * Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: ports[0] }).close();
 * ```
 */
export function allocatePorts(count: number, hostname = "127.0.0.1"): number[] {
  const out: number[] = [];
  for (let attempt = 0; out.length < count; attempt++) {
    if (attempt > count * 50) {
      throw new RangeError(`Cannot find ${count} free ports on ${hostname}`);
    }
    const tcp = Deno.listen({ hostname, port: 0 });
    const port = (tcp.addr as Deno.NetAddr).port;
    try {
      if (out.includes(port)) continue;
      const udp = Deno.listenDatagram({ transport: "udp", hostname, port });
      udp.close();
      out.push(port);
    } catch (err) {
      // Taken for UDP: try another. Not allowed at all: that is the caller's answer.
      if (err instanceof Deno.errors.NotCapable) throw err;
    } finally {
      tcp.close();
    }
  }
  return out;
}
