// The two-proportion z-test behind the null-rate and validity detectors: is a rate in the current
// sample higher than in the baseline by more than sampling noise explains?

/**
 * z statistic for "the current proportion is higher than the baseline one", with the pooled
 * standard error sqrt(p(1-p)(1/n1 + 1/n2)). 0 when either sample is empty or both rates are 0 or 1
 * (no variance: no evidence either way).
 */
export function twoProportionZ(
  baselineHits: number,
  baselineN: number,
  currentHits: number,
  currentN: number,
): number {
  if (baselineN <= 0 || currentN <= 0) return 0;
  const p1 = baselineHits / baselineN;
  const p2 = currentHits / currentN;
  const pooled = (baselineHits + currentHits) / (baselineN + currentN);
  const variance = pooled * (1 - pooled) * (1 / baselineN + 1 / currentN);
  if (variance <= 0) return 0;
  return (p2 - p1) / Math.sqrt(variance);
}

/**
 * A one-sided z of 4 has a false-alarm probability of about 3e-5 per column: with hundreds of
 * columns compared on every run, natural sampling differences practically never raise a finding,
 * while a rise from 0% to 20% on 100 rows (z ≈ 4.7) still does.
 */
export const Z_THRESHOLD = 4;

/** The smallest absolute rise that matters in practice, whatever the sample size (5 points). */
export const MIN_RATE_EFFECT = 0.05;

/**
 * The smallest rise that matters when the baseline had no hits at all (1 point): a column that was
 * never null (or never invalid) and now is, on a large batch, is a real change even at 2-4 points.
 * The z ≥ 4 bar still applies, so small batches do not qualify on a handful of rows.
 */
export const MIN_RATE_EFFECT_FROM_ZERO = 0.01;

/**
 * True when the rise from baseline to current is both statistically clear and large enough.
 * `minEffect` applies when the baseline has hits; from a baseline of exactly 0 the smaller of it
 * and MIN_RATE_EFFECT_FROM_ZERO applies.
 */
export function significantRise(
  baselineHits: number,
  baselineN: number,
  currentHits: number,
  currentN: number,
  minEffect = MIN_RATE_EFFECT,
): { significant: boolean; z: number } {
  const z = twoProportionZ(baselineHits, baselineN, currentHits, currentN);
  const effect = currentN > 0 && baselineN > 0 ? currentHits / currentN - baselineHits / baselineN : 0;
  const needed =
    baselineN > 0 && baselineHits === 0 ? Math.min(minEffect, MIN_RATE_EFFECT_FROM_ZERO) : minEffect;
  return { significant: z >= Z_THRESHOLD && effect >= needed, z };
}
