// `healer incidents [--json]` and `healer incident show ID [--json]`: the incident history stored in
// `.healer/state.sqlite`, opened read-only: it answers while a run writes, and creates nothing.

import { join, resolve } from 'node:path';
import { SqliteStateStore, STATE_FILE } from '../../adapters/local/index.js';
import { NotFoundError } from '../../core/errors.js';
import { redactDeep } from '../../core/redact.js';
import { stateKey } from '../../core/state.js';
import type { RegisterCommand } from '../commands.js';
import { stateDirFiles, stateDirHint } from '../state-dir.js';
import { textTable } from '../text-table.js';

export const register: RegisterCommand = (program, io) => {
  program
    .command('incidents')
    .description('List recorded incidents, newest first')
    .option('--state-dir <dir>', 'state folder', '.healer')
    .option('--json', 'print as JSON')
    .action(async (options: { stateDir: string; json?: boolean }) => {
      // Nothing has run here: an empty history, said plainly, and no .healer/ created.
      if (!stateDirFiles(io, options.stateDir).stateFile) {
        io.out(options.json ? '[]\n' : `no incidents: ${stateDirHint(options.stateDir)}\n`);
        return;
      }
      const state = SqliteStateStore.open(join(resolve(io.cwd, options.stateDir), STATE_FILE), {
        readOnly: true,
      });
      try {
        // Redacted again on the way out: records stored before redaction existed may hold secrets.
        const list = redactDeep(await state.listIncidents(200));
        if (options.json) {
          io.out(`${JSON.stringify(list)}\n`);
          return;
        }
        io.out(
          textTable(
            ['id', 'started', 'pipeline', 'state', 'action', 'status', 'ms'],
            list.map((i) => [
              i.id,
              i.startedAt,
              i.event.pipeline,
              i.decision ? stateKey(i.decision.state) : '-',
              i.action ?? '-',
              i.status,
              String(i.durationMs ?? ''),
            ]),
          ),
        );
      } finally {
        await state.close();
      }
    });
  program
    .command('incident')
    .description('Inspect one incident')
    .command('show')
    .description('Show one incident: evidence, findings, decision trace, steps, validation')
    .argument('<id>', 'incident id')
    .option('--state-dir <dir>', 'state folder', '.healer')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { stateDir: string; json?: boolean }) => {
      if (!stateDirFiles(io, options.stateDir).stateFile)
        throw new NotFoundError(`no incident ${id}: ${stateDirHint(options.stateDir)}`, { context: { id } });
      const state = SqliteStateStore.open(join(resolve(io.cwd, options.stateDir), STATE_FILE), {
        readOnly: true,
      });
      try {
        const stored = await state.getIncident(id);
        const incident = stored && redactDeep(stored);
        if (!incident)
          throw new NotFoundError(`no incident ${id} in ${options.stateDir}`, { context: { id } });
        if (options.json) {
          io.out(`${JSON.stringify(incident)}\n`);
          return;
        }
        io.out(
          [
            `incident ${incident.id}: ${incident.status}`,
            `pipeline ${incident.event.pipeline}, run ${incident.event.runId}, ${incident.startedAt}`,
            `error: ${incident.event.errorMessage ?? '-'}`,
            ...(incident.decision?.explanation ?? []),
            ...(incident.result?.steps.map(
              (s) => `step ${s.name}: ${s.status}${s.detail ? ` (${s.detail})` : ''}`,
            ) ?? []),
            ...(incident.validation?.checks.map(
              (c) => `check ${c.name}: ${c.passed ? 'passed' : 'FAILED'} (${c.detail})`,
            ) ?? []),
            ...(incident.approval
              ? [
                  incident.approval.verdict
                    ? `${incident.approval.verdict.verdict} by ${incident.approval.verdict.by} at ${incident.approval.verdict.at}${incident.approval.verdict.note ? `: ${incident.approval.verdict.note}` : ''}`
                    : `approval requested ${incident.approval.requestedAt}, expires ${incident.approval.expiresAt}`,
                ]
              : []),
            ...(incident.label
              ? [`label: ${incident.label.action} by ${incident.label.by} at ${incident.label.at}`]
              : []),
            `summary: ${incident.summary}`,
            '',
          ].join('\n'),
        );
      } finally {
        await state.close();
      }
    });
};
