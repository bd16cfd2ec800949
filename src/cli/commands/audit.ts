// `healer audit verify [--state-dir DIR] [--json]`: verifies the hash chain of `.healer/audit.jsonl`
// against the head kept in the state store. Exit 1 on a broken chain, naming the record.

import { join, resolve } from 'node:path';
import { JsonlAuditLog, SqliteStateStore, STATE_FILE } from '../../adapters/local/index.js';
import type { RegisterCommand } from '../commands.js';
import { ExitCode } from '../exit-code.js';

export const register: RegisterCommand = (program, io) => {
  const audit = program.command('audit').description('Inspect the hash-chained audit log');
  audit
    .command('verify')
    .description('Verify every record of the audit chain; exit 1 when one was edited or removed')
    .option('--state-dir <dir>', 'state folder', '.healer')
    .option('--json', 'print the verification as JSON')
    .action(async (options: { stateDir: string; json?: boolean }) => {
      const dir = resolve(io.cwd, options.stateDir);
      const state = SqliteStateStore.open(join(dir, STATE_FILE), { readOnly: true });
      let ok = false;
      try {
        const result = await new JsonlAuditLog(join(dir, 'audit.jsonl'), state).verify();
        ok = result.ok;
        if (options.json) io.out(`${JSON.stringify(result)}\n`);
        else if (result.ok) io.out(`audit ok: ${result.records} records, ${result.incidents} incidents\n`);
        else
          io.out(
            `audit BROKEN at record ${result.brokenAt}${result.line ? ` (line ${result.line})` : ''}${result.incidentId ? `, incident ${result.incidentId}` : ''}: ${result.problem}\n`,
          );
      } finally {
        await state.close();
      }
      if (!ok) throw new ExitCode(1);
    });
};
