// One sandbox for everything that runs narrowed (a `--net`/`--scope` run, a drill): a Worker whose
// Deno permissions are exactly a Scope, so an access outside it fails inside Deno with NotCapable
// however the code spells it. Starting, the scope error when the scope asks for more than this
// process holds, message passing, winding down and termination are written here once.
import { ScopeError } from "./errors.ts";
import { denoNetHosts } from "./net_entry.ts";
import { workerPermissions } from "./scope.ts";
import { type Scope, scopeKinds } from "./types.ts";

async function granted(desc: Deno.PermissionDescriptor): Promise<boolean> {
  return (await Deno.permissions.query(desc).catch(() => undefined))?.state === "granted";
}

/**
 * The first grant of `scope` this process does not hold itself, as `[kind, entry]`: a Worker
 * cannot be given more than its parent has.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstNotGranted } from "./sandbox.ts";
 *
 * const scope = { kinds: { env: [{ entry: "HOME" }] } };
 * const { state } = await Deno.permissions.query({ name: "env", variable: "HOME" });
 * const expected = state === "granted" ? undefined : ["env", "HOME"];
 * assert.deepEqual(await firstNotGranted(scope), expected);
 * ```
 */
export async function firstNotGranted(scope: Scope): Promise<[string, string] | undefined> {
  for (const kind of scopeKinds) {
    for (const { entry } of scope.kinds[kind] ?? []) {
      const hosts = kind === "net"
        ? denoNetHosts(entry, { expandIpv4: scope.expandIpv4 })
        : [entry];
      for (const e of hosts) {
        const desc: Deno.PermissionDescriptor = kind === "net"
          ? { name: "net", host: e }
          : kind === "run"
          ? { name: "run", command: e }
          : kind === "env"
          ? { name: "env", variable: e }
          : kind === "sys"
          ? { name: "sys", kind: e as Deno.SysPermissionDescriptor["kind"] }
          : { name: kind, path: e };
        if (!(await granted(desc))) return [kind, e];
      }
    }
  }
  return undefined;
}

/** Options for {@linkcode Sandbox.open}. */
export interface SandboxOptions {
  /** Kinds the scope does not list inherit this process's (`true`) or get nothing (`false`). */
  inherit: boolean;
  /** Named in the scope error when the scope asks for more than this process holds. */
  purpose: string;
}

/**
 * A Worker confined to a scope. `In` are the messages it is sent, `Out` those it sends back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Sandbox } from "./sandbox.ts";
 *
 * // A Worker that answers what Deno lets it reach: it asks, it connects nowhere.
 * const code = `self.onmessage = async (e) => {
 *   const { state } = await Deno.permissions.query({ name: "net", host: e.data });
 *   self.postMessage(state);
 * };`;
 * const url = new URL(`data:text/javascript,${encodeURIComponent(code)}`);
 * const scope = { kinds: { net: [{ entry: "127.0.0.1:9000" }] } };
 * const box = await Sandbox.open<string, string>(url, scope, {
 *   inherit: false,
 *   purpose: "this example",
 * });
 * const ask = (host: string) =>
 *   new Promise<string>((resolve, reject) => {
 *     box.listen(resolve, reject);
 *     box.post(host);
 *   });
 * try {
 *   assert.equal(await ask("127.0.0.1:9000"), "granted");
 *   assert.notEqual(await ask("127.0.0.1:9001"), "granted");
 * } finally {
 *   box.terminate();
 * }
 * ```
 */
export class Sandbox<In, Out> {
  readonly #worker: Worker;
  #terminated = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
  }

  /**
   * Starts the Worker module at `url` with `scope`'s permissions. A scope wider than this
   * process's is a {@linkcode ScopeError} naming the first entry not held.
   */
  static async open<In, Out>(
    url: URL,
    scope: Scope,
    options: SandboxOptions,
  ): Promise<Sandbox<In, Out>> {
    try {
      return new Sandbox(
        new Worker(url, {
          type: "module",
          deno: { permissions: workerPermissions(scope, { inherit: options.inherit }) },
        }),
      );
    } catch (err) {
      const missing = await firstNotGranted(scope);
      throw new ScopeError(
        missing?.[0] ?? "some",
        `${missing?.[1] ?? "a resource"} (needed by ${options.purpose})`,
        { cause: err },
      );
    }
  }

  /** Sends a message to the Worker. */
  post(message: In): void {
    if (!this.#terminated) this.#worker.postMessage(message);
  }

  /**
   * Routes the Worker's messages to `onMessage` and an uncaught error inside it (its message) to
   * `onFailure`.
   */
  listen(onMessage: (message: Out) => void, onFailure: (message: string) => void): void {
    this.#worker.onmessage = (e: MessageEvent<Out>) => onMessage(e.data);
    this.#worker.onerror = (e) => {
      e.preventDefault();
      onFailure(e.message);
    };
  }

  /**
   * Asks the Worker to wind down with `ask`, waits until it answers with a message `isDone`
   * accepts or `graceMs` passes, then terminates it. Other messages still reach `onMessage`.
   */
  close(ask: In, isDone: (message: Out) => boolean, graceMs: number): Promise<void> {
    if (this.#terminated) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#worker.onmessage;
      const done = () => {
        clearTimeout(timer);
        this.terminate();
        resolve();
      };
      const timer = setTimeout(done, graceMs);
      this.#worker.onmessage = (e: MessageEvent<Out>) => {
        if (isDone(e.data)) done();
        else previous?.call(this.#worker, e);
      };
      this.post(ask);
    });
  }

  /** Stops the Worker at once; its sockets and files close with it. */
  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#worker.terminate();
  }
}
