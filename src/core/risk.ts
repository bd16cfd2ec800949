// Risk levels and quality conditions: the two ordinal facts the state is built from.

export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
/** `critical`: acting automatically could corrupt or lose data, or the dataset is protected. */
export type Risk = (typeof RISKS)[number];

export const QUALITY_CONDITIONS = ['ok', 'degraded', 'severe'] as const;
export type QualityCondition = (typeof QUALITY_CONDITIONS)[number];

/** A risk level with the reasons that raised it, so the explanation can show them. */
export interface RiskAssessment {
  level: Risk;
  reasons: string[];
}
