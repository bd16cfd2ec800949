// DuckDB type names → healer's engine-neutral LogicalType, and STRUCT(...) spellings → nested
// members, so that struct members become their own fields with dotted paths.

import type { LogicalType, SchemaField } from '../../core/schema.js';

/**
 * Maps a DuckDB type spelling (`BIGINT`, `DECIMAL(10,2)`, `VARCHAR[]`, `STRUCT(a INTEGER)`,
 * `TIMESTAMP WITH TIME ZONE`) to a LogicalType; unrecognised types map to `unknown`.
 */
export function duckdbTypeToLogical(raw: string): LogicalType {
  const t = raw.trim().toUpperCase();
  if (/\[\d*\]$/.test(t)) return 'list';
  if (t.startsWith('STRUCT')) return 'struct';
  if (t.startsWith('MAP')) return 'map';
  if (t.startsWith('LIST')) return 'list';
  if (t.startsWith('DECIMAL') || t.startsWith('NUMERIC')) return 'decimal';
  if (t.startsWith('ENUM') || t.startsWith('VARCHAR') || t.startsWith('CHAR')) return 'string';
  if (t.startsWith('TIMESTAMP') || t === 'DATETIME') return 'timestamp';
  switch (t) {
    case 'BOOLEAN':
    case 'BOOL':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'INT':
    case 'INT1':
    case 'INT2':
    case 'INT4':
    case 'UTINYINT':
    case 'USMALLINT':
      return 'int32';
    case 'BIGINT':
    case 'INT8':
    case 'LONG':
    case 'UINTEGER':
      return 'int64';
    case 'UBIGINT':
    case 'HUGEINT':
    case 'UHUGEINT':
      // Beyond a signed 64-bit range: only a decimal holds every value.
      return 'decimal';
    case 'FLOAT':
    case 'REAL':
    case 'FLOAT4':
      return 'float';
    case 'DOUBLE':
    case 'FLOAT8':
      return 'double';
    case 'TEXT':
    case 'STRING':
    case 'UUID':
    case 'JSON':
      return 'string';
    case 'DATE':
      return 'date';
    case 'BLOB':
    case 'BYTEA':
    case 'BINARY':
    case 'VARBINARY':
    case 'BIT':
      return 'binary';
    default:
      return 'unknown';
  }
}

/** The logical type's DuckDB spelling, for TRY_CAST against a contract type. */
export function logicalToDuckdb(type: LogicalType): string | undefined {
  switch (type) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int32':
      return 'INTEGER';
    case 'int64':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'decimal':
      return 'DECIMAL(38,9)';
    case 'string':
      return 'VARCHAR';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'binary':
      return 'BLOB';
    case 'struct':
    case 'list':
    case 'map':
    case 'unknown':
      return undefined;
    default:
      return type satisfies never;
  }
}

/** One member of a STRUCT type: its name and its type spelling. */
export interface StructMember {
  name: string;
  rawType: string;
}

/**
 * Splits `STRUCT("a b" INTEGER, c STRUCT(d VARCHAR))` into its members. Member names may be quoted
 * with `"` (doubled inside); types may nest parentheses and quoted enum labels.
 */
export function parseStructMembers(raw: string): StructMember[] {
  const t = raw.trim();
  const open = t.indexOf('(');
  if (!t.toUpperCase().startsWith('STRUCT') || open < 0 || !t.endsWith(')')) return [];
  const body = t.slice(open + 1, -1);
  const members: StructMember[] = [];
  for (const part of splitTopLevel(body)) {
    const s = part.trim();
    if (s === '') continue;
    let name: string;
    let rest: string;
    if (s.startsWith('"')) {
      let i = 1;
      name = '';
      for (; i < s.length; i++) {
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            name += '"';
            i++;
          } else break;
        } else name += s[i];
      }
      rest = s.slice(i + 1);
    } else {
      const space = s.search(/\s/);
      name = space < 0 ? s : s.slice(0, space);
      rest = space < 0 ? '' : s.slice(space);
    }
    members.push({ name, rawType: rest.trim() });
  }
  return members;
}

/** Splits on commas outside parentheses and quotes. */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quote) {
      if (ch === quote) {
        if (body[i + 1] === quote) i++;
        else quote = undefined;
      }
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** A schema field with its name segments kept apart (names may contain dots). */
export interface NestedField extends SchemaField {
  segments: string[];
}

/**
 * A column and, for a STRUCT, every member below it as a dotted-path field, depth first.
 *
 * @example
 * flattenColumn(['s'], 'STRUCT(a INTEGER)') // s (struct), s.a (int32)
 */
export function flattenColumn(segments: string[], rawType: string, nullable = true): NestedField[] {
  const type = duckdbTypeToLogical(rawType);
  const out: NestedField[] = [{ path: segments.join('.'), type, rawType, nullable, segments }];
  if (type === 'struct') {
    for (const m of parseStructMembers(rawType))
      out.push(...flattenColumn([...segments, m.name], m.rawType, nullable));
  }
  return out;
}
