// The shape of one error signature: a pattern drawn from real posted messages, the failure family
// it proves, and how specific it is. One file per family holds that family's signatures.

import type { FailureFamily } from '../../failure-family.js';

/** A family a signature can prove; `unknown` is what the classifier says when none matched. */
export type SignatureFamily = Exclude<FailureFamily, 'unknown'>;

/** One recognisable error message. */
export interface Signature {
  /** Stable id, `<system>.<what>` (e.g. `aws.throttling`); tools and the audit record it. */
  readonly id: string;
  readonly family: SignatureFamily;
  /** Matched against one log line at a time. Keep it linear: no nested quantifiers. */
  readonly pattern: RegExp;
  /** 0..1: how surely a match proves the family (an exception class name beats a bare phrase). */
  readonly specificity: number;
  /** A real line this signature must match (tests assert it classifies to this signature). */
  readonly example: string;
}

/**
 * A SQLSTATE code as drivers print it, for codes matching `codes` (a regex fragment such as
 * `28[0-9A-Z]{3}`): `SQLSTATE[42S02]`, `SQLSTATE: 22018`, `SQL state: 42501`, `sqlState='42000'`,
 * node-postgres `code: '42703'`, and the `<vendor code> (<SQLSTATE>)` form of MySQL and Snowflake
 * (`ERROR 1045 (28000)`, `002003 (42S02)`). The class (first two characters) carries the meaning
 * across vendors, so one pattern per class generalises to engines never seen.
 */
export function sqlState(codes: string): string {
  return `(?:\\bSQL ?STATE\\W{0,4}|\\bsqlState\\W{0,4}|\\bcode: '|\\b\\d{4,6} \\()(?:${codes})\\b`;
}
