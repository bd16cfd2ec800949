// `healer catalog adopt --pipeline PIPELINE.yaml (--dataset NAME | --target) --approver NAME`: the
// one explicit way a catalog version changes, audited.
// --dataset: a schema migration of a source. When an upstream renamed or retyped a column for good,
// healing it on every run is the wrong fix: this publishes a new catalog version that reads the
// data's new column as the one the pipeline expects (strictly cast when retyped).
// --target: a run whose output schema differs from the target's published version fails and leaves
// a proposal; this publishes that proposal as the target's new version.

import { resolve } from 'node:path';
import { DuckdbDataEngine } from '../../adapters/duckdb/duckdb-data-engine.js';
import { targetSchemaChanges } from '../../adapters/local/duckdb-pipeline-runner.js';
import { detectSchemaDrift } from '../../core/detect/schema-drift.js';
import { InvalidInputError, NotFoundError } from '../../core/errors.js';
import type { DatasetProfile } from '../../core/profile.js';
import { GUARD_HASH } from '../../core/safety/guard.js';
import type { TableSchema } from '../../core/schema.js';
import { migrateSchema } from '../../core/schema-migration.js';
import { createLocalEnvironment, type LocalEnvironment } from '../../environments/local-environment.js';
import type { RegisterCommand } from '../commands.js';
import type { CliIo } from '../io.js';

interface AdoptOptions {
  dataset?: string;
  target?: boolean;
  pipeline: string;
  approver?: string;
  stateDir?: string;
  dryRun?: boolean;
  json?: boolean;
}

export const register: RegisterCommand = (program, io) => {
  const catalog = program.command('catalog').description('Inspect and migrate the catalog schema versions');
  catalog
    .command('adopt')
    .description(
      'Adopt the schema an upstream now writes (a renamed or retyped column) as a new catalog version',
    )
    .requiredOption('--pipeline <file>', 'pipeline YAML file')
    .option('--dataset <name>', 'a source dataset (a key of sources in the pipeline file) to migrate')
    .option('--target', "adopt the target schema a failed run proposed (the output's schema changed)")
    .option('--approver <name>', 'who approves the migration (required unless --dry-run)')
    .option('--state-dir <dir>', 'state folder (default .healer beside the pipeline)')
    .option('--dry-run', 'show the migration without publishing it')
    .option('--json', 'print the migration as JSON')
    .action(async (options: AdoptOptions) => {
      if (!options.dryRun && !options.approver?.trim())
        throw new InvalidInputError(
          '--approver: a schema migration needs a named approver (or use --dry-run)',
        );
      if ((options.dataset === undefined) === (options.target !== true))
        throw new InvalidInputError('catalog adopt: give either --dataset NAME (a source) or --target');
      const env = await createLocalEnvironment({
        pipelineFile: resolve(io.cwd, options.pipeline),
        ...(options.stateDir ? { stateDir: resolve(io.cwd, options.stateDir) } : {}),
        terminal: false,
      });
      if (options.target) {
        try {
          await adoptTarget(env, options, io);
        } finally {
          await env.close();
        }
        return;
      }
      const engine = new DuckdbDataEngine();
      try {
        const source = env.spec.sources.find((s) => s.name === options.dataset);
        const dataset = options.dataset ?? '';
        if (!source)
          throw new InvalidInputError(
            `--dataset: ${options.pipeline} has no source '${dataset}' (sources: ${env.spec.sources.map((s) => s.name).join(', ')})`,
          );
        const current = await env.catalog.currentSchema(source.name);
        if (!current)
          throw new NotFoundError(
            `no catalog version of ${source.name} yet: run the pipeline once (npx healer run ${options.pipeline})`,
          );
        const data = await engine.inferSchema(source.location, source.name);
        const currentProfile = await engine.profile(source.location);
        const baseline = await env.catalog.baseline(source.name);
        let baselineProfile: DatasetProfile | undefined;
        if (baseline) baselineProfile = await engine.profile(baseline.location).catch(() => undefined);
        // Compared as the current version reads the data, so an adopted mapping is not found again.
        const findings = detectSchemaDrift(asReadFromData(current), data, {
          baselineProfile,
          currentProfile,
        });
        const migration = migrateSchema(current, data, findings);
        const result = {
          dataset: source.name,
          fromVersion: current.version,
          changes: migration.changes,
          refused: migration.refused,
          published: undefined as string | undefined,
        };
        if (migration.refused.length)
          throw new InvalidInputError(
            `${source.name}: cannot adopt by a mapping: ${migration.refused.join('; ')}; fix the upstream or the pipeline's contract and transform`,
          );
        if (migration.changes.length && !options.dryRun) {
          const published = await env.catalog.publishSchema(
            migration.schema,
            `migration adopted by ${options.approver?.trim()}: ${migration.changes.join('; ')}`,
          );
          if (published.version !== current.version) {
            result.published = published.version;
            await auditAdoption(env, source.name, options.approver?.trim() ?? '', {
              kind: 'source_migration',
              from: current.version,
              to: published.version,
              changes: migration.changes,
            });
          }
        }
        if (options.json) io.out(`${JSON.stringify(result)}\n`);
        else if (!migration.changes.length || (!options.dryRun && !result.published))
          io.out(`nothing to adopt: ${source.name} reads as catalog version ${current.version} expects\n`);
        else
          io.out(
            [
              options.dryRun
                ? `catalog ${source.name}: version ${current.version} would become a new version (dry run):`
                : `catalog ${source.name}: version ${result.published} adopted by ${options.approver?.trim()} (was ${current.version}):`,
              ...migration.changes.map((c) => `  ${c}`),
              options.dryRun ? '' : `next: npx healer run ${options.pipeline}`,
              '',
            ].join('\n'),
          );
      } finally {
        await engine.close();
        await env.close();
      }
    });
};

/** The version as it meets the data: each field under the name it is read from. */
function asReadFromData(version: TableSchema): TableSchema {
  return {
    name: version.name,
    fields: version.fields.map(({ sourcePath, castOnRead: _cast, ...f }) => ({
      ...f,
      path: sourcePath ?? f.path,
    })),
  };
}

/** Publishes the target schema a failed run proposed, as the target's new catalog version. */
async function adoptTarget(env: LocalEnvironment, options: AdoptOptions, io: CliIo): Promise<void> {
  const target = env.spec.target.name;
  const proposal = await env.catalog.proposal(target);
  if (!proposal)
    throw new NotFoundError(`no proposed schema for ${target}: nothing to adopt`, { context: { target } });
  const before = await env.catalog.currentSchema(target);
  const changes = targetSchemaChanges(before?.fields ?? [], proposal.schema.fields);
  let to: string | undefined;
  if (!options.dryRun) {
    const adopted = await env.catalog.publishSchema(
      proposal.schema,
      `adopted by ${options.approver?.trim()} (proposed by run ${proposal.runId})`,
      env.clock.now(),
    );
    await env.catalog.clearProposal(target);
    to = adopted.version;
    await auditAdoption(env, target, options.approver?.trim() ?? '', {
      kind: 'target_schema',
      from: before?.version,
      to,
      changes,
      proposedByRun: proposal.runId,
    });
  }
  const result = { target, from: before?.version, to, changes, dryRun: options.dryRun === true };
  if (options.json) io.out(`${JSON.stringify(result)}\n`);
  else
    io.out(
      `${result.dryRun ? `catalog: ${result.target} would adopt the proposed schema (dry run)` : `catalog: ${result.target} version ${result.to} adopted by ${options.approver?.trim()} (was ${result.from ?? '-'})`}\n${result.changes.map((c) => `  ${c}\n`).join('')}`,
    );
}

/** Every catalog change made by hand is an audit record naming who made it. */
async function auditAdoption(env: LocalEnvironment, name: string, by: string, data: Record<string, unknown>) {
  await env.audit.append({
    incidentId: `catalog-${name}-v${String(data.to ?? '')}`,
    step: 'action',
    at: env.clock.now().toISOString(),
    policyHash: env.policy.hash,
    guardHash: GUARD_HASH,
    authorityHash: '',
    data: { action: 'catalog_adopt', name, by, ...data },
  });
}
