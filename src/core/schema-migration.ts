// Schema migrations for permanent upstream changes. A drift healed again and again (a column the
// upstream renamed or retyped for good) is not an incident to heal on every run: after the same
// drift was healed N times, the incident proposes a new catalog version, which a person adopts
// (`healer catalog adopt`). The migrated version maps the data's new column onto the name (and
// type) the pipeline expects, so runs succeed without healing.

import { castIsLossless } from './detect/type-compat.js';
import { type Finding, isDriftFinding } from './finding.js';
import type { LogicalType, SchemaField, TableSchema } from './schema.js';

/** A permanent upstream change healed again and again: adopt it as a new catalog version. */
export interface MigrationProposal {
  dataset: string;
  /** How many incidents (this one included) healed the same drift. */
  healedTimes: number;
  /** The pipeline file or name to pass to `healer catalog adopt`. */
  pipeline: string;
}

/**
 * Whether a catalog mapping can adopt this drift: every data-scope drift finding is a rename, an
 * added column, or a retype that casts back (strictly) to the old type.
 */
export function adoptableByMapping(findings: readonly Finding[]): boolean {
  const drift = findings.filter(
    (f) =>
      (f.scope ?? 'data') === 'data' &&
      (f.kind === 'field_added' ||
        f.kind === 'field_removed' ||
        f.kind === 'field_renamed' ||
        f.kind === 'type_changed' ||
        f.kind === 'nullability_changed' ||
        f.kind === 'nested_changed'),
  );
  return (
    drift.length > 0 &&
    drift.every(
      (f) =>
        f.kind === 'field_renamed' ||
        f.kind === 'field_added' ||
        (f.kind === 'type_changed' && castsBack(f.current, f.baseline)),
    )
  );
}

/** A strict CAST back loses nothing: lossless, or text (a value that does not parse fails the run). */
function castsBack(current: LogicalType, baseline: LogicalType): boolean {
  return castIsLossless(current, baseline) || current === 'string';
}

/** Healed this many times (this incident included), the same drift proposes a migration. */
export const MIGRATION_PROPOSAL_AFTER = 3;

/** The same drift, recognisably: dataset plus each data-scope drift finding, sorted. */
export function driftSignature(dataset: string, findings: readonly Finding[]): string | undefined {
  const parts: string[] = [];
  for (const f of findings.filter(isDriftFinding)) {
    if ((f.scope ?? 'data') !== 'data') continue;
    switch (f.kind) {
      case 'field_renamed':
        parts.push(`renamed:${f.from}>${f.to}`);
        break;
      case 'type_changed':
        parts.push(`retyped:${f.column}:${f.baseline}>${f.current}`);
        break;
      case 'field_added':
      case 'field_removed':
      case 'nullability_changed':
      case 'nested_changed':
        parts.push(`${f.kind}:${f.column}`);
        break;
      default:
        f satisfies never;
    }
  }
  return parts.length ? `${dataset}|${[...new Set(parts)].sort().join('|')}` : undefined;
}

/** What an earlier incident of the pipeline tells: did it heal, and which drift. */
export interface HealedDrift {
  pipeline: string;
  resolved: boolean;
  signature?: string;
}

/**
 * The migration to propose for a just-healed drift, when the same drift was healed at least
 * `after` times counting this one; undefined otherwise.
 */
export function proposeMigration(input: {
  pipeline: string;
  /** The pipeline file (or name) `healer catalog adopt --pipeline` takes. */
  pipelineRef: string;
  dataset: string;
  findings: readonly Finding[];
  history: readonly HealedDrift[];
  after?: number;
}): MigrationProposal | undefined {
  const signature = driftSignature(input.dataset, input.findings);
  if (!signature) return undefined;
  const earlier = input.history.filter(
    (h) => h.pipeline === input.pipeline && h.resolved && h.signature === signature,
  ).length;
  const healedTimes = earlier + 1;
  if (healedTimes < (input.after ?? MIGRATION_PROPOSAL_AFTER)) return undefined;
  return { dataset: input.dataset, healedTimes, pipeline: input.pipelineRef };
}

/** The migrated catalog version, and what it changes, in words. */
export interface SchemaMigration {
  schema: TableSchema;
  changes: string[];
}

/**
 * Builds the new catalog version from the current one and the drift found in the data: a renamed
 * column is read from its new name; a retyped column is cast back strictly when the cast loses
 * nothing; an added column joins the version. Anything else (a removed column, a lossy retype, a
 * nested change) cannot be adopted by a mapping and is returned in `refused`.
 */
export function migrateSchema(
  current: TableSchema,
  data: TableSchema,
  findings: readonly Finding[],
): SchemaMigration & { refused: string[] } {
  const fields: SchemaField[] = current.fields.map((f) => ({ ...f }));
  const byPath = new Map(fields.map((f) => [f.path, f]));
  const changes: string[] = [];
  const refused: string[] = [];
  for (const f of findings.filter(isDriftFinding)) {
    if ((f.scope ?? 'data') !== 'data') continue;
    switch (f.kind) {
      case 'field_renamed': {
        const field = byPath.get(f.from);
        if (!field) break;
        field.sourcePath = f.to;
        changes.push(`${f.from} is read from ${f.to}`);
        break;
      }
      case 'type_changed': {
        const field = byPath.get(f.column);
        if (field && castsBack(f.current, f.baseline)) {
          field.castOnRead = true;
          changes.push(`${f.column} (${f.current} in the data) is cast to ${f.baseline}`);
        } else
          refused.push(
            `${f.column} changed type ${f.baseline} → ${f.current}, which does not cast back losslessly`,
          );
        break;
      }
      case 'field_added': {
        const added = data.fields.find((x) => x.path === f.column);
        if (added && !byPath.has(f.column)) {
          fields.push({ ...added });
          changes.push(`${f.column} (${added.type}) is added`);
        }
        break;
      }
      case 'field_removed':
        refused.push(`${f.column} was removed from the data; a mapping cannot bring it back`);
        break;
      case 'nullability_changed':
      case 'nested_changed':
        refused.push(`${f.column}: ${f.message}`);
        break;
      default:
        f satisfies never;
    }
  }
  return { schema: { name: current.name, fields }, changes, refused };
}
