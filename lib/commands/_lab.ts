// What the lab commands share (lab up, status, down): the --prefix option, lab errors in the CLI's
// terms, and the lab as people and scripts read it.
import { fromUserInput, InputError } from "../cli/errors.ts";
import type { Io } from "../cli/io.ts";
import { formatTable } from "../cli/output.ts";
import { Prefix } from "../ip/mod.ts";
import {
  checkLabPrefix,
  defaultLabPrefix,
  LabError,
  type LabState,
  prefixFlag,
} from "../lab/mod.ts";
import { NetError } from "../net/errors.ts";

/** The `--prefix` option every lab command takes. */
export const prefixOption = {
  name: "prefix",
  short: "p",
  type: "string",
  value: "PREFIX",
  default: defaultLabPrefix,
  description: "the lab's name prefix (every namespace is PREFIX-h1, PREFIX-r1, PREFIX-sw1...)",
} as const;

/**
 * Reads `--prefix` from parsed values, as a usage error when it is malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labPrefixOption } from "./_lab.ts";
 *
 * assert.equal(labPrefixOption({ prefix: "tklab" }, "lab up"), "tklab");
 * assert.equal(labPrefixOption({}, "lab up"), "tklab"); // the default
 * assert.throws(() => labPrefixOption({ prefix: "bad prefix!" }, "lab up"), {
 *   name: "UsageError",
 *   command: "lab up",
 * });
 * ```
 */
export function labPrefixOption(values: Record<string, unknown>, command: string): string {
  const raw = typeof values.prefix === "string" ? values.prefix : defaultLabPrefix;
  return fromUserInput(() => checkLabPrefix(raw), command);
}

/**
 * Maps a lab failure to the CLI's errors: no privilege, no `ip` or a lab already up is exit 2
 * with the reason; `ip` refusing a step is a network error (exit 3) quoting `ip`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InputError } from "../cli/errors.ts";
 * import { LabError } from "../lab/lab_error.ts";
 * import { NetError } from "../net/errors.ts";
 * import { labErrorForCli } from "./_lab.ts";
 *
 * const denied = labErrorForCli(new LabError("privilege", "lab up needs root"));
 * assert.ok(denied instanceof InputError); // exit 2
 * const refused = labErrorForCli(new LabError("ip", "RTNETLINK answers: File exists"));
 * assert.ok(refused instanceof NetError); // exit 3
 * assert.equal((refused as NetError).message, "network error (RTNETLINK answers: File exists)");
 * const other = new TypeError("x");
 * assert.equal(labErrorForCli(other), other);
 * ```
 */
export function labErrorForCli(err: unknown): unknown {
  if (!(err instanceof LabError)) return err;
  if (err.failure === "ip") return new NetError("network error", err.message, { cause: err });
  return new InputError(err.message, { cause: err });
}

/** The segments of a lab: each switch, its ports and the subnets of the hosts on them. */
function segmentsOf(state: LabState) {
  const byNamespace = new Map(state.namespaces.map((n) => [n.namespace, n]));
  return state.namespaces.filter((n) => n.role === "switch").map((sw) => {
    const ports = sw.interfaces.filter((i) => i.master).map((i) => i.name).sort(portOrder);
    const members = ports.map((p) => `${state.prefix}-${p}`);
    const subnets = new Set<string>();
    for (const member of members) {
      const ns = byNamespace.get(member);
      if (ns?.role !== "host") continue;
      for (const a of ns.interfaces.flatMap((i) => i.ipv4)) {
        subnets.add(Prefix.parse(a).masked().toString());
      }
    }
    const ipv4 = [...subnets];
    return {
      switch: sw.namespace,
      bridge: sw.interfaces.find((i) => !i.master)?.name ?? "br0",
      members,
      ipv4,
      broadcast: ipv4.map((p) => Prefix.parse(p).broadcast()?.toString()).filter(Boolean),
    };
  });
}

function portOrder(a: string, b: string): number {
  const key = (p: string) => [p.startsWith("h") ? 0 : 1, Number(p.slice(1))];
  const [ra, na] = key(a);
  const [rb, nb] = key(b);
  return ra - rb || na - nb;
}

/** The lab as one JSON document. */
export function labJson(state: LabState) {
  return {
    prefix: state.prefix,
    up: state.namespaces.length > 0,
    namespaces: state.namespaces,
    segments: segmentsOf(state),
    strayLinks: state.strayLinks,
  };
}

/**
 * Prints a lab for people: one row per host and router interface, the segments with their
 * broadcast addresses, and the command lines that run toolkit inside a host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import type { LabState } from "../lab/discover.ts";
 * import { printLab } from "./_lab.ts";
 *
 * // What discoverLab reads from two hosts on one switch.
 * const host = (n: number) => ({
 *   namespace: `tklab-h${n}`,
 *   role: "host" as const,
 *   number: n,
 *   gateway: "198.18.1.254",
 *   interfaces: [{ name: "eth0", state: "UP", mac: `02:00:00:00:01:0${n}`, ipv4: [`198.18.1.${n}/24`], ipv6: [] }],
 * });
 * const port = (name: string) => ({ name, state: "UP", mac: "02:00:00:00:00:01", ipv4: [], ipv6: [], master: "br0" });
 * const state: LabState = {
 *   prefix: "tklab",
 *   strayLinks: [],
 *   namespaces: [host(1), host(2), {
 *     namespace: "tklab-sw1",
 *     role: "switch",
 *     number: 1,
 *     interfaces: [{ name: "br0", state: "UP", mac: "02:00:00:00:00:00", ipv4: [], ipv6: [] }, port("h1"), port("h2")],
 *   }],
 * };
 * const io = memoryIo();
 * await printLab(io, state);
 * assert.equal(
 *   io.stdoutText(),
 *   `Lab "tklab": 2 hosts, 1 segment
 *
 * NAMESPACE  ROLE  IFACE  IPV4           IPV6  GATEWAY
 * tklab-h1   host  eth0   198.18.1.1/24  -     198.18.1.254
 * tklab-h2   host  eth0   198.18.1.2/24  -     198.18.1.254
 *
 * SEGMENT          SUBNET         BROADCAST     MEMBERS
 * tklab-sw1 (br0)  198.18.1.0/24  198.18.1.255  tklab-h1 tklab-h2
 *
 * Run a command inside a host (as root):
 *   ip netns exec tklab-h2 toolkit udp-listen 0.0.0.0:9000
 *   ip netns exec tklab-h1 toolkit udp-send --broadcast 198.18.1.255:9000 hello
 *   ip netns exec tklab-h1 bash     # a shell inside the host
 * Remove it: toolkit lab down
 * `,
 * );
 * ```
 */
export async function printLab(io: Io, state: LabState): Promise<void> {
  const hosts = state.namespaces.filter((n) => n.role === "host");
  const routers = state.namespaces.filter((n) => n.role === "router");
  const segments = segmentsOf(state);
  const rows: string[][] = [["NAMESPACE", "ROLE", "IFACE", "IPV4", "IPV6", "GATEWAY"]];
  for (const n of [...hosts, ...routers]) {
    const role = n.role === "router"
      ? `router (forwarding ${n.forwarding ? "on" : "off"})`
      : n.role;
    if (n.interfaces.length === 0) rows.push([n.namespace, role, "-", "-", "-", "-"]);
    n.interfaces.forEach((i, k) => {
      rows.push([
        k === 0 ? n.namespace : "",
        k === 0 ? role : "",
        i.name,
        i.ipv4.join(" ") || "-",
        i.ipv6.join(" ") || "-",
        k === 0 ? n.gateway ?? "-" : "",
      ]);
    });
  }
  let text = `Lab "${state.prefix}": ${hosts.length} host${hosts.length === 1 ? "" : "s"}` +
    (routers.length ? `, ${routers.length} router` : "") +
    `, ${segments.length} segment${segments.length === 1 ? "" : "s"}\n\n` + formatTable(rows);
  if (segments.length) {
    text += "\n" + formatTable([
      ["SEGMENT", "SUBNET", "BROADCAST", "MEMBERS"],
      ...segments.map((s) => [
        `${s.switch} (${s.bridge})`,
        s.ipv4.join(" ") || "-",
        s.broadcast.join(" ") || "-",
        s.members.join(" ") || "-",
      ]),
    ]);
  }
  if (state.strayLinks.length) {
    text += `\nLinks left in this namespace: ${state.strayLinks.join(", ")}\n`;
  }
  if (hosts.length > 0) {
    const first = hosts[0];
    const second = hosts[1] ?? first;
    const seg = segments.find((s) => s.members.includes(first.namespace));
    const bcast = seg?.broadcast[0] ?? "255.255.255.255";
    text += "\nRun a command inside a host (as root):\n" +
      `  ip netns exec ${second.namespace} toolkit udp-listen 0.0.0.0:9000\n` +
      `  ip netns exec ${first.namespace} toolkit udp-send --broadcast ${bcast}:9000 hello\n` +
      `  ip netns exec ${first.namespace} bash     # a shell inside the host\n`;
  }
  text += `Remove it: toolkit lab down${prefixFlag(state.prefix)}\n`;
  await io.stdout.write(text);
}
