// `healer pending`, `healer approve ID`, `healer reject ID` and `healer label ID`: the human side of
// supervised mode and the ground truth of the shadow report. The work is in src/approval.ts and
// src/label.ts (shared with the dashboard); this only parses flags and prints.

import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteStateStore, STATE_FILE } from '../../adapters/local/index.js';
import { type ApprovalResult, approveIncident, isExpired, rejectIncident } from '../../approval.js';
import { NotFoundError } from '../../core/errors.js';
import { labelIncident } from '../../label.js';
import type { RegisterCommand } from '../commands.js';
import { ExitCode } from '../exit-code.js';
import { demoteIfFailing, type GovernanceFlags, openGovernanceEnv } from '../governance-env.js';
import type { CliIo } from '../io.js';
import { textTable } from '../text-table.js';

function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'anonymous';
  }
}

/** Opens the environment of the pipeline an incident belongs to. */
async function envForIncident(io: CliIo, id: string, flags: GovernanceFlags) {
  const stateDir = flags.pipeline ? undefined : resolve(io.cwd, flags.stateDir ?? '.healer');
  let pipelineName: string | undefined;
  if (stateDir) {
    const state = SqliteStateStore.open(join(stateDir, STATE_FILE), { readOnly: true });
    try {
      const incident = await state.getIncident(id);
      if (!incident) throw new NotFoundError(`no incident ${id} in ${stateDir}`, { context: { id } });
      pipelineName = incident.event.pipeline;
    } finally {
      await state.close();
    }
  }
  return openGovernanceEnv(io, flags, pipelineName);
}

function printResult(io: CliIo, result: ApprovalResult, json: boolean | undefined): void {
  const { incident } = result;
  if (json) {
    io.out(`${JSON.stringify(result)}\n`);
    return;
  }
  if (result.status === 'redecided') {
    io.out(
      [
        `incident ${incident.id}: facts changed since the decision; nothing executed`,
        ...(result.diff ?? []).map((d) => `  ${d.fact}: ${d.before} → ${d.after}`),
        `new decision: ${incident.action} (expires ${incident.approval?.expiresAt}); approve again to execute`,
        ...(incident.decision?.explanation.map((l) => `  ${l}`) ?? []),
        '',
      ].join('\n'),
    );
    return;
  }
  io.out(
    [
      `incident ${incident.id}: ${incident.status} (${incident.action ?? '-'})`,
      ...(result.diff ?? []).map((d) => `  changed ${d.fact}: ${d.before} → ${d.after}`),
      `  ${incident.summary}`,
      '',
    ].join('\n'),
  );
}

export const register: RegisterCommand = (program, io) => {
  program
    .command('pending')
    .description('List incidents awaiting approval (supervised mode)')
    .option('--state-dir <dir>', 'state folder', '.healer')
    .option('--json', 'print as JSON')
    .action(async (options: { stateDir: string; json?: boolean }) => {
      const state = SqliteStateStore.open(join(resolve(io.cwd, options.stateDir), STATE_FILE), {
        readOnly: true,
      });
      try {
        const now = new Date();
        const pending = (await state.listIncidents(10_000))
          .filter((i) => i.status === 'awaiting_approval')
          .map((i) => ({
            id: i.id,
            pipeline: i.event.pipeline,
            job: i.event.job,
            runId: i.event.runId,
            family: i.decision?.diagnosis.classification.family ?? 'unknown',
            action: i.action,
            requestedAt: i.approval?.requestedAt ?? i.startedAt,
            expiresAt: i.approval?.expiresAt,
            expired: isExpired(i, now),
            summary: i.summary,
          }));
        if (options.json) {
          io.out(`${JSON.stringify(pending)}\n`);
          return;
        }
        if (pending.length === 0) {
          io.out('no incident awaits approval\n');
          return;
        }
        io.out(
          textTable(
            ['id', 'pipeline', 'family', 'action', 'requested', 'expires'],
            pending.map((p) => [
              p.id,
              p.pipeline,
              p.family,
              p.action ?? '-',
              p.requestedAt,
              `${p.expiresAt ?? '-'}${p.expired ? ' (EXPIRED)' : ''}`,
            ]),
          ),
        );
      } finally {
        await state.close();
      }
    });

  program
    .command('approve')
    .description('Approve a pending decision: re-checks the facts, then executes and validates')
    .argument('<id>', 'incident id')
    .option('--by <name>', 'who approves (default: the OS user)')
    .option('--note <text>', 'why, for the audit')
    .option('--state-dir <dir>', 'state folder (default .healer)')
    .option('--pipeline <file>', 'pipeline file (default: the one beside the state folder)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: GovernanceFlags & { by?: string; note?: string; json?: boolean }) => {
      const env = await envForIncident(io, id, options);
      let code = 0;
      try {
        const result = await approveIncident(id, env, {
          by: options.by ?? defaultUser(),
          ...(options.note ? { note: options.note } : {}),
        });
        printResult(io, result, options.json);
        const family = result.incident.decision?.diagnosis.classification.family;
        if (family && result.incident.validation) await demoteIfFailing(env, family, io);
        code = result.status === 'resolved' || result.status === 'recorded' ? 0 : 1;
      } finally {
        await env.close();
      }
      if (code !== 0) throw new ExitCode(code);
    });

  program
    .command('reject')
    .description('Reject a pending decision: the incident ends rejected, nothing executes')
    .argument('<id>', 'incident id')
    .requiredOption('--reason <text>', 'why (recorded in the audit)')
    .option('--by <name>', 'who rejects (default: the OS user)')
    .option('--state-dir <dir>', 'state folder (default .healer)')
    .option('--pipeline <file>', 'pipeline file (default: the one beside the state folder)')
    .option('--json', 'print the result as JSON')
    .action(
      async (id: string, options: GovernanceFlags & { by?: string; reason: string; json?: boolean }) => {
        const env = await envForIncident(io, id, options);
        try {
          printResult(
            io,
            await rejectIncident(id, env, { reason: options.reason, by: options.by ?? defaultUser() }),
            options.json,
          );
        } finally {
          await env.close();
        }
      },
    );

  program
    .command('label')
    .description('Record what an engineer did or would do for an incident (shadow report ground truth)')
    .argument('<id>', 'incident id')
    .requiredOption('--action <action>', 'the action the engineer took or would take')
    .option('--by <name>', 'who labels (default: the OS user)')
    .option('--state-dir <dir>', 'state folder (default .healer)')
    .option('--pipeline <file>', 'pipeline file (default: the one beside the state folder)')
    .option('--json', 'print the incident as JSON')
    .action(
      async (id: string, options: GovernanceFlags & { by?: string; action: string; json?: boolean }) => {
        const env = await envForIncident(io, id, options);
        try {
          const incident = await labelIncident(id, env, {
            action: options.action,
            by: options.by ?? defaultUser(),
          });
          if (options.json) io.out(`${JSON.stringify(incident)}\n`);
          else
            io.out(
              `incident ${id}: labelled ${incident.label?.action} by ${incident.label?.by} ` +
                `(healer decided ${incident.decision?.verdict.final}: ${incident.label?.action === incident.decision?.verdict.final ? 'agrees' : 'disagrees'})\n`,
            );
        } finally {
          await env.close();
        }
      },
    );
};
