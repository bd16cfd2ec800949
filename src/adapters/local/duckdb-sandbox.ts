// The runner's DuckDB confined to the pipeline's roots and the state folder: a transform's SQL (part
// of the pipeline file, so untrusted like its paths) cannot read `/etc/passwd`, COPY elsewhere,
// ATTACH another database or install an extension. Irreversible for the instance's lifetime.

import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from '../duckdb/sql.js';
import { rootDirectories } from './path-roots.js';

/**
 * An in-memory DuckDB that may only touch files under `roots` and `stateDir`.
 *
 * @example
 * const db = await createSandboxedDuckdb(spec.roots ?? [spec.dir], stateDir);
 */
export async function createSandboxedDuckdb(
  roots: readonly string[],
  stateDir: string,
): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const allowed = rootDirectories([...roots, stateDir]);
    // Spills go under the state folder, which the sandbox allows.
    await conn.run(`SET temp_directory = ${quoteLiteral(join(stateDir, 'tmp'))}`);
    await conn.run(`SET allowed_directories = [${allowed.map(quoteLiteral).join(', ')}]`);
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
  } finally {
    conn.closeSync();
  }
  return instance;
}
