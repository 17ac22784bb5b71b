// The answers a command gives about its own usage, checked the same way in each command's tests:
// `--help` prints its usage line on stdout (exit 0), and a refused command line is one
// `toolkit: error:` line, then the `Try 'toolkit CMD --help'` hint, nothing on stdout, exit 2.
import assert from "#assert";
import { runToolkit } from "./harness.ts";

/** Runs `toolkit COMMAND --help` and checks that it starts with `Usage: toolkit COMMAND `. */
export async function assertHelpUsage(command: string): Promise<void> {
  const h = await runToolkit([command, "--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, new RegExp(`^Usage: toolkit ${command} `));
}

/**
 * Runs `toolkit ARGS` and checks the usage refusal: exit 2, an error line matching `pattern`,
 * the hint naming `args[0]`, and an empty stdout.
 *
 * @example
 * ```ts
 * await assertUsageRefused(["tcp-connect", "127.0.0.1:70000"], /out of range/);
 * ```
 */
export async function assertUsageRefused(args: string[], pattern: RegExp): Promise<void> {
  const r = await runToolkit(args);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.match(lines[0], /^toolkit: error: /);
  assert.match(lines[0], pattern);
  assert.equal(lines[1], `Try 'toolkit ${args[0]} --help'`);
  assert.equal(r.stdout, "");
}
