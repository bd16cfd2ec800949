// Table schemas as the catalog and the data engine describe them, engine-neutral.

import { z } from 'zod';

/** The scalar types: what a contract column may declare. */
export const SCALAR_TYPES = [
  'boolean',
  'int32',
  'int64',
  'float',
  'double',
  'decimal',
  'string',
  'date',
  'timestamp',
  'binary',
] as const;

/**
 * Engine-neutral type names. Adapters map their engine's types (DuckDB, Glue/Hive, Spark) onto
 * these; `struct` and `list` carry children in `TableSchema.fields` via dotted paths.
 */
export const LOGICAL_TYPES = [...SCALAR_TYPES, 'struct', 'list', 'map', 'unknown'] as const;
export type LogicalType = (typeof LOGICAL_TYPES)[number];

/** One column. Nested struct members appear as their own fields with dotted paths (`address.city`). */
export interface SchemaField {
  /** Dotted path from the top level; top-level columns have no dot. */
  path: string;
  type: LogicalType;
  /** The engine's own spelling of the type (`BIGINT`, `STRUCT(city VARCHAR)`), for messages. */
  rawType: string;
  nullable: boolean;
  /**
   * A schema migration (`healer catalog adopt`): the column is read from this name in the data,
   * because the upstream renamed it for good. Absent: the data's column has the field's name.
   */
  sourcePath?: string;
  /** A schema migration: the data's column is CAST (strictly: a bad value fails the run) to `type`. */
  castOnRead?: boolean;
}

/** A table schema: a named, ordered list of fields (top level and nested). */
export interface TableSchema {
  /** Dataset or table name. */
  name: string;
  /** Catalog version id when the schema came from a catalog; absent for an inferred schema. */
  version?: string;
  fields: SchemaField[];
}

/** A field as people write it in JSON or config: `rawType` defaults to the type, `nullable` to true. */
export const schemaFieldInput = z
  .object({
    path: z.string().min(1),
    type: z.enum(LOGICAL_TYPES),
    rawType: z.string().optional(),
    nullable: z.boolean().default(true),
  })
  .strict();

export function toSchemaField(input: z.infer<typeof schemaFieldInput>): SchemaField {
  return {
    path: input.path,
    type: input.type,
    rawType: input.rawType ?? input.type.toUpperCase(),
    nullable: input.nullable,
  };
}
