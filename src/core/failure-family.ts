// Failure families the error classifier assigns, and the shape of a classification.

export const FAILURE_FAMILIES = [
  'transient',
  'resource',
  'schema',
  'data_quality',
  'permission',
  'config',
  'dependency',
  'unknown',
] as const;
export type FailureFamily = (typeof FAILURE_FAMILIES)[number];

/** The classifier's answer for one log: the family, the signature that matched, and why. */
export interface Classification {
  family: FailureFamily;
  /** Id of the matched signature, e.g. `spark.analysis.unresolved_column`; `none` when unknown. */
  rule: string;
  /** 0..1; how specific the matched signature is and how deep in the cause chain it matched. */
  confidence: number;
  /** The log line that matched (trimmed); empty when nothing matched. */
  line: string;
  /**
   * What decided: a `signature` (rule = its id), or the learned fallback `model` (rule =
   * `model.<family>`, confidence = its calibrated probability, capped below any signature's).
   * Absent for `unknown` and for classifications made outside the classifier.
   */
  source?: 'signature' | 'model';
}
