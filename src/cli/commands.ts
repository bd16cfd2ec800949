// The list of `healer` subcommands. Each module registers one command (or one group) on the program.

import type { Command } from 'commander';
import type { CliIo } from './io.js';

export type RegisterCommand = (program: Command, io: CliIo) => void;

/** Lazily loaded so `healer classify` never loads DuckDB or the AWS SDK. */
export const COMMANDS: Array<() => Promise<{ register: RegisterCommand }>> = [
  () => import('./commands/policy.js'),
  () => import('./commands/classify.js'),
  () => import('./commands/train.js'),
  () => import('./commands/bench.js'),
  () => import('./commands/profile.js'),
  () => import('./commands/drift.js'),
  () => import('./commands/demo.js'),
  () => import('./commands/run.js'),
  () => import('./commands/handle.js'),
  () => import('./commands/audit.js'),
  () => import('./commands/incidents.js'),
  () => import('./commands/bench-remediate.js'),
  () => import('./commands/bench-storm.js'),
  () => import('./commands/bench-mttr.js'),
  () => import('./commands/bench-profile.js'),
  () => import('./commands/init.js'),
  () => import('./commands/diagnose.js'),
  () => import('./commands/serve.js'),
  () => import('./commands/catalog.js'),
  () => import('./commands/approvals.js'),
  () => import('./commands/autonomy.js'),
  () => import('./commands/airflow.js'),
];

/**
 * Subcommands whose run loads only their own module (whole-process time is what `healer profile`
 * is measured by); every other name, and help, loads the whole list.
 */
export const COMMAND_BY_NAME: Record<string, () => Promise<{ register: RegisterCommand }>> = {
  profile: () => import('./commands/profile.js'),
};
