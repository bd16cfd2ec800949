/**
 * The DuckDB data engine: reads local CSV, Parquet, JSON and NDJSON files, infers schemas and
 * profiles them in-process. Composed into environments; other adapters never import it.
 *
 * @module etl-healer/duckdb
 */

export {
  type DataFormat,
  type DataSource,
  DuckdbDataEngine,
  type ProfileOptions,
} from './duckdb-data-engine.js';
export {
  duckdbTypeToLogical,
  flattenColumn,
  logicalToDuckdb,
  type NestedField,
  parseStructMembers,
  type StructMember,
} from './duckdb-types.js';
export { quoteIdent, quoteLiteral, quoteLiteralList } from './sql.js';
