// Scratch directories for the Unix socket tests: a temporary directory removed afterwards, a stale
// socket file (bound, then its listener gone), and whether a path exists without following links.
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
