// The global options a command's `parse` receives when the user gave none: the in-process parse
// tests in tests/commands/ hand them to `parse` directly, as lib/cli/run.ts does after taking out
// `--json`, `--quiet` and the rest.
import type { GlobalOptions } from "../../lib/cli/io.ts";

/** No global option given. */
export const noGlobals: GlobalOptions = { json: false, quiet: false, debug: false, color: false };

/** `--json` given. */
export const jsonGlobals: GlobalOptions = { ...noGlobals, json: true };
