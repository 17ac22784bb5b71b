// `toolkit drill show NAME|FILE`: a drill's source as a teacher wrote it (to copy and adapt), or
// with --json the validated drill.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode, InputError, userInputError } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import { DrillFileError } from "../drill/load.ts";
import { reportDrillIssues } from "./_drill_issues.ts";
import { loadDrill, stdinReader } from "../drill/source.ts";
import { printable } from "../text/printable.ts";

/** Parsed `drill show` options. */
export interface DrillShowOptions {
  drill: string;
  json: boolean;
}

const name = "drill show";

const command: CommandModule<DrillShowOptions> = {
  spec: {
    usage: "NAME|FILE",
    description:
      "Prints a built-in drill's YAML (a starting point for your own) or a drill file after checking it. With --json, prints the validated drill as JSON.",
    options: [],
    examples: [
      "toolkit drill show half-close",
      "toolkit drill show udp-echo > my-drill.yaml",
      "toolkit drill show --json lab1.yaml",
    ],
    positionals: { min: 1, max: 1, complete: "drill" },
  },
  parse(args, globals) {
    const { positionals } = parseCommandArgs(name, this.spec, args);
    return { drill: positionals[0], json: globals.json };
  },
  async run(o, io) {
    const readStdin = stdinReader(io.stdin.readable);
    let loaded;
    try {
      loaded = await loadDrill(o.drill, { readStdin });
    } catch (err) {
      if (!(err instanceof DrillFileError)) throw userInputError(err);
      await reportDrillIssues(io, err);
      throw new InputError(err.message);
    }
    const text = loaded.text.endsWith("\n") ? loaded.text : loaded.text + "\n";
    if (o.json) await writeJson(io, loaded.drill);
    // Redirected, the file is copied byte for byte (`drill show x > mine.yaml`); on a terminal,
    // someone else's file is read, so nothing in it may act on the terminal.
    else {await io.stdout.write(
        io.stdout.isTerminal() ? printable(text, { multiline: true }) : text,
      );}
    return ExitCode.ok;
  },
};
export default command;
