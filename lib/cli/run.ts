// The whole command line, from argv to exit code: global options, dispatch, the optional
// permission-narrowed Worker, help, parse, run, and every error mapped to its exit code.
// Help, scope and error reporting are imported only on the paths that need them: start-up of a
// plain `toolkit udp-send ...` is measured against a bare `deno run` (bench/).
import { registry } from "../commands/registry.ts";
import { resolveCommand, unknownMessage } from "./dispatch.ts";
import { ExitCode, UsageError } from "./errors.ts";
import { type ExtractedGlobals, extractGlobals } from "./globals.ts";
import { denoIo, type GlobalOptions, type Io, OutputClosedError, wantColor } from "./io.ts";
import type { Narrowing } from "../scope/mod.ts";

/** How {@linkcode runCli} is hosted. */
export interface RunContext {
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Builds the command's `Io`; defaults to the process's terminal. */
  makeIo?: (globals: GlobalOptions, signal: AbortSignal) => Io;
  /** Set inside the sandbox Worker: the narrowing on the command line is already in force. */
  sandboxed?: boolean;
  /** Runs argv in a narrowed Worker (injected so this module does not load the sandbox). */
  runNarrowed?: (
    argv: readonly string[],
    narrowing: Narrowing,
    signal: AbortSignal,
    base?: string,
  ) => Promise<number>;
}

/** The narrowing asked for with `--net` and `--scope`, and where a scope file's paths start. */
async function readNarrowing(
  g: ExtractedGlobals,
): Promise<{ narrowing: Narrowing; base?: string } | undefined> {
  if (!g.net.length && g.scopeFile === undefined) return undefined;
  const { combineNarrowings, parseNetList, parseScopeFile } = await import("../scope/mod.ts");
  let narrowing: Narrowing | undefined;
  if (g.net.length) {
    try {
      narrowing = { net: parseNetList(g.net) };
    } catch (err) {
      const message = (err as Error).message;
      throw new UsageError(`--net: ${message[0].toLowerCase()}${message.slice(1)}`);
    }
  }
  if (g.scopeFile === undefined) return { narrowing: narrowing! };
  const { dirname, resolve } = await import("node:path");
  const fromFile = parseScopeFile(
    await Deno.readTextFile(g.scopeFile),
    `scope file ${g.scopeFile}`,
  );
  return {
    narrowing: narrowing ? combineNarrowings(narrowing, fromFile) : fromFile,
    // Relative paths in a scope file are relative to the file, as in a drill.
    base: dirname(resolve(g.scopeFile)),
  };
}

/**
 * Runs one toolkit command line and resolves to its exit code. Never throws.
 *
 * @example
 * ```ts
 * const code = await runCli(["subnet", "same", "10.0.0.1", "10.0.0.2", "/24"], { signal });
 * ```
 */
export async function runCli(argv: readonly string[], ctx: RunContext): Promise<number> {
  // An interrupted run is exit 130, whatever the command was doing when it came, unless its code
  // is meant to stand: a command that ends on Ctrl-C (tcp-ping without a count, as ping), or the
  // sandbox Worker's answer, which already went through this rule inside.
  const outcome = { codeStands: false };
  const code = await runCommandLine(argv, ctx, outcome);
  return ctx.signal.aborted && !outcome.codeStands ? ExitCode.interrupted : code;
}

async function runCommandLine(
  argv: readonly string[],
  ctx: RunContext,
  outcome: { codeStands: boolean },
): Promise<number> {
  const fallbackGlobals: GlobalOptions = {
    json: false,
    quiet: false,
    debug: argv.includes("--debug"),
    color: false,
  };
  const makeIo = ctx.makeIo ?? denoIo;
  let io = makeIo(fallbackGlobals, ctx.signal);
  try {
    const g = extractGlobals(argv);
    const globals: GlobalOptions = {
      json: g.json,
      quiet: g.quiet,
      debug: g.debug,
      color: wantColor({ noColor: g.noColor, terminal: io.stdout.isTerminal() }),
    };
    io = makeIo(globals, ctx.signal);
    const help = () => import("./help.ts");
    if (g.rest.length === 0) {
      const { topLevelHelp, version } = await help();
      if (g.version) {
        await io.stdout.write(g.json ? JSON.stringify({ version }) + "\n" : `toolkit ${version}\n`);
        return ExitCode.ok;
      }
      await (g.help ? io.stdout : io.stderr).write(topLevelHelp(registry));
      return g.help ? ExitCode.ok : ExitCode.usage;
    }
    const found = resolveCommand(registry, g.rest);
    if (found.kind === "unknown") throw new UsageError(unknownMessage(found));
    if (found.kind === "group") {
      const text = (await help()).groupHelp(found.prefix, found.entries);
      await (g.help ? io.stdout : io.stderr).write(text);
      return g.help ? ExitCode.ok : ExitCode.usage;
    }
    const { entry, args } = found;
    if (g.help) {
      await io.stdout.write((await help()).commandHelp(entry, await entry.load()));
      return ExitCode.ok;
    }
    if (!ctx.sandboxed) {
      const asked = await readNarrowing(g);
      if (asked) {
        if (!ctx.runNarrowed) throw new Error("No sandbox runner for a narrowed scope");
        const code = await ctx.runNarrowed(argv, asked.narrowing, ctx.signal, asked.base);
        outcome.codeStands = true;
        return code;
      }
    }
    const mod = await entry.load();
    const options = mod.parse(args, globals);
    const code = await mod.run(options, io);
    outcome.codeStands = mod.endsOnInterrupt?.(options) ?? false;
    return code;
  } catch (err) {
    if (ctx.signal.aborted) return ExitCode.interrupted;
    if (err instanceof OutputClosedError || (err as Error)?.cause instanceof OutputClosedError) {
      return ExitCode.outputClosed;
    }
    const { reportError } = await import("./report.ts");
    return await reportError(err, io.stderr, io.globals.debug);
  }
}
