// `toolkit drill schema`: the JSON Schema of drill files, for editors and CI linters.
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import { drillReportSchema } from "../drill/report_schema.ts";
import { drillSchema } from "../drill/schema.ts";

const name = "drill schema";

const command: CommandModule<{ report: boolean }> = {
  spec: {
    usage: "",
    description:
      "Prints the JSON Schema (draft 2020-12) of drill files. Editors use it for completion (yaml-language-server: '# yaml-language-server: $schema=drill.schema.json'). 'toolkit drill check' also checks what a schema cannot: names defined before use, addresses, regular expressions. With --report, the schema of 'drill run --json' reports, which 'drill serve' checks submissions against.",
    options: [{
      name: "report",
      type: "boolean",
      description: "print the schema of the report 'drill run --json' writes instead",
    }],
    examples: [
      "toolkit drill schema > drill.schema.json",
      "toolkit drill schema --report > drill-report.schema.json",
    ],
    positionals: { max: 0 },
  },
  parse(args) {
    const { values } = parseCommandArgs(name, this.spec, args);
    return { report: values.report === true };
  },
  async run(o, io) {
    await writeJson(io, o.report ? drillReportSchema : drillSchema);
    return ExitCode.ok;
  },
};
export default command;
