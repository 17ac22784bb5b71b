// The ways building or removing a lab fails that are not bugs, so the command layer can give each
// its exit code and a message the user can act on.

/** What kind of lab failure: no privilege, no `ip`, a lab already there, or `ip` refused a step. */
export type LabFailure = "privilege" | "tool" | "exists" | "ip";

/**
 * A lab failure with a message the user can act on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LabError } from "./lab_error.ts";
 *
 * const err = new LabError("exists", 'a lab with prefix "tklab" is already up');
 * assert.equal(err.failure, "exists");
 * assert.equal(`${err}`, 'LabError: a lab with prefix "tklab" is already up');
 * ```
 */
export class LabError extends Error {
  readonly failure: LabFailure;
  constructor(failure: LabFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LabError";
    this.failure = failure;
  }
}
