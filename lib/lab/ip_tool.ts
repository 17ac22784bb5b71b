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

/**
 * Runs `ip ARGS...` and resolves to its stdout. A non-zero exit is a `LabError` of kind `"ip"`
 * carrying `ip`'s own message; a missing `ip` is kind `"tool"`, and the kernel refusing for lack of
 * privilege (EPERM, EACCES) is kind `"privilege"`.
 *
 * @example
 * ```ts
 * const json = await runIp(["-j", "netns", "list"]);
 * ```
 */
export async function runIp(
  args: readonly string[],
  options: RunIpOptions = {},
): Promise<string | undefined> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ip", {
      args: [...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: options.signal,
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new LabError("tool", "the `ip` program (iproute2) is not installed", { cause: err });
    }
    throw err;
  }
  if (out.success) return new TextDecoder().decode(out.stdout);
  if (options.allowFailure) return undefined;
  const said = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
  const line = `ip ${args.join(" ")}: ${said || `exit ${out.code}`}`;
  // Deno cannot read this process's capabilities (/proc/self needs --allow-all), so a missing
  // privilege is recognized by what the kernel told `ip`.
  if (privilegePattern.test(said)) {
    throw new LabError(
      "privilege",
      `the lab needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN): ${line}`,
    );
  }
  throw new LabError("ip", line);
}
