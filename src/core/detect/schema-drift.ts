// Schema drift: compares a baseline schema (contract or catalog) with the current one and reports
// added, removed, renamed, retyped, nullability-changed and nested-changed fields, each with its
// Avro-style compatibility and a severity. Nothing changed → no finding at all.

import type {
  FieldAdded,
  FieldRemoved,
  FieldRenamed,
  Finding,
  NestedChanged,
  NullabilityChanged,
  Severity,
  TypeChanged,
} from '../finding.js';
import { FINDING_KINDS } from '../finding.js';
import type { ColumnProfile, DatasetProfile } from '../profile.js';
import type { LogicalType, SchemaField, TableSchema } from '../schema.js';
import { twoProportionZ, Z_THRESHOLD } from './proportion-test.js';
import { isWidening, sameFamily, typeFamily } from './type-compat.js';

export interface SchemaDriftOptions {
  /** Profile of the baseline data: evidence for renames and for separating real change from noise. */
  baselineProfile?: DatasetProfile;
  currentProfile?: DatasetProfile;
  /**
   * Either side was read from a text format (CSV, JSON) whose types and nullability are inferred
   * from the values. Defaults to true when a profile's `format` is csv, tsv, json or ndjson.
   */
  textFormat?: boolean;
}

const TEXT_FORMATS = new Set(['csv', 'tsv', 'json', 'ndjson']);

/**
 * Compares two schemas. Rules (documented in docs/detectors.md):
 * - `field_added`: compatible iff nullable.
 * - `field_removed`: never compatible, severity `error`.
 * - `field_renamed`: only when the names are equal after normalising case and separators, the
 *   type family is the same and (when profiles are given) the values look alike; it replaces the
 *   removed + added pair.
 * - `type_changed`: compatible iff a widening; a change of family is an `error`. On text formats a
 *   numeric → numeric change (BIGINT one day, DOUBLE the next) is inference noise: compatible, `info`.
 * - `nullability_changed`: judged from the reader's side. nullable → required is compatible (readers
 *   see fewer nulls); required → nullable is not (a reader that relied on values now meets nulls).
 *   Text formats declare no nullability: there only nulls that appear count, and with both
 *   profiles at hand they are left to the null-rate test (which accounts for sample size).
 * - `nested_changed`: struct members added, removed or retyped (dotted path), a column that became
 *   a struct or stopped being one, or a column moved into / out of a struct.
 * Findings are sorted by column, then kind.
 */
export function detectSchemaDrift(
  baseline: TableSchema,
  current: TableSchema,
  options: SchemaDriftOptions = {},
): Finding[] {
  const ctx: Ctx = {
    b: new Map(baseline.fields.map((f) => [f.path, f])),
    c: new Map(current.fields.map((f) => [f.path, f])),
    bp: indexProfile(options.baselineProfile),
    cp: indexProfile(options.currentProfile),
    bRows: options.baselineProfile?.rowCount,
    cRows: options.currentProfile?.rowCount,
    text:
      options.textFormat ??
      (TEXT_FORMATS.has(options.baselineProfile?.format ?? '') ||
        TEXT_FORMATS.has(options.currentProfile?.format ?? '')),
  };
  const findings: Finding[] = [];

  // Paths whose shape changed (scalar ↔ struct): their members are covered by that one finding.
  const reshaped: string[] = [];
  for (const [path, bf] of ctx.b) {
    const cf = ctx.c.get(path);
    if (!cf || under(path, reshaped)) continue;
    if ((bf.type === 'struct') !== (cf.type === 'struct')) {
      reshaped.push(path);
      findings.push(
        nested(
          path,
          bf.rawType,
          cf.rawType,
          false,
          'error',
          `${path} changed shape from ${bf.rawType} to ${cf.rawType}`,
        ),
      );
      continue;
    }
    const retyped = compareTypes(ctx, bf, cf);
    if (retyped) findings.push(retyped);
    const nullability = compareNullability(ctx, bf, cf);
    if (nullability) findings.push(nullability);
  }

  let removed = [...ctx.b.keys()].filter((p) => !ctx.c.has(p) && !under(p, reshaped));
  let added = [...ctx.c.keys()].filter((p) => !ctx.b.has(p) && !under(p, reshaped));

  // Renames: same level, same normalised name, same family, alike values; unambiguous on both sides.
  for (const r of [...removed]) {
    const bf = ctx.b.get(r)!;
    const candidates = added.filter((a) => renameMatch(ctx, bf, ctx.c.get(a)!, true));
    if (candidates.length !== 1) continue;
    const a = candidates[0]!;
    if (removed.filter((x) => renameMatch(ctx, ctx.b.get(x)!, ctx.c.get(a)!, true)).length !== 1) continue;
    const cf = ctx.c.get(a)!;
    removed = removed.filter((x) => x !== r && !x.startsWith(`${r}.`));
    added = added.filter((x) => x !== a && !x.startsWith(`${a}.`));
    const f: FieldRenamed = {
      kind: 'field_renamed',
      column: a,
      compatible: false,
      severity: 'warning',
      from: r,
      to: a,
      type: cf.type,
      message: `${r} was renamed to ${a} (same ${typeFamily(cf.type)} type and values)`,
    };
    findings.push(f);
    const retyped = compareTypes(ctx, bf, cf, a);
    if (retyped) findings.push(retyped);
  }

  // Moves into or out of a struct: `lat` → `location.lat`, or the reverse.
  const movedIn = new Set<string>();
  const movedOut = new Set<string>();
  for (const r of [...removed]) {
    const bf = ctx.b.get(r)!;
    const candidates = added.filter((a) => {
      const cf = ctx.c.get(a)!;
      const rNested = structParent(ctx.b, r) !== undefined;
      const aNested = structParent(ctx.c, a) !== undefined;
      return rNested !== aNested && cf.type !== 'struct' && renameMatch(ctx, bf, cf, false);
    });
    if (candidates.length !== 1) continue;
    const a = candidates[0]!;
    removed = removed.filter((x) => x !== r);
    added = added.filter((x) => x !== a);
    movedOut.add(r);
    movedIn.add(a);
    const into = structParent(ctx.c, a) !== undefined;
    findings.push(
      nested(
        a,
        r,
        a,
        false,
        'error',
        into
          ? `${r} moved into struct ${structParent(ctx.c, a)} as ${a}`
          : `${r} moved out of its struct to ${a}`,
      ),
    );
  }

  const removedSet = new Set(removed);
  const addedSet = new Set(added);
  for (const r of removed) {
    const parent = structParent(ctx.b, r);
    if (parent !== undefined && (removedSet.has(parent) || under(parent, removed))) continue;
    const bf = ctx.b.get(r)!;
    if (parent === undefined) {
      const f: FieldRemoved = {
        kind: 'field_removed',
        column: r,
        compatible: false,
        severity: 'error',
        baseline: bf.type,
        message: `${r} (${bf.rawType}) is missing from the current schema`,
      };
      findings.push(f);
    } else {
      findings.push(nested(r, bf.rawType, '(absent)', false, 'error', `struct member ${r} was removed`));
    }
  }
  for (const a of added) {
    const parent = structParent(ctx.c, a);
    // Members of a newly added struct are part of that one addition (unless moved there, above).
    if (parent !== undefined && (addedSet.has(parent) || !ctx.b.has(parent))) continue;
    const cf = ctx.c.get(a)!;
    if (parent === undefined) {
      const f: FieldAdded = {
        kind: 'field_added',
        column: a,
        compatible: cf.nullable,
        severity: cf.nullable ? 'info' : 'warning',
        current: cf.type,
        nullable: cf.nullable,
        message: `${a} (${cf.rawType}, ${cf.nullable ? 'nullable' : 'required'}) was added`,
      };
      findings.push(f);
    } else {
      findings.push(
        nested(
          a,
          '(absent)',
          cf.rawType,
          cf.nullable,
          cf.nullable ? 'info' : 'warning',
          `struct member ${a} (${cf.rawType}, ${cf.nullable ? 'nullable' : 'required'}) was added`,
        ),
      );
    }
  }

  // A struct whose members all moved in (or out) is already described by those moves.
  return findings
    .filter(
      (f) =>
        !(f.kind === 'field_added' && f.current === 'struct' && allMoved(ctx.c, f.column, movedIn)) &&
        !(f.kind === 'field_removed' && f.baseline === 'struct' && allMoved(ctx.b, f.column, movedOut)),
    )
    .sort(byColumnThenKind);
}

interface Ctx {
  b: Map<string, SchemaField>;
  c: Map<string, SchemaField>;
  bp: Map<string, ColumnProfile>;
  cp: Map<string, ColumnProfile>;
  bRows: number | undefined;
  cRows: number | undefined;
  text: boolean;
}

function indexProfile(p: DatasetProfile | undefined): Map<string, ColumnProfile> {
  return new Map((p?.columns ?? []).map((c) => [c.path, c]));
}

/** Lower case without separators: customer_id, customerId, CustomerID and customer-id all match. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** The nearest enclosing struct field of `path`, if any (top-level names may contain dots too). */
function structParent(fields: Map<string, SchemaField>, path: string): string | undefined {
  for (let i = path.lastIndexOf('.'); i > 0; i = path.lastIndexOf('.', i - 1)) {
    const prefix = path.slice(0, i);
    if (fields.get(prefix)?.type === 'struct') return prefix;
  }
  return undefined;
}

function leaf(fields: Map<string, SchemaField>, path: string): string {
  const parent = structParent(fields, path);
  return parent === undefined ? path : path.slice(parent.length + 1);
}

function under(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => path.startsWith(`${p}.`));
}

function renameMatch(ctx: Ctx, bf: SchemaField, cf: SchemaField, sameLevel: boolean): boolean {
  if (sameLevel && (structParent(ctx.b, bf.path) ?? '') !== (structParent(ctx.c, cf.path) ?? ''))
    return false;
  if (normaliseName(leaf(ctx.b, bf.path)) !== normaliseName(leaf(ctx.c, cf.path))) return false;
  if (!sameFamily(bf.type, cf.type)) return false;
  return valuesAlike(ctx.bp.get(bf.path), ctx.cp.get(cf.path), ctx.bRows, ctx.cRows);
}

/**
 * Value evidence for a rename: null rates not significantly different, distinct counts within a
 * factor of 3, overlapping min/max ranges. Without profiles the names and types decide alone.
 */
function valuesAlike(
  b: ColumnProfile | undefined,
  c: ColumnProfile | undefined,
  bRows: number | undefined,
  cRows: number | undefined,
): boolean {
  if (!b || !c) return true;
  if (bRows !== undefined && cRows !== undefined) {
    const z = twoProportionZ(b.nullCount, bRows, c.nullCount, cRows);
    if (Math.abs(z) >= Z_THRESHOLD && Math.abs(b.nullRate - c.nullRate) >= 0.05) return false;
  }
  const hi = Math.max(b.distinct, c.distinct);
  const lo = Math.min(b.distinct, c.distinct);
  if (hi > 10 && lo * 3 < hi) return false;
  if (b.min !== undefined && b.max !== undefined && c.min !== undefined && c.max !== undefined) {
    if (compareValues(b.min, c.max) > 0 || compareValues(c.min, b.max) > 0) return false;
  }
  return true;
}

function compareValues(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function allNull(p: ColumnProfile | undefined, rows: number | undefined): boolean {
  return p !== undefined && (rows === 0 || p.nullRate >= 1);
}

/** type_changed for top-level fields, nested_changed for struct members; undefined when equal. */
function compareTypes(ctx: Ctx, bf: SchemaField, cf: SchemaField, column = cf.path): Finding | undefined {
  const isList = bf.type === cf.type && (bf.type === 'list' || bf.type === 'map');
  if (bf.type === cf.type && !(isList && bf.rawType !== cf.rawType)) return undefined;
  // A text column that is entirely null carries no type: the reader guessed one.
  if (ctx.text && (allNull(ctx.bp.get(bf.path), ctx.bRows) || allNull(ctx.cp.get(cf.path), ctx.cRows)))
    return undefined;
  const { compatible, severity, why } = isList
    ? {
        compatible: ctx.text,
        severity: (ctx.text ? 'info' : 'warning') as Severity,
        why: 'element type changed',
      }
    : typeRule(bf.type, cf.type, ctx.text);
  const nestedMember =
    structParent(ctx.b, bf.path) !== undefined || structParent(ctx.c, cf.path) !== undefined;
  if (nestedMember || isList)
    return nested(
      column,
      bf.rawType,
      cf.rawType,
      compatible,
      severity,
      `${column}: ${bf.rawType} → ${cf.rawType} (${why})`,
    );
  const f: TypeChanged = {
    kind: 'type_changed',
    column,
    compatible,
    severity,
    baseline: bf.type,
    current: cf.type,
    baselineRaw: bf.rawType,
    currentRaw: cf.rawType,
    message: `${column} changed type ${bf.rawType} → ${cf.rawType} (${why})`,
  };
  return f;
}

function typeRule(
  from: LogicalType,
  to: LogicalType,
  text: boolean,
): { compatible: boolean; severity: Severity; why: string } {
  if (isWidening(from, to)) return { compatible: true, severity: 'info', why: 'widening' };
  if (text && typeFamily(from) === 'numeric' && typeFamily(to) === 'numeric')
    return { compatible: true, severity: 'info', why: 'numeric type inferred from text' };
  if (sameFamily(from, to)) return { compatible: false, severity: 'warning', why: 'narrowing' };
  return {
    compatible: false,
    severity: 'error',
    why: `${typeFamily(from)} → ${typeFamily(to)}: change of family`,
  };
}

function compareNullability(ctx: Ctx, bf: SchemaField, cf: SchemaField): NullabilityChanged | undefined {
  if (bf.nullable === cf.nullable) return undefined;
  const bp = ctx.bp.get(bf.path);
  const cp = ctx.cp.get(cf.path);
  // Text formats declare nothing: nullability is read off the values, so a column with rare nulls
  // is "required" in one file and "nullable" in the next. With both profiles at hand the change
  // is left to the null-rate detector, which tests it against sample size.
  if (ctx.text && bp && cp) return undefined;
  // Nor does a text sample without nulls make a column required: only nulls that appear are a fact.
  if (ctx.text && !cf.nullable) return undefined;
  const relaxed = cf.nullable;
  return {
    kind: 'nullability_changed',
    column: cf.path,
    compatible: !relaxed,
    severity: relaxed ? 'warning' : 'info',
    baseline: bf.nullable,
    current: cf.nullable,
    message: relaxed
      ? `${cf.path} was required and is now nullable: readers may meet nulls`
      : `${cf.path} was nullable and is now required`,
  };
}

function nested(
  column: string,
  baseline: string,
  current: string,
  compatible: boolean,
  severity: Severity,
  message: string,
): NestedChanged {
  return { kind: 'nested_changed', column, compatible, severity, baseline, current, message };
}

function allMoved(fields: Map<string, SchemaField>, struct: string, moved: Set<string>): boolean {
  const members = [...fields.keys()].filter(
    (p) => p.startsWith(`${struct}.`) && fields.get(p)!.type !== 'struct',
  );
  return members.length > 0 && members.every((m) => moved.has(m));
}

function byColumnThenKind(a: Finding, b: Finding): number {
  if (a.column !== b.column) return a.column < b.column ? -1 : 1;
  return FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind);
}
