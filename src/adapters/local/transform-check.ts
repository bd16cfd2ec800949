// Checks a pipeline's SQL transform before a run: it must bind against the schemas the run will give
// it (each source's current catalog version, else its contract, else the data's own columns). A
// typo is the pipeline file's fault, not the data's: it is an E_CONFIG naming the file and line,
// never an incident.

import { readFile } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { ConfigError } from '../../core/errors.js';
import type { TableSchema } from '../../core/schema.js';
import { DuckdbDataEngine } from '../duckdb/duckdb-data-engine.js';
import { logicalToDuckdb } from '../duckdb/duckdb-types.js';
import { quoteIdent } from '../duckdb/sql.js';
import { readRelation } from './duckdb-sql.js';
import type { LocalCatalog } from './local-catalog.js';
import type { PipelineSpec } from './pipeline-file.js';

/** DuckDB's errors that mean the SQL itself is wrong (syntax, unknown name, wrong types). */
const SQL_FAULT = /^(Parser|Binder|Catalog) Error/;

/**
 * Throws ConfigError when the transform does not parse or bind; returns quietly otherwise, and when
 * a source's schema cannot be known without reading data that does not read (the run will say why).
 *
 * @example
 * await checkTransform(env.spec, { catalog: env.catalog }); // before runner.run(spec)
 */
export async function checkTransform(
  spec: PipelineSpec,
  deps: { catalog: LocalCatalog; engine?: Pick<DuckdbDataEngine, 'resolve'> },
): Promise<void> {
  const ownEngine = deps.engine ? undefined : new DuckdbDataEngine();
  const engine = deps.engine ?? (ownEngine as DuckdbDataEngine);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    for (const source of spec.sources) {
      const schema = (await deps.catalog.currentSchema(source.name)) ?? source.contract?.schema;
      const columns = schema ? columnDefinitions(schema) : undefined;
      const table = quoteIdent(source.name);
      try {
        if (columns) await conn.run(`CREATE TEMP TABLE ${table} (${columns})`);
        else {
          const resolved = await engine.resolve(source.location);
          await conn.run(
            `CREATE TEMP TABLE ${table} AS SELECT * FROM ${readRelation(resolved.files, source.format ?? resolved.format)} LIMIT 0`,
          );
        }
      } catch {
        return; // The source's columns are unknown here; the run reports its own error.
      }
    }
    const transform = spec.transform.trim().replace(/;+\s*$/, '');
    try {
      await conn.run(`DESCRIBE SELECT * FROM (${transform})`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!SQL_FAULT.test(message)) return;
      const line = await transformLine(spec.file);
      const where = line ? `${spec.file}:${line}` : spec.file;
      throw new ConfigError(`${where}: transform: ${message.split('\n')[0]}`, {
        context: { file: spec.file, line, key: 'transform' },
      });
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
    await ownEngine?.close();
  }
}

/** `"a" BIGINT, "b" VARCHAR`: top-level columns only (a struct keeps its engine spelling). */
function columnDefinitions(schema: TableSchema): string | undefined {
  const defs: string[] = [];
  for (const field of schema.fields) {
    if (field.path.includes('.')) continue;
    const type =
      logicalToDuckdb(field.type) ??
      (field.rawType && /^[A-Z]/.test(field.rawType) ? field.rawType : undefined);
    if (!type) return undefined;
    defs.push(`${quoteIdent(field.path)} ${type}`);
  }
  return defs.length ? defs.join(', ') : undefined;
}

async function transformLine(file: string): Promise<number | undefined> {
  try {
    const index = (await readFile(file, 'utf8')).split('\n').findIndex((l) => /^transform\s*:/.test(l));
    return index >= 0 ? index + 1 : undefined;
  } catch {
    return undefined;
  }
}
