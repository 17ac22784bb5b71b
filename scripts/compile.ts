// `deno task compile` and `deno task compile:lab`: builds the single binary with `deno compile`.
//
// A task's extra words land after its last word, and for `deno compile` every word after the
// script (main.ts) is an argument baked into the binary, not a compile flag: `deno compile ...
// main.ts --target x86_64-apple-darwin` builds for this machine a binary that runs every command
// with "--target x86_64-apple-darwin" appended. This script puts the flags a user gives before
// main.ts, refuses any other word, and otherwise runs exactly the command the task used to be.
// DENORT_BIN (a denort of the same Deno version, for machines without internet) is read by
// `deno compile` itself from the environment this script passes on.

const usage = `usage: deno task compile [--target TARGET] [--output FILE] [--dry-run]
       deno task compile:lab [--target TARGET] [--output FILE] [--dry-run]

Builds dist/toolkit (dist/toolkit-lab for compile:lab) with the permission set of deno.json.
  --target TARGET   a \`deno compile --target\` value (x86_64-unknown-linux-gnu, aarch64-apple-darwin,
                    x86_64-pc-windows-msvc, ...); default: this machine
  --output FILE     where the binary goes (-o FILE)
  --dry-run         print the deno compile command and build nothing
Environment: DENORT_BIN=/path/to/denort uses that runtime instead of downloading one.`;

interface CompilePlan {
  set: "default" | "lab";
  target?: string;
  output: string;
  dryRun: boolean;
}

function fail(message: string): never {
  console.error(`compile: error: ${message}\n${usage}`);
  Deno.exit(2);
}

function parse(args: string[]): CompilePlan {
  const plan: CompilePlan = { set: "default", output: "", dryRun: false };
  const value = (i: number, name: string) => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith("-")) fail(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    switch (flag) {
      case "--set": // used by the compile:lab task
        plan.set = (inline ?? value(i++, flag)) === "lab" ? "lab" : "default";
        break;
      case "--target":
        plan.target = inline ?? value(i++, flag);
        break;
      case "--output":
      case "-o":
        plan.output = inline ?? value(i++, flag);
        break;
      case "--dry-run":
        plan.dryRun = true;
        break;
      case "--help":
      case "-h":
        console.log(usage);
        Deno.exit(0);
        break;
      default:
        fail(`unknown argument '${a}' (compile flags only; the binary takes no baked arguments)`);
    }
  }
  plan.output ||= plan.set === "lab" ? "dist/toolkit-lab" : "dist/toolkit";
  return plan;
}

/** The `deno compile` arguments for a plan: every flag before main.ts. */
export function compileArgs(plan: CompilePlan): string[] {
  return [
    "compile",
    plan.set === "lab" ? "-P=lab" : "-P",
    "--no-prompt",
    "--include",
    "lib/",
    ...(plan.target ? ["--target", plan.target] : []),
    "-o",
    plan.output,
    "main.ts",
  ];
}

if (import.meta.main) {
  const plan = parse(Deno.args);
  const args = compileArgs(plan);
  if (plan.dryRun) {
    console.log(["deno", ...args].join(" "));
    Deno.exit(0);
  }
  const root = new URL("..", import.meta.url).pathname;
  const { code } = await new Deno.Command(Deno.execPath(), { args, cwd: root }).spawn().status;
  Deno.exit(code);
}
