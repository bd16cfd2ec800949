// `healer run PIPELINE.yaml [--policy FILE] [--state-dir DIR] [--webhook URL] [--json]`: runs a pipeline under the
// agent. Exit 0 when the run succeeded or was healed, 1 when the incident was escalated.

import { resolve } from 'node:path';
import { handleIncident } from '../../agent.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import type { RegisterCommand } from '../commands.js';
import { ExitCode } from '../exit-code.js';
import { demoteIfFailing } from '../governance-env.js';
import { addWebhookOptions, type WebhookFlags, webhookConfig } from '../webhook-option.js';

export const register: RegisterCommand = (program, io) => {
  addWebhookOptions(
    program
      .command('run')
      .description('Run a pipeline file under the agent (heals or escalates a failure)')
      .argument('<pipeline>', 'pipeline YAML file')
      .option('--policy <file>', 'policy artifact (default: the shipped policy, else the rule policy)')
      .option('--state-dir <dir>', 'state folder (default .healer beside the pipeline)')
      .option('--json', 'print the run and incident as JSON'),
  ).action(
    async (file: string, options: { policy?: string; stateDir?: string; json?: boolean } & WebhookFlags) => {
      const webhook = webhookConfig(options);
      const env = await createLocalEnvironment({
        ...(webhook ? { webhook } : {}),
        pipelineFile: resolve(io.cwd, file),
        ...(options.stateDir ? { stateDir: resolve(io.cwd, options.stateDir) } : {}),
        ...(options.policy ? { policy: resolve(io.cwd, options.policy) } : {}),
        terminal: (t) => io.err(t),
      });
      let code = 0;
      try {
        const run = await env.runner.run(env.spec);
        if (run.status === 'succeeded') {
          if (options.json) io.out(`${JSON.stringify({ run })}\n`);
          else io.out(`run ${run.runId} succeeded: ${run.rowsOut} rows → ${env.spec.target.location}\n`);
          return;
        }
        const incident = await handleIncident(run.event, env);
        // A family whose validations keep failing loses its autonomy at once, not at the next review.
        const family = incident.decision?.diagnosis.classification.family;
        if (family && incident.validation) await demoteIfFailing(env, family, io);
        code = incident.status === 'resolved' || incident.status === 'recorded' ? 0 : 1;
        if (options.json) io.out(`${JSON.stringify({ run: { ...run, event: run.event }, incident })}\n`);
        else
          io.out(
            `run ${run.runId} failed: ${run.errorMessage.split('\n')[0]}\n` +
              `incident ${incident.id}: ${incident.status} (${incident.action ?? '-'})\n  ${incident.summary}\n` +
              (incident.decision?.explanation.map((l) => `  ${l}\n`).join('') ?? ''),
          );
      } finally {
        await env.close();
      }
      if (code !== 0) throw new ExitCode(code);
    },
  );
};
