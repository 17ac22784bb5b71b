// `toolkit drill schema`: the JSON Schema of drill files, for editors and CI linters.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { writeJson } from "../cli/output.ts";
import { drillSchema } from "../drill/schema.ts";

const name = "drill schema";

const command: CommandModule<Record<never, never>> = {
  spec: {
    usage: "",
    description:
      "Prints the JSON Schema (draft 2020-12) of drill files. Editors use it for completion (yaml-language-server: '# yaml-language-server: $schema=drill.schema.json'). 'toolkit drill check' also checks what a schema cannot: names defined before use, addresses, regular expressions.",
    options: [],
    examples: ["toolkit drill schema > drill.schema.json"],
    positionals: { max: 0 },
  },
  parse(args) {
    parseCommandArgs(name, this.spec, args);
    return {};
  },
  async run(_o, io) {
    await writeJson(io, drillSchema);
    return 0;
  },
};
export default command;
