// Files named by the user, opened the one way every command opens them: through the scope in force
// (confinePath), refused before any byte is read when they are not files (a directory, a socket, a
// FIFO nobody writes to would block open(2) for ever), and every failure named with the path as
// the user wrote it, so `toolkit: error: is a directory (/tmp)` is all there is to read.
import { confinePath } from "./paths.ts";
import { scopeErrorFrom } from "./errors.ts";
import { concat } from "../text/read_limited.ts";

/**
 * A path given as a file that cannot be used as one: missing, a directory, a FIFO, unreadable,
 * too large. The user's input, never a bug: the CLI reports it as `<problem> (<path>)`, exit 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileArgumentError } from "./files.ts";
 *
 * const e = new FileArgumentError("/tmp", "is a directory");
 * assert.equal(e.message, "is a directory (/tmp)");
 * assert.equal(e.problem, "is a directory");
 * ```
 */
export class FileArgumentError extends Error {
  readonly path: string;
  readonly problem: string;
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`${problem} (${path})`, options);
    this.name = "FileArgumentError";
    this.path = path;
    this.problem = problem;
  }
}

/** Deno's error classes for a path, in the words `ls` and `cat` print. */
const byClass: [new (...a: never[]) => Error, string][] = [
  [Deno.errors.NotFound, "no such file or directory"],
  [Deno.errors.IsADirectory, "is a directory"],
  [Deno.errors.AlreadyExists, "already exists"],
  [Deno.errors.NotADirectory, "not a directory"],
  [Deno.errors.FilesystemLoop, "too many levels of symbolic links"],
];

/** OS errors by errno name (`err.code`) that are about the path or the disk it is on. */
const byCode: Record<string, string> = {
  EACCES: "permission denied",
  ENOENT: "no such file or directory",
  EISDIR: "is a directory",
  ENAMETOOLONG: "file name too long",
  ENOTDIR: "not a directory",
  ELOOP: "too many levels of symbolic links",
  ENXIO: "no such device or address",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EFBIG: "file too large",
};

/**
 * Linux errnos Deno reports only in its message (`No such device or address (os error 6)`, a
 * plain `Error` without a `code`), as opening `/dev/tty` without a controlling terminal does.
 */
const byLinuxErrno: Record<string, string> = {
  "6": "no such device or address",
  "19": "no such device",
};

/**
 * The words for an OS error about a file (`permission denied`), or `undefined` when `err` is not
 * one: a scope refusal (Deno's `NotCapable`, exit 4), a network error, a bug.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileProblem } from "./files.ts";
 *
 * const missing = new Deno.errors.NotFound("No such file or directory (os error 2)");
 * assert.equal(fileProblem(missing), "no such file or directory");
 * // A scope refusal is not a problem with the file.
 * assert.equal(fileProblem(new Deno.errors.NotCapable('Requires read access to "/x"')), undefined);
 * ```
 */
export function fileProblem(err: unknown): string | undefined {
  if (!(err instanceof Error) || scopeErrorFrom(err)) return undefined;
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  for (const [cls, words] of byClass) if (err instanceof cls) return words;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && code in byCode) return byCode[code];
  const errno = Deno.build.os === "linux" ? /\(os error (\d+)\)/.exec(err.message)?.[1] : undefined;
  return errno !== undefined && errno in byLinuxErrno ? byLinuxErrno[errno] : undefined;
}

/**
 * `err` as a {@linkcode FileArgumentError} naming `path` when it is an OS error about the file;
 * anything else (a scope refusal, a bug) unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { asFileError, FileArgumentError } from "./files.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   const path = `${dir}/missing.txt`;
 *   const err = await Deno.stat(path).then(() => undefined, (err) => asFileError(err, path));
 *   assert.ok(err instanceof FileArgumentError);
 *   assert.equal(err.message, `no such file or directory (${path})`);
 *   const bug = new TypeError("a bug");
 *   assert.equal(asFileError(bug, path), bug);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export function asFileError(err: unknown, path: string): unknown {
  if (err instanceof FileArgumentError) return err;
  const problem = fileProblem(err);
  return problem ? new FileArgumentError(path, problem, { cause: err }) : err;
}

/**
 * Whether `path` reaches an anonymous pipe through a descriptor link (`/dev/fd/63` from a shell's
 * `<(cmd)`, `/dev/stdin` on a pipe): its last link reads `pipe:[inode]`. Opening such a pipe never
 * waits, unlike a named FIFO with no writer.
 */
async function isDescriptorPipe(path: string): Promise<boolean> {
  let current = path;
  for (let i = 0; i < 40; i++) {
    const info = await Deno.lstat(current).catch(() => undefined);
    if (!info?.isSymlink) return false;
    const target = await Deno.readLink(current).catch(() => undefined);
    if (target === undefined) return false;
    if (/^pipe:\[\d+\]$/.test(target)) return true;
    current = target.startsWith("/")
      ? target
      : `${current.slice(0, current.lastIndexOf("/") + 1)}${target}`;
  }
  return false;
}

/**
 * Why a path that exists cannot be read as a file, or `undefined` when it can: a directory, a
 * socket, or a named FIFO (its open(2) would wait for a writer that may never come; commands that
 * read a file also read stdin, where its data can be piped instead). Devices (`/dev/null`, `/dev/stdin`) and the pipe of `<(cmd)` are
 * readable.
 */
async function unreadableKind(info: Deno.FileInfo, path: string): Promise<string | undefined> {
  if (info.isDirectory) return "is a directory";
  if (info.isSocket) return "is a socket, not a file";
  if (info.isFifo && !(await isDescriptorPipe(path))) {
    return "is a named pipe (FIFO), not a file";
  }
  return undefined;
}

/**
 * Opens a file the user named for reading, through the scope in force. Refused with a
 * {@linkcode FileArgumentError} naming `path` before anything is read: a missing or unreadable
 * file, a directory, a socket, a named FIFO. A path outside the
 * scope is a `ScopeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileArgumentError, openInputFile } from "./files.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/backup.txt`, "data");
 *   using file = await openInputFile(`${dir}/backup.txt`);
 *   assert.equal((await file.stat()).size, 4);
 *   await assert.rejects(openInputFile(dir), FileArgumentError); // is a directory
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function openInputFile(path: string): Promise<Deno.FsFile> {
  if (path === "") throw new FileArgumentError("an empty file name", "no such file or directory");
  const real = await confinePath(path, "read");
  try {
    const why = await unreadableKind(await Deno.stat(real), real);
    if (why) throw new FileArgumentError(path, why);
    return await Deno.open(real, { read: true });
  } catch (err) {
    throw asFileError(err, path);
  }
}

/**
 * Reads a whole file the user named (see {@linkcode openInputFile}), refusing one larger than
 * `limit` bytes: a regular file by its size before reading, anything else (a device that never
 * ends, such as /dev/zero) once `limit` bytes have been read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileArgumentError, readInputFile } from "./files.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeFile(`${dir}/data.bin`, new Uint8Array([1, 2, 3]));
 *   const bytes = await readInputFile(`${dir}/data.bin`, { limit: 3 });
 *   assert.deepEqual(bytes, new Uint8Array([1, 2, 3]));
 *   await assert.rejects(readInputFile(`${dir}/data.bin`, { limit: 2 }), FileArgumentError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readInputFile(
  path: string,
  options: { limit: number },
): Promise<Uint8Array> {
  using file = await openInputFile(path);
  const tooLarge = () => new FileArgumentError(path, `larger than ${options.limit} bytes`);
  const info = await file.stat();
  if (info.isFile && info.size > options.limit) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const buf = new Uint8Array(Math.min(256 * 1024, options.limit + 1 - size) || 1);
      const n = await file.read(buf);
      if (n === null) break;
      size += n;
      if (size > options.limit) throw tooLarge();
      chunks.push(buf.subarray(0, n));
    }
  } catch (err) {
    throw asFileError(err, path);
  }
  return concat(chunks);
}

/**
 * Reads a whole text file the user named (see {@linkcode readInputFile}); bytes that are not UTF-8
 * become U+FFFD, as `Deno.readTextFile` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readInputText } from "./files.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeFile(`${dir}/table.txt`, new Uint8Array([0x6f, 0x6b, 0xff]));
 *   assert.equal(await readInputText(`${dir}/table.txt`, { limit: 1 << 20 }), "ok\ufffd");
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function readInputText(path: string, options: { limit: number }): Promise<string> {
  return new TextDecoder().decode(await readInputFile(path, options));
}

/** How {@linkcode writeOutputFile} will write a path: replace a file, or write a device in place. */
type OutputPlan = { kind: "replace"; path: string } | { kind: "in place"; path: string };

/**
 * Checks an output path the user named before any work is done, so a run that would fail only
 * at the end fails at the start instead (a directory, a named FIFO that would block, a missing
 * directory). Resolves how {@linkcode writeOutputFile} will write it. Throws
 * {@linkcode FileArgumentError} naming `path`; a path outside the scope is a `ScopeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOutputFile, FileArgumentError } from "./files.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await checkOutputFile(`${dir}/report.xml`); // a new file in a directory that exists
 *   await assert.rejects(checkOutputFile(`${dir}/no-such-dir/report.xml`), FileArgumentError);
 *   await assert.rejects(checkOutputFile(dir), FileArgumentError); // is a directory
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function checkOutputFile(path: string): Promise<void> {
  await outputPlan(path);
}

async function outputPlan(path: string): Promise<OutputPlan> {
  if (path === "") throw new FileArgumentError("an empty file name", "no such file or directory");
  const target = await confinePath(path, "write");
  try {
    const info = await Deno.stat(target).catch((err) => {
      if (err instanceof Deno.errors.NotFound) return undefined;
      if (err instanceof Deno.errors.NotCapable && /Requires all access/.test(err.message)) {
        // Deno opens device and kernel files (but /dev/null and /dev/zero) only with
        // --allow-all, and says nothing more, not even the file's type.
        throw new FileArgumentError(
          path,
          "is a device or kernel file, which Deno lets toolkit open only with --allow-all: " +
            "write to a regular file, or leave the option out for stdout",
        );
      }
      throw err;
    });
    if (info === undefined) {
      // A new file: its directory must exist and be a directory.
      const slash = target.lastIndexOf("/");
      const dir = slash < 0 ? "." : target.slice(0, slash) || "/";
      const parent = await Deno.stat(dir);
      if (!parent.isDirectory) throw new FileArgumentError(path, "not a directory");
      return { kind: "replace", path: target };
    }
    if (info.isFile) {
      // A file the user may not write is not replaced behind their back (a rename would, as it
      // needs only the directory): opening it for writing, without truncating, asks the OS.
      (await Deno.open(target, { write: true })).close();
      // Replace the file a symlink leads to, not the link.
      return { kind: "replace", path: await Deno.realPath(target) };
    }
    if (info.isCharDevice || info.isBlockDevice || (await isDescriptorPipe(target))) {
      // /dev/null, /dev/stdout: a device is written, never renamed over.
      return { kind: "in place", path: target };
    }
    if (info.isDirectory) throw new FileArgumentError(path, "is a directory");
    if (info.isFifo) {
      throw new FileArgumentError(path, "is a named pipe (FIFO), not a file");
    }
    throw new FileArgumentError(path, "is a socket, not a file");
  } catch (err) {
    throw asFileError(err, path);
  }
}

/**
 * Writes an output file the user named: a regular file (or a new one) atomically, through a
 * temporary file beside it and a rename, so a crash or Ctrl-C leaves the old file or the new one
 * and never a piece (a symlink is followed, the file it leads to replaced); a device such as
 * `/dev/null` or `/dev/stdout` in place. Refused as {@linkcode checkOutputFile} refuses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeOutputFile } from "./files.ts";
 *
 * const dir = await Deno.makeTempDir();
 * try {
 *   await writeOutputFile(`${dir}/report.xml`, "<report/>\n");
 *   await writeOutputFile(`${dir}/report.xml`, "<report ok='1'/>\n"); // replaced whole
 *   assert.equal(await Deno.readTextFile(`${dir}/report.xml`), "<report ok='1'/>\n");
 *   assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["report.xml"]);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function writeOutputFile(path: string, data: string | Uint8Array): Promise<void> {
  const plan = await outputPlan(path);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  if (plan.kind === "in place") {
    try {
      await Deno.writeFile(plan.path, bytes, { create: false });
    } catch (err) {
      throw asFileError(err, path);
    }
    return;
  }
  const slash = plan.path.lastIndexOf("/");
  const dir = slash < 0 ? "." : plan.path.slice(0, slash) || "/";
  const base = plan.path.slice(slash + 1);
  const tmp = `${dir}/.${base}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    // The file that is replaced keeps its permission bits (a 0600 report stays 0600).
    const old = await Deno.stat(plan.path).catch(() => undefined);
    const mode = old?.mode === null || old?.mode === undefined ? undefined : old.mode & 0o7777;
    await Deno.writeFile(tmp, bytes, { createNew: true, ...(mode === undefined ? {} : { mode }) });
    if (mode !== undefined) await Deno.chmod(tmp, mode);
    await Deno.rename(tmp, plan.path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw asFileError(err, path);
  }
}

/**
 * Paths that name this process's standard input. Deno opens them only with all permissions, so
 * they are read as `-` is.
 */
const stdinPaths = new Set(["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]);

/**
 * `-` for a path that names standard input (`/dev/stdin`), else `file` unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stdinAlias } from "./files.ts";
 *
 * assert.equal(stdinAlias("/dev/stdin"), "-");
 * assert.equal(stdinAlias("arp.txt"), "arp.txt");
 * ```
 */
export function stdinAlias(file: string): string {
  return stdinPaths.has(file) ? "-" : file;
}
