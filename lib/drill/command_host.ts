// What a drill's `run` step needs from whoever runs toolkit commands. The drill engine does not
// run commands itself (it sits below the CLI): whoever starts a drill hands it the URL of a module
// exporting `runCommand`, which the drill's sandbox Worker loads when a `run` step comes.

/** One command line started by {@linkcode RunCommand}. */
export interface CommandRun {
  /** Resolves to the exit code. */
  done: Promise<number>;
  stdoutBytes(): Uint8Array;
  stdoutText(): string;
  stderrText(): string;
  /** Stops the command (as Ctrl-C would). */
  interrupt(): void;
}

/** Runs one toolkit command line in this Worker, with the scope already in force. */
export type RunCommand = (argv: readonly string[], options: { stdin?: string }) => CommandRun;

/** The module a drill's sandbox loads for `run` steps. */
export interface CommandHostModule {
  runCommand: RunCommand;
}
