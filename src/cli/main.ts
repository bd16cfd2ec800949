// The `healer` command line: builds the commander program, runs it, maps errors to one line and
// an exit code. Every command reports bad input as `healer: <code>: <what and where>`, exit 2.

import { Command, CommanderError } from 'commander';
import { HealerError, oneLine } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { COMMAND_BY_NAME, COMMANDS } from './commands.js';
import { ExitCode } from './exit-code.js';
import { type CliIo, processIo } from './io.js';

export async function buildProgram(io: CliIo, command?: string): Promise<Command> {
  const program = new Command('healer')
    .description(
      'A self-healing agent for ETL pipelines: gathers evidence, detects drift and failure families, ' +
        'proposes one bounded action, lets a safety guard veto it, executes, validates and audits. ' +
        'Start with `healer demo`.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError(false);
  const own =
    command !== undefined && Object.hasOwn(COMMAND_BY_NAME, command) ? COMMAND_BY_NAME[command] : undefined;
  for (const load of own ? [own] : COMMANDS) (await load()).register(program, io);
  return program;
}

/** Runs the CLI and returns the exit code (0 ok, 1 the job failed, 2 bad input). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = await buildProgram(io, argv[0]);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' && io === processIo ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return 0;
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof ExitCode) return error.code;
    io.err(`healer: ${redact(oneLine(error))}\n`);
    if (error instanceof HealerError) return error.code === 'E_INTERNAL' ? 1 : 2;
    return 1;
  }
}

export { ExitCode };
