// How a source is read through its catalog version: the version's columns, in its order, each taken
// from the data's column of the same name, or, after a schema migration, from the name the upstream
// now writes (and cast strictly to the version's type).

import type { SchemaField } from '../../core/schema.js';
import { logicalToDuckdb } from '../duckdb/duckdb-types.js';
import { quoteIdent } from '../duckdb/sql.js';

/** The SELECT list that reads a file through `columns` (top-level fields of a catalog version). */
export function readProjection(columns: readonly SchemaField[]): string {
  return columns
    .map((f) => {
      if (!f.sourcePath && !f.castOnRead) return quoteIdent(f.path);
      const source = quoteIdent(f.sourcePath ?? f.path);
      const type = f.castOnRead ? logicalToDuckdb(f.type) : undefined;
      return `${type ? `CAST(${source} AS ${type})` : source} AS ${quoteIdent(f.path)}`;
    })
    .join(', ');
}
