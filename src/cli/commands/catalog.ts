// `healer catalog adopt PIPELINE.yaml [--state-dir DIR] [--by NAME] [--json]`: the one explicit way
// a target's published schema changes. A run whose output differs from the published version fails
// and leaves a proposal; adopting it publishes it as a new catalog version and audits who did it.

import { resolve } from 'node:path';
import { targetSchemaChanges } from '../../adapters/local/duckdb-pipeline-runner.js';
import { NotFoundError } from '../../core/errors.js';
import { GUARD_HASH } from '../../core/safety/guard.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import type { RegisterCommand } from '../commands.js';

export const register: RegisterCommand = (program, io) => {
  program
    .command('catalog')
    .description("Change the catalog explicitly (the target's published schema never changes on its own)")
    .command('adopt')
    .description(
      "Publish the target schema a failed run proposed as the target's new catalog version (audited)",
    )
    .argument('<pipeline>', 'pipeline YAML file')
    .option('--state-dir <dir>', 'state folder (default .healer beside the pipeline)')
    .option('--by <name>', 'who adopts it (recorded in the audit)', process.env.USER ?? 'unknown')
    .option('--json', 'print the new version as JSON')
    .action(async (file: string, options: { stateDir?: string; by: string; json?: boolean }) => {
      const env = await createLocalEnvironment({
        pipelineFile: resolve(io.cwd, file),
        ...(options.stateDir ? { stateDir: resolve(io.cwd, options.stateDir) } : {}),
      });
      try {
        const target = env.spec.target.name;
        const proposal = await env.catalog.proposal(target);
        if (!proposal)
          throw new NotFoundError(`no proposed schema for ${target}: nothing to adopt`, {
            context: { target },
          });
        const before = await env.catalog.currentSchema(target);
        const adopted = await env.catalog.publishSchema(
          proposal.schema,
          `adopted by ${options.by} (proposed by run ${proposal.runId})`,
          env.clock.now(),
        );
        await env.catalog.clearProposal(target);
        const changes = targetSchemaChanges(before?.fields ?? [], proposal.schema.fields);
        await env.audit.append({
          incidentId: `catalog-${target}-v${adopted.version}`,
          step: 'action',
          at: env.clock.now().toISOString(),
          policyHash: '',
          guardHash: GUARD_HASH,
          authorityHash: '',
          data: {
            action: 'catalog_adopt',
            target,
            from: before?.version,
            to: adopted.version,
            by: options.by,
            proposedByRun: proposal.runId,
            changes,
          },
        });
        if (options.json)
          io.out(`${JSON.stringify({ target, from: before?.version, to: adopted.version, changes })}\n`);
        else
          io.out(
            `catalog: ${target} version ${adopted.version} adopted by ${options.by} (was ${before?.version ?? '-'})\n${changes.map((c) => `  ${c}\n`).join('')}`,
          );
      } finally {
        await env.close();
      }
    });
};
