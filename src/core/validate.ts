// validate(): the checks after an action ran. Resolved only when every applicable check passes;
// otherwise the incident escalates with its state preserved.

import { type Action, isActiveAction } from './action.js';
import type { DatasetContract } from './contract.js';
import { isWidening } from './detect/type-compat.js';
import type { RemediationResult, ValidationCheck, ValidationResult } from './outcome.js';

export interface ValidateInput {
  action: Action;
  result: RemediationResult;
  contract?: DatasetContract;
}

/**
 * Checks, each only when its evidence is present: `action_completed` (always), `rerun_succeeded`
 * (result.rerun), `row_accounting` (result.rows: in = delivered + quarantined), `contract_schema`
 * (output schema and contract: every contract column present with the same type or a widening of
 * it), `quality_thresholds` (the delivered rows' quality and the contract's maxNullRate / minValidity). Passive actions
 * (`escalate`, `log_only`, `defer`) change nothing, so there is nothing to validate.
 */
export function validate(input: ValidateInput): ValidationResult {
  if (!isActiveAction(input.action)) return { status: 'not_applicable', checks: [] };
  const { result, contract } = input;
  const checks: ValidationCheck[] = [];

  const failedSteps = result.steps.filter((s) => s.status === 'failed');
  checks.push({
    name: 'action_completed',
    passed: !result.error && failedSteps.length === 0,
    detail: result.error
      ? `${result.error.code}: ${result.error.message}`
      : failedSteps.length
        ? `failed step(s): ${failedSteps.map((s) => s.name + (s.detail ? ` (${s.detail})` : '')).join(', ')}`
        : `${result.steps.length} step(s) applied or skipped`,
  });

  if (result.rerun)
    checks.push({
      name: 'rerun_succeeded',
      passed: result.rerun.status === 'succeeded',
      detail:
        result.rerun.status === 'succeeded'
          ? `run ${result.rerun.runId} succeeded`
          : `run ${result.rerun.runId} failed${result.rerun.errorMessage ? `: ${result.rerun.errorMessage}` : ''}`,
    });

  if (result.rows) {
    const { rowsIn, rowsDelivered, rowsQuarantined } = result.rows;
    const accounted = rowsDelivered + rowsQuarantined;
    checks.push({
      name: 'row_accounting',
      passed: accounted === rowsIn && rowsDelivered >= 0 && rowsQuarantined >= 0,
      detail: `in ${rowsIn}, delivered ${rowsDelivered} + quarantined ${rowsQuarantined} = ${accounted}${
        accounted === rowsIn ? '' : ` (${rowsIn - accounted} row(s) unaccounted for)`
      }`,
    });
  }

  const output = result.output;
  if (contract && output?.schema) {
    const problems: string[] = [];
    for (const want of contract.schema.fields) {
      const got = output.schema.fields.find((f) => f.path === want.path);
      if (!got) problems.push(`${want.path} missing`);
      else if (got.type !== want.type && !isWidening(want.type, got.type))
        problems.push(`${want.path} is ${got.type}, contract ${want.type}`);
    }
    checks.push({
      name: 'contract_schema',
      passed: problems.length === 0,
      detail: problems.length
        ? problems.join('; ')
        : `all ${contract.schema.fields.length} contract columns present`,
    });
  }

  const maxNull = contract?.quality.maxNullRate;
  const minValidity = contract?.quality.minValidity;
  const delivered = output?.quality?.badRows;
  if (contract && output?.quality && (maxNull !== undefined || minValidity !== undefined || delivered)) {
    const problems: string[] = [];
    // The same definition that bounded the action (G9, G15) holds the delivered rows to the contract.
    if (delivered && (delivered.badRows > 0 || delivered.missingRequired.length > 0)) {
      const reasons = Object.entries(delivered.byReason)
        .filter(([, n]) => n > 0)
        .map(([reason, n]) => `${reason} ${n}`);
      if (delivered.missingRequired.length) reasons.push(`missing ${delivered.missingRequired.join(', ')}`);
      problems.push(
        `${delivered.badRows} of ${delivered.rowsMeasured} delivered rows break the contract (${reasons.join(', ')})`,
      );
    }
    const columns = output.quality.columns;
    for (const [path, max] of Object.entries(maxNull ?? {})) {
      const col = columns.find((c) => c.path === path);
      if (!col) problems.push(`${path} missing from the delivered rows`);
      else if (col.nullRate > max) problems.push(`${path} null rate ${round(col.nullRate)} > ${max}`);
    }
    if (minValidity !== undefined)
      for (const col of columns)
        if (col.validity < minValidity)
          problems.push(`${col.path} validity ${round(col.validity)} < ${minValidity}`);
    checks.push({
      name: 'quality_thresholds',
      passed: problems.length === 0,
      detail: problems.length ? problems.join('; ') : 'output within the contract thresholds',
    });
  }

  return { status: checks.every((c) => c.passed) ? 'resolved' : 'escalate', checks };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
