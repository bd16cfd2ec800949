// Statistics for the benchmark: mean and the 95% confidence half-width with Student's t
// (df = n − 1), the t quantile from a table for small df and the Cornish–Fisher expansion beyond.

/** Two-sided 95% critical values t(0.975, df) for df = 1..30. */
const T975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
  2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614,
  2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];

/** z(0.975). */
const Z975 = 1.959964;

/** t quantile at 0.975 for `df` degrees of freedom (exact table to 30, Cornish–Fisher beyond: error < 1e-5). */
export function tQuantile975(df: number): number {
  if (!(df >= 1) || !Number.isInteger(df))
    throw new RangeError(`tQuantile975: df must be a positive integer, got ${df}`);
  if (df <= 30) return T975[df - 1]!;
  const z = Z975;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

export interface MeanCi {
  mean: number;
  /** Half-width of the 95% confidence interval (0 for a single value). */
  ci95: number;
}

/** Mean ± t(0.975, n−1)·s/√n over the values (one per seed). */
export function meanCi(values: readonly number[]): MeanCi {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, ci95: Number.NaN };
  const mean = values.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { mean, ci95: 0 };
  const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, ci95: (tQuantile975(n - 1) * Math.sqrt(variance)) / Math.sqrt(n) };
}
