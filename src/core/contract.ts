// A dataset contract: the expected schema, keys and quality thresholds of one source.

import { z } from 'zod';
import type { TableSchema } from './schema.js';

export interface QualityThresholds {
  /** Max null rate per column (dotted path → fraction). */
  maxNullRate?: Record<string, number>;
  /** Min validity (share of values that parse as the contract type) for every column. */
  minValidity?: number;
  /** Allowed relative change of row count against the baseline (0.5 = ±50%). */
  maxVolumeChange?: number;
  /** Max lag of the newest record, in minutes. */
  maxFreshnessLagMinutes?: number;
}

export interface DatasetContract {
  /** Dataset name, as used in events and authority. */
  dataset: string;
  schema: TableSchema;
  keys: string[];
  quality: QualityThresholds;
  /** No automation may touch this dataset; any finding on it is critical. */
  protected: boolean;
  /** Column holding event time, for freshness. */
  freshnessColumn?: string;
}

/** QualityThresholds as written in config (pipeline files, the AWS pipeline registry). */
export const qualityThresholdsSchema = z
  .object({
    maxNullRate: z.record(z.string().min(1), z.number().min(0).max(1)).optional(),
    minValidity: z.number().min(0).max(1).optional(),
    maxVolumeChange: z.number().min(0).optional(),
    maxFreshnessLagMinutes: z.number().min(0).optional(),
  })
  .strict() satisfies z.ZodType<QualityThresholds>;
