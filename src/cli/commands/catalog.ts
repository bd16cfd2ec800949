// `healer catalog adopt --dataset NAME --pipeline PIPELINE.yaml --approver NAME`: a schema migration.
// When an upstream renamed or retyped a column for good, healing it on every run is the wrong fix:
// this publishes a new catalog version that reads the data's new column as the one the pipeline
// expects (strictly cast when retyped), with the approver's name on the version.

import { resolve } from 'node:path';
import { DuckdbDataEngine } from '../../adapters/duckdb/duckdb-data-engine.js';
import { detectSchemaDrift } from '../../core/detect/schema-drift.js';
import { InvalidInputError, NotFoundError } from '../../core/errors.js';
import type { DatasetProfile } from '../../core/profile.js';
import type { TableSchema } from '../../core/schema.js';
import { migrateSchema } from '../../core/schema-migration.js';
import { createLocalEnvironment } from '../../environments/local-environment.js';
import type { RegisterCommand } from '../commands.js';

interface AdoptOptions {
  dataset: string;
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
    .requiredOption('--dataset <name>', 'the source dataset (a key of sources in the pipeline file)')
    .requiredOption('--pipeline <file>', 'pipeline YAML file')
    .option('--approver <name>', 'who approves the migration (required unless --dry-run)')
    .option('--state-dir <dir>', 'state folder (default .healer beside the pipeline)')
    .option('--dry-run', 'show the migration without publishing it')
    .option('--json', 'print the migration as JSON')
    .action(async (options: AdoptOptions) => {
      if (!options.dryRun && !options.approver?.trim())
        throw new InvalidInputError(
          '--approver: a schema migration needs a named approver (or use --dry-run)',
        );
      const env = await createLocalEnvironment({
        pipelineFile: resolve(io.cwd, options.pipeline),
        ...(options.stateDir ? { stateDir: resolve(io.cwd, options.stateDir) } : {}),
        terminal: false,
      });
      const engine = new DuckdbDataEngine();
      try {
        const source = env.spec.sources.find((s) => s.name === options.dataset);
        if (!source)
          throw new InvalidInputError(
            `--dataset: ${options.pipeline} has no source '${options.dataset}' (sources: ${env.spec.sources.map((s) => s.name).join(', ')})`,
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
          if (published.version !== current.version) result.published = published.version;
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
