// `healer diagnose --event EVENT.json --pipeline PIPELINE.yaml [--json]`: gathers evidence and
// decides (policy, then guard) without executing anything.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { decideIncident, gatherEvidence } from '../../agent.js';
import { InvalidInputError } from '../../core/errors.js';
import { parseFailureEvent } from '../../core/event.js';
import { redact, redactDeep } from '../../core/redact.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import type { RegisterCommand } from '../commands.js';
import { readTextArg } from '../io.js';

export const register: RegisterCommand = (program, io) => {
  program
    .command('diagnose')
    .description('Decide what healer would do for a failure event, without executing')
    .requiredOption('--event <file>', 'FailureEvent JSON file (- for stdin)')
    .requiredOption('--pipeline <file>', 'pipeline YAML file')
    .option('--policy <file>', 'policy artifact')
    .option('--state-dir <dir>', 'state folder (default .healer beside the pipeline)')
    .option('--json', 'print the decision as JSON')
    .action(
      async (options: {
        event: string;
        pipeline: string;
        policy?: string;
        stateDir?: string;
        json?: boolean;
      }) => {
        let raw: unknown;
        try {
          raw = JSON.parse(
            await readTextArg(io, options.event === '-' ? '-' : resolve(io.cwd, options.event)),
          );
        } catch (error) {
          throw new InvalidInputError(
            `${options.event}: not readable JSON (${error instanceof Error ? error.message : error})`,
          );
        }
        const event = parseFailureEvent(raw, options.event);
        const pipelineFile = resolve(io.cwd, options.pipeline);
        const stateDir = options.stateDir
          ? resolve(io.cwd, options.stateDir)
          : join(dirname(pipelineFile), '.healer');
        // Read-only: with no healer state there, decide from the event alone in a scratch folder
        // rather than leave a new .healer/ behind.
        const scratch = existsSync(stateDir) ? undefined : await mkdtemp(join(tmpdir(), 'healer-diagnose-'));
        if (scratch)
          io.err(`healer: no healer state in ${stateDir}: deciding from the event and the data alone\n`);
        const env = await createLocalEnvironment({
          pipelineFile,
          stateDir: scratch ?? stateDir,
          ...(options.policy ? { policy: resolve(io.cwd, options.policy) } : {}),
          terminal: false,
          readOnly: true,
        });
        try {
          const pipeline = await env.pipelines.describe(event.pipeline);
          const evidence = await gatherEvidence(event, pipeline, env);
          const { capabilities, usage, decision } = await decideIncident(
            { incidentId: 'diagnose', event, evidence, pipeline },
            env,
          );
          if (options.json) io.out(`${JSON.stringify(redactDeep({ decision, capabilities, usage }))}\n`);
          else io.out(`${redact(decision.explanation.join('\n'))}\n`);
        } finally {
          await env.close();
          if (scratch) await rm(scratch, { recursive: true, force: true });
        }
      },
    );
};
