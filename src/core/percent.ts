// Fractions shown to people as percentages: enough digits to be true (a null rate of 0.01% never
// prints as 0.0%), and never a raw float such as 0.3333333333333333.

/** `0.3333` → `33.3%`, `0.0001` → `0.01%`, `0` → `0%`, `1` → `100%`. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return String(fraction);
  const p = fraction * 100;
  if (p === 0) return '0%';
  const magnitude = Math.abs(p);
  // One decimal at and above 1%; below it, two significant digits (0.25%, 0.012%).
  const decimals = magnitude >= 1 ? 1 : Math.min(8, 1 - Math.floor(Math.log10(magnitude)));
  return `${trimZeros(p.toFixed(decimals))}%`;
}

/**
 * Formats `value` and `limit` with the same, smallest number of decimals (at least one) that keeps
 * them apart when they differ, so "0.0% exceeds 0.0%" cannot happen.
 */
export function formatPercentPair(value: number, limit: number): [string, string] {
  let decimals = 1;
  while (
    decimals < 8 &&
    value !== limit &&
    (value * 100).toFixed(decimals) === (limit * 100).toFixed(decimals)
  )
    decimals++;
  return [`${trimZeros((value * 100).toFixed(decimals))}%`, `${trimZeros((limit * 100).toFixed(decimals))}%`];
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
