// Clients for the tests that load a listener: well-behaved echo clients that check every byte,
// and misbehaving ones that reset (TCP, SO_LINGER 0) or vanish (Unix) right after connecting.
// Every burst is bounded in count; every read has a deadline.
import assert from "#assert";
import net from "node:net";
import { writeAll } from "../../lib/net/write_all.ts";

/** Where a stream listener is: a TCP port on loopback or a Unix socket path. */
export type StreamTarget =
  | { transport: "tcp"; hostname: string; port: number }
  | { transport: "unix"; path: string };

/** Connects to `target` with Deno's own client. */
export function connectTo(target: StreamTarget): Promise<Deno.Conn> {
  return target.transport === "tcp"
    ? Deno.connect({ hostname: target.hostname, port: target.port })
    : Deno.connect({ transport: "unix", path: target.path });
}

/** A payload unique to client `i`, so a mixed-up echo is caught. */
export function payloadFor(i: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let k = 0; k < size; k++) out[k] = (i * 31 + k * 7) & 255;
  return out;
}

/** Reads `conn` to EOF; throws if no EOF comes within `timeoutMs`. */
export async function readAll(conn: Deno.Conn, timeoutMs: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(64 * 1024);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      conn.close();
    } catch { /* already closed */ }
  }, timeoutMs);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
  } catch (err) {
    // How much had arrived tells a reset of an unaccepted connection from one mid-stream.
    if (!timedOut) throw Object.assign(err as Error, { received: chunks.length });
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new Error(`no EOF within ${timeoutMs} ms (${chunks.length} chunks read)`);
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let off = 0;
  for (const c of chunks) out.set(c, (off += c.length) - c.length);
  return out;
}

/**
 * One well-behaved client: send, half-close, read the echo to EOF, compare every byte. With
 * `retries`, a connection reset before any echoed byte arrived is tried again, as a real client
 * does: under a burst larger than the listen backlog the kernel itself resets connections the
 * server never saw (TcpExtListenOverflows). `onRetry` counts them. A reset after echoed bytes,
 * or a wrong byte, always fails.
 */
export async function echoClient(
  target: number | StreamTarget,
  i: number,
  size: number,
  timeoutMs = 30_000,
  retry: { retries: number; onRetry?: () => void } = { retries: 0 },
): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      return await echoOnce(target, i, size, timeoutMs);
    } catch (err) {
      const unaccepted = err instanceof Deno.errors.ConnectionReset &&
        (err as { received?: number }).received === 0;
      if (!unaccepted || attempt >= retry.retries) throw err;
      retry.onRetry?.();
    }
  }
}

async function echoOnce(
  target: number | StreamTarget,
  i: number,
  size: number,
  timeoutMs: number,
): Promise<void> {
  const to: StreamTarget = typeof target === "number"
    ? { transport: "tcp", hostname: "127.0.0.1", port: target }
    : target;
  const conn = await connectTo(to);
  try {
    const data = payloadFor(i, size);
    const [, back] = await Promise.all([
      writeAll(conn, data).then(() => conn.closeWrite()),
      readAll(conn, timeoutMs),
    ]);
    assert.equal(back.length, data.length, `client ${i}: ${back.length} of ${data.length} bytes`);
    assert.deepEqual(back, data, `client ${i}: echo differs`);
  } finally {
    try {
      conn.close();
    } catch { /* closed by the timeout */ }
  }
}

/**
 * `count` clients at once that connect, send 1 KiB and then reset the connection (TCP: SO_LINGER 0
 * through node:net's `resetAndDestroy`, so the listener sees RST, often before it has accepted) or
 * close it at once (Unix, which has no reset). Resolves to how many connected.
 */
export async function resetBurst(target: StreamTarget, count: number): Promise<number> {
  const one = () =>
    new Promise<boolean>((resolve) => {
      const s = target.transport === "tcp"
        ? net.connect({ host: target.hostname, port: target.port })
        : net.connect({ path: target.path });
      const timer = setTimeout(() => {
        s.destroy();
        resolve(false);
      }, 10_000);
      s.once("connect", () => {
        s.write(new Uint8Array(1024), () => {
          clearTimeout(timer);
          if (target.transport === "tcp") s.resetAndDestroy();
          else s.destroy();
          resolve(true);
        });
      });
      s.once("error", () => {
        clearTimeout(timer);
        s.destroy();
        resolve(false);
      });
    });
  const done = await Promise.all(Array.from({ length: count }, one));
  return done.filter(Boolean).length;
}
