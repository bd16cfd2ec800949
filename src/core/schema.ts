// Table schemas as the catalog and the data engine describe them, engine-neutral.

/**
 * Engine-neutral type names. Adapters map their engine's types (DuckDB, Glue/Hive, Spark) onto
 * these; `struct` and `list` carry children in `TableSchema.fields` via dotted paths.
 */
export type LogicalType =
  | 'boolean'
  | 'int32'
  | 'int64'
  | 'float'
  | 'double'
  | 'decimal'
  | 'string'
  | 'date'
  | 'timestamp'
  | 'binary'
  | 'struct'
  | 'list'
  | 'map'
  | 'unknown';

/** One column. Nested struct members appear as their own fields with dotted paths (`address.city`). */
export interface SchemaField {
  /** Dotted path from the top level; top-level columns have no dot. */
  path: string;
  type: LogicalType;
  /** The engine's own spelling of the type (`BIGINT`, `STRUCT(city VARCHAR)`), for messages. */
  rawType: string;
  nullable: boolean;
}

/** A table schema: a named, ordered list of fields (top level and nested). */
export interface TableSchema {
  /** Dataset or table name. */
  name: string;
  /** Catalog version id when the schema came from a catalog; absent for an inferred schema. */
  version?: string;
  fields: SchemaField[];
}
