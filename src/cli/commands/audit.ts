// `healer audit verify [--state-dir DIR] [--json]`: verifies the hash chain of `.healer/audit.jsonl`,
// every record's signature and the signed head anchored outside the state folder. Exit 1 on a
// broken, rewritten, cut or deleted log, naming the record. `healer audit rotate-key`: a new
// signing key (the old one stays to verify older records); the hand-over is audited.

import { join, resolve } from 'node:path';
import { auditKeyFilePath, openJsonlAuditLog, rotateKeyFile } from '../../adapters/local/index.js';
import { NotFoundError } from '../../core/errors.js';
import { plural } from '../../core/words.js';
import type { RegisterCommand } from '../commands.js';
import { ExitCode } from '../exit-code.js';
import { stateDirFiles, stateDirHint } from '../state-dir.js';

export const register: RegisterCommand = (program, io) => {
  const audit = program.command('audit').description('Inspect the signed, hash-chained audit log');
  audit
    .command('verify')
    .description(
      'Verify every record, its signature and the anchored head; exit 1 when one was edited, removed or the log deleted',
    )
    .option('--state-dir <dir>', 'state folder', '.healer')
    .option('--json', 'print the verification as JSON')
    .action(async (options: { stateDir: string; json?: boolean }) => {
      const files = stateDirFiles(io, options.stateDir);
      const dir = resolve(io.cwd, options.stateDir);
      const nothingHere = !files.stateFile && !files.auditFile;
      // Read-only: never creates a key, never repairs, never needs the state store. Where nothing
      // ever ran there may be no key either: that is "no audit here", not a key problem.
      const log = await openJsonlAuditLog(dir, { create: false }).catch((error: unknown) => {
        if (nothingHere)
          throw new NotFoundError(`no audit found: ${stateDirHint(options.stateDir)}`, {
            context: { stateDir: files.dir },
          });
        throw error;
      });
      const result = await log.verify();
      // No log, no state and no anchored head saying there was one: there is no audit here. (A log
      // deleted while its anchored head remains is reported as broken below, not as absent.)
      if (result.ok && nothingHere)
        throw new NotFoundError(`no audit found: ${stateDirHint(options.stateDir)}`, {
          context: { stateDir: files.dir },
        });
      if (options.json) io.out(`${JSON.stringify(result)}\n`);
      else if (result.ok)
        io.out(
          `audit ok: ${plural(result.records, 'record')}, ${plural(result.incidents, 'incident')}, signed and anchored${result.anchoredSeq === undefined ? '' : ` at seq ${result.anchoredSeq}`}\n`,
        );
      else
        io.out(
          `audit BROKEN at record ${result.brokenAt}${result.line ? ` (line ${result.line})` : ''}${result.incidentId ? `, incident ${result.incidentId}` : ''}: ${result.problem}\n`,
        );
      if (!result.ok) throw new ExitCode(1);
    });
  audit
    .command('rotate-key')
    .description('Make a fresh audit key active; older keys stay in the key file to verify older records')
    .option('--state-dir <dir>', 'state folder whose log records the hand-over now', '.healer')
    .action(async (options: { stateDir: string }) => {
      const dir = resolve(io.cwd, options.stateDir);
      const { from, to } = await rotateKeyFile();
      // Record the hand-over now (signed by the old key), rather than at the next incident.
      const log = await openJsonlAuditLog(dir, { create: false });
      await log.rotate();
      io.out(
        `audit key rotated: ${from} → ${to} (key file ${auditKeyFilePath()}); log ${join(dir, 'audit.jsonl')}\n`,
      );
    });
};
