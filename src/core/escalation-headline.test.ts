import { describe, expect, it } from 'vitest';
import {
  diagnosisOf,
  fullCapabilities,
  NO_USAGE,
  permissiveAuthority,
  proposalOf,
  removed,
} from '../../test/core/decision-fixtures.js';
import type { Action } from './action.js';
import { decide } from './decide.js';
import type { Diagnosis } from './decision.js';
import { type EscalationFacts, escalationHeadline } from './escalation-headline.js';
import type { FailureEvent } from './event.js';
import type { Finding } from './finding.js';
import type { Policy } from './policy/policy.js';

const always = (action: Action): Policy => ({
  kind: 'rules',
  version: `always-${action}@1`,
  hash: 'h',
  propose: () => proposalOf(action),
});

const event = (errorMessage: string): FailureEvent => ({
  id: 'e1',
  source: 'local',
  pipeline: 'orders_daily',
  job: 'orders_daily',
  runId: 'run-1',
  state: 'FAILED',
  occurredAt: '2026-12-01T00:00:00.000Z',
  errorMessage,
  attempt: 1,
  datasets: ['orders'],
});

function facts(
  diagnosis: Diagnosis,
  options: { propose?: Action; error?: string; logs?: string; authority?: Record<string, unknown> } = {},
): EscalationFacts {
  const decision = decide({
    diagnosis,
    policy: always(options.propose ?? 'escalate'),
    capabilities: fullCapabilities({ badRowFraction: 1 / 3 }),
    authority: permissiveAuthority(options.authority),
    usage: NO_USAGE,
  });
  return {
    reason: decision.verdict.reason,
    decision,
    evidence: { event: event(options.error ?? 'boom'), logs: options.logs ?? '', datasets: [] },
  };
}

const added = (column: string): Finding => ({
  kind: 'field_added',
  column,
  current: 'string',
  nullable: true,
  severity: 'warning',
  compatible: false,
  message: `${column} was added`,
});

describe('escalationHeadline', () => {
  it('names a permission failure, the object, the status and the grant to give', () => {
    const error =
      'AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied) reading s3://raw-bucket/vendors/vendors.csv';
    const h = escalationHeadline(facts(diagnosisOf('permission', 'high'), { error }));
    expect(h).toBe(
      "permission: the job's role cannot read s3://raw-bucket/vendors/vendors.csv (403 AccessDenied): grant s3:GetObject on it to the job's role, then re-run",
    );
  });

  it('says what changed on a protected dataset and to review and adopt the new schema', () => {
    const d = diagnosisOf('schema', 'critical', 'ok', {
      protectedDataset: true,
      findings: [added('airport_name')],
    });
    expect(escalationHeadline(facts(d))).toBe(
      'protected dataset orders: a column airport_name was added: review the upstream change and adopt the new schema (healer catalog adopt --dataset orders)',
    );
  });

  it('does not propose adopting what no catalog mapping can adopt (a removed column)', () => {
    const d = diagnosisOf('schema', 'critical', 'ok', {
      protectedDataset: true,
      findings: [added('airport_name'), removed('name')],
    });
    expect(escalationHeadline(facts(d))).toBe(
      "protected dataset orders: a column airport_name was added and column name was removed: review the upstream change; to accept it, change the pipeline's contract and transform (no catalog mapping can)",
    );
  });

  it('names the vetoing rule, why in plain words, and what would unblock it', () => {
    const d = diagnosisOf('schema', 'medium', 'ok', { findings: [removed('currency', 'catalog')] });
    const h = escalationHeadline(
      facts(d, { propose: 'rollback_schema', authority: { allowedActions: ['retry', 'quarantine'] } }),
    );
    expect(h).toMatch(
      /^rollback_schema vetoed by G4: not in the pipeline's allowed actions; schema: column currency was removed: /,
    );
    expect(h).toMatch(/allow rollback_schema in the pipeline's authority, or act by hand$/);
  });

  it('states a blast-radius veto as percentages, never raw fractions', () => {
    const d = diagnosisOf('data_quality', 'low', 'degraded');
    const h = escalationHeadline(facts(d, { propose: 'quarantine' }));
    expect(h).toContain(
      'quarantine vetoed by G9: 33.3% of the rows break the contract, not under the 10% quarantine limit',
    );
    expect(h).not.toMatch(/0\.333/);
  });

  it('uses the right article for an unknown failure and quotes the error', () => {
    const h = escalationHeadline(
      facts(diagnosisOf('unknown', 'high'), { error: 'Exception: frobnicator exploded\n at x' }),
    );
    expect(h).toBe(
      'an unknown failure: no known signature matches "Exception: frobnicator exploded": read the log below, fix by hand, then re-run',
    );
  });

  it('never says "escalate passed every guard rule"', () => {
    for (const family of [
      'transient',
      'resource',
      'schema',
      'data_quality',
      'permission',
      'config',
      'dependency',
      'unknown',
    ] as const) {
      const f = facts(diagnosisOf(family, 'high'));
      expect(f.reason).toMatch(/passed/); // what the guard says, which is no help to a person
      const h = escalationHeadline(f);
      expect(h).not.toMatch(/passed every guard rule/);
      expect(h).toMatch(/: /);
    }
  });

  it('proposes a schema migration for a drift healed again and again', () => {
    const rename: Finding = {
      kind: 'field_renamed',
      column: 'delayMinutes',
      from: 'delay_minutes',
      to: 'delayMinutes',
      type: 'int64',
      severity: 'warning',
      compatible: false,
      message: 'renamed',
    };
    const f = facts(diagnosisOf('schema', 'low', 'ok', { findings: [rename] }), { propose: 'coerce_schema' });
    const h = escalationHeadline({
      ...f,
      kind: 'migration',
      migration: { dataset: 'flights', healedTimes: 3, pipeline: 'pipeline.yaml' },
    });
    expect(h).toBe(
      'schema migration proposed for flights: column delay_minutes was renamed to delayMinutes, healed 3 times already; if the upstream change is for good, adopt it as a new catalog version (healer catalog adopt --dataset flights --pipeline pipeline.yaml)',
    );
  });

  it('an approval and a held lock say what waits and on what', () => {
    const f = facts(diagnosisOf('transient'), {
      propose: 'retry',
      error: 'SlowDown: Please reduce your request rate.',
    });
    expect(escalationHeadline({ ...f, kind: 'approval' })).toBe(
      'approval needed to retry: transient: SlowDown: Please reduce your request rate.; approve it to run, or act by hand',
    );
    expect(escalationHeadline({ ...f, kind: 'locked' })).toBe(
      'another remediation holds the lock of job orders_daily: wait for it to finish, then re-run run-1',
    );
  });

  it('explains a failed validation by its first failed check', () => {
    const f = facts(diagnosisOf('transient'), { propose: 'retry' });
    const h = escalationHeadline({
      ...f,
      kind: 'validation',
      validation: {
        status: 'escalate',
        checks: [
          { name: 'action_completed', passed: true, detail: 'ok' },
          { name: 'row_accounting', passed: false, detail: 'in 10, delivered 8 + quarantined 1 = 9' },
        ],
      },
    });
    expect(h).toMatch(
      /^retry ran but did not validate \(row accounting: in 10, delivered 8 \+ quarantined 1 = 9\)/,
    );
  });
});
