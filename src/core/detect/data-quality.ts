// Data-quality drift: compares two dataset profiles and reports null-rate spikes, validity drops,
// duplicate declared keys, volume changes, freshness lag and distribution shifts, with tests that account for sample
// size so that the natural difference between two samples of the same data raises nothing.

import type { QualityThresholds } from '../contract.js';
import type {
  DuplicateKeys,
  Finding,
  FreshnessLag,
  NullRateSpike,
  Severity,
  ValidityDrop,
  VolumeChange,
} from '../finding.js';
import { FINDING_KINDS } from '../finding.js';
import { formatPercent, formatPercentPair } from '../percent.js';
import type { ColumnProfile, DatasetProfile } from '../profile.js';
import { plural } from '../words.js';
import { detectDistributionShift } from './distribution-shift.js';
import { significantRise, Z_THRESHOLD } from './proportion-test.js';

export interface QualityDriftOptions {
  /** Declared key columns (one composite key); duplicates are looked up in `duplicateKeys`. */
  keys?: string[];
  /** Contract thresholds; a breach is reported whatever the statistics say. */
  thresholds?: QualityThresholds;
  /** The time freshness is measured against (the event time); without it no freshness finding. */
  now?: Date;
}

/** Default allowed relative change of the row count (±50%). */
export const DEFAULT_MAX_VOLUME_CHANGE = 0.5;
/**
 * The smallest drop of validity that matters (2 points of the non-null values; 1 point from a
 * baseline validity of exactly 1, see MIN_RATE_EFFECT_FROM_ZERO).
 */
export const MIN_VALIDITY_EFFECT = 0.02;

/**
 * Compares the current profile with the baseline. Columns are matched by path. Severity: `error`
 * for a contract breach or a change that leaves most of a column unusable, `warning` otherwise.
 * Quality findings never break a schema reader, so `compatible` is false only for errors (the data
 * is no longer fit for its consumers), true for warnings and info.
 */
export function detectQualityDrift(
  baseline: DatasetProfile,
  current: DatasetProfile,
  options: QualityDriftOptions = {},
): Finding[] {
  const t = options.thresholds ?? {};
  const findings: Finding[] = [];
  const baseCols = new Map(baseline.columns.map((c) => [c.path, c]));
  for (const c of current.columns) {
    const b = baseCols.get(c.path);
    const spike = nullRateSpike(b, c, baseline.rowCount, current.rowCount, t.maxNullRate?.[c.path]);
    if (spike) findings.push(spike);
    const drop = validityDrop(b, c, baseline.rowCount, current.rowCount, t.minValidity);
    if (drop) findings.push(drop);
  }
  const dup = duplicateKeys(baseline, current, options.keys);
  findings.push(...dup);
  const volume = volumeChange(
    baseline.rowCount,
    current.rowCount,
    t.maxVolumeChange ?? DEFAULT_MAX_VOLUME_CHANGE,
  );
  if (volume) findings.push(volume);
  const lag = freshnessLag(baseline, current, t.maxFreshnessLagMinutes, options.now);
  if (lag) findings.push(lag);
  findings.push(...detectDistributionShift(baseline, current, options.keys ? { keys: options.keys } : {}));
  return findings.sort((a, b) =>
    a.column !== b.column
      ? a.column < b.column
        ? -1
        : 1
      : FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind),
  );
}

const pct = formatPercent;

/**
 * A spike is a significant rise (one-sided two-proportion z ≥ 4 and at least 5 points, or 1 point
 * when the baseline had no nulls at all) or a breach of the contract's max null rate for the column.
 */
function nullRateSpike(
  b: ColumnProfile | undefined,
  c: ColumnProfile,
  bRows: number,
  cRows: number,
  max: number | undefined,
): NullRateSpike | undefined {
  const rise = b ? significantRise(b.nullCount, bRows, c.nullCount, cRows) : { significant: false, z: 0 };
  const breach = max !== undefined && cRows > 0 && c.nullRate > max;
  if (!rise.significant && !breach) return undefined;
  const base = b?.nullRate ?? 0;
  const severity: Severity = breach || c.nullRate - base >= 0.5 ? 'error' : 'warning';
  return {
    kind: 'null_rate_spike',
    column: c.path,
    compatible: severity !== 'error',
    severity,
    baseline: base,
    current: c.nullRate,
    statistic: round(rise.z),
    message: breach
      ? nullBreachMessage(c, max!, base)
      : `${c.path} null rate rose from ${pct(base)} to ${pct(c.nullRate)} (z = ${rise.z.toFixed(1)})`,
  };
}

/** A breach of `maxNullRate`: a limit of 0 means any null, and the two rates never print alike. */
function nullBreachMessage(c: ColumnProfile, max: number, base: number): string {
  const nulls = `${c.nullCount} null${c.nullCount === 1 ? '' : 's'}`;
  if (max === 0)
    return `${c.path} has ${nulls} (${pct(c.nullRate)} of rows) where the contract allows none (baseline ${pct(base)})`;
  const [rate, limit] = formatPercentPair(c.nullRate, max);
  return `${c.path} null rate ${rate} (${nulls}) exceeds the contract's ${limit} (baseline ${pct(base)})`;
}

function expectedType(c: ColumnProfile): string {
  return c.validityType ?? c.type;
}

/** Validity is a share of the non-null values; the test compares invalid shares the same way. */
function validityDrop(
  b: ColumnProfile | undefined,
  c: ColumnProfile,
  bRows: number,
  cRows: number,
  min: number | undefined,
): ValidityDrop | undefined {
  const cValues = cRows - c.nullCount;
  if (cValues <= 0) return undefined;
  const cInvalid = Math.round((1 - c.validity) * cValues);
  const breach = min !== undefined && c.validity < min;
  let significant = false;
  if (b && expectedType(b) === expectedType(c)) {
    const bValues = bRows - b.nullCount;
    const bInvalid = Math.round((1 - b.validity) * bValues);
    significant = significantRise(bInvalid, bValues, cInvalid, cValues, MIN_VALIDITY_EFFECT).significant;
  }
  if (!significant && !breach) return undefined;
  const base = b?.validity ?? 1;
  const severity: Severity = breach || c.validity < 0.5 ? 'error' : 'warning';
  return {
    kind: 'validity_drop',
    column: c.path,
    compatible: severity !== 'error',
    severity,
    baseline: base,
    current: c.validity,
    invalidRows: cInvalid,
    message: `${c.path}: ${pct(c.validity)} of values parse as ${expectedType(c)} (baseline ${pct(base)}; ${plural(cInvalid, 'row does', 'rows do')} not)${breach ? `, under the contract's ${formatPercentPair(c.validity, min!)[1]}` : ''}`,
  };
}

/** Declared keys must be unique: any duplicate in the current data is reported. */
function duplicateKeys(
  baseline: DatasetProfile,
  current: DatasetProfile,
  keys: string[] | undefined,
): DuplicateKeys[] {
  const names = keys && keys.length > 0 ? [keys.join(',')] : Object.keys(current.duplicateKeys ?? {}).sort();
  const out: DuplicateKeys[] = [];
  for (const key of names) {
    const now = current.duplicateKeys?.[key];
    if (now === undefined || now <= 0) continue;
    const before = baseline.duplicateKeys?.[key] ?? 0;
    out.push({
      kind: 'duplicate_keys',
      column: key,
      compatible: false,
      severity: 'error',
      baseline: before,
      current: now,
      message: `${now} duplicate rows on declared key (${key}) (baseline ${before})`,
    });
  }
  return out;
}

/**
 * Volume: the ratio must leave ±maxChange and the difference must be beyond Poisson noise
 * (z = (n2 − n1)/√(n1 + n2) ≥ 4), so 4 rows against 10 is not a finding. An empty current dataset
 * after a non-empty baseline is an error.
 */
function volumeChange(before: number, now: number, maxChange: number): VolumeChange | undefined {
  if (before <= 0) return undefined;
  const ratio = now / before;
  if (Math.abs(ratio - 1) <= maxChange) return undefined;
  const z = Math.abs(now - before) / Math.sqrt(now + before);
  if (z < Z_THRESHOLD) return undefined;
  const severity: Severity = now === 0 ? 'error' : 'warning';
  return {
    kind: 'volume_change',
    column: '*',
    compatible: severity !== 'error',
    severity,
    baseline: before,
    current: now,
    message: `row count changed from ${before} to ${now} (${ratio >= 1 ? '+' : ''}${pct(ratio - 1)}, allowed ±${pct(maxChange)})`,
  };
}

function freshnessLag(
  baseline: DatasetProfile,
  current: DatasetProfile,
  maxLag: number | undefined,
  now: Date | undefined,
): FreshnessLag | undefined {
  if (maxLag === undefined || now === undefined || current.newestAt === undefined) return undefined;
  const newest = Date.parse(current.newestAt);
  if (Number.isNaN(newest)) return undefined;
  const lagMinutes = Math.round((now.getTime() - newest) / 60_000);
  if (lagMinutes <= maxLag) return undefined;
  const severity: Severity = lagMinutes > 4 * maxLag ? 'error' : 'warning';
  return {
    kind: 'freshness_lag',
    column: '*',
    compatible: severity !== 'error',
    severity,
    baseline: baseline.newestAt ?? '',
    current: current.newestAt,
    lagMinutes,
    message: `newest record is ${lagMinutes} min old (allowed ${maxLag} min)`,
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
