// `healer audit verify [--state-dir DIR] [--json]`: verifies the hash chain of `.healer/audit.jsonl`
// against the head kept in the state store. Exit 1 on a broken chain, naming the record.

import { join } from 'node:path';
import { DuckdbStateStore, JsonlAuditLog } from '../../adapters/local/index.js';
import { NotFoundError } from '../../core/errors.js';
import { plural } from '../../core/words.js';
import type { RegisterCommand } from '../commands.js';
import { ExitCode } from '../exit-code.js';
import { stateDirFiles, stateDirHint } from '../state-dir.js';

export const register: RegisterCommand = (program, io) => {
  const audit = program.command('audit').description('Inspect the hash-chained audit log');
  audit
    .command('verify')
    .description('Verify every record of the audit chain; exit 1 when one was edited or removed')
    .option('--state-dir <dir>', 'state folder', '.healer')
    .option('--json', 'print the verification as JSON')
    .action(async (options: { stateDir: string; json?: boolean }) => {
      const files = stateDirFiles(io, options.stateDir);
      // Neither the log nor the head that would show it was removed: there is no audit here.
      if (!files.stateFile && !files.auditFile)
        throw new NotFoundError(`no audit found: ${stateDirHint(options.stateDir)}`, {
          context: { stateDir: files.dir },
        });
      const state = files.stateFile ? await DuckdbStateStore.open(files.stateFile) : undefined;
      let ok = false;
      try {
        const result = await new JsonlAuditLog(join(files.dir, 'audit.jsonl'), state).verify();
        ok = result.ok;
        if (options.json) io.out(`${JSON.stringify(result)}\n`);
        else if (result.ok)
          io.out(`audit ok: ${plural(result.records, 'record')}, ${plural(result.incidents, 'incident')}\n`);
        else
          io.out(
            `audit BROKEN at record ${result.brokenAt}${result.line ? ` (line ${result.line})` : ''}${result.incidentId ? `, incident ${result.incidentId}` : ''}: ${result.problem}\n`,
          );
      } finally {
        await state?.close();
      }
      if (!ok) throw new ExitCode(1);
    });
};
