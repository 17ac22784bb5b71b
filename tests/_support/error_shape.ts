// What a refused command line must look like, for the registry-driven sweeps: stdout empty, one
// `toolkit: error:` line of bounded length (plus the `Try` hint for usage errors), exit 2, and no
// stack trace, panic, internal error or raw control character on stderr.
import assert from "#assert";
import type { RunResult } from "./harness.ts";

/** Problems with stderr that are never acceptable: stack traces, panics, internal errors. */
export function crashSigns(stderr: string): string[] {
  const out: string[] = [];
  if (/^\s+at .*:\d+:\d+\)?$/m.test(stderr)) out.push("a stack trace");
  if (/error: Uncaught|panicked at|RUST_BACKTRACE/.test(stderr)) out.push("an uncaught error");
  if (/internal error/.test(stderr)) out.push("an internal error (exit 70 class)");
  // A raw escape or control character echoed from the input could rewrite the user's terminal.
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(stderr)) out.push("a raw control character");
  return out;
}

/**
 * Checks the strict shape: stdout empty, stderr exactly one `toolkit: error:` line of bounded
 * length, optionally followed by the `Try 'toolkit CMD --help'` hint, and exit 2. Returns what is
 * wrong, or `undefined`.
 */
export function errorShapeProblem(
  label: string,
  r: Pick<RunResult, "code" | "stdout" | "stderr">,
  name: string,
): string | undefined {
  const crash = crashSigns(r.stderr);
  const head = r.stderr.slice(0, 600);
  if (crash.length) return `${label}: stderr shows ${crash.join(", ")}:\n${head}`;
  if (r.code !== 2) return `${label}: exit ${r.code}, expected 2\n${head}`;
  if (r.stdout !== "") return `${label}: wrote to stdout: ${r.stdout.slice(0, 200)}`;
  const lines = r.stderr.replace(/\n$/, "").split("\n");
  if (!/^toolkit: error: \S/.test(lines[0])) {
    return `${label}: first line is not an error:\n${head}`;
  }
  if (lines[0].length > 600) return `${label}: error line is ${lines[0].length} characters long`;
  const hint = new RegExp(`^Try 'toolkit (${name} |help )?--help'$`);
  if (lines.length > 2 || (lines.length === 2 && !hint.test(lines[1]))) {
    return `${label}: ${lines.length} lines on stderr:\n${head}`;
  }
  return undefined;
}

/** Fails with every problem found, so one run shows all commands that need fixing. */
export function assertNoProblems(problems: (string | undefined)[], what: string): void {
  const found = problems.filter((p): p is string => p !== undefined);
  assert.equal(found.length, 0, `${found.length} ${what}:\n\n${found.join("\n\n")}`);
}

/** Exactly one `toolkit: error:` line, and for usage errors the hint after it. */
export function assertOneError(stderr: string, pattern: RegExp, usageOf?: string): void {
  const all = stderr.trimEnd().split("\n");
  if (all.at(-1)?.startsWith('{"error":')) {
    // Under --json: the error object alone, carrying the message and the hint.
    const { error } = JSON.parse(all.at(-1)!);
    assert.equal(all.filter((l) => l.includes("error")).length, 1, stderr);
    assert.match(error.message, pattern);
    if (usageOf) assert.equal(error.hint, `Try 'toolkit ${usageOf} --help'`);
    return;
  }
  const lines = all.filter((l) => l.startsWith("toolkit: error:"));
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], pattern);
  if (usageOf) assert.match(stderr, new RegExp(`Try 'toolkit ${usageOf} --help'`));
}

/**
 * Asserts that `r` was refused for being outside the permission scope: exit 4 and one
 * `toolkit: error: outside the permission scope: KIND access to ...` line (naming `resource`, if
 * given).
 *
 * @example
 * ```ts
 * assertRefused("udp-send", await runToolkit(["--net", "127.0.0.1:9", "udp-send", "127.0.0.2:9", "x"]));
 * ```
 */
export function assertRefused(label: string, r: RunResult, resource?: RegExp): void {
  assert.equal(r.code, 4, `${label}: exit ${r.code}, expected 4\n${r.stdout}${r.stderr}`);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("toolkit: error:"));
  assert.equal(errors.length, 1, `${label}: ${r.stderr}`);
  assert.match(errors[0], /^toolkit: error: outside the permission scope: \w+ access to /, label);
  if (resource) assert.match(errors[0], resource, label);
}
