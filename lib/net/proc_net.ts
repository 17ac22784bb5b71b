// Reading the kernel's tables under /proc/net from a permission-checked Deno. Deno refuses /proc
// to anything short of --allow-all (it cannot tell harmless tables from /proc/self/mem), so the
// same tables are also taken from `ip` and `ss`; the read scope still decides: a run whose read
// permission does not cover /proc/net gets no table from any source.

/**
 * Throws `Deno.errors.NotCapable` (exit 4 in the CLI) unless read access to `path` is granted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireRead } from "./proc_net.ts";
 *
 * // Run with read access to /proc/net (as the doc tests are), it passes.
 * await requireRead("/proc/net/arp");
 * const { state } = await Deno.permissions.query({ name: "read", path: "/proc/net/arp" });
 * assert.equal(state, "granted");
 * ```
 */
export async function requireRead(path: string): Promise<void> {
  const status = await Deno.permissions.query({ name: "read", path });
  if (status.state !== "granted") {
    throw new Deno.errors.NotCapable(`Requires read access to "${path}"`);
  }
}

/**
 * Reads a /proc/net file; `undefined` when Deno's special-file rule refuses it although read
 * access is granted (the caller then asks `ip` or `ss`), or when the file does not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readProcNet } from "./proc_net.ts";
 *
 * // With --allow-all (the doc tests run so) Deno reads /proc; with less it answers undefined.
 * const text = await readProcNet("/proc/net/tcp");
 * if (text !== undefined) assert.match(text, /^\s*sl\s+local_address/);
 * assert.equal(await readProcNet("/proc/net/no-such-table"), undefined);
 * ```
 */
export async function readProcNet(path: string): Promise<string | undefined> {
  await requireRead(path);
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable && /Requires all access/.test(err.message)) {
      return undefined;
    }
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/**
 * Runs a read-only tool (`ip`, `ss`) and returns its stdout; `undefined` when it is not installed.
 * A failing run is an `Error` with the tool's message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runTool } from "./proc_net.ts";
 *
 * assert.match((await runTool(Deno.execPath(), ["--version"]))!, /^deno \d+\.\d+\.\d+/);
 * assert.equal(await runTool("no-such-tool-here", []), undefined);
 * await assert.rejects(runTool(Deno.execPath(), ["eval", "Deno.exit(3)"]), /failed: exit 3$/);
 * ```
 */
export async function runTool(cmd: string, args: readonly string[]): Promise<string | undefined> {
  let out;
  try {
    out = await new Deno.Command(cmd, { args: [...args], stdout: "piped", stderr: "piped" })
      .output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
  if (!out.success) {
    const msg = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${cmd} ${args.join(" ")} failed: ${msg || `exit ${out.code}`}`);
  }
  return new TextDecoder().decode(out.stdout);
}
