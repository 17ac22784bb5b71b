// `toolkit drill list`: the built-in drills, with their step counts and what each shows.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { formatTable, writeJson } from "../cli/output.ts";
import { builtinDrills } from "../drill/builtin.ts";
import { parseDrill } from "../drill/load.ts";

/** Parsed `drill list` options. */
export interface DrillListOptions {
  json: boolean;
}

const name = "drill list";

const command: CommandModule<DrillListOptions> = {
  spec: {
    usage: "",
    description:
      "Lists the drills built into toolkit. Run one with 'toolkit drill run NAME', read it with 'toolkit drill show NAME'.",
    options: [],
    examples: ["toolkit drill list", "toolkit drill list --json"],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    parseCommandArgs(name, this.spec, args);
    return { json: globals.json };
  },
  async run(o, io) {
    const rows = builtinDrills.map((b) => {
      const drill = parseDrill(b.source, b.name);
      return {
        name: drill.name,
        stepCount: drill.steps.length,
        description: drill.description ?? "",
      };
    });
    if (o.json) {
      await writeJson(io, { drills: rows });
      return ExitCode.ok;
    }
    const firstSentence = (text: string) => {
      const sentence = text.replace(/\s+/g, " ").split(/(?<=\.)\s/)[0];
      return sentence.length > 72
        ? sentence.slice(0, 71).replace(/\s+\S*$/, "") + " ..."
        : sentence;
    };
    await io.stdout.write(
      formatTable(
        [
          ["NAME", "STEPS", "DESCRIPTION"],
          ...rows.map((r) => [
            r.name,
            String(r.stepCount),
            firstSentence(r.description),
          ]),
        ],
        { right: [1] },
      ),
    );
    return ExitCode.ok;
  },
};
export default command;
