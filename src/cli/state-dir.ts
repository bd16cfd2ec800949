// Where the read-only commands (`incidents`, `incident show`, `audit verify`) find healer's state,
// without ever creating it: a wrong --state-dir is said plainly instead of leaving a new .healer/.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliIo } from './io.js';

export interface StateDirFiles {
  dir: string;
  /** `state.sqlite`, when it exists. */
  stateFile?: string;
  /** `audit.jsonl`, when it exists. */
  auditFile?: string;
}

/** The state folder and which of its files exist. Creates nothing. */
export function stateDirFiles(io: CliIo, stateDir: string): StateDirFiles {
  const dir = resolve(io.cwd, stateDir);
  const stateFile = join(dir, 'state.sqlite');
  const auditFile = join(dir, 'audit.jsonl');
  return {
    dir,
    stateFile: existsSync(stateFile) ? stateFile : undefined,
    auditFile: existsSync(auditFile) ? auditFile : undefined,
  };
}

/** The hint every "nothing here" message ends with. */
export function stateDirHint(stateDir: string): string {
  return `no healer state in ${stateDir} (pass --state-dir the .healer folder beside the pipeline file)`;
}
