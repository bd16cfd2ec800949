// `healer run PIPELINE.yaml [--policy FILE] [--state-dir DIR] [--webhook URL] [--wait S] [--json]`: runs a
// pipeline under the agent, one run per pipeline at a time. Exit 0 when the run succeeded or was
// healed, 1 when the incident was escalated, 2 with E_LOCKED when another run held it too long.

import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { checkTransform } from '../../adapters/local/transform-check.js';
import { handleIncident, reconcile } from '../../agent.js';
import { InvalidInputError, LockedError } from '../../core/errors.js';
import { redact, redactDeep } from '../../core/redact.js';
import { GUARD_HASH } from '../../core/safety/guard.js';
import { plural } from '../../core/words.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import { describeHolder, type LockLease, takeLease } from '../../lock-lease.js';
import type { RegisterCommand } from '../commands.js';
import { ExitCode } from '../exit-code.js';
import { demoteIfFailing } from '../governance-env.js';
import { terminalProgress } from '../terminal-progress.js';
import { addWebhookOptions, type WebhookFlags, webhookConfig } from '../webhook-option.js';

/** A run whose process stopped beating this long ago is taken over (same host: as soon as its pid is gone). */
const RUN_LOCK_TTL_MS = 120_000;

export const register: RegisterCommand = (program, io) => {
  addWebhookOptions(
    program
      .command('run')
      .description('Run a pipeline file under the agent (heals or escalates a failure)')
      .argument('<pipeline>', 'pipeline YAML file')
      .option('--policy <file>', 'policy artifact (default: the shipped policy, else the rule policy)')
      .option('--state-dir <dir>', 'state folder (default .healer beside the pipeline)')
      .option('--json', 'print the run and incident as JSON')
      .option(
        '--wait <seconds>',
        'when another run of this pipeline is in progress, wait this long for it, then fail with E_LOCKED',
        '30',
      ),
  ).action(
    async (
      file: string,
      options: { policy?: string; stateDir?: string; json?: boolean; wait: string } & WebhookFlags,
    ) => {
      const waitS = Number(options.wait);
      if (!Number.isFinite(waitS) || waitS < 0 || waitS > 86_400)
        throw new InvalidInputError(`--wait ${options.wait}: expected seconds between 0 and 86400`);
      const webhook = webhookConfig(options);
      const progress = terminalProgress(io, options.json);
      const env = await createLocalEnvironment({
        ...(progress ? { progress } : {}),
        ...(webhook ? { webhook } : {}),
        pipelineFile: resolve(io.cwd, file),
        ...(options.stateDir ? { stateDir: resolve(io.cwd, options.stateDir) } : {}),
        ...(options.policy ? { policy: resolve(io.cwd, options.policy) } : {}),
        terminal: progress ? (t) => progress.log(t) : (t) => io.err(t),
      });
      let code = 0;
      const leases: LockLease[] = [];
      try {
        // One run of a pipeline at a time: a second waits (bounded), then names the holder.
        const lease = await takeLease(
          env.state,
          env.clock,
          `run:${env.spec.name}`,
          `run-${process.pid}-${randomUUID()}`,
          {
            ttlMs: RUN_LOCK_TTL_MS,
            waitMs: waitS * 1000,
          },
        );
        if (!lease.acquired)
          throw new LockedError(
            `pipeline ${env.spec.name} is being run by ${describeHolder(lease.holder)} (state ${env.stateDir}); waited ${waitS}s`,
            { context: { pipeline: env.spec.name, holder: lease.holder.owner } },
          );
        leases.push(lease);
        if (lease.takenOver)
          await env.audit.append({
            incidentId: lease.holder.owner,
            step: 'lock_takeover',
            at: env.clock.now().toISOString(),
            policyHash: env.policy.hash,
            guardHash: GUARD_HASH,
            authorityHash: '',
            data: {
              lock: `run:${env.spec.name}`,
              reason: lease.takenOver.reason,
              previous: lease.takenOver.previous,
              holder: lease.holder,
            },
          });
        // A run killed earlier left intents open: finish or undo them before reading any baseline.
        await reconcile(env);
        // A transform that does not bind is the pipeline file's error (exit 2), not an incident.
        await checkTransform(env.spec, { catalog: env.catalog });
        const run = await env.runner.run(env.spec);
        if (run.status === 'succeeded') {
          progress?.stop();
          if (options.json) io.out(`${JSON.stringify({ run })}\n`);
          else
            io.out(
              `run ${run.runId} succeeded: ${plural(run.rowsOut, 'row')} → ${env.spec.target.location}\n`,
            );
          return;
        }
        const incident = await handleIncident(run.event, env);
        // A family whose validations keep failing loses its autonomy at once, not at the next review.
        const family = incident.decision?.diagnosis.classification.family;
        if (family && incident.validation) await demoteIfFailing(env, family, io);
        progress?.stop();
        code = incident.status === 'resolved' || incident.status === 'recorded' ? 0 : 1;
        if (options.json) io.out(`${JSON.stringify(redactDeep({ run, incident }))}\n`);
        else
          io.out(
            `run ${run.runId} failed: ${redact(run.errorMessage.split('\n')[0] ?? '')}\n` +
              `incident ${incident.id}: ${incident.status} (${incident.action ?? '-'})\n  ${incident.summary}\n` +
              (incident.decision?.explanation.map((l) => `  ${l}\n`).join('') ?? ''),
          );
      } finally {
        progress?.stop();
        for (const lease of leases) await lease.release();
        await env.close();
      }
      if (code !== 0) throw new ExitCode(code);
    },
  );
};
