// The collector's HTTP/1.1 server, on a TCP listener of its own rather than Deno.serve, which has
// no timeouts and ends when accept fails with EMFILE. Every connection has deadlines (nginx's
// client_header_timeout, keepalive_timeout, client_body_timeout and send_timeout), each address a
// cap on its open connections, and the accept loop rides out descriptor exhaustion
// (lib/net/accept.ts), so nobody without a token can make the collector stop or run out of files.
import { acceptConns, type ServeFailure } from "../net/accept.ts";

/** Deadlines and caps of {@linkcode serveHttp}; every field has a default. */
export interface HttpLimits {
  /** From a connection's first byte (or its opening) until the request head is complete. */
  headerTimeoutMs: number;
  /** A kept-alive connection waiting for its next request. */
  idleTimeoutMs: number;
  /** From the head until the whole body has arrived (a body trickled in is cut off). */
  bodyTimeoutMs: number;
  /** One write of the answer (a dashboard that stops reading is dropped). */
  sendTimeoutMs: number;
  /** Open connections from one address; more are answered 429 and closed. */
  maxConnectionsPerAddress: number;
  /** Open connections in all; more are answered 503 and closed. */
  maxConnections: number;
  /** The request line and headers together; more is 431. */
  maxHeadBytes: number;
}

/** The defaults: nginx's order of magnitude, shorter where a lab needs no more. */
export const defaultHttpLimits: HttpLimits = {
  headerTimeoutMs: 15_000,
  idleTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
  sendTimeoutMs: 30_000,
  maxConnectionsPerAddress: 32,
  maxConnections: 512,
  maxHeadBytes: 16 * 1024,
};

/** What a handler learns about the connection besides the request. */
export interface HttpRequestInfo {
  remoteAddr: Deno.NetAddr;
}

/** Answers one request. A thrown error becomes a 500. */
export type HttpHandler = (req: Request, info: HttpRequestInfo) => Response | Promise<Response>;

/** Options of {@linkcode serveHttp}. */
export interface ServeHttpOptions {
  limits?: Partial<HttpLimits>;
  /** Told about accept failures that were ridden out (a reset peer, EMFILE and the wait). */
  onAcceptFailure?: (failure: ServeFailure) => void;
  /** Told about a connection turned away at once (over a cap). */
  onConnectionRefused?: (remote: string, status: number, reason: string) => void;
}

/** A running server. */
export interface HttpServer {
  /** Resolves once the listener and every connection are closed. */
  finished: Promise<void>;
  /** Stops accepting and closes every connection (event streams included). */
  close(): Promise<void>;
  /** Open connections now, by address. */
  connections(): Map<string, number>;
}

const reasons: Record<number, string> = {
  100: "Continue",
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** A request the server answers itself, before any handler: malformed, too large, unsupported. */
class HttpProtocolError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** A connection's bytes: what has arrived and not been used yet, reads, writes and its deadline. */
class Wire {
  readonly conn: Deno.TcpConn;
  #buf = new Uint8Array(0);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Set when a deadline closed the connection. */
  timedOut = false;

  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  get buffered(): number {
    return this.#buf.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the connection `ms` from now unless another deadline replaces this one. */
  deadline(ms: number | undefined): void {
    clearTimeout(this.#timer);
    this.#timer = ms === undefined ? undefined : setTimeout(() => {
      this.timedOut = true;
      this.close();
    }, ms);
  }

  /** Reads more bytes into the buffer; `false` at the end of the stream (or once closed). */
  async fill(): Promise<boolean> {
    if (this.#closed) return false;
    const chunk = new Uint8Array(16 * 1024);
    let n: number | null;
    try {
      n = await this.conn.read(chunk);
    } catch {
      n = null;
    }
    if (n === null) return false;
    const merged = new Uint8Array(this.#buf.length + n);
    merged.set(this.#buf);
    merged.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = merged;
    return true;
  }

  /** Takes up to `max` buffered bytes. */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.#buf.length);
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** Where `\r\n\r\n` (or `\n\n`) ends in the buffer, from `from`; -1 when not there yet. */
  headEnd(from: number): number {
    const b = this.#buf;
    for (let i = Math.max(0, from); i < b.length; i++) {
      if (b[i] !== 0x0a) continue;
      if (b[i + 1] === 0x0a) return i + 2;
      if (b[i + 1] === 0x0d && b[i + 2] === 0x0a) return i + 3;
    }
    return -1;
  }

  /** One line (without its CRLF) for chunked bodies; at most `max` bytes. */
  async line(max: number): Promise<string> {
    for (;;) {
      const lf = this.#buf.indexOf(0x0a);
      if (lf >= 0) {
        const text = latin1.decode(this.take(lf + 1));
        return text.replace(/\r?\n$/, "");
      }
      if (this.#buf.length > max) throw new HttpProtocolError(400, "a chunk line is too long");
      if (!(await this.fill())) throw new HttpProtocolError(400, "the body ended early");
    }
  }

  /** Writes every byte, or closes the connection when `sendTimeoutMs` passes first. */
  async write(bytes: Uint8Array, sendTimeoutMs: number): Promise<void> {
    if (this.#closed) throw new Deno.errors.BadResource("closed");
    const timer = setTimeout(() => {
      this.timedOut = true;
      this.close();
    }, sendTimeoutMs);
    try {
      let off = 0;
      while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Closes after the answer went out, reading what the peer still sends for a moment first
   * (nginx's lingering close): closing with unread bytes makes the kernel send a reset, which can
   * destroy the answer before the peer reads it.
   */
  async lingerClose(ms: number, maxBytes = 1 << 20): Promise<void> {
    if (this.#closed) return;
    try {
      await this.conn.closeWrite();
    } catch {
      this.close();
      return;
    }
    this.deadline(ms);
    let drained = this.#buf.length;
    this.#buf = new Uint8Array(0);
    const sink = new Uint8Array(16 * 1024);
    try {
      while (drained < maxBytes) {
        const n = await this.conn.read(sink);
        if (n === null) break;
        drained += n;
      }
    } catch { /* closed by the deadline */ }
    this.close();
  }

  close(): void {
    clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch { /* already closed */ }
  }
}

interface Head {
  method: string;
  target: string;
  version: "HTTP/1.0" | "HTTP/1.1";
  headers: Headers;
}

function parseHead(bytes: Uint8Array): Head {
  const lines = latin1.decode(bytes).split(/\r?\n/);
  const m = /^([A-Z]{1,16}) (\S{1,8192}) (HTTP\/1\.[01])$/.exec(lines[0]);
  if (!m) {
    if (/^[A-Z]+ \S+ HTTP\/\d/.test(lines[0])) {
      throw new HttpProtocolError(505, "only HTTP/1.0 and HTTP/1.1 are served");
    }
    throw new HttpProtocolError(400, "not an HTTP request line");
  }
  const headers = new Headers();
  let count = 0;
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    if (/^[ \t]/.test(line)) throw new HttpProtocolError(400, "folded header lines are refused");
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new HttpProtocolError(400, "a malformed header line");
    }
    if (++count > 100) throw new HttpProtocolError(431, "more than 100 header lines");
    try {
      headers.append(name, line.slice(colon + 1).trim());
    } catch {
      throw new HttpProtocolError(400, `a malformed value of header ${name}`);
    }
  }
  return { method: m[1], target: m[2], version: m[3] as Head["version"], headers };
}

/** The request's URL: origin-form or absolute-form, on the Host the client named when sane. */
function requestUrl(head: Head, local: Deno.NetAddr): URL {
  const fallback = local.hostname.includes(":")
    ? `[${local.hostname}]:${local.port}`
    : `${local.hostname}:${local.port}`;
  const host = head.headers.get("host") ?? "";
  const authority = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/
      .test(host)
    ? host
    : fallback;
  try {
    if (head.target.startsWith("/")) return new URL(head.target, `http://${authority}`);
    const url = new URL(head.target);
    if (url.protocol === "http:") return url;
  } catch { /* below */ }
  throw new HttpProtocolError(400, "the request target is not a path");
}

/** How the body is framed: none, a length, or chunked. */
function bodyFraming(head: Head): { kind: "none" } | { kind: "length"; length: number } | {
  kind: "chunked";
} {
  const te = head.headers.get("transfer-encoding");
  const cl = head.headers.get("content-length");
  if (te !== null) {
    if (cl !== null) {
      throw new HttpProtocolError(400, "both Content-Length and Transfer-Encoding were sent");
    }
    if (te.trim().toLowerCase() !== "chunked") {
      throw new HttpProtocolError(501, `Transfer-Encoding ${te} is not supported`);
    }
    return { kind: "chunked" };
  }
  if (cl !== null) {
    if (!/^\d{1,15}$/.test(cl.trim())) {
      throw new HttpProtocolError(400, "Content-Length is not one number");
    }
    const length = Number(cl.trim());
    return length ? { kind: "length", length } : { kind: "none" };
  }
  return { kind: "none" };
}

/** The request body read off the wire as the handler pulls it. */
function bodyStream(
  wire: Wire,
  framing: { kind: "length"; length: number } | { kind: "chunked" },
  hooks: { first(): Promise<void>; done(): void },
): ReadableStream<Uint8Array> {
  let started = false;
  /** The next `n` bytes, in the pieces they arrive in. */
  async function* exactly(n: number): AsyncGenerator<Uint8Array> {
    for (let left = n; left > 0;) {
      if (!wire.buffered && !(await wire.fill())) {
        throw new HttpProtocolError(400, "the body ended early");
      }
      const piece = wire.take(left);
      left -= piece.length;
      yield piece;
    }
  }
  async function* pieces(): AsyncGenerator<Uint8Array> {
    if (framing.kind === "length") {
      yield* exactly(framing.length);
    } else {
      for (;;) {
        const size = /^([0-9A-Fa-f]{1,8})(;.*)?$/.exec(await wire.line(4096));
        if (!size) throw new HttpProtocolError(400, "a malformed chunk size");
        const length = parseInt(size[1], 16);
        if (length === 0) {
          // Trailers, up to the empty line.
          for (let n = 0; (await wire.line(4096)) !== ""; n++) {
            if (n > 100) throw new HttpProtocolError(400, "too many trailer lines");
          }
          break;
        }
        yield* exactly(length);
        if ((await wire.line(2)) !== "") throw new HttpProtocolError(400, "a malformed chunk");
      }
    }
    hooks.done();
  }
  const gen = pieces();
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      if (!started) {
        started = true;
        await hooks.first();
      }
      const { value, done } = await gen.next();
      if (done) c.close();
      else c.enqueue(value);
    },
    async cancel() {
      await gen.return(undefined);
    },
  });
}

function statusLine(status: number, text?: string): string {
  return `HTTP/1.1 ${status} ${text || reasons[status] || "Unknown"}\r\n`;
}

/** A small JSON answer the server writes itself (refusals before any handler). */
function cannedAnswer(status: number, error: string, extra: Record<string, string> = {}) {
  const body = JSON.stringify({ error }) + "\n";
  const headers = Object.entries({
    "content-type": "application/json; charset=utf-8",
    "content-length": String(encoder.encode(body).length),
    "cache-control": "no-store",
    "connection": "close",
    ...extra,
  }).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return encoder.encode(statusLine(status) + headers + "\r\n" + body);
}

const hopByHop = new Set(["connection", "content-length", "transfer-encoding", "keep-alive"]);

/** Writes `res`; an event stream is sent chunked as it comes, anything else with its length. */
async function writeResponse(
  wire: Wire,
  res: Response,
  options: { head: boolean; keepAlive: boolean; sendTimeoutMs: number },
): Promise<void> {
  const streaming = res.body !== null &&
    (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
  let body: Uint8Array | undefined;
  if (!streaming && res.body) body = new Uint8Array(await res.arrayBuffer());
  let head = statusLine(res.status, res.statusText);
  for (const [k, v] of res.headers) {
    if (!hopByHop.has(k)) head += `${k}: ${v.replace(/[\r\n]/g, " ")}\r\n`;
  }
  head += streaming ? "transfer-encoding: chunked\r\n" : `content-length: ${body?.length ?? 0}\r\n`;
  head += `connection: ${options.keepAlive && !streaming ? "keep-alive" : "close"}\r\n\r\n`;
  const headBytes = encoder.encode(head);
  if (!streaming) {
    if (options.head || !body?.length) return await wire.write(headBytes, options.sendTimeoutMs);
    const all = new Uint8Array(headBytes.length + body.length);
    all.set(headBytes);
    all.set(body, headBytes.length);
    return await wire.write(all, options.sendTimeoutMs);
  }
  await wire.write(headBytes, options.sendTimeoutMs);
  if (options.head) return void await res.body!.cancel();
  const reader = res.body!.getReader();
  // A stream has nothing to write most of the time: watch the connection, so a dashboard that
  // went away frees its place at once rather than at the next heartbeat.
  let gone = false;
  (async () => {
    while (await wire.fill()) wire.take(wire.buffered);
    gone = true;
    await reader.cancel().catch(() => {});
  })();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || gone) break;
      if (!value.length) continue;
      const size = encoder.encode(value.length.toString(16) + "\r\n");
      const framed = new Uint8Array(size.length + value.length + 2);
      framed.set(size);
      framed.set(value, size.length);
      framed.set([0x0d, 0x0a], size.length + value.length);
      await wire.write(framed, options.sendTimeoutMs);
    }
    if (!gone) await wire.write(encoder.encode("0\r\n\r\n"), options.sendTimeoutMs);
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * Serves HTTP/1.1 on `listener` with `handler` until `close()`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveHttp } from "./http.ts";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const server = serveHttp(listener, (req, info) =>
 *   new Response(`${req.method} ${new URL(req.url).pathname} from ${info.remoteAddr.hostname}`));
 * try {
 *   const res = await fetch(`http://127.0.0.1:${listener.addr.port}/hello`);
 *   assert.equal(res.status, 200);
 *   assert.equal(await res.text(), "GET /hello from 127.0.0.1");
 * } finally {
 *   await server.close();
 * }
 * ```
 */
export function serveHttp(
  listener: Deno.TcpListener,
  handler: HttpHandler,
  options: ServeHttpOptions = {},
): HttpServer {
  const limits = { ...defaultHttpLimits, ...options.limits };
  const stop = new AbortController();
  const wires = new Set<Wire>();
  const perAddress = new Map<string, number>();
  const local = listener.addr as Deno.NetAddr;
  let refusing = 0;

  const refuse = async (conn: Deno.TcpConn, status: number, reason: string) => {
    const remote = (conn.remoteAddr as Deno.NetAddr).hostname;
    options.onConnectionRefused?.(remote, status, reason);
    const wire = new Wire(conn);
    // Answered and closed at once when many are being turned away: a flood costs no waiting.
    if (refusing >= 64) return wire.close();
    refusing++;
    try {
      await wire.write(cannedAnswer(status, reason, { "retry-after": "5" }), 1000);
      await wire.lingerClose(1000, 64 * 1024);
    } catch {
      wire.close();
    } finally {
      refusing--;
    }
  };

  /** Answers a request the server refuses itself, then closes. */
  const answerAndClose = async (wire: Wire, status: number, reason: string) => {
    await wire.write(cannedAnswer(status, reason), 1000).catch(() => {});
    await wire.lingerClose(1000, 64 * 1024);
  };
  const tooLarge = `the request head is larger than ${limits.maxHeadBytes} bytes`;

  const handle = async (wire: Wire, remote: Deno.NetAddr) => {
    let first = true;
    while (!wire.closed && !stop.signal.aborted) {
      // Waiting for a request: a new connection gets the header deadline, a kept-alive one the
      // idle deadline until its next request starts, then the header deadline.
      wire.deadline(first ? limits.headerTimeoutMs : limits.idleTimeoutMs);
      let end = wire.headEnd(0);
      if (end < 0 && !wire.buffered) {
        if (!(await wire.fill())) return;
        if (!first) wire.deadline(limits.headerTimeoutMs);
      }
      first = false;
      let searched = 0;
      while ((end = wire.headEnd(Math.max(0, searched - 3))) < 0) {
        if (wire.buffered > limits.maxHeadBytes) return await answerAndClose(wire, 431, tooLarge);
        searched = wire.buffered;
        if (!(await wire.fill())) return;
      }
      if (end > limits.maxHeadBytes) return await answerAndClose(wire, 431, tooLarge);
      wire.deadline(undefined);
      let head: Head, url: URL, framing: ReturnType<typeof bodyFraming>;
      try {
        head = parseHead(wire.take(end));
        url = requestUrl(head, local);
        framing = bodyFraming(head);
      } catch (err) {
        const e = err instanceof HttpProtocolError
          ? err
          : new HttpProtocolError(400, "bad request");
        return await answerAndClose(wire, e.status, e.message);
      }
      let bodyDone = framing.kind === "none";
      let body: ReadableStream<Uint8Array> | undefined;
      if (framing.kind !== "none") {
        const continues = /^100-continue$/i.test(head.headers.get("expect") ?? "");
        body = bodyStream(wire, framing, {
          first: async () => {
            wire.deadline(limits.bodyTimeoutMs);
            if (continues) {
              await wire.write(encoder.encode(statusLine(100) + "\r\n"), limits.sendTimeoutMs);
            }
          },
          done: () => {
            bodyDone = true;
            wire.deadline(undefined);
          },
        });
      }
      const request = new Request(url, {
        method: head.method,
        headers: head.headers,
        ...(body && head.method !== "GET" && head.method !== "HEAD"
          ? { body, duplex: "half" }
          : {}),
      } as RequestInit);
      let response: Response;
      try {
        response = await handler(request, { remoteAddr: remote });
      } catch (err) {
        if (wire.closed) return;
        if (err instanceof HttpProtocolError) {
          return await answerAndClose(wire, err.status, err.message);
        }
        response = new Response(JSON.stringify({ error: "internal error" }) + "\n", {
          status: 500,
          headers: { "content-type": "application/json; charset=utf-8" },
        });
      }
      if (wire.closed) return;
      wire.deadline(undefined);
      const keepAlive = bodyDone && head.version === "HTTP/1.1" &&
        !/\bclose\b/i.test(head.headers.get("connection") ?? "") && !stop.signal.aborted;
      try {
        await writeResponse(wire, response, {
          head: head.method === "HEAD",
          keepAlive,
          sendTimeoutMs: limits.sendTimeoutMs,
        });
      } catch {
        return wire.close();
      }
      // An event stream ended (the server closing, or the peer gone): nothing more to read.
      if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
        return wire.close();
      }
      if (!keepAlive) return await wire.lingerClose(2000);
    }
  };

  const loop = (async () => {
    for await (
      const conn of acceptConns(listener, {
        signal: stop.signal,
        onFailure: options.onAcceptFailure,
      })
    ) {
      const tcp = conn as Deno.TcpConn;
      const remote = tcp.remoteAddr as Deno.NetAddr;
      const count = perAddress.get(remote.hostname) ?? 0;
      if (count >= limits.maxConnectionsPerAddress) {
        refuse(
          tcp,
          429,
          `too many connections from ${remote.hostname} (at most ${limits.maxConnectionsPerAddress} at once)`,
        );
        continue;
      }
      if (wires.size >= limits.maxConnections) {
        refuse(tcp, 503, `the collector has ${limits.maxConnections} connections open`);
        continue;
      }
      try {
        tcp.setNoDelay(true);
      } catch { /* gone already */ }
      const wire = new Wire(tcp);
      wires.add(wire);
      perAddress.set(remote.hostname, count + 1);
      handle(wire, remote).catch(() => {}).finally(() => {
        wire.close();
        wires.delete(wire);
        const left = (perAddress.get(remote.hostname) ?? 1) - 1;
        if (left) perAddress.set(remote.hostname, left);
        else perAddress.delete(remote.hostname);
      });
    }
  })();

  const finished = loop.then(async () => {
    while (wires.size) await new Promise((r) => setTimeout(r, 10));
  });

  return {
    finished,
    async close() {
      stop.abort();
      try {
        listener.close();
      } catch { /* closed */ }
      for (const w of wires) w.close();
      await finished;
    },
    connections: () => new Map(perAddress),
  };
}
