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
