// The Glue Data Catalog as a schema-history Catalog: GetTableVersions (oldest first) → TableSchema,
// with Glue/Hive type strings (including struct<...> nesting) mapped onto LogicalType.

import { type Column, Glue, type Table } from '@aws-sdk/client-glue';
import { InvalidInputError } from '../../core/errors.js';
import type { LogicalType, SchemaField, TableSchema } from '../../core/schema.js';
import type { Catalog } from '../../ports.js';
import { awsCall } from './aws-errors.js';

/** The Glue calls the catalog uses. */
export type GlueCatalogClientLike = Pick<Glue, 'getTable' | 'getTableVersions'>;

export interface GlueCatalogOptions {
  client?: GlueCatalogClientLike;
  /** Database for dataset names without a `db.` prefix. */
  database: string;
  /** Dataset name → `table` or `db.table`, when they differ. */
  tables?: Record<string, string>;
  /** Max versions read (newest kept). Default 100. */
  maxVersions?: number;
}

/** Resolves a dataset name into its Glue database and table. */
export function resolveTable(dataset: string, database: string, tables: Record<string, string> = {}) {
  const name = tables[dataset] ?? dataset;
  const dot = name.indexOf('.');
  return dot > 0 ? { database: name.slice(0, dot), table: name.slice(dot + 1) } : { database, table: name };
}

/**
 * Catalog over the Glue Data Catalog.
 *
 * @example
 * const versions = await new GlueCatalog({ database: 'sales' }).listSchemaVersions('orders');
 */
export class GlueCatalog implements Catalog {
  private readonly client: GlueCatalogClientLike;
  private readonly database: string;
  private readonly tables: Record<string, string>;
  private readonly maxVersions: number;

  constructor(options: GlueCatalogOptions) {
    this.client = options.client ?? new Glue({});
    this.database = options.database;
    this.tables = options.tables ?? {};
    this.maxVersions = options.maxVersions ?? 100;
  }

  async listSchemaVersions(dataset: string): Promise<TableSchema[]> {
    const { database, table } = resolveTable(dataset, this.database, this.tables);
    const resource = `${database}.${table}`;
    const versions: { id: string; table: Table }[] = [];
    let token: string | undefined;
    do {
      const page = await awsCall('glue:GetTableVersions', resource, () =>
        this.client.getTableVersions({ DatabaseName: database, TableName: table, NextToken: token }),
      );
      for (const v of page.TableVersions ?? [])
        if (v.Table && v.VersionId !== undefined) versions.push({ id: v.VersionId, table: v.Table });
      token = page.NextToken;
    } while (token && versions.length < this.maxVersions * 2);
    if (!versions.length) {
      const current = await awsCall('glue:GetTable', resource, () =>
        this.client.getTable({ DatabaseName: database, Name: table }),
      );
      if (current.Table) versions.push({ id: current.Table.VersionId ?? '0', table: current.Table });
    }
    versions.sort((a, b) => Number(a.id) - Number(b.id) || a.id.localeCompare(b.id));
    return versions.slice(-this.maxVersions).map((v) => glueTableToSchema(dataset, v.table, v.id));
  }
}

/** Columns (then partition keys) of a Glue table as a TableSchema with dotted nested paths. */
export function glueTableToSchema(name: string, table: Table, version?: string): TableSchema {
  const columns: Column[] = [...(table.StorageDescriptor?.Columns ?? []), ...(table.PartitionKeys ?? [])];
  const fields: SchemaField[] = [];
  for (const column of columns) {
    if (!column.Name) continue;
    fields.push(...hiveTypeToFields(column.Name, column.Type ?? 'string'));
  }
  return { name, version, fields };
}

/** A Hive type string as fields: the column itself, then each struct member with a dotted path. */
export function hiveTypeToFields(path: string, rawType: string): SchemaField[] {
  const type = parseHiveType(rawType);
  const out: SchemaField[] = [];
  const walk = (p: string, t: HiveType) => {
    out.push({ path: p, type: t.logical, rawType: t.raw, nullable: true });
    if (t.logical === 'struct') for (const [k, child] of t.members) walk(`${p}.${k}`, child);
  };
  walk(path, type);
  return out;
}

/** Glue/Hive type string → LogicalType (`bigint` → int64, `struct<a:int>` → struct). */
export function glueTypeToLogical(rawType: string): LogicalType {
  return parseHiveType(rawType).logical;
}

interface HiveType {
  logical: LogicalType;
  raw: string;
  members: [string, HiveType][];
}

const SCALARS: Record<string, LogicalType> = {
  boolean: 'boolean',
  tinyint: 'int32',
  smallint: 'int32',
  int: 'int32',
  integer: 'int32',
  bigint: 'int64',
  float: 'float',
  real: 'float',
  double: 'double',
  decimal: 'decimal',
  numeric: 'decimal',
  string: 'string',
  varchar: 'string',
  char: 'string',
  date: 'date',
  timestamp: 'timestamp',
  binary: 'binary',
};

/** Parses a Hive type (`array<struct<a:int,b:map<string,bigint>>>`). Throws on unbalanced brackets. */
export function parseHiveType(raw: string): HiveType {
  const text = raw.trim();
  let pos = 0;
  const parse = (): HiveType => {
    const start = pos;
    while (pos < text.length && /[A-Za-z0-9_]/.test(text[pos]!)) pos++;
    const word = text.slice(start, pos).toLowerCase();
    if (word === 'struct' || word === 'array' || word === 'map') {
      expect('<');
      const members: [string, HiveType][] = [];
      if (word === 'struct') {
        while (text[pos] !== '>') {
          const nameStart = pos;
          // Field names may hold almost anything but ':' (backticks in DDL are not stored by Glue).
          while (pos < text.length && text[pos] !== ':') pos++;
          const name = text.slice(nameStart, pos).trim().replace(/^`|`$/g, '');
          expect(':');
          members.push([name, parse()]);
          if (text[pos] === ',') pos++;
          else if (text[pos] !== '>') fail();
        }
      } else if (word === 'array') {
        members.push(['element', parse()]);
      } else {
        members.push(['key', parse()]);
        expect(',');
        members.push(['value', parse()]);
      }
      expect('>');
      const logical: LogicalType = word === 'struct' ? 'struct' : word === 'array' ? 'list' : 'map';
      return { logical, raw: text.slice(start, pos), members: word === 'struct' ? members : [] };
    }
    if (text[pos] === '(') {
      // decimal(10,2), varchar(20), char(3)
      while (pos < text.length && text[pos] !== ')') pos++;
      expect(')');
    }
    return { logical: SCALARS[word] ?? 'unknown', raw: text.slice(start, pos), members: [] };
  };
  const expect = (ch: string) => {
    while (text[pos] === ' ') pos++;
    if (text[pos] !== ch) fail();
    pos++;
    while (text[pos] === ' ') pos++;
  };
  const fail = (): never => {
    throw new InvalidInputError(`Glue type ${JSON.stringify(raw)}: cannot parse at character ${pos}`, {
      context: { type: raw, position: pos },
    });
  };
  const result = parse();
  if (pos !== text.length) fail();
  return result;
}
