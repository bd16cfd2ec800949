// The list of `healer` subcommands. Each module registers one command (or one group) on the program.

import type { Command } from 'commander';
import type { CliIo } from './io.js';

export type RegisterCommand = (program: Command, io: CliIo) => void;

/** Lazily loaded so `healer classify` never loads DuckDB or the AWS SDK. */
export const COMMANDS: Array<() => Promise<{ register: RegisterCommand }>> = [];
