// Port lists as nmap and nc users type them: `22,80,8000-8100`, `1-1024`, `-` for every port,
// `ssh` (a TCP service name from /etc/services). Parsed into a sorted list without duplicates;
// malformed parts name themselves in the error.
import { parsePort } from "./address.ts";
import { parsePortWord } from "./services.ts";

/** Most ports a list may expand to (every TCP port). */
export const maxPorts = 65535;

/**
 * Parses a port list: comma-separated ports, service names (`ssh`) and inclusive ranges
 * (`8000-8100`); `-` alone is 1-65535. Returns the ports in ascending order, each once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePorts } from "./ports.ts";
 *
 * assert.deepEqual(parsePorts("80,22,8000-8002,80"), [22, 80, 8000, 8001, 8002]);
 * assert.equal(parsePorts("-").length, 65535);
 * assert.throws(() => parsePorts("90-80"), RangeError);
 * ```
 */
export function parsePorts(text: string): number[] {
  const spec = text.trim();
  if (spec === "") throw new SyntaxError("Cannot parse an empty port list");
  if (spec === "-") return Array.from({ length: maxPorts }, (_, i) => i + 1);
  const seen = new Uint8Array(maxPorts + 1);
  for (const raw of spec.split(",")) {
    const part = raw.trim();
    if (part === "") throw new SyntaxError(`Cannot parse port list "${text}": empty item`);
    const range = /^(\d*)-(\d*)$/.exec(part);
    if (range) {
      const first = range[1] === "" ? 1 : parsePort(range[1]);
      const last = range[2] === "" ? maxPorts : parsePort(range[2]);
      if (first > last) {
        throw new RangeError(`Port range "${part}" runs backwards (${first} > ${last})`);
      }
      seen.fill(1, first, last + 1);
    } else {
      seen[parsePortWord(part, { protocol: "tcp" })] = 1;
    }
  }
  const out: number[] = [];
  for (let p = 1; p <= maxPorts; p++) if (seen[p]) out.push(p);
  return out;
}

/**
 * Writes ports back as a compact list, joining runs into ranges.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPorts } from "./ports.ts";
 *
 * assert.equal(formatPorts([82, 22, 80, 81, 22]), "22,80-82");
 * ```
 */
export function formatPorts(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(",");
}
