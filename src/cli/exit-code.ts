// The exit-code signal a command throws after printing its own output; its own file so commands
// can import it without an import cycle through main.ts.

/** Thrown by a command to end with a given exit code after printing its own output. */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
