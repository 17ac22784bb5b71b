// The scope in force in this Worker: set once by the sandbox before anything runs inside it, read
// by whatever must choose within it (a client socket's local address, a path to open).
import type { Scope } from "./types.ts";

let active: Scope | undefined;

/**
 * Records the scope this Worker was narrowed to (the sandbox calls it before running anything).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activeScope, setActiveScope } from "./active.ts";
 *
 * setActiveScope({ kinds: { net: [{ entry: "127.0.0.1:9000" }] } });
 * assert.equal(activeScope()?.kinds.net?.[0].entry, "127.0.0.1:9000");
 * setActiveScope(undefined);
 * assert.equal(activeScope(), undefined);
 * ```
 */
export function setActiveScope(scope: Scope | undefined): void {
  active = scope;
}

/** The scope this Worker runs under, or `undefined` when nothing was narrowed. */
export function activeScope(): Scope | undefined {
  return active;
}
