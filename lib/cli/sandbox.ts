// Run-time narrowing (`--net`, `--scope`): the command line runs again inside the one sandbox of
// lib/scope, a Worker whose permissions are exactly the narrowed scope, so a connection outside it
// fails inside Deno with NotCapable no matter how the command spells the address.
import {
  buildScope,
  listInterfaces,
  type Narrowing,
  routeSources,
  Sandbox,
  type Scope,
} from "../scope/mod.ts";
import { ExitCode, userInputError } from "./errors.ts";
import { jsonRequested } from "./globals.ts";
import { formatError, internalError } from "./report.ts";

/** Messages between the parent and the sandbox Worker. */
export type SandboxMessage =
  | { type: "run"; argv: readonly string[]; scope: Scope; own?: boolean }
  | { type: "abort" }
  /** `interruptEnded`: the abort reached the command and it chose `code` (tcp-ping's 0 or 1). */
  | { type: "exit"; code: number; interruptEnded?: boolean };

/**
 * Toolkit's own module files: `lib/` (nothing but modules) and `deno.json`. Run from source, a
 * Worker loads each command module from disk, which Deno checks against `read`: a read narrowing
 * keeps exactly these readable so a narrowed command can start at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(ownModules().every((p) => /\/(lib|deno\.json)$/.test(p)));
 * ```
 */
export function ownModules(): string[] {
  const lib = new URL("../", import.meta.url);
  if (lib.protocol !== "file:") return [];
  const path = (u: URL) => decodeURIComponent(u.pathname).replace(/\/$/, "");
  return [path(lib), path(new URL("../../deno.json", import.meta.url))];
}

/**
 * The scope a narrowing becomes for a sandboxed command: paths resolved against `base`, implicit
 * local binds toward the hosts it lists (none for a command's own scope, whose addresses are
 * where it listens), and toolkit's own modules when reads are narrowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandScope } from "./sandbox.ts";
 *
 * const scope = await commandScope({ net: ["127.0.0.1:9000"] });
 * assert.deepEqual(scope.kinds.net, [
 *   { entry: "127.0.0.1:9000" },
 *   // A client of that address also needs its own end: a local bind is added.
 *   { entry: "127.0.0.1:0", implicit: "local bind for clients of 127.0.0.1:9000" },
 * ]);
 * ```
 */
export async function commandScope(
  narrowing: Narrowing,
  base?: string,
  options: { own?: boolean } = {},
): Promise<Scope> {
  const binds = narrowing.net !== undefined && !options.own;
  return await buildScope(narrowing, {
    base,
    ownModules: narrowing.read !== undefined ? ownModules() : [],
    interfaces: binds ? listInterfaces() : [],
    routes: binds ? await routeSources(narrowing.net!) : {},
    listenOnly: options.own,
  });
}

/**
 * Runs a toolkit command line in a Worker confined to `narrowing`; resolves to its exit code.
 * A narrowing wider than what this process holds is a `ScopeError` (exit 4). `own` marks a
 * command's own scope ({@linkcode CommandModule.ownScope}): inside it the command runs as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runNarrowed } from "./sandbox.ts";
 *
 * // The command runs in a Worker confined to 127.0.0.1:9000: another address is outside the scope,
 * // exit 4 (its error line goes to stderr), and no datagram is sent.
 * const code = await runNarrowed(
 *   ["udp-send", "127.0.0.2:9000", "hi"],
 *   { net: ["127.0.0.1:9000"] },
 *   new AbortController().signal,
 * );
 * assert.equal(code, 4);
 * ```
 */
export async function runNarrowed(
  argv: readonly string[],
  narrowing: Narrowing,
  signal: AbortSignal,
  options: { base?: string; own?: boolean } = {},
): Promise<number> {
  // What cannot be enforced here (a prefix too wide under the lab set) is the user's narrowing.
  const scope = await commandScope(narrowing, options.base, { own: options.own }).catch((err) => {
    throw userInputError(err, "");
  });
  const box = await Sandbox.open<SandboxMessage, SandboxMessage>(
    new URL("./sandbox_worker.ts", import.meta.url),
    scope,
    { inherit: true, purpose: options.own ? "the command's own scope" : "the requested narrowing" },
  );
  return await new Promise((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      signal.removeEventListener("abort", onAbort);
      box.terminate();
      resolve(code);
    };
    // A command that ignores the abort is stopped for it; one that ends on it (tcp-ping without
    // a count) keeps the exit code it reports.
    let abortedWith: number = ExitCode.interrupted;
    const onAbort = () =>
      box.close({ type: "abort" }, (m) => {
        if (m.type !== "exit") return false;
        if (m.interruptEnded) abortedWith = m.code;
        return true;
      }, 2000).then(() => finish(abortedWith));
    signal.addEventListener("abort", onAbort, { once: true });
    box.listen((m) => {
      if (m.type === "exit") finish(m.code);
    }, (message) => {
      const options = { debug: argv.includes("--debug"), json: jsonRequested(argv) };
      Deno.stderr.writeSync(new TextEncoder().encode(formatError(internalError(message), options)));
      finish(ExitCode.internal);
    });
    box.post({ type: "run", argv, scope, own: options.own });
  });
}
