// Scratch directories for the Unix socket tests: a temporary directory removed afterwards, a stale
// socket file (bound, then its listener gone), whether a path exists without following links, and
// paths that lead elsewhere (a link loop, a dangling link, a device).
import assert from "#assert";
import { withTempDir } from "./harness.ts";

export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Leaves a socket file nobody listens on, as a crashed server would (Deno's close removes it). */
export function staleSocket(path: string): void {
  const py = "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])";
  const r = new Deno.Command("python3", { args: ["-c", py, path] }).outputSync();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
}

/** A scratch directory for socket files, removed afterwards. */
export const withDir = (fn: (dir: string) => Promise<void>) => withTempDir("toolkit-unix-", fn);

/**
 * Makes a symbolic link loop and a dangling link in `dir`, and returns them with /dev/null as
 * `[path, the words of the error that names it]`: paths that lead somewhere other than a socket.
 */
export function pathsLeadingElsewhere(dir: string): [string, string][] {
  Deno.symlinkSync(`${dir}/loop-b`, `${dir}/loop-a`);
  Deno.symlinkSync(`${dir}/loop-a`, `${dir}/loop-b`);
  Deno.symlinkSync(`${dir}/nothing`, `${dir}/dangling`);
  return [
    [`${dir}/loop-a`, "is a symbolic link loop"],
    [`${dir}/dangling`, `is a dangling symbolic link to ${dir}/nothing`],
    ["/dev/null", "is a character device, not a socket"],
  ];
}
