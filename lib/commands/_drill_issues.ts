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
 * await reportDrillIssues(io, err); // err: a DrillFileError from loadDrill
 * ```
 */
export async function reportDrillIssues(io: Io, err: DrillFileError): Promise<void> {
  if (!io.globals.json) return await io.stderr.write(formatDrillIssues(err));
  for (const i of err.issues) {
    await writeWarning(io, `${err.file}:${i.line}:${i.col}: ${i.message}`);
  }
}
