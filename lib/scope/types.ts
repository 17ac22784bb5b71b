// The shapes of the permission model, shared by its modules: what is asked for (a Narrowing) and
// what is enforced (a Scope of Grants, implicit ones marked).

/** Permission kinds toolkit reports and narrows, in the order they are shown. */
export const scopeKinds = ["net", "read", "write", "run", "env", "sys"] as const;
/** One of {@linkcode scopeKinds}. */
export type ScopeKind = typeof scopeKinds[number];

/** Deno's `--allow-sys` kinds. */
export const sysKinds = [
  "hostname",
  "osRelease",
  "osUptime",
  "loadavg",
  "networkInterfaces",
  "systemMemoryInfo",
  "uid",
  "gid",
  "cpus",
  "homedir",
] as const;

/** One of {@linkcode sysKinds}. */
export type SysKind = typeof sysKinds[number];

/** What is asked for: for each kind listed, at most these entries. A kind left out inherits. */
export type Narrowing = Partial<Record<ScopeKind, string[]>>;

/** One entry of a scope. */
export interface Grant {
  /** In Deno's spelling, paths resolved: `127.0.0.1:9000`, `/home/u/lab`, `unix:/run/x.sock`. */
  entry: string;
  /** Set for a grant nobody listed but the scope needs: why it is there. */
  implicit?: string;
}

/** A local address a client may bind, and the destinations it serves. */
export interface LocalBind {
  /** The local address: `198.18.1.1`. */
  address: string;
  /** Destinations it is the source for: its interface's subnet, or `0.0.0.0/0` for routed. */
  serves: string;
  /** The interface, for people. */
  iface: string;
}

/** A narrowed scope: the kinds it lists hold exactly their grants; kinds left out inherit. */
export interface Scope {
  kinds: Partial<Record<ScopeKind, Grant[]>>;
  /** Where client sockets toward the hosts in `net` bind (lib/scope/binds.ts). */
  binds?: LocalBind[];
  /**
   * IPv4 prefixes go to Deno as their addresses: this process holds prefixes itself, and Deno
   * then gives a Worker none (see `denoNetHosts`).
   */
  expandIpv4?: boolean;
}
