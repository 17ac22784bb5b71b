// Linux's socket tables as `ss` reads them: `/proc/net/{tcp,tcp6,udp,udp6}` (hex addresses in host
// byte order, a hex state, queues) and `/proc/net/unix`, and the processes holding each socket
// (`ss -p`: the `socket:[INODE]` links under /proc/PID/fd). Addresses are decoded for
// little-endian hosts (x86, ARM), where every Linux lab machine runs.
import { readProcNet, runTool } from "./proc_net.ts";

/** A process holding a socket open, as `ss -p` shows it: `("nc",pid=1234,fd=3)`. */
export interface SocketProcess {
  /** The command name (`/proc/PID/comm`, at most 15 characters). */
  name: string;
  pid: number;
  fd: number;
}

/** A socket's protocol. */
export type SocketProtocol = "tcp" | "udp" | "unix";

/** One socket from a `/proc/net` table, with the keys `sockets --json` prints. */
export interface SocketEntry {
  protocol: SocketProtocol;
  /** `null` for Unix sockets. */
  family: "ipv4" | "ipv6" | null;
  /** `LISTEN`, `ESTABLISHED`, `TIME_WAIT`, ...; UDP uses `UNCONN` / `ESTAB` as `ss` does. */
  state: string;
  /** The local `ADDR:PORT` (`[v6]:PORT`), or a Unix path (`@name` for abstract sockets, `*` unnamed). */
  address: string;
  /** The peer's `ADDR:PORT`, `*:*` when none; Unix: `*`. */
  remote: string;
  /** The local port; `null` for Unix sockets. */
  port: number | null;
  /** The peer's port; `null` when there is no peer, and for Unix sockets. */
  remotePort: number | null;
  /** Bytes queued for receiving (for a TCP listener: connections waiting for accept). */
  recvQ: number;
  /** Bytes queued for sending. */
  sendQ: number;
  /** The owner's user id; `null` where no table says it (Unix sockets, time-wait sockets). */
  uid: number | null;
  /** The socket's inode; `null` for a socket no process holds (time-wait, orphaned). */
  inode: number | null;
  /**
   * The kernel keeps this one as a time-wait socket (TIME_WAIT, or an orphaned FIN_WAIT2 it turned
   * into one), which `ss -s` counts as timewait and leaves out of its transport rows. Not printed.
   */
  timeWait?: true;
  /** Unix sockets: `STREAM`, `DGRAM`, `SEQPACKET`. */
  type?: string;
  /** The processes holding it, when asked for (`ss -p`); empty when none could be seen. */
  processes?: SocketProcess[];
}

const tcpStates: Record<number, string> = {
  1: "ESTABLISHED",
  2: "SYN_SENT",
  3: "SYN_RECV",
  4: "FIN_WAIT1",
  5: "FIN_WAIT2",
  6: "TIME_WAIT",
  7: "CLOSE",
  8: "CLOSE_WAIT",
  9: "LAST_ACK",
  10: "LISTEN",
  11: "CLOSING",
  12: "NEW_SYN_RECV",
};

/** Decodes `0100007F` (IPv4) or four such words (IPv6) as printed by the kernel. */
function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = parseInt(hex.slice(w, w + 8), 16);
    bytes.push(word & 255, (word >>> 8) & 255, (word >>> 16) & 255, word >>> 24);
  }
  if (bytes.length === 4) return bytes.join(".");
  if (bytes.length !== 16) throw new SyntaxError(`Cannot decode address "${hex}"`);
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) {
    return `::ffff:${bytes.slice(12).join(".")}`;
  }
  const words = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return compressIpv6(words);
}

function compressIpv6(words: string[]): string {
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === "0") j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return words.join(":");
  return `${words.slice(0, best).join(":")}::${words.slice(best + bestLen).join(":")}`;
}

function endpoint(field: string, family: "ipv4" | "ipv6"): { text: string; port: number } {
  const [addr, portHex] = field.split(":");
  if (!addr || !portHex || !/^[0-9A-F]+$/i.test(addr) || !/^[0-9A-F]{4}$/i.test(portHex)) {
    throw new SyntaxError(`Cannot parse socket address "${field}"`);
  }
  const ip = decodeAddress(addr);
  const port = parseInt(portHex, 16);
  const unspecified = ip === "0.0.0.0" || ip === "::";
  const host = unspecified ? "*" : family === "ipv6" ? `[${ip}]` : ip;
  return { text: `${host}:${port === 0 ? "*" : port}`, port };
}

/**
 * Parses `/proc/net/tcp`, `tcp6`, `udp` or `udp6`. Lines that do not parse are skipped and
 * returned as problems with their line numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProcNetInet } from "./proc_sockets.ts";
 *
 * const table =
 *   "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
 *   "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242\n";
 * const { sockets, problems } = parseProcNetInet(table, "tcp", "ipv4");
 * assert.deepEqual(problems, []);
 * assert.deepEqual(sockets, [{
 *   protocol: "tcp",
 *   family: "ipv4",
 *   state: "LISTEN", // st 0A
 *   address: "127.0.0.1:8080", // 0100007F:1F90, little-endian address, big-endian port
 *   remote: "*:*",
 *   port: 8080,
 *   remotePort: null,
 *   recvQ: 0,
 *   sendQ: 0,
 *   uid: 1000,
 *   inode: 4242,
 * }]);
 * ```
 */
export function parseProcNetInet(
  text: string,
  protocol: "tcp" | "udp",
  family: "ipv4" | "ipv6",
): { sockets: SocketEntry[]; problems: { line: number; reason: string }[] } {
  const sockets: SocketEntry[] = [];
  const problems: { line: number; reason: string }[] = [];
  text.split("\n").forEach((line, i) => {
    const f = line.trim().split(/\s+/);
    if (i === 0 || f.length < 10) return;
    try {
      const local = endpoint(f[1], family);
      const peer = endpoint(f[2], family);
      const st = parseInt(f[3], 16);
      const [tx, rx] = f[4].split(":").map((x) => parseInt(x, 16));
      // Timer 3 is the time-wait timer: only the kernel's time-wait sockets show it.
      const timeWait = protocol === "tcp" && parseInt(f[5].split(":")[0], 16) === 3;
      const state = protocol === "tcp"
        ? tcpStates[st] ?? `UNKNOWN(${st})`
        : st === 1
        ? "ESTAB"
        : "UNCONN";
      sockets.push({
        protocol,
        family,
        state,
        address: local.text,
        remote: peer.port === 0 && peer.text.startsWith("*") ? "*:*" : peer.text,
        port: local.port,
        remotePort: peer.port || null,
        recvQ: rx,
        sendQ: tx,
        uid: timeWait ? null : Number(f[7]),
        inode: Number(f[9]) || null,
        ...(timeWait ? { timeWait: true as const } : {}),
      });
    } catch (err) {
      problems.push({ line: i + 1, reason: (err as Error).message });
    }
  });
  return { sockets, problems };
}

const unixTypes: Record<number, string> = { 1: "STREAM", 2: "DGRAM", 5: "SEQPACKET" };
const unixStates: Record<number, string> = {
  1: "UNCONN",
  2: "CONNECTING",
  3: "ESTAB",
  4: "DISCONNECTING",
};
const SO_ACCEPTCON = 0x10000;

/**
 * Parses `/proc/net/unix`. A socket with the accept flag is `LISTEN`; abstract names (leading NUL)
 * are shown with `@`, as `ss` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProcNetUnix } from "./proc_sockets.ts";
 *
 * const table = "Num       RefCount Protocol Flags    Type St Inode Path\n" +
 *   "0000000000000000: 00000002 00000000 00010000 0001 01 31337 /tmp/app.sock\n";
 * const [entry] = parseProcNetUnix(table);
 * assert.equal(entry.state, "LISTEN"); // flag 0x10000
 * assert.equal(entry.address, "/tmp/app.sock");
 * assert.equal(entry.inode, 31337);
 * ```
 */
export function parseProcNetUnix(text: string): SocketEntry[] {
  const out: SocketEntry[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    const flags = parseInt(f[3], 16);
    const st = parseInt(f[5], 16);
    const path = f.slice(7).join(" ");
    out.push({
      protocol: "unix",
      family: null,
      state: flags & SO_ACCEPTCON ? "LISTEN" : unixStates[st] ?? `UNKNOWN(${st})`,
      address: path || "*",
      remote: "*",
      port: null,
      remotePort: null,
      recvQ: 0,
      sendQ: 0,
      uid: null,
      inode: Number(f[6]) || null,
      type: unixTypes[parseInt(f[4], 16)] ?? `TYPE(${parseInt(f[4], 16)})`,
    });
  }
  return out;
}

const ssStates: Record<string, string> = {
  "ESTAB": "ESTABLISHED",
  "SYN-SENT": "SYN_SENT",
  "SYN-RECV": "SYN_RECV",
  "FIN-WAIT-1": "FIN_WAIT1",
  "FIN-WAIT-2": "FIN_WAIT2",
  "TIME-WAIT": "TIME_WAIT",
  "UNCONN": "CLOSE",
  "CLOSE-WAIT": "CLOSE_WAIT",
  "LAST-ACK": "LAST_ACK",
  "LISTEN": "LISTEN",
  "CLOSING": "CLOSING",
};

function ssEndpoint(text: string): { text: string; port: number | null; family: "ipv4" | "ipv6" } {
  const i = text.lastIndexOf(":");
  let host = text.slice(0, i);
  const portText = text.slice(i + 1);
  const family = host.startsWith("[") ? "ipv6" : "ipv4";
  host = host.replace(/%[^\]]*(\]?)$/, "$1"); // 127.0.0.53%lo, [fe80::1%eth0]
  if (host === "0.0.0.0" || host === "[::]" || host === "*" || host === "[::ffff:0.0.0.0]") {
    host = "*";
  }
  const port = /^\d+$/.test(portText) ? Number(portText) : null;
  return { text: `${host}:${port ?? "*"}`, port: port || null, family };
}

/**
 * Reads ss's process column, `users:(("nc",pid=1234,fd=3),...)`; empty when the line has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSsUsers } from "./proc_sockets.ts";
 *
 * assert.deepEqual(parseSsUsers('tcp ESTAB 0 0 a b users:(("nc",pid=7,fd=3))'), [
 *   { name: "nc", pid: 7, fd: 3 },
 * ]);
 * ```
 */
export function parseSsUsers(line: string): SocketProcess[] {
  const at = line.indexOf("users:((");
  if (at < 0) return [];
  const out: SocketProcess[] = [];
  // A command name may hold spaces, quotes or parentheses; `",pid=` ends it.
  for (const m of line.slice(at).matchAll(/\("(.*?)",pid=(\d+),fd=(\d+)\)/g)) {
    out.push({ name: m[1], pid: Number(m[2]), fd: Number(m[3]) });
  }
  return out;
}

/**
 * ss's `-e` details (`uid:1000 ino:12345 sk:...`, uid left out when it is 0) and `-o` timer of one
 * line: what /proc/net/tcp says in its uid, inode and timer columns.
 */
function ssDetails(line: string): { uid: number | null; inode: number | null; timeWait: boolean } {
  // ss prints the timer before the process column and the details after it, so a process name
  // cannot fake either: the timer is looked for before `users:((`, the details taken last.
  const users = line.indexOf("users:((");
  const timeWait = /\btimer:\(timewait,/.test(users < 0 ? line : line.slice(0, users));
  const details = [...line.matchAll(/(?:^|\s)(?:uid:(\d+)\s+)?ino:(\d+)\s+sk:/g)].at(-1);
  if (!details) return { uid: null, inode: null, timeWait };
  const inode = Number(details[2]) || null;
  return { uid: inode === null ? null : Number(details[1] ?? 0), inode, timeWait };
}

/**
 * Parses `ss -H -a -n` output (with any of -t, -u, -x, -p for the process column, and -e -o for
 * the uid, inode and timer) into the same entries the /proc/net parsers give; TCP states are
 * renamed to the kernel's (`TIME-WAIT` becomes `TIME_WAIT`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSsOutput } from "./proc_sockets.ts";
 *
 * const [entry] = parseSsOutput("tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*");
 * assert.equal(entry.state, "LISTEN");
 * assert.equal(entry.address, "*:22");
 * assert.equal(entry.port, 22);
 * assert.equal(entry.sendQ, 128); // for a listener, ss shows the backlog there
 * ```
 */
export function parseSsOutput(text: string, options: { processes?: boolean } = {}): SocketEntry[] {
  const out: SocketEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.replace(/\s*users:\(\(.*$/, "").trim().split(/\s+/);
    const users = options.processes ? { processes: parseSsUsers(line) } : {};
    if (f.length < 6 || f[0] === "Netid") continue;
    const [netid, st, rq, sq] = f;
    const recvQ = Number(rq), sendQ = Number(sq);
    if (netid === "tcp" || netid === "udp") {
      const local = ssEndpoint(f[4]);
      const peer = ssEndpoint(f[5]);
      const { uid, inode, timeWait } = ssDetails(line);
      out.push({
        protocol: netid,
        family: local.family,
        state: netid === "tcp" ? ssStates[st] ?? st : st,
        address: local.text,
        remote: peer.text === "*:*" ? "*:*" : peer.text,
        port: local.port,
        remotePort: peer.port,
        recvQ,
        sendQ,
        uid,
        inode,
        ...(timeWait && netid === "tcp" ? { timeWait: true as const } : {}),
        ...users,
      });
    } else if (netid.startsWith("u_") && f.length >= 8) {
      const type = { u_str: "STREAM", u_dgr: "DGRAM", u_seq: "SEQPACKET" }[netid] ?? netid;
      out.push({
        protocol: "unix",
        family: null,
        state: st,
        address: f[4],
        remote: f[6],
        port: null,
        remotePort: null,
        recvQ,
        sendQ,
        uid: null,
        inode: Number(f[5]) || null,
        type,
        ...users,
      });
    }
  }
  return out;
}

/** Which tables to read. */
export interface SocketSelection {
  tcp: boolean;
  udp: boolean;
  unix: boolean;
}

/**
 * Why the processes holding sockets cannot be shown here, or `undefined` when they can: they are
 * read under /proc (directly, or by `ss -p`), so the read scope must cover /proc.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { processesUnreadable } from "./proc_sockets.ts";
 *
 * const proc = await Deno.permissions.query({ name: "read", path: "/proc" });
 * assert.equal(
 *   await processesUnreadable(),
 *   proc.state === "granted" ? undefined : "read access to /proc is outside the scope",
 * );
 * ```
 */
export async function processesUnreadable(): Promise<string | undefined> {
  const status = await Deno.permissions.query({ name: "read", path: "/proc" });
  return status.state === "granted" ? undefined : "read access to /proc is outside the scope";
}

/**
 * Reads the live socket tables of the chosen protocols from /proc/net, or, where Deno may not read
 * /proc (anything short of --allow-all), from `ss`. Read access to /proc/net must be in scope.
 * With `processes`, each entry lists the processes holding it (check
 * {@linkcode processesUnreadable} first); a process this user may not look into is not listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSockets } from "./proc_sockets.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const sockets = await readSockets({ tcp: true, udp: false, unix: false });
 * const mine = sockets.find((s) => s.port === listener.addr.port && s.state === "LISTEN");
 * assert.equal(mine?.address, `127.0.0.1:${listener.addr.port}`);
 * ```
 */
export async function readSockets(
  which: SocketSelection,
  options: { processes?: boolean } = {},
): Promise<SocketEntry[]> {
  const names = [
    ...(which.tcp ? ["tcp", "tcp6"] : []),
    ...(which.udp ? ["udp", "udp6"] : []),
    ...(which.unix ? ["unix"] : []),
  ];
  const out: SocketEntry[] = [];
  // A /proc/net table is read in several read() calls, and a busy table changes between them:
  // the kernel may then repeat a line (it also may skip one, which no reader can help). A socket
  // is listed once.
  const seen = new Set<string>();
  const add = (entries: SocketEntry[]) => {
    for (const e of entries) {
      const key = `${e.protocol} ${e.type ?? ""} ${e.address} ${e.remote} ${e.inode}`;
      if (e.protocol === "unix" && !e.inode) out.push(e);
      else if (!seen.has(key)) (seen.add(key), out.push(e));
    }
  };
  for (const name of names) {
    const text = await readProcNet(`/proc/net/${name}`);
    if (text === undefined) return await readSocketsWithSs(which, options);
    if (name === "unix") add(parseProcNetUnix(text));
    else {
      const protocol = name.startsWith("tcp") ? "tcp" : "udp";
      add(parseProcNetInet(text, protocol, name.endsWith("6") ? "ipv6" : "ipv4").sockets);
    }
  }
  if (options.processes) {
    const owners = await readSocketOwners();
    for (const e of out) e.processes = e.inode ? owners.get(e.inode) ?? [] : [];
  }
  return out;
}

/**
 * The processes holding each socket, by inode: every `socket:[INODE]` link under /proc/PID/fd,
 * as `ss -p` finds them. Processes that exit meanwhile or may not be looked into are skipped.
 */
async function readSocketOwners(): Promise<Map<number, SocketProcess[]>> {
  const owners = new Map<number, SocketProcess[]>();
  for await (const proc of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(proc.name)) continue;
    const pid = Number(proc.name);
    let name: string | undefined;
    try {
      for await (const fd of Deno.readDir(`/proc/${pid}/fd`)) {
        let link: string;
        try {
          link = await Deno.readLink(`/proc/${pid}/fd/${fd.name}`);
        } catch {
          continue;
        }
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode === undefined) continue;
        name ??= (await Deno.readTextFile(`/proc/${pid}/comm`)).replace(/\n$/, "");
        const list = owners.get(Number(inode)) ?? [];
        list.push({ name, pid, fd: Number(fd.name) });
        owners.set(Number(inode), list);
      }
    } catch { /* exited, or not ours to look into */ }
  }
  return owners;
}

async function readSocketsWithSs(
  which: SocketSelection,
  options: { processes?: boolean },
): Promise<SocketEntry[]> {
  // ss prints the Netid column only when it lists more than one kind, so ask for TCP and UDP
  // always and keep what was asked for.
  const flags = ["-t", "-u", ...(which.unix ? ["-x"] : []), ...(options.processes ? ["-p"] : [])];
  // -e and -o: the uid, inode and timer columns /proc/net/tcp has.
  const text = await runTool("ss", ["-H", "-a", "-n", "-e", "-o", ...flags]);
  if (text === undefined) {
    throw new Deno.errors.NotFound(
      "No socket table: /proc/net is not readable here and ss (iproute2) is not installed",
    );
  }
  return parseSsOutput(text, options).filter((e) => which[e.protocol]);
}
