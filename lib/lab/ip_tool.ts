// Runs iproute2's `ip`, the one program the permission set lets toolkit start, and turns its
// failures into a LabError that names the command line and what `ip` said.
import { LabError } from "./lab_error.ts";

const privilegePattern = /Operation not permitted|Permission denied/i;

/** Options for {@linkcode runIp}. */
export interface RunIpOptions {
  /** Aborts the running `ip` (SIGTERM). */
  signal?: AbortSignal;
  /** Resolve with `undefined` instead of throwing when `ip` fails. Default `false`. */
  allowFailure?: boolean;
}

async function spawnIp(
  args: readonly string[],
  signal: AbortSignal | undefined,
  input?: string,
): Promise<{ ok: boolean; code: number; stdout: string; stderr: string }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("ip", {
      args: [...args],
      stdin: input === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      signal,
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new LabError("tool", "the `ip` program (iproute2) is not installed", { cause: err });
    }
    throw err;
  }
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(input)).catch(() => {});
    await w.close().catch(() => {});
  }
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { ok: out.success, code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

function failure(args: readonly string[], said: string, code: number): LabError {
  const line = `ip ${args.join(" ")}: ${said || `exit ${code}`}`;
  // Deno cannot read this process's capabilities (/proc/self needs --allow-all), so a missing
  // privilege is recognized by what the kernel told `ip`.
  if (privilegePattern.test(said)) {
    return new LabError(
      "privilege",
      `the lab needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN): ${line}`,
    );
  }
  return new LabError("ip", line);
}

/**
 * Runs `ip ARGS...` and resolves to its stdout. A non-zero exit is a `LabError` of kind `"ip"`
 * carrying `ip`'s own message; a missing `ip` is kind `"tool"`, and the kernel refusing for lack of
 * privilege (EPERM, EACCES) is kind `"privilege"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runIp } from "./ip_tool.ts";
 * import { LabError } from "./lab_error.ts";
 *
 * const links = JSON.parse((await runIp(["-j", "link", "show", "lo"]))!);
 * assert.equal(links[0].ifname, "lo");
 * await assert.rejects(runIp(["link", "show", "nosuchlink0"]), (err) => {
 *   assert.ok(err instanceof LabError);
 *   assert.equal(err.failure, "ip");
 *   assert.match(err.message, /^ip link show nosuchlink0: /);
 *   return true;
 * });
 * assert.equal(await runIp(["link", "show", "nosuchlink0"], { allowFailure: true }), undefined);
 * ```
 */
export async function runIp(
  args: readonly string[],
  options: RunIpOptions = {},
): Promise<string | undefined> {
  const r = await spawnIp(args, options.signal);
  if (r.ok) return r.stdout;
  if (options.allowFailure) return undefined;
  throw failure(args, r.stderr.trim().split("\n").pop() ?? "", r.code);
}

/**
 * Runs several `ip` commands that share their global options (`-n NS`) as one `ip -batch -`,
 * stopping at the first that fails, which the error then names as if run alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runIpBatch } from "./ip_tool.ts";
 *
 * await runIpBatch([], [["link", "show", "lo"], ["addr", "show", "lo"]]);
 * // The command that failed is named as if it had run alone.
 * await assert.rejects(
 *   runIpBatch([], [["link", "show", "lo"], ["link", "show", "nosuchlink0"]]),
 *   /^LabError: ip link show nosuchlink0: /,
 * );
 * ```
 */
export async function runIpBatch(
  global: readonly string[],
  commands: readonly (readonly string[])[],
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  if (commands.length === 1) {
    await runIp([...global, ...commands[0]], options);
    return;
  }
  const input = commands.map((c) => c.join(" ") + "\n").join("");
  const r = await spawnIp([...global, "-batch", "-"], options.signal, input);
  if (r.ok) return;
  const lines = r.stderr.trim().split("\n");
  const at = /Command failed -:(\d+)/.exec(lines[lines.length - 1]);
  const failed = at ? commands[Number(at[1]) - 1] : undefined;
  const said = (at ? lines.slice(0, -1) : lines).filter(Boolean).pop() ?? "";
  throw failure([...global, ...(failed ?? ["-batch", "-"])], said, r.code);
}
