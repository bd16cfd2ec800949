// Distribution drift: compares the quantiles of numeric columns (a KS distance bounded from the
// profiles) and the frequent values of text columns, and reports shifts and range or scale changes
// with sample-size-aware bars, so that two samples of the same data never raise anything.

import type { DistributionShift, Finding, RangeShift, Severity } from '../finding.js';
import { type ColumnProfile, type DatasetProfile, QUANTILE_PROBS, TOP_VALUES } from '../profile.js';
import { significantRise } from './proportion-test.js';

/** Fewer non-null values than this on either side and distributions are not compared (each test
 * also carries its own sample-size-aware bar: on 10 values only gross changes clear it). */
export const MIN_VALUES = 10;
/**
 * KS coefficient c(α) = sqrt(−ln(α/2)/2) for α = 1e-6 per column: the two-sample bar is
 * c·sqrt((n+m)/(n·m)). Conservative on purpose (hundreds of columns are compared on every run),
 * and the distance it is applied to is itself a lower bound.
 */
export const KS_COEFFICIENT = Math.sqrt(-Math.log(1e-6 / 2) / 2);
/** The smallest KS distance that matters whatever the sample size (1M rows make anything significant). */
export const MIN_KS_EFFECT = 0.1;
/** A KS distance from which a shift is gross (`error`): half the mass moved. */
export const GROSS_KS = 0.5;
/** The smallest share of current values outside the baseline range that counts as a range shift. */
export const MIN_OUTSIDE = 0.05;
/** A spread ratio (either way) from which the scale changed: p95 − p5 grew or shrank this much. */
export const SCALE_FACTOR = 4;
/** A ratio of spreads or of medians (either way) from which a range shift is gross (`error`). */
export const GROSS_SCALE = 10;
/** Integer columns with at least this share of distinct values are identifiers or sequences. */
export const SEQUENCE_DISTINCT = 0.9;
/** The smallest change of one frequent value's share that counts (10 points). */
export const MIN_CATEGORY_EFFECT = 0.1;
/** A change of one value's share from which a category shift is gross (`error`). */
export const GROSS_CATEGORY = 0.5;

/**
 * Distribution and range findings for every column both profiles measured. Numeric columns: a
 * `range_shift` when a significant share of values lies outside the baseline [min, max] or the
 * spread changed scale, else a `distribution_shift` when the KS distance clears its bar. Text
 * columns: a `distribution_shift` for the frequent value whose share moved most, when significant.
 * Warnings unless gross (see the GROSS_* constants); `compatible` always (readers keep working).
 * Identifiers (declared key columns, integer columns with nearly all values distinct) only count
 * when their scale changes: they take new values on every load.
 */
export function detectDistributionShift(
  baseline: DatasetProfile,
  current: DatasetProfile,
  options: { keys?: readonly string[] } = {},
): Finding[] {
  const keys = new Set(options.keys ?? []);
  const baseCols = new Map(baseline.columns.map((c) => [c.path, c]));
  const findings: Finding[] = [];
  for (const c of current.columns) {
    const b = baseCols.get(c.path);
    if (!b) continue;
    const nb = baseline.rowCount - b.nullCount;
    const nc = current.rowCount - c.nullCount;
    if (nb < MIN_VALUES || nc < MIN_VALUES) continue;
    const f = numericShift(b, c, nb, nc, keys.has(c.path)) ?? categoricalShift(b, c, nb, nc);
    if (f) findings.push(f);
  }
  return findings;
}

/** A distribution as known from a profile: quantile points with min and max. */
interface Ecdf {
  probs: readonly number[];
  values: readonly number[];
  min: number;
  max: number;
}

function ecdf(c: ColumnProfile): Ecdf | undefined {
  const q = c.quantiles;
  const min = Number(c.min);
  const max = Number(c.max);
  if (!q || q.length !== QUANTILE_PROBS.length || !Number.isFinite(min) || !Number.isFinite(max))
    return undefined;
  if (q.some((v) => !Number.isFinite(v))) return undefined;
  return { probs: QUANTILE_PROBS, values: q, min, max };
}

/**
 * Bounds of F(v) from quantile points: q(p) ≤ v gives F(v) ≥ p, q(p) > v gives F(v) < p. With ties
 * and coarse points the bracket is wide, never wrong (up to the quantiles' own approximation).
 */
function bracket(d: Ecdf, v: number): [number, number] {
  if (v < d.min) return [0, 0];
  if (v >= d.max) return [1, 1];
  let lo = 0;
  let hi = 1;
  d.probs.forEach((p, i) => {
    const q = d.values[i]!;
    if (q <= v) lo = Math.max(lo, p);
    else hi = Math.min(hi, p);
  });
  return [lo, Math.max(lo, hi)];
}

/** A lower bound of the two-sample KS distance sup |F_b − F_c| from two quantile profiles. */
export function ksLowerBound(b: Ecdf, c: Ecdf): number {
  const points = [b.min, b.max, c.min, c.max, ...b.values, ...c.values];
  let d = 0;
  for (const v of points) {
    const [bl, bh] = bracket(b, v);
    const [cl, ch] = bracket(c, v);
    d = Math.max(d, bl - ch, cl - bh);
  }
  return d;
}

/** The KS bar for samples of n and m values (at least MIN_KS_EFFECT). */
export function ksThreshold(n: number, m: number): number {
  return Math.max(MIN_KS_EFFECT, KS_COEFFICIENT * Math.sqrt((n + m) / (n * m)));
}

function at(d: Ecdf, p: number): number {
  return d.values[QUANTILE_PROBS.indexOf(p)]!;
}

function spread(d: Ecdf): number {
  return at(d, 0.95) - at(d, 0.05);
}

const INTEGER: ReadonlySet<string> = new Set(['int32', 'int64']);

/** An integer column whose values are (nearly) all distinct: an identifier or a sequence. */
function isSequence(c: ColumnProfile, values: number): boolean {
  return INTEGER.has(c.type) && c.distinct >= SEQUENCE_DISTINCT * values;
}

function numericShift(
  b: ColumnProfile,
  c: ColumnProfile,
  nb: number,
  nc: number,
  key: boolean,
): DistributionShift | RangeShift | undefined {
  const eb = ecdf(b);
  const ec = ecdf(c);
  if (!eb || !ec) return undefined;
  const ks = ksLowerBound(eb, ec);
  const threshold = ksThreshold(nb, nc);
  // Identifiers and sequences (order ids, epoch seconds) move to new values on every load: only a
  // change of their scale means something.
  const sequence = key || (isSequence(b, nb) && isSequence(c, nc));
  // At least this share of current values lies above the baseline max or below its min.
  const above = 1 - bracket(ec, eb.max)[1];
  const below = Math.max(0, ...QUANTILE_PROBS.filter((_, i) => ec.values[i]! < eb.min));
  const outside = above + below;
  const outsideSignificant =
    !sequence && significantRise(0, nb, Math.round(outside * nc), nc, MIN_OUTSIDE).significant;
  const sb = spread(eb);
  const sc = spread(ec);
  const scale = sb > 0 && sc > 0 ? sc / sb : 1;
  const mb = at(eb, 0.5);
  const mc = at(ec, 0.5);
  const level = mb !== 0 && mc !== 0 ? Math.abs(mc / mb) : 1;
  const rescaled = (scale >= SCALE_FACTOR || scale <= 1 / SCALE_FACTOR) && ks >= threshold;
  if (outsideSignificant || rescaled) {
    // An order of magnitude (spread or median ×10 or more, either way) is a unit change; values
    // that moved beyond the range at the same scale (a new month, a later year) are a warning.
    const gross =
      ks >= threshold &&
      (scale >= GROSS_SCALE || scale <= 1 / GROSS_SCALE || level >= GROSS_SCALE || level <= 1 / GROSS_SCALE);
    const severity: Severity = gross ? 'error' : 'warning';
    const where = outsideSignificant
      ? `${pct(outside)} of values lie outside the baseline range [${num(eb.min)}, ${num(eb.max)}]`
      : `the spread (p95 − p5) changed ×${num(scale)}`;
    return {
      kind: 'range_shift',
      column: c.path,
      severity,
      compatible: true,
      baseline: [eb.min, eb.max],
      current: [ec.min, ec.max],
      outside: round(outside),
      scale: round(scale),
      message: `${c.path}: ${where} (now [${num(ec.min)}, ${num(ec.max)}]; median ${num(at(eb, 0.5))} → ${num(at(ec, 0.5))}, spread ×${num(scale)})`,
    };
  }
  if (ks < threshold || sequence) return undefined;
  return {
    kind: 'distribution_shift',
    column: c.path,
    measure: 'numeric',
    severity: ks >= GROSS_KS ? 'error' : 'warning',
    compatible: true,
    baseline: at(eb, 0.5),
    current: at(ec, 0.5),
    statistic: round(ks),
    threshold: round(threshold),
    message: `${c.path}: distribution moved (KS ≥ ${ks.toFixed(2)}, bar ${threshold.toFixed(2)}; median ${num(at(eb, 0.5))} → ${num(at(ec, 0.5))}, p5–p95 [${num(at(eb, 0.05))}, ${num(at(eb, 0.95))}] → [${num(at(ec, 0.05))}, ${num(at(ec, 0.95))}])`,
  };
}

/**
 * The frequent value whose share moved most, tested as a two-proportion rise either way. A value
 * missing from a full top list is given the list's smallest count (its largest possible share),
 * so an unlisted value can only make a shift look smaller.
 */
function categoricalShift(
  b: ColumnProfile,
  c: ColumnProfile,
  nb: number,
  nc: number,
): DistributionShift | undefined {
  if (!b.topValues || !c.topValues) return undefined;
  const counts = (list: readonly { value: string; count: number }[]) => {
    const floor = list.length >= TOP_VALUES ? (list.at(-1)?.count ?? 0) : 0;
    const map = new Map(list.map((t) => [t.value, t.count]));
    return (value: string) => map.get(value) ?? floor;
  };
  const bc = counts(b.topValues);
  const cc = counts(c.topValues);
  const values = [...new Set([...b.topValues.map((t) => t.value), ...c.topValues.map((t) => t.value)])];
  let best: { value: string; from: number; to: number; z: number } | undefined;
  for (const value of values) {
    const x = bc(value);
    const y = cc(value);
    const rise = significantRise(x, nb, y, nc, MIN_CATEGORY_EFFECT);
    const fall = significantRise(y, nc, x, nb, MIN_CATEGORY_EFFECT);
    if (!rise.significant && !fall.significant) continue;
    const effect = Math.abs(y / nc - x / nb);
    if (!best || effect > Math.abs(best.to - best.from))
      best = { value, from: x / nb, to: y / nc, z: Math.max(rise.z, fall.z) };
  }
  if (!best) return undefined;
  const effect = Math.abs(best.to - best.from);
  return {
    kind: 'distribution_shift',
    column: c.path,
    measure: 'categorical',
    severity: effect >= GROSS_CATEGORY ? 'error' : 'warning',
    compatible: true,
    baseline: round(best.from),
    current: round(best.to),
    statistic: round(best.to - best.from),
    threshold: MIN_CATEGORY_EFFECT,
    value: best.value,
    message: `${c.path}: value ${JSON.stringify(best.value)} ${best.to > best.from ? 'rose' : 'fell'} from ${pct(best.from)} to ${pct(best.to)} of values (z = ${best.z.toFixed(1)})`,
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
