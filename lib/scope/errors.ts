// The one error of the permission model: an access Deno refused (or that toolkit refuses before
// asking Deno, such as a path a symlink leads out of the scope), described in the user's terms.

/**
 * A denied access. `kind` is Deno's permission name (`net`, `read`...), `resource` what was asked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScopeError } from "./errors.ts";
 *
 * const e = new ScopeError("net", "10.0.0.1:80");
 * assert.equal(e.message, "outside the permission scope: net access to 10.0.0.1:80 is not allowed");
 * assert.equal(e.kind, "net");
 * ```
 */
export class ScopeError extends Error {
  readonly kind: string;
  readonly resource: string;
  constructor(kind: string, resource: string, options?: ErrorOptions) {
    super(`outside the permission scope: ${kind} access to ${resource} is not allowed`, options);
    this.name = "ScopeError";
    this.kind = kind;
    this.resource = resource;
  }
}

const notCapablePattern = /Requires (\w+) access to "?([^",]*)"?/;

/**
 * Turns Deno's `NotCapable` (or its message) into a {@linkcode ScopeError}; `undefined` for any
 * other error, including an OS `EACCES` (`PermissionDenied` without Deno's wording).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scopeErrorFrom } from "./errors.ts";
 *
 * const e = scopeErrorFrom(new Deno.errors.NotCapable('Requires net access to "10.0.0.1:80"'));
 * assert.equal(e?.resource, "10.0.0.1:80");
 * // An OS permission error is not a scope refusal.
 * assert.equal(scopeErrorFrom(new Deno.errors.PermissionDenied("Permission denied")), undefined);
 * ```
 */
export function scopeErrorFrom(err: unknown): ScopeError | undefined {
  if (err instanceof ScopeError) return err;
  if (!(err instanceof Deno.errors.NotCapable) && !(err instanceof Deno.errors.PermissionDenied)) {
    return undefined;
  }
  const match = notCapablePattern.exec(err.message);
  if (!match) {
    if (err instanceof Deno.errors.PermissionDenied) return undefined; // an OS EACCES, not Deno's
    return new ScopeError("some", "a resource", { cause: err });
  }
  return new ScopeError(match[1], match[2], { cause: err });
}
