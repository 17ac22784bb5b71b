// Reports `drill run --json` printed, recorded in tests/fixtures/drill/ so that the collector's
// engine tests (tests/lib/collect_test.ts) read real reports without running the CLI;
// tests/suites/drill_report_test.ts checks that they still are what drill run prints and
// re-records them with DRILL_RECORD=1. Plus the submission that wraps a report.
import type { Submission } from "../../lib/collect/submission.ts";
import { root } from "./harness.ts";

/** Where the recorded reports live: every built-in drill (passing), wrong_expect.yaml (failing). */
export const recordedReportPaths = {
  all: `${root}/tests/fixtures/drill/report_all.json`,
  wrong: `${root}/tests/fixtures/drill/report_wrong_expect.json`,
} as const;

/** The recorded reports, parsed: `all` passes, `wrong` fails with a byte diff. */
// deno-lint-ignore no-explicit-any
export async function recordedReports(): Promise<{ all: any; wrong: any }> {
  return {
    all: JSON.parse(await Deno.readTextFile(recordedReportPaths.all)),
    wrong: JSON.parse(await Deno.readTextFile(recordedReportPaths.wrong)),
  };
}

const scope: Submission["scope"] = {
  narrowed: false,
  net: { all: true, grants: [] },
  read: { all: true, grants: [] },
  write: { all: true, grants: [] },
  run: { all: false, grants: [{ entry: "ip", implicit: false }, { entry: "ss", implicit: false }] },
  env: { all: false, grants: [{ entry: "NO_COLOR", implicit: false }] },
  sys: { all: false, grants: [{ entry: "hostname", implicit: false }] },
};

/** A submission of `report` from `machine`, run now under a wide scope. */
export function submission(machine: string, report: Submission["report"]): Submission {
  return { machine, toolkitVersion: "0.1.0", ranAt: new Date().toISOString(), scope, report };
}
