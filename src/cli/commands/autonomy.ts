// `healer shadow report`, `healer autonomy`, `healer autonomy promote|demote FAMILY`: how often the
// agent agreed with engineers per failure family, and granting or withdrawing execution per family
// by editing the pipeline file's `authority.modeByFamily` (audited).

import { join, resolve } from 'node:path';
import { SqliteStateStore, STATE_FILE } from '../../adapters/local/index.js';
import { setFamilyMode } from '../../adapters/local/pipeline-authority-file.js';
import { auditModeChange, autonomyStatus, type FamilyAutonomy, lastPromotions } from '../../autonomy.js';
import { modeFor } from '../../core/authority.js';
import { InvalidInputError } from '../../core/errors.js';
import { FAILURE_FAMILIES, type FailureFamily } from '../../core/failure-family.js';
import { shadowReport } from '../../core/governance/shadow-report.js';
import { observationsOf } from '../../label.js';
import type { RegisterCommand } from '../commands.js';
import { type GovernanceFlags, openGovernanceEnv } from '../governance-env.js';
import { textTable } from '../text-table.js';

const pct = (v: number | null) => (v === null ? '-' : v.toFixed(3));

function familyArg(value: string): FailureFamily {
  if (!(FAILURE_FAMILIES as readonly string[]).includes(value))
    throw new InvalidInputError(`unknown failure family ${value} (one of ${FAILURE_FAMILIES.join(', ')})`, {
      context: { family: value },
    });
  return value as FailureFamily;
}

export const register: RegisterCommand = (program, io) => {
  program
    .command('shadow')
    .description('Shadow evaluation of decisions against what engineers did')
    .command('report')
    .description('Per family: decisions, labelled, agreed, precision with a 95% Wilson interval, confusion')
    .option('--state-dir <dir>', 'state folder', '.healer')
    .option('--pipeline-name <name>', 'only incidents of this pipeline')
    .option('--json', 'print as JSON')
    .action(async (options: { stateDir: string; pipelineName?: string; json?: boolean }) => {
      const state = SqliteStateStore.open(join(resolve(io.cwd, options.stateDir), STATE_FILE), {
        readOnly: true,
      });
      try {
        const report = shadowReport(observationsOf(await state.listIncidents(100_000), options.pipelineName));
        if (options.json) {
          io.out(`${JSON.stringify(report)}\n`);
          return;
        }
        const rows = Object.entries(report.families).map(([family, s]) => [
          family,
          String(s.decisions),
          String(s.labelled),
          String(s.agreed),
          pct(s.precision),
          `${pct(s.lower95)}..${pct(s.upper95)}`,
        ]);
        const o = report.overall;
        rows.push([
          'overall',
          String(o.decisions),
          String(o.labelled),
          String(o.agreed),
          pct(o.precision),
          `${pct(o.lower95)}..${pct(o.upper95)}`,
        ]);
        io.out(textTable(['family', 'decisions', 'labelled', 'agreed', 'precision', '95% interval'], rows));
        const confusion = Object.entries(o.confusion).flatMap(([proposed, row]) =>
          Object.entries(row).map(([engineer, n]) => [proposed, engineer, String(n)]),
        );
        if (confusion.length > 0) {
          io.out('\nconfusion (healer decided → engineer did):\n');
          io.out(textTable(['healer', 'engineer', 'count'], confusion));
        }
      } finally {
        await state.close();
      }
    });

  const autonomy = program
    .command('autonomy')
    .description('Per family: mode, shadow precision and whether it is eligible for autonomy')
    .option('--state-dir <dir>', 'state folder (default .healer beside the pipeline)')
    .option('--pipeline <file>', 'pipeline file (default: the one beside the state folder)')
    .option('--json', 'print as JSON')
    .action(async (options: GovernanceFlags & { json?: boolean }) => {
      const env = await openGovernanceEnv(io, options);
      try {
        const status = autonomyStatus(
          env.spec,
          await env.state.listIncidents(100_000),
          await lastPromotions(env, env.spec.name),
        );
        if (options.json) {
          io.out(`${JSON.stringify({ pipeline: env.spec.name, families: status })}\n`);
          return;
        }
        io.out(
          textTable(
            ['family', 'mode', 'labelled', 'precision', 'lower95', 'eligible', 'validations failed'],
            status.map((f: FamilyAutonomy) => [
              f.family,
              f.mode,
              String(f.labelled),
              pct(f.precision),
              pct(f.lower95),
              f.eligible ? 'yes' : `no (${f.reasons.join('; ')})`,
              `${f.validationsFailed}/${f.validationsWindow}`,
            ]),
          ),
        );
        for (const f of status.filter((s) => s.demote))
          io.out(
            `${f.family}: ${f.validationsFailed} of its last ${f.validationsWindow} validations failed; ` +
              `run \`healer autonomy demote ${f.family}\` (healer run and approve do it automatically)\n`,
          );
      } finally {
        await env.close();
      }
    });

  autonomy
    .command('promote')
    .description('Grant a family execution (refused for autonomy when ineligible, unless --force --by)')
    .argument('<family>', 'failure family')
    .option('--to <mode>', 'autonomous, or supervised (executes after approval)', 'autonomous')
    .option('--pipeline <file>', 'pipeline file (default: the one beside the state folder)')
    .option('--state-dir <dir>', 'state folder (default .healer beside the pipeline)')
    .option('--force', 'promote an ineligible family (needs --by)')
    .option('--by <name>', 'who promotes')
    .option('--reason <text>', 'why, for the audit')
    .action(
      async (
        value: string,
        options: GovernanceFlags & { to: string; force?: boolean; by?: string; reason?: string },
      ) => {
        const family = familyArg(value);
        if (options.to !== 'autonomous' && options.to !== 'supervised')
          throw new InvalidInputError(`--to must be autonomous or supervised, not ${options.to}`, {
            context: { family },
          });
        const to = options.to;
        if (options.force && !options.by?.trim())
          throw new InvalidInputError('--force needs --by NAME (who takes responsibility)', {
            context: { family },
          });
        const env = await openGovernanceEnv(io, options);
        try {
          const status = autonomyStatus(
            env.spec,
            await env.state.listIncidents(100_000),
            await lastPromotions(env, env.spec.name),
          ).find((f) => f.family === family);
          const from = modeFor(env.spec.authority, family);
          if (from === to || from === 'autonomous') {
            io.out(`${family} is already ${from} in ${env.spec.file}\n`);
            return;
          }
          // Supervised still asks a human before every action: only autonomy needs the shadow record.
          const unearned = to === 'autonomous' && !status?.eligible;
          if (unearned && !options.force)
            throw new InvalidInputError(
              `${family} is not eligible for autonomy (${status?.reasons.join('; ')}); use --force --by NAME to override`,
              { context: { family } },
            );
          await setFamilyMode(env.spec.file, family, to);
          await auditModeChange(env, env.spec, {
            family,
            from,
            to,
            by: options.by?.trim() || 'anonymous',
            reason:
              options.reason ??
              (to === 'supervised'
                ? 'supervised: every action still needs an approval'
                : unearned
                  ? `forced while ineligible: ${status?.reasons.join('; ')}`
                  : 'eligible'),
            automatic: false,
            ...(unearned ? { forced: true } : {}),
          });
          io.out(`${family}: ${from} → ${to} in ${env.spec.file}\n`);
        } finally {
          await env.close();
        }
      },
    );

  autonomy
    .command('demote')
    .description('Withdraw execution from a family (autonomous → supervised, or --to shadow)')
    .argument('<family>', 'failure family')
    .option('--pipeline <file>', 'pipeline file (default: the one beside the state folder)')
    .option('--state-dir <dir>', 'state folder (default .healer beside the pipeline)')
    .option('--to <mode>', 'supervised or shadow', 'supervised')
    .option('--by <name>', 'who demotes')
    .option('--reason <text>', 'why, for the audit')
    .action(
      async (value: string, options: GovernanceFlags & { to: string; by?: string; reason?: string }) => {
        const family = familyArg(value);
        if (options.to !== 'supervised' && options.to !== 'shadow')
          throw new InvalidInputError(`--to must be supervised or shadow, not ${options.to}`, {
            context: { family },
          });
        const to = options.to;
        const env = await openGovernanceEnv(io, options);
        try {
          const from = modeFor(env.spec.authority, family);
          await setFamilyMode(env.spec.file, family, to);
          await auditModeChange(env, env.spec, {
            family,
            from,
            to,
            by: options.by?.trim() || 'anonymous',
            reason: options.reason ?? 'manual demotion',
            automatic: false,
          });
          io.out(`${family}: ${from} → ${to} in ${env.spec.file}\n`);
        } finally {
          await env.close();
        }
      },
    );
};
