// AF_UNIX stream sockets on Deno.listen / Deno.connect with safe socket-file handling: a stale
// socket file (nobody listening) is replaced, a live one or any other kind of file is left alone,
// and on close only the very socket file this listener created is removed.
import { NetError, netErrorFrom } from "./errors.ts";
import { confineSocketPath } from "../scope/paths.ts";
import { asFileError, FileArgumentError } from "../scope/files.ts";

/** A listening Unix socket and the means to remove its file. */
export interface UnixListener {
  readonly listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
  /** The absolute path of the socket file. */
  readonly path: string;
  /** Closes the listener and removes the socket file if it is still the one created here. */
  close(): void;
}

/** Longest socket path Linux accepts (`sun_path` is 108 bytes with the closing NUL). */
export const maxSocketPath = 107;

/**
 * Checks a socket path as a user typed it. Refused: empty or blank, longer than
 * {@linkcode maxSocketPath} bytes, control or bidirectional-formatting characters, text that is not
 * valid UTF-8, and a bare name that reads as a port or an address (`9000`, `0x7f.1`, `host:80`),
 * which is almost always a mix-up with the TCP commands (write `./9000` to mean the file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSocketPath } from "./unix.ts";
 *
 * assert.equal(parseSocketPath("/tmp/app.sock"), "/tmp/app.sock");
 * // A bare number reads as a port: the user writes ./9000 for a file of that name.
 * assert.throws(() => parseSocketPath("9000"), {
 *   name: "SyntaxError",
 *   message: 'Cannot use "9000" as a socket path: it reads as a port or address (write ./9000)',
 * });
 * ```
 */
export function parseSocketPath(text: string): string {
  if (text.trim() === "") throw new SyntaxError("Cannot use an empty socket path");
  if (/[\p{Cc}\p{Cf}]/u.test(text)) {
    throw new SyntaxError("Cannot use a socket path with control or formatting characters");
  }
  if (text.includes("\uFFFD")) throw new SyntaxError("Cannot use a socket path that is not UTF-8");
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > maxSocketPath) {
    throw new RangeError(`Socket path is ${bytes} bytes long; the limit is ${maxSocketPath}`);
  }
  if (text === "-" || (!text.includes("/") && /^[0-9a-fx.:\[\]]+$/i.test(text))) {
    throw new SyntaxError(
      `Cannot use "${text}" as a socket path: it reads as a port or address (write ./${text})`,
    );
  }
  return text;
}

/**
 * Resolves a socket path against the working directory (Deno scopes unix sockets by absolute
 * path: `--allow-net=unix:/run/x.sock`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { absoluteSocketPath } from "./unix.ts";
 *
 * assert.equal(absoluteSocketPath("x.sock"), `${Deno.cwd().replace(/\/$/, "")}/x.sock`);
 * assert.equal(absoluteSocketPath("/run/app.sock"), "/run/app.sock");
 * ```
 */
export function absoluteSocketPath(path: string): string {
  if (path === "") throw new SyntaxError("Cannot use an empty socket path");
  if (path.includes("\0")) throw new SyntaxError(`Cannot use socket path "${path}": NUL byte`);
  if (path.startsWith("/")) return path;
  return `${Deno.cwd().replace(/\/$/, "")}/${path}`;
}

function lstatOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/**
 * Whether a listener is bound to `path`, read from /proc/net/unix (Linux) so that asking does not
 * use up a connection of that listener. `undefined` when the table cannot be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listeningInProcNet } from "./unix.ts";
 *
 * const table = "Num       RefCount Protocol Flags    Type St Inode Path\n" +
 *   "0000000000000000: 00000002 00000000 00010000 0001 01 31337 /tmp/app.sock\n" +
 *   "0000000000000000: 00000002 00000000 00000000 0002 01 31338 /tmp/dgram.sock\n";
 * assert.equal(listeningInProcNet("/tmp/app.sock", table), true); // flag 0x10000: listening
 * assert.equal(listeningInProcNet("/tmp/dgram.sock", table), false);
 * assert.equal(listeningInProcNet("/tmp/other.sock", table), false);
 * ```
 */
export function listeningInProcNet(path: string, table?: string): boolean | undefined {
  let text = table;
  if (text === undefined) {
    try {
      text = Deno.readTextFileSync("/proc/net/unix");
    } catch {
      return undefined;
    }
  }
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // Num RefCount Protocol Flags Type St Inode Path; flag 0x10000 is __SO_ACCEPTCON (listening).
    if (fields.length < 8 || fields.slice(7).join(" ") !== path) continue;
    if ((parseInt(fields[3], 16) & 0x10000) !== 0) return true;
  }
  return false;
}

/**
 * Whether a live listener answers on the socket file at `path`: from /proc/net/unix when it can be
 * read, otherwise by connecting (which a one-shot listener would count as its connection).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSocketLive } from "./unix.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/app.sock`;
 * const listener = Deno.listen({ transport: "unix", path });
 * assert.equal(await isSocketLive(path), true);
 * listener.close(); // a socket file left behind is stale: no listener answers on it
 * assert.equal(await isSocketLive(path), false);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function isSocketLive(path: string): Promise<boolean> {
  const listed = listeningInProcNet(path);
  if (listed !== undefined) return listed;
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    conn.close();
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused || err instanceof Deno.errors.NotFound) {
      return false;
    }
    if (/connection refused/i.test((err as Error).message)) return false;
    if (/wrong type/i.test((err as Error).message)) return true; // a live datagram socket
    throw err;
  }
}

/** What kind of file `info` is, in words: `a directory`, `a character device`... */
function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a named pipe (FIFO)";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSymlink) return "a symbolic link";
  return "a file";
}

/**
 * The error for a socket path that names something else (it is never touched), or `undefined`
 * when it leads to a socket after all (a symbolic link to one). `info` is the path's `lstat`.
 */
function notASocket(abs: string, info: Deno.FileInfo): FileArgumentError | undefined {
  if (!info.isSymlink) return new FileArgumentError(abs, `is ${kindOf(info)}, not a socket`);
  let target: Deno.FileInfo;
  try {
    target = Deno.statSync(abs);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      let to = "";
      try {
        to = ` to ${Deno.readLinkSync(abs)}`;
      } catch { /* unreadable: leave the target out */ }
      return new FileArgumentError(abs, `is a dangling symbolic link${to}`, { cause: err });
    }
    if ((err as { code?: string }).code === "ELOOP" || /symbolic links/i.test(String(err))) {
      return new FileArgumentError(abs, "is a symbolic link loop", { cause: err });
    }
    return undefined;
  }
  if (target.isSocket) return undefined;
  return new FileArgumentError(abs, `is a symbolic link to ${kindOf(target)}, not a socket`);
}

/**
 * A failed connect, send or bind on the socket path `abs` by a `kind` socket, named: a path that
 * is not a socket (Linux answers "connection refused" for a file, a directory or a FIFO), a socket
 * of the other kind (EPROTOTYPE), or a path that cannot be reached (missing directory, no
 * permission), is the user's path; the rest are network errors.
 */
function socketPathError(err: unknown, abs: string, kind: "stream" | "datagram"): unknown {
  const info = lstatOrUndefined(abs);
  const other = info && !info.isSocket ? notASocket(abs, info) : undefined;
  if (other) return other;
  if (err instanceof Deno.errors.NotFound) {
    return new FileArgumentError(abs, "no such file or directory", { cause: err });
  }
  // EPROTOTYPE; Deno gives it no code, only the system's words.
  const wrongType = (err as { code?: string }).code === "EPROTOTYPE" ||
    /wrong type for socket/i.test(String((err as Error)?.message));
  if (wrongType && info?.isSocket !== false) {
    const advice = kind === "datagram"
      ? "is a stream socket: leave out --datagram"
      : "is a datagram socket: send to it with unix-send --datagram";
    return new FileArgumentError(abs, advice, { cause: err });
  }
  const named = asFileError(err, abs);
  return named === err ? netErrorFrom(err, abs) : named;
}

/**
 * Runs `use` on `path` made absolute and confined to the scope (after removing a stale socket
 * file there, with `claim`), naming the path in a failure of `use` (see
 * {@linkcode socketPathError}). Every connect, send and bind on a socket path goes through here.
 */
async function atSocketPath<T>(
  path: string,
  kind: "stream" | "datagram",
  use: (abs: string) => T | Promise<T>,
  options: { claim?: boolean } = {},
): Promise<[T, string]> {
  const abs = await confineSocketPath(absoluteSocketPath(path));
  if (options.claim) await claimSocketPath(abs);
  try {
    return [await use(abs), abs];
  } catch (err) {
    throw socketPathError(err, abs, kind);
  }
}

/** Removes a stale socket file at `abs`; refuses a live socket and any other kind of file. */
async function claimSocketPath(abs: string): Promise<void> {
  const existing = lstatOrUndefined(abs);
  if (!existing) return;
  if (!existing.isSocket) {
    // Even a link to a socket: binding would fail on the link itself.
    throw notASocket(abs, existing) ??
      new FileArgumentError(abs, "is a symbolic link (to a socket), not a socket");
  }
  if (await isSocketLive(abs)) throw new NetError("address in use", abs);
  // Stale: check it is still the same file before removing it.
  const again = lstatOrUndefined(abs);
  if (again?.isSocket && again.dev === existing.dev && again.ino === existing.ino) {
    Deno.removeSync(abs);
  }
}

/** Options for {@linkcode listenUnix} and {@linkcode listenUnixDatagram}. */
export interface UnixListenOptions {
  /**
   * Closes the socket and removes its file the moment this aborts, synchronously inside the
   * abort. Deno unlinks a closed listener's file only once its pending accept has settled, a turn
   * of the event loop later, and a second signal (`deno task` forwards the one the process group
   * already got) may end the process before that.
   */
  signal?: AbortSignal;
}

/** The file a socket was bound to: its device and inode right after `bind`. */
interface BoundFile {
  dev: number;
  ino: number | null;
}

/** What is at a socket's path when it is closed. */
type PathState = "ours" | "gone" | "other";

/**
 * Whether the file at `abs` is still the socket bound there (`own`). Asked while that socket is
 * still open: its inode cannot be freed and given to another file before it is closed, so the
 * same device and inode mean the same file.
 */
function pathState(abs: string, own: BoundFile | undefined): PathState {
  const now = lstatOrUndefined(abs);
  if (!now) return "gone";
  const same = own && own.ino !== null && now.dev === own.dev && now.ino === own.ino;
  return same && now.isSocket ? "ours" : "other";
}

/**
 * A closer that removes the socket file if it is still the one bound here, then closes the socket
 * (`closeSocket` is told what the path holds), run at the latest when `signal` aborts,
 * synchronously inside the abort.
 */
function closerFor(
  abs: string,
  closeSocket: (state: PathState) => void,
  signal?: AbortSignal,
): () => void {
  const bound = lstatOrUndefined(abs);
  const own = bound?.isSocket ? { dev: bound.dev, ino: bound.ino } : undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener("abort", close);
    // Before the socket is closed: closing frees its inode for another file to take.
    const state = pathState(abs, own);
    if (state === "ours") {
      try {
        Deno.removeSync(abs);
      } catch { /* removed meanwhile */ }
    }
    try {
      closeSocket(state);
    } catch { /* already closed */ }
  };
  signal?.addEventListener("abort", close, { once: true });
  if (signal?.aborted) close();
  return close;
}

const listenerClosed = () => new Deno.errors.BadResource("Listener has been closed");

/**
 * A Unix stream listener that never lets Deno remove another's file. Deno 2.9.6 unlinks a stream
 * listener's path when the listener is dropped, whatever is there by then (a regular file,
 * another process's live socket). So when the path holds another file at close, the socket is
 * left open, unreferenced (it keeps no process alive), and only its accepts end; the process's
 * exit closes it without touching the path.
 */
class GuardedUnixListener implements Deno.Listener<Deno.UnixConn, Deno.UnixAddr> {
  readonly #inner: Deno.UnixListener;
  #closed = false;
  #detach!: (err: Error) => void;
  readonly #detached: Promise<never>;
  /** Set by {@linkcode listenUnix}: checks the path, then calls {@linkcode shut}. */
  closer: () => void = () => this.shut("other");

  constructor(inner: Deno.UnixListener) {
    this.#inner = inner;
    this.#detached = new Promise<never>((_, reject) => (this.#detach = reject));
    this.#detached.catch(() => {});
  }

  get addr(): Deno.UnixAddr {
    return this.#inner.addr;
  }

  accept(): Promise<Deno.UnixConn> {
    if (this.#closed) return Promise.reject(listenerClosed());
    return Promise.race([this.#inner.accept(), this.#detached]);
  }

  /** Closes the socket; when the path holds another file, stops accepting only. */
  shut(state: PathState): void {
    if (this.#closed) return;
    this.#closed = true;
    if (state === "other") {
      this.#inner.unref();
      this.#detach(listenerClosed());
    } else this.#inner.close();
  }

  close(): void {
    this.closer();
  }

  ref(): void {
    this.#inner.ref();
  }

  unref(): void {
    this.#inner.unref();
  }

  async *[Symbol.asyncIterator](): AsyncIterableIterator<Deno.UnixConn> {
    for (;;) {
      try {
        yield await this.accept();
      } catch (err) {
        if (err instanceof Deno.errors.BadResource) return;
        throw err;
      }
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Listens on a Unix stream socket at `path`. An existing socket file nobody listens on is removed
 * first; a live socket is "address in use" (exit 3); a file that is not a socket is never touched
 * (`AlreadyExists`). With `signal`, the socket is closed and its file removed when it aborts.
 * `close` (or closing `listener`, or the abort) removes the file only if it is still the socket
 * bound here (same device and inode); a file or socket put there by someone else is left alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectUnix, listenUnix } from "./unix.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const l = await listenUnix(`${dir}/toolkit.sock`);
 * const client = await connectUnix(l.path);
 * const conn = await l.listener.accept();
 * await client.write(new TextEncoder().encode("hi"));
 * const buf = new Uint8Array(2);
 * assert.equal(await conn.read(buf), 2);
 * assert.equal(new TextDecoder().decode(buf), "hi");
 * client.close();
 * conn.close();
 * l.close(); // closes the listener and removes its socket file
 * await assert.rejects(Deno.lstat(l.path), Deno.errors.NotFound);
 * await Deno.remove(dir);
 * ```
 */
export async function listenUnix(
  path: string,
  options: UnixListenOptions = {},
): Promise<UnixListener> {
  const [inner, abs] = await atSocketPath(
    path,
    "stream",
    (abs) => Deno.listen({ transport: "unix", path: abs }),
    { claim: true },
  );
  const listener = new GuardedUnixListener(inner);
  const close = closerFor(abs, (state) => listener.shut(state), options.signal);
  listener.closer = close;
  return { listener, path: abs, close };
}

/** A bound Unix datagram socket (SOCK_DGRAM; Deno calls the transport "unixpacket"). */
export interface UnixDatagramSocket {
  readonly sock: Deno.DatagramConn;
  /** The absolute path it is bound to. */
  readonly path: string;
  /** Closes it and removes its file (and, for a client, its temporary directory). */
  close(): void;
}

/**
 * Binds a Unix datagram socket at `path`, with the same stale-file rules as
 * {@linkcode listenUnix}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listenUnixDatagram, openUnixDatagramClient, sendUnixDatagram } from "./unix.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const d = await listenUnixDatagram(`${dir}/toolkit-dgram.sock`);
 * const c = openUnixDatagramClient();
 * await sendUnixDatagram(c.sock, d.path, new TextEncoder().encode("hi"));
 * const [data, from] = await d.sock.receive();
 * assert.equal(new TextDecoder().decode(data), "hi");
 * assert.equal((from as Deno.UnixAddr).path, c.path); // the client's own bound file: it can be answered
 * c.close();
 * d.close();
 * await Deno.remove(dir);
 * ```
 */
export async function listenUnixDatagram(
  path: string,
  options: UnixListenOptions = {},
): Promise<UnixDatagramSocket> {
  const [sock, abs] = await atSocketPath(
    path,
    "datagram",
    (abs) => Deno.listenDatagram({ transport: "unixpacket", path: abs }),
    { claim: true },
  );
  return { sock, path: abs, close: closerFor(abs, () => sock.close(), options.signal) };
}

/**
 * Binds a client datagram socket in a fresh temporary directory, so a server can reply to it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openUnixDatagramClient } from "./unix.ts";
 *
 * const c = openUnixDatagramClient();
 * assert.match(c.path, /\/toolkit-dgram-[^/]+\/client\.sock$/); // in a temporary directory of its own
 * assert.equal((await Deno.lstat(c.path)).isSocket, true);
 * c.close(); // closes the socket and removes the file
 * await assert.rejects(Deno.lstat(c.path), Deno.errors.NotFound);
 * ```
 */
export function openUnixDatagramClient(): UnixDatagramSocket {
  const dir = Deno.makeTempDirSync({ prefix: "toolkit-dgram-" });
  const abs = `${dir}/client.sock`;
  let sock: Deno.DatagramConn;
  try {
    sock = Deno.listenDatagram({ transport: "unixpacket", path: abs });
  } catch (err) {
    Deno.removeSync(dir, { recursive: true });
    throw netErrorFrom(err, abs);
  }
  const close = closerFor(abs, () => sock.close());
  return {
    sock,
    path: abs,
    close() {
      close();
      try {
        Deno.removeSync(dir);
      } catch { /* not empty or gone: leave it */ }
    },
  };
}

/**
 * Sends one datagram to the Unix datagram socket at `path`, naming it in any error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openUnixDatagramClient, sendUnixDatagram } from "./unix.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const c = openUnixDatagramClient();
 * // Nobody bound that path: the error says so and names it.
 * await assert.rejects(
 *   sendUnixDatagram(c.sock, `${dir}/server.sock`, new TextEncoder().encode("hi")),
 *   (err: Error) => err.message.includes(`${dir}/server.sock`),
 * );
 * c.close();
 * await Deno.remove(dir);
 * ```
 */
export async function sendUnixDatagram(
  sock: Deno.DatagramConn,
  path: string,
  data: Uint8Array,
): Promise<void> {
  await atSocketPath(
    path,
    "datagram",
    (abs) => sock.send(data, { transport: "unixpacket", path: abs }),
  );
}

/**
 * Connects to a Unix stream socket, naming the path in any error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectUnix } from "./unix.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/toolkit.sock`;
 * const listener = Deno.listen({ transport: "unix", path });
 * const conn = await connectUnix(path);
 * assert.equal((conn.remoteAddr as Deno.UnixAddr).path, path);
 * conn.close();
 * listener.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function connectUnix(path: string): Promise<Deno.UnixConn> {
  const [conn] = await atSocketPath(
    path,
    "stream",
    (abs) => Deno.connect({ transport: "unix", path: abs }),
  );
  return conn;
}
