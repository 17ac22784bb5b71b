// `toolkit lab status`: what a lab of network namespaces looks like right now, read back from the
// kernel (so it also shows what a crashed `lab up` left), and how to run a command inside a host.
// `lab up` prints the same report (both render it through _lab.ts).
import { parseCommandArgs } from "../cli/args.ts";
import type { CommandModule } from "../cli/command.ts";
import { ExitCode } from "../cli/errors.ts";
import { writeJson } from "../cli/output.ts";
import { discoverLab, type LabState, prefixFlag } from "../lab/mod.ts";

/** Parsed `lab status` options. */
export interface LabStatusOptions {
  prefix: string;
  json: boolean;
}

import { labErrorForCli, labJson, labPrefixOption, prefixOption, printLab } from "./_lab.ts";

const name = "lab status";

const command: CommandModule<LabStatusOptions> = {
  spec: {
    usage: "",
    description:
      "Reads the lab back from the kernel: every network namespace named PREFIX-h*, PREFIX-r*, PREFIX-sw*, its interfaces, addresses and gateway, and whether the router forwards. Exit 1 when no lab with that prefix is up. Needs root (CAP_SYS_ADMIN to enter the namespaces).",
    options: [prefixOption],
    examples: ["toolkit lab status", "toolkit lab status --json --prefix t1"],
    positionals: { max: 0 },
  },
  parse(args, globals) {
    const { values } = parseCommandArgs(name, this.spec, args);
    return { prefix: labPrefixOption(values, name), json: globals.json };
  },
  async run(o, io) {
    let state: LabState;
    try {
      state = await discoverLab(o.prefix, { signal: io.signal });
    } catch (err) {
      throw labErrorForCli(err);
    }
    const up = state.namespaces.length > 0;
    if (o.json) {
      await writeJson(io, labJson(state));
    } else if (up) {
      await printLab(io, state);
    } else {
      await io.stdout.write(
        `No lab "${o.prefix}" is up (toolkit lab up${prefixFlag(o.prefix)} builds one)\n`,
      );
    }
    return up ? ExitCode.ok : ExitCode.negative;
  },
};
export default command;
