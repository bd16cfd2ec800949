// What executing an action produced, and what validating it concluded.

import type { Action } from './action.js';
import type { BadRowMeasurement } from './bad-rows.js';
import type { ColumnProfile } from './profile.js';
import type { ScaleStep } from './resources.js';
import type { TableSchema } from './schema.js';

/** One step of a remediation. Partial failure is normal, so steps report rather than throw. */
export interface RemediationStep {
  name: string;
  status: 'applied' | 'failed' | 'skipped';
  detail?: string;
  /** Wall time of the step, when measured (benchmarks print it). */
  durationMs?: number;
}

/** Row accounting for any action that touches data: rowsIn = rowsDelivered + rowsQuarantined. */
export interface RowAccounting {
  rowsIn: number;
  rowsDelivered: number;
  rowsQuarantined: number;
}

export interface RemediationResult {
  action: Action;
  steps: RemediationStep[];
  /** Set when the action could not complete. */
  error?: { code: string; message: string };
  rows?: RowAccounting;
  /** Whether the job re-ran after the action, and how it ended. */
  rerun?: { runId: string; status: 'succeeded' | 'failed'; errorMessage?: string };
  /** Where the remediation wrote things (quarantine table, restored version, notification target). */
  artifacts?: Record<string, string>;
  /** The output after the action (re-run target), for validation against the contract. */
  output?: { dataset: string; schema?: TableSchema; quality?: DeliveredQuality };
  /** `scale_resources`: the settings before and after the step (and its cost where billed). */
  scale?: ScaleStep;
  /** `defer`: what was awaited, how long, and whether it came before the bound. */
  deferral?: { condition: string; waitedMs: number; polls: number; met: boolean };
}

/**
 * What validation reads of the rows an action delivered: per contract column, the nulls and the
 * share of non-null values valid for the column's contract type. A full `DatasetProfile` satisfies
 * it; an executor may measure just this much.
 */
export interface DeliveredQuality {
  rowCount: number;
  columns: Pick<ColumnProfile, 'path' | 'nullCount' | 'nullRate' | 'validity'>[];
  /** The delivered rows measured against the contract (core/bad-rows.ts): none may be bad. */
  badRows?: BadRowMeasurement;
}

/** One post-action check. */
export interface ValidationCheck {
  name: 'rerun_succeeded' | 'contract_schema' | 'quality_thresholds' | 'row_accounting' | 'action_completed';
  passed: boolean;
  detail: string;
}

export interface ValidationResult {
  /** `resolved` when every check passed; `escalate` otherwise (state preserved for the human). */
  status: 'resolved' | 'escalate' | 'not_applicable';
  checks: ValidationCheck[];
}

/** A result that did nothing, with the reason: an executor's own refusal (defence in depth). */
export function refusedResult(action: Action, reason: string): RemediationResult {
  return {
    action,
    steps: [{ name: action, status: 'skipped', detail: reason }],
    error: { code: 'E_REFUSED', message: reason },
  };
}

/** The result of a passive action (`escalate`, `log_only`): nothing to execute. */
export function passiveResult(action: Action): RemediationResult {
  return { action, steps: [{ name: action, status: 'skipped', detail: 'passive: nothing to execute' }] };
}
