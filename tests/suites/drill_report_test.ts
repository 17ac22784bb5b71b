// The report `drill run --json` prints, as the collector takes it: every built-in drill (passing)
// and a wrong expectation (failing) pass the report schema, which is the one `drill schema
// --report` publishes, and the collector's submission check; and the reports recorded for
// tests/lib/collect_test.ts are still such reports (re-record them with DRILL_RECORD=1).
import assert from "#assert";
import { checkSubmission } from "../../lib/collect/submission.ts";
import { validateJson } from "../../lib/drill/json_schema.ts";
import { drillReportSchema } from "../../lib/drill/report_schema.ts";
import { recordedReportPaths, recordedReports, submission } from "../_support/drill_reports.ts";
import { root, runToolkit } from "../_support/harness.ts";
import { drillReport, wrongExpect } from "../_support/serve_process.ts";

/** What stays the same from run to run: drills, statuses, steps' kinds and statuses. */
// deno-lint-ignore no-explicit-any
const outline = (report: any) =>
  report.drills.map((d: { name: string; status: string; steps: Record<string, unknown>[] }) => [
    d.name,
    d.status,
    d.steps.map((s) => `${s.kind} ${s.status}`),
  ]);

Deno.test("the report schema accepts what drill run --json prints, passing and failing", async () => {
  const [all, wrong] = [await drillReport("--all"), await drillReport(wrongExpect, 1)];
  assert.equal(all.drills.length >= 9, true);
  assert.deepEqual(validateJson(drillReportSchema, all), []);
  assert.deepEqual(validateJson(drillReportSchema, wrong), []);
  // The failing report carries the byte diff the dashboard shows.
  const failed = wrong.drills[0].steps.find((s: { status: string }) => s.status === "fail");
  assert.equal(typeof failed.diff.offset, "number");
  checkSubmission(submission("pc01", all));
  checkSubmission(submission("pc02", wrong));
  // The schema in force is the one `drill schema --report` publishes.
  const printed = await runToolkit(["drill", "schema", "--report"]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.deepEqual(JSON.parse(printed.stdout), JSON.parse(JSON.stringify(drillReportSchema)));
  // The recorded reports the collector's engine tests read are what drill run prints today.
  if (Deno.env.get("DRILL_RECORD") === "1") {
    // This checkout's path is no part of the report's meaning.
    const text = (report: unknown) => JSON.stringify(report, null, 1).replaceAll(root, "/toolkit");
    await Deno.writeTextFile(recordedReportPaths.all, text(all) + "\n");
    await Deno.writeTextFile(recordedReportPaths.wrong, text(wrong) + "\n");
  }
  const recorded = await recordedReports();
  assert.deepEqual(outline(recorded.all), outline(all), "re-record with DRILL_RECORD=1");
  assert.deepEqual(outline(recorded.wrong), outline(wrong), "re-record with DRILL_RECORD=1");
});
