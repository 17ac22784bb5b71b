// Run-time narrowing done by Deno, not by us: the command runs in a Worker whose permissions are
// exactly the narrowed scope, so a connection outside it fails inside Deno with NotCapable no
// matter how the command spells the address.
import { ExitCode, ScopeError } from "./errors.ts";
import { printableLine } from "./report.ts";
import { type Narrowing, withEphemeralBinds, workerPermissions } from "./scope.ts";

/** Messages between the parent and the sandbox Worker. */
export type SandboxMessage =
  | { type: "run"; argv: readonly string[]; narrowing: Narrowing; own?: boolean }
  | { type: "abort" }
  | { type: "exit"; code: number };

/**
 * Toolkit's own module files (lib/ and deno.json). Run from source, the Worker loads each command
 * module from disk, which Deno checks against `read`: a read narrowing keeps these readable so a
 * narrowed command can start at all. They are the program, not the user's data.
 */
export function ownSources(): string[] {
  const lib = new URL("../", import.meta.url);
  if (lib.protocol !== "file:") return [];
  const path = (u: URL) => decodeURIComponent(u.pathname);
  return [path(lib).replace(/\/$/, ""), path(new URL("../../deno.json", import.meta.url))];
}

function withOwnSources(n: Narrowing): Narrowing {
  if (n.read === undefined) return n;
  return { ...n, read: [...n.read, ...ownSources().filter((p) => !n.read!.includes(p))] };
}

/**
 * Runs a toolkit command line in a Worker confined to `narrowing`; resolves to its exit code.
 * A narrowing wider than what this process holds is a `ScopeError` (exit 4). `own` marks a
 * command's own scope ({@linkcode CommandModule.ownScope}): inside it the command runs as is.
 *
 * @example
 * ```ts
 * const code = await runNarrowed(["udp-send", "127.0.0.1:9000", "hi"], { net: ["127.0.0.1:9000"] }, signal);
 * ```
 */
export async function runNarrowed(
  argv: readonly string[],
  requested: Narrowing,
  signal: AbortSignal,
  options: { own?: boolean } = {},
): Promise<number> {
  const narrowing = withOwnSources(await withEphemeralBinds(requested));
  let worker: Worker;
  try {
    worker = new Worker(new URL("./sandbox_worker.ts", import.meta.url), {
      type: "module",
      deno: { permissions: workerPermissions(narrowing) },
    });
  } catch (err) {
    // Name the first entry this process does not hold, as a refused access would.
    const { firstNotGranted } = await import("../drill/permissions.ts");
    const missing = await firstNotGranted(narrowing);
    if (missing) throw new ScopeError(missing[0], missing[1], { cause: err });
    const kinds = Object.keys(narrowing).join(", ");
    throw new ScopeError(kinds, `the requested narrowing (it is wider than this binary's scope)`, {
      cause: err,
    });
  }
  return await new Promise((resolve) => {
    const finish = (code: number) => {
      signal.removeEventListener("abort", onAbort);
      worker.terminate();
      resolve(code);
    };
    const onAbort = () => {
      worker.postMessage({ type: "abort" } satisfies SandboxMessage);
      // A command that ignores the abort is stopped for it.
      setTimeout(() => finish(ExitCode.interrupted), 2000);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    worker.onmessage = (e: MessageEvent<SandboxMessage>) => {
      if (e.data.type === "exit") finish(e.data.code);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      Deno.stderr.writeSync(
        new TextEncoder().encode(
          `toolkit: error: ${printableLine(`internal error: ${e.message}`)}\n`,
        ),
      );
      finish(ExitCode.internal);
    };
    worker.postMessage({ type: "run", argv, narrowing, own: options.own } satisfies SandboxMessage);
  });
}
