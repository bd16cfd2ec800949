// The coercion plan: how the current data maps back onto its contract schema (renames, casts,
// missing columns) and whether that mapping is safe enough for `coerce_schema`.

import { castIsLossless } from './detect/type-compat.js';
import type { Finding } from './finding.js';
import type { LogicalType, SchemaField, TableSchema } from './schema.js';

export interface CoercionCast {
  /** The contract's column name. */
  column: string;
  from: LogicalType;
  to: LogicalType;
  lossless: boolean;
}

export interface CoercionPlan {
  /** Current name `from` back to the contract name `to`. */
  renames: { from: string; to: string }[];
  casts: CoercionCast[];
  /** Required contract columns (and contract struct members) with no counterpart in the current data. */
  missing: string[];
  /**
   * Current columns outside the contract whose values the coercion would discard while a contract
   * column is absent: most likely a rename too weak to prove. Mapping by guess could lose data.
   */
  unmapped: string[];
  /** Contract struct members whose current type cannot be cast losslessly (structs are not reshaped). */
  nestedMismatch: string[];
  /**
   * No required column is missing, nothing would be discarded on a guess, struct members match,
   * and every cast is lossless or parses text into the contract type (TRY_CAST: a value that fails
   * goes to quarantine with its original text, so nothing is lost).
   */
  safe: boolean;
}

/**
 * Plans how to bring `current` back to `contract`. Renames come from `field_renamed` findings (data
 * scope); casts and missing columns are computed from the two schemas after the renames, for
 * top-level columns (a struct is cast as a whole only when its type family is the same).
 *
 * @example
 * const plan = planCoercion(contract.schema, currentSchema, diagnosis.findings);
 * if (plan.safe) apply(plan);
 */
export function planCoercion(contract: TableSchema, current: TableSchema, findings: Finding[]): CoercionPlan {
  const currentByPath = new Map(current.fields.map((f) => [f.path, f]));
  const contractPaths = new Set(contract.fields.map((f) => f.path));
  const renames: { from: string; to: string }[] = [];
  const sourceOf = new Map<string, SchemaField>();
  for (const f of findings) {
    if (f.kind !== 'field_renamed' || f.scope === 'catalog') continue;
    const field = currentByPath.get(f.to);
    if (!field || !contractPaths.has(f.from) || currentByPath.has(f.from) || sourceOf.has(f.from)) continue;
    renames.push({ from: f.to, to: f.from });
    sourceOf.set(f.from, field);
  }
  const casts: CoercionCast[] = [];
  const missing: string[] = [];
  for (const want of topLevel(contract)) {
    const have = sourceOf.get(want.path) ?? currentByPath.get(want.path);
    if (!have) {
      if (!want.nullable) missing.push(want.path);
      continue;
    }
    if (have.type === want.type) continue;
    casts.push({
      column: want.path,
      from: have.type,
      to: want.type,
      lossless: castIsLossless(have.type, want.type),
    });
  }
  // Structs are not reshaped: every contract member must be there with the same or a lossless type.
  const topPaths = new Set(topLevel(contract).map((f) => f.path));
  const nestedMismatch: string[] = [];
  const renamedStructs = new Map(renames.map((r) => [`${r.to}.`, `${r.from}.`]));
  for (const want of contract.fields) {
    if (topPaths.has(want.path)) continue;
    const prefix = [...renamedStructs.keys()].find((p) => want.path.startsWith(p));
    const path = prefix ? renamedStructs.get(prefix) + want.path.slice(prefix.length) : want.path;
    const have = currentByPath.get(path);
    if (!have) missing.push(want.path);
    else if (have.type !== want.type && !castIsLossless(have.type, want.type)) nestedMismatch.push(want.path);
  }
  const absent = topLevel(contract).some((want) => !sourceOf.has(want.path) && !currentByPath.has(want.path));
  const mappedSources = new Set(renames.map((r) => r.from));
  const unmapped = absent
    ? topLevel(current)
        .map((f) => f.path)
        .filter((p) => !contractPaths.has(p) && !mappedSources.has(p))
    : [];
  const safe =
    missing.length === 0 &&
    unmapped.length === 0 &&
    nestedMismatch.length === 0 &&
    casts.every((c) => c.lossless || (c.from === 'string' && isScalar(c.to)));
  return { renames, casts, missing, unmapped, nestedMismatch, safe };
}

function isScalar(t: LogicalType): boolean {
  return t !== 'struct' && t !== 'list' && t !== 'map' && t !== 'unknown';
}

/** Fields that are not members of a struct (a top-level name may itself contain dots). */
function topLevel(schema: TableSchema): SchemaField[] {
  const structs = schema.fields.filter((f) => f.type === 'struct').map((f) => `${f.path}.`);
  return schema.fields.filter((f) => !structs.some((s) => f.path.startsWith(s)));
}
