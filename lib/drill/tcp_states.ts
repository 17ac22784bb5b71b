// The kernel's TCP socket table, for the `sockets` step (TIME_WAIT after an active close,
// CLOSE_WAIT on the passive side). Read from /proc/net/tcp{,6} when the process may, otherwise
// from `ss -tan`: Deno 2.9 grants /proc/net (a link into /proc/self) only with --allow-all.
import type { TcpStateName } from "./schema.ts";

/** One TCP socket. Hosts are canonical (IPv6 compressed, IPv4-mapped shown as IPv4). */
export interface TcpSocket {
  state: TcpStateName;
  localHost: string;
  localPort: number;
  remoteHost: string;
  remotePort: number;
}

const procStates: Record<string, TcpStateName> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
};

const ssStates: Record<string, TcpStateName> = {
  "ESTAB": "ESTABLISHED",
  "SYN-SENT": "SYN_SENT",
  "SYN-RECV": "SYN_RECV",
  "FIN-WAIT-1": "FIN_WAIT1",
  "FIN-WAIT-2": "FIN_WAIT2",
  "TIME-WAIT": "TIME_WAIT",
  "UNCONN": "CLOSE",
  "CLOSE": "CLOSE",
  "CLOSE-WAIT": "CLOSE_WAIT",
  "LAST-ACK": "LAST_ACK",
  "LISTEN": "LISTEN",
  "CLOSING": "CLOSING",
};

/**
 * Canonical spelling of an IP literal: IPv6 compressed and lower-case, IPv4-mapped IPv6 as IPv4.
 *
 * @example
 * ```ts
 * canonicalHost("::ffff:127.0.0.1"); // "127.0.0.1"
 * ```
 */
export function canonicalHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!h.includes(":")) return h === "*" ? "0.0.0.0" : h;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(h);
  if (mapped) return mapped[1];
  try {
    const v6 = new URL(`http://[${h}]/`).hostname.slice(1, -1);
    const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
    if (m) {
      const n = (parseInt(m[1], 16) << 16 >>> 0) + parseInt(m[2], 16);
      return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
    }
    return v6;
  } catch {
    return h;
  }
}

function procAddress(text: string): [string, number] {
  const [hex, portHex] = text.split(":");
  const port = parseInt(portHex, 16);
  const words = hex.match(/.{8}/g) ?? [];
  // Each 32-bit word is in host (little-endian) byte order.
  const bytes = words.flatMap((w) => [6, 4, 2, 0].map((i) => parseInt(w.slice(i, i + 2), 16)));
  if (bytes.length === 4) return [bytes.join("."), port];
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return [canonicalHost(groups.join(":")), port];
}

/**
 * Parses /proc/net/tcp or /proc/net/tcp6.
 *
 * @example
 * ```ts
 * parseProcNetTcp(text)[0].state; // "LISTEN"
 * ```
 */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const state = procStates[f[3].toUpperCase()];
    if (!state) continue;
    const [localHost, localPort] = procAddress(f[1]);
    const [remoteHost, remotePort] = procAddress(f[2]);
    out.push({ state, localHost, localPort, remoteHost, remotePort });
  }
  return out;
}

function ssAddress(text: string): [string, number] {
  const colon = text.lastIndexOf(":");
  const port = text.slice(colon + 1);
  return [canonicalHost(text.slice(0, colon)), port === "*" ? 0 : Number(port)];
}

/**
 * Parses `ss -tan` output (with or without its header line).
 *
 * @example
 * ```ts
 * parseSsOutput("TIME-WAIT 0 0 127.0.0.1:5000 127.0.0.1:41000\n")[0].state; // "TIME_WAIT"
 * ```
 */
export function parseSsOutput(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    const state = ssStates[f[0]];
    if (!state || f.length < 5) continue;
    const [localHost, localPort] = ssAddress(f[3]);
    const [remoteHost, remotePort] = ssAddress(f[4]);
    out.push({ state, localHost, localPort, remoteHost, remotePort });
  }
  return out;
}

/**
 * Reads the TCP socket table: /proc/net/tcp and tcp6 when readable, else `ss -tan`. A denied
 * access to both throws Deno's `NotCapable` for `ss` (the one a drill scope can grant).
 *
 * @example
 * ```ts
 * const waiting = (await readTcpSockets()).filter((s) => s.state === "TIME_WAIT");
 * ```
 */
export async function readTcpSockets(): Promise<TcpSocket[]> {
  try {
    const v4 = await Deno.readTextFile("/proc/net/tcp");
    let v6 = "";
    try {
      v6 = await Deno.readTextFile("/proc/net/tcp6");
    } catch { /* no IPv6 */ }
    return [...parseProcNetTcp(v4), ...parseProcNetTcp(v6)];
  } catch (err) {
    if (!(err instanceof Deno.errors.NotCapable) && !(err instanceof Deno.errors.NotFound)) {
      throw err;
    }
  }
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ss", { args: ["-tan"], stdout: "piped", stderr: "piped" })
      .output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        "Cannot read the TCP socket table: /proc/net/tcp is not readable and ss is not installed",
      );
    }
    throw err;
  }
  if (!out.success) {
    throw new Error(`ss -tan failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return parseSsOutput(new TextDecoder().decode(out.stdout));
}
