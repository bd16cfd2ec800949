// The runner's DuckDB confined to the pipeline's roots and the state folder: a transform's SQL (part
// of the pipeline file, so untrusted like its paths) cannot read `/etc/passwd`, COPY elsewhere,
// ATTACH another database or install an extension. Irreversible for the instance's lifetime.

import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ResourceSettings } from '../../core/resources.js';
import { quoteLiteral } from '../duckdb/sql.js';
import { rootDirectories } from './path-roots.js';

/** What one DuckDB instance runs with: `memory_limit`, `threads`, and whether it may spill. */
export interface DuckdbResources extends Pick<ResourceSettings, 'memoryMb' | 'threads'> {
  /** Spill to `<stateDir>/tmp` when memory runs out (default); false: fail with Out of Memory. */
  spill?: boolean;
}

/** DuckDB's own config for `resources` (instance-wide settings: set when the instance is created). */
export function duckdbConfig(resources: DuckdbResources, stateDir: string): Record<string, string> {
  const config: Record<string, string> = {};
  if (resources.memoryMb !== undefined) config.memory_limit = `${resources.memoryMb}MB`;
  if (resources.threads !== undefined) config.threads = String(resources.threads);
  // An empty temp_directory is DuckDB's "no spilling": an in-memory database then fails with
  // "Out of Memory Error" instead of offloading blocks to disk.
  config.temp_directory = resources.spill === false ? '' : join(stateDir, 'tmp');
  return config;
}

/**
 * An in-memory DuckDB that may only touch files under `roots` and `stateDir`.
 *
 * @example
 * const db = await createSandboxedDuckdb(spec.roots ?? [spec.dir], stateDir);
 */
export async function createSandboxedDuckdb(
  roots: readonly string[],
  stateDir: string,
  resources: DuckdbResources = {},
): Promise<DuckDBInstance> {
  // Spills go under the state folder, which the sandbox allows.
  const instance = await DuckDBInstance.create(':memory:', duckdbConfig(resources, stateDir));
  const conn = await instance.connect();
  try {
    const allowed = rootDirectories([...roots, stateDir]);
    await conn.run(`SET allowed_directories = [${allowed.map(quoteLiteral).join(', ')}]`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
  } finally {
    conn.closeSync();
  }
  return instance;
}
