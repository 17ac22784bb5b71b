// How drill run and drill show report a drill file that does not load: a line per problem on
// stderr (`bad.yaml:4:5: steps[0].connect: missing "as"`), or under --json a warning object per
// problem, since stderr then holds only JSON lines; the error that follows says the file failed.
import type { Io } from "../cli/io.ts";
import { writeWarning } from "../cli/output.ts";
import { type DrillFileError, formatDrillIssues } from "../drill/load.ts";

/**
 * Writes the problems of a drill file that did not load, as text or as JSON warnings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryIo } from "../cli/io.ts";
 * import { DrillFileError } from "../drill/load.ts";
 * import { reportDrillIssues } from "./_drill_issues.ts";
 *
 * const err = new DrillFileError("bad.yaml", [
 *   { line: 4, col: 5, message: 'steps[0].connect: missing "as"' },
 * ]);
 * const text = memoryIo();
 * await reportDrillIssues(text, err);
 * assert.equal(text.stderrText(), 'bad.yaml:4:5: steps[0].connect: missing "as"\n');
 * const json = memoryIo({ globals: { json: true } });
 * await reportDrillIssues(json, err);
 * assert.deepEqual(JSON.parse(json.stderrText()), {
 *   warning: { message: 'bad.yaml:4:5: steps[0].connect: missing "as"' },
 * });
 * ```
 */
export async function reportDrillIssues(io: Io, err: DrillFileError): Promise<void> {
  if (!io.globals.json) return await io.stderr.write(formatDrillIssues(err));
  for (const i of err.issues) {
    await writeWarning(io, `${err.file}:${i.line}:${i.col}: ${i.message}`);
  }
}
