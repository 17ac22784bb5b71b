// The shape of a lab network, decided before anything is created: which namespaces, which links,
// which addresses, and the exact `ip` command lines that build it. Pure, so the layout is tested
// without root and `lab up --dry-run` can print it.
import { Addr, Prefix } from "../ip/mod.ts";

/** The prefix every lab name starts with unless the user picks another. */
export const defaultLabPrefix = "tklab";

/** Most hosts on one segment: each host is a network namespace and a veth pair. */
export const maxHostsPerSegment = 60;

/** What `lab up` is asked for. */
export interface LabRequest {
  /** Names are `<prefix>-h1`, `<prefix>-r1`, `<prefix>-sw1`. Default {@linkcode defaultLabPrefix}. */
  prefix?: string;
  /** Hosts on the first segment. Default 2. */
  hosts?: number;
  /** Add a router namespace with a second segment behind it. Default `false`. */
  router?: boolean;
  /** Hosts on the second segment (only with `router`). Default 1. */
  behind?: number;
}

/** A role a namespace plays in the lab. */
export type LabRole = "host" | "router" | "switch";

/** One host of the lab. */
export interface LabHost {
  /** The namespace: `tklab-h1`. */
  namespace: string;
  /** Segment number, 1 or 2. */
  segment: number;
  /** The interface inside the host. */
  iface: string;
  /** Interface address with prefix length: `198.18.1.1/24`. */
  ipv4: string;
  ipv6: string;
  /** The router's address on this segment, when there is a router. */
  gateway?: string;
}

/** One layer-2 segment: a bridge inside a switch namespace. */
export interface LabSegment {
  number: number;
  /** The switch namespace holding the bridge: `tklab-sw1`. */
  namespace: string;
  bridge: string;
  /** `198.18.1.0/24`. */
  ipv4: string;
  /** `198.18.1.255`. */
  broadcast: string;
  ipv6: string;
}

/** The router between segment 1 and segment 2. */
export interface LabRouter {
  namespace: string;
  /** One interface per segment, in segment order. */
  interfaces: { iface: string; segment: number; ipv4: string; ipv6: string }[];
}

/** A complete lab layout. */
export interface LabPlan {
  prefix: string;
  segments: LabSegment[];
  hosts: LabHost[];
  router?: LabRouter;
  /** Every `ip` argument vector that builds the lab, in order. */
  steps: string[][];
}

const prefixPattern = /^[a-z][a-z0-9]{0,11}(?:-[a-z0-9]{1,11})?$/;

/**
 * Checks a lab prefix: a lower-case letter, then letters and digits, with at most one inner `-`
 * (`tklab`, `t-4711`), 24 characters at most, so the prefix of one lab never matches another's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLabPrefix } from "./plan.ts";
 *
 * assert.equal(checkLabPrefix("tklab"), "tklab");
 * assert.equal(checkLabPrefix("t-4711"), "t-4711");
 * assert.throws(() => checkLabPrefix("My Lab"), SyntaxError);
 * ```
 */
export function checkLabPrefix(prefix: string): string {
  if (!prefixPattern.test(prefix)) {
    throw new SyntaxError(
      `Cannot use lab prefix "${prefix}": use a lower-case letter, then letters and digits ` +
        `(one inner "-" allowed), up to 24 characters`,
    );
  }
  return prefix;
}

/**
 * The pattern that recognizes names a lab with this prefix creates (`tklab-h1`, `tklab-r1`,
 * `tklab-sw2`) and nothing else: `tklab-x-h1` and `tklab2-h1` belong to other labs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labNamePattern } from "./plan.ts";
 *
 * const pattern = labNamePattern("tklab");
 * assert.equal(pattern.test("tklab-h3"), true);
 * assert.equal(pattern.test("tklab2-h3"), false); // another lab's
 * assert.equal(pattern.test("tklab-x-h3"), false);
 * ```
 */
export function labNamePattern(prefix: string): RegExp {
  checkLabPrefix(prefix);
  return new RegExp(`^${prefix}-(h|r|sw)([1-9]\\d*)$`);
}

/**
 * The role a lab name stands for, or `undefined` when the name is not this lab's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labRoleOf } from "./plan.ts";
 *
 * assert.equal(labRoleOf("tklab", "tklab-sw1"), "switch");
 * assert.equal(labRoleOf("tklab", "other-h1"), undefined);
 * ```
 */
export function labRoleOf(prefix: string, name: string): LabRole | undefined {
  const m = labNamePattern(prefix).exec(name);
  if (!m) return undefined;
  return m[1] === "h" ? "host" : m[1] === "r" ? "router" : "switch";
}

const v4Base = Addr.parse("198.18.0.0").toUint32();

function segmentPrefixes(segment: number): { v4: Prefix; v6: Prefix } {
  return {
    v4: Prefix.from(Addr.fromUint32(v4Base + segment * 256), 24),
    v6: Prefix.parse(`2001:2:0:${segment}::/64`),
  };
}

/** The address `index` inside a segment (the last octet for IPv4, the last group for IPv6). */
function hostAddress(prefix: Prefix, index: number): string {
  const first = prefix.masked().addr;
  const addr = prefix.family === 4
    ? Addr.fromUint32(first.toUint32() + index)
    // The same number written in the last group reads alike: .254 and ::254.
    : Addr.fromBigInt(first.toBigInt() + BigInt(parseInt(String(index), 16)), 6);
  return `${addr}/${prefix.bits}`;
}

const routerIndex = 254;

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min || n > maxHostsPerSegment) {
    throw new RangeError(
      `Number of ${name} ${n} is out of range (${min}-${maxHostsPerSegment})`,
    );
  }
  return n;
}

/**
 * Lays out a lab: segment 1 is 198.18.1.0/24 and 2001:2:0:1::/64 (the benchmarking ranges of
 * RFC 2544 and RFC 5180, never routed on the Internet), segment 2 is 198.18.2.0/24 behind the
 * router. Host `hN` gets `.N` (and `::N`), the router `.254` on each segment. Each segment's
 * bridge lives in a switch namespace of its own, so nothing is created in the caller's namespace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planLab } from "./plan.ts";
 *
 * const plan = planLab({ hosts: 2, router: true });
 * assert.deepEqual(plan.hosts.map((h) => h.namespace), ["tklab-h1", "tklab-h2", "tklab-h3"]);
 * // h3 is the one host behind the router, on segment 2.
 * assert.equal(plan.hosts[2].ipv4, "198.18.2.3/24");
 * assert.equal(plan.hosts[2].gateway, "198.18.2.254");
 * assert.deepEqual(plan.steps[0], ["netns", "add", "tklab-sw1"]);
 * ```
 */
export function planLab(request: LabRequest = {}): LabPlan {
  const prefix = checkLabPrefix(request.prefix ?? defaultLabPrefix);
  const router = request.router ?? false;
  const first = count("hosts", request.hosts, 2, 1);
  if (!router && request.behind !== undefined) {
    throw new RangeError("Hosts behind a router need a router: add --router");
  }
  const second = router ? count("hosts behind the router", request.behind, 1, 1) : 0;
  const segments: LabSegment[] = [];
  for (const number of router ? [1, 2] : [1]) {
    const { v4, v6 } = segmentPrefixes(number);
    segments.push({
      number,
      namespace: `${prefix}-sw${number}`,
      bridge: "br0",
      ipv4: v4.toString(),
      broadcast: v4.broadcast()!.toString(),
      ipv6: v6.toString(),
    });
  }
  const hosts: LabHost[] = [];
  for (let i = 1; i <= first + second; i++) {
    const segment = i <= first ? 1 : 2;
    const { v4, v6 } = segmentPrefixes(segment);
    hosts.push({
      namespace: `${prefix}-h${i}`,
      segment,
      iface: "eth0",
      ipv4: hostAddress(v4, i),
      ipv6: hostAddress(v6, i),
      gateway: router ? hostAddress(v4, routerIndex).split("/")[0] : undefined,
    });
  }
  const labRouter: LabRouter | undefined = router
    ? {
      namespace: `${prefix}-r1`,
      interfaces: segments.map((s) => {
        const { v4, v6 } = segmentPrefixes(s.number);
        return {
          iface: `eth${s.number}`,
          segment: s.number,
          ipv4: hostAddress(v4, routerIndex),
          ipv6: hostAddress(v6, routerIndex),
        };
      }),
    }
    : undefined;
  return {
    prefix,
    segments,
    hosts,
    router: labRouter,
    steps: buildSteps(segments, hosts, labRouter),
  };
}

function buildSteps(segments: LabSegment[], hosts: LabHost[], router?: LabRouter): string[][] {
  const steps: string[][] = [];
  const ns = (name: string, ...args: string[]) => steps.push(["-n", name, ...args]);
  const switchOf = (segment: number) => segments[segment - 1].namespace;
  // Ordered so that the steps for one namespace are consecutive: `buildLab` runs each such run
  // as one `ip -batch`, a dozen processes for a lab instead of one per step.
  for (const name of [...segments, ...hosts, ...(router ? [router] : [])].map((x) => x.namespace)) {
    steps.push(["netns", "add", name]);
  }
  for (const s of segments) {
    // IGMP snooping off: the bridge floods multicast like a hub, so a capture in any host shows
    // the frames and only the members' sockets take them in.
    ns(s.namespace, "link", "add", s.bridge, "type", "bridge", "mcast_snooping", "0");
    ns(s.namespace, "link", "set", s.bridge, "up");
  }
  // A veth pair is created with both ends already in their namespaces, so a crash half-way leaves
  // nothing in the caller's namespace: deleting the lab's namespaces removes every link.
  const ports: [number, string][] = [];
  const attach = (namespace: string, iface: string, segment: number, port: string) => {
    ns(
      namespace,
      "link",
      "add",
      iface,
      "type",
      "veth",
      "peer",
      "name",
      port,
      "netns",
      switchOf(segment),
    );
    ns(namespace, "link", "set", iface, "up");
    ports.push([segment, port]);
  };
  for (const h of hosts) {
    const port = h.namespace.slice(h.namespace.lastIndexOf("-") + 1);
    ns(h.namespace, "link", "set", "lo", "up");
    attach(h.namespace, h.iface, h.segment, port);
    ns(h.namespace, "addr", "add", h.ipv4, "dev", h.iface);
    ns(h.namespace, "addr", "add", h.ipv6, "dev", h.iface, "nodad");
    // Multicast and the limited broadcast leave through eth0 even without a default route.
    ns(h.namespace, "route", "add", "224.0.0.0/4", "dev", h.iface);
    ns(h.namespace, "route", "add", "255.255.255.255/32", "dev", h.iface);
    if (router && h.gateway) {
      ns(h.namespace, "route", "add", "default", "via", h.gateway);
      const gw6 = router.interfaces[h.segment - 1].ipv6.split("/")[0];
      ns(h.namespace, "route", "add", "::/0", "via", gw6);
    }
  }
  if (router) {
    ns(router.namespace, "link", "set", "lo", "up");
    for (const i of router.interfaces) {
      attach(router.namespace, i.iface, i.segment, "r1");
      ns(router.namespace, "addr", "add", i.ipv4, "dev", i.iface);
      ns(router.namespace, "addr", "add", i.ipv6, "dev", i.iface, "nodad");
    }
  }
  for (const s of segments) {
    for (const [segment, port] of ports) {
      if (segment === s.number) ns(s.namespace, "link", "set", port, "master", s.bridge, "up");
    }
  }
  if (router) {
    // sysctl runs inside the router's namespace, so the caller's forwarding setting is untouched.
    steps.push([
      "netns",
      "exec",
      router.namespace,
      "sysctl",
      "-q",
      "-w",
      "net.ipv4.ip_forward=1",
      "net.ipv6.conf.all.forwarding=1",
    ]);
  }
  return steps;
}

/**
 * Every IPv6 address a lab built by {@linkcode planLab} can give a host or the router, in every
 * size it allows. Deno's net permission takes no IPv6 prefixes, so the `lab` permission set in
 * deno.json lists exactly these (a test keeps the two equal).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labIpv6Addresses } from "./plan.ts";
 *
 * assert.ok(labIpv6Addresses().includes("2001:2:0:1::1"));
 * assert.ok(labIpv6Addresses().includes("2001:2:0:2::254")); // the router behind segment 2
 * ```
 */
export function labIpv6Addresses(): string[] {
  const out = new Set<string>();
  const add = (plan: LabPlan) => {
    for (const h of plan.hosts) out.add(h.ipv6.split("/")[0]);
    for (const i of plan.router?.interfaces ?? []) out.add(i.ipv6.split("/")[0]);
  };
  // The largest labs hold every smaller lab's addresses: any host count on segment 1 alone, and
  // with a router, any split of hosts between the segments.
  for (let hosts = 1; hosts <= maxHostsPerSegment; hosts++) {
    add(planLab({ hosts }));
    add(planLab({ hosts, router: true, behind: maxHostsPerSegment }));
  }
  return [...out].sort((a, b) => Addr.parse(a).compare(Addr.parse(b)));
}
