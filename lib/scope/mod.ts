// The permission model as an engine of its own: parsing and normalizing scope entries, building
// the scope a sandbox enforces (paths resolved, implicit grants added and marked), the Worker
// sandbox itself, reading the scope in force back from Deno, and ScopeError. `lib/cli` (for
// `--net`/`--scope` and `toolkit scope`) and `lib/drill` (for drills) both use it; neither owns it.
export * from "./types.ts";
export * from "./errors.ts";
export * from "./net_entry.ts";
export * from "./paths.ts";
export * from "./files.ts";
export * from "./binds.ts";
export * from "./scope.ts";
export * from "./active.ts";
export * from "./effective.ts";
export * from "./sandbox.ts";
