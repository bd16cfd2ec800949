import { describe, expect, it } from 'vitest';
import {
  diagnosisOf,
  fullCapabilities,
  NO_USAGE,
  permissiveAuthority,
  proposalOf,
  removed,
} from '../../../test/core/decision-fixtures.js';
import type { Action } from '../action.js';
import { canonicalJson, sha256 } from '../audit-chain.js';
import { HARD_LIMITS } from '../authority.js';
import type { Finding } from '../finding.js';
import { RESOURCE_HARD_LIMITS } from '../resources.js';
import { GUARD_HASH, GUARD_RULES, type GuardInput, guard } from './guard.js';

/** A schema failure whose latest catalog publish removed a column: the case rollback is for. */
const BAD_PUBLISH = diagnosisOf('schema', 'low', 'ok', { findings: [removed('amount', 'catalog')] });

/** An input every rule lets through; each test breaks one fact. */
function input(action: Action, patch: Partial<GuardInput> = {}): GuardInput {
  return {
    proposal: proposalOf(action),
    diagnosis: BAD_PUBLISH,
    capabilities: fullCapabilities(),
    authority: permissiveAuthority(),
    usage: NO_USAGE,
    ...patch,
  };
}

function firedIds(i: GuardInput): string[] {
  return guard(i).fired.map((f) => f.id);
}

describe('G6: rollback_schema needs evidence that the latest catalog version is the problem', () => {
  it('vetoes a rollback with a previous version but no catalog-scope finding', () => {
    const v = guard(input('rollback_schema', { diagnosis: diagnosisOf('schema') }));
    expect(v.fired.map((f) => f.id)).toEqual(['G6_ROLLBACK_NEEDS_PREVIOUS_VERSION']);
    expect(v.final).toBe('escalate');
    expect(v.reason).toContain('no incompatible catalog-scope finding');
  });

  it('vetoes a rollback when the only incompatible finding is in the data, not the catalog', () => {
    const diagnosis = diagnosisOf('schema', 'low', 'ok', { findings: [removed('amount', 'data')] });
    expect(firedIds(input('rollback_schema', { diagnosis }))).toEqual(['G6_ROLLBACK_NEEDS_PREVIOUS_VERSION']);
  });

  it('vetoes a rollback when the catalog-scope finding is compatible', () => {
    const added: Finding = {
      kind: 'field_added',
      column: 'note',
      current: 'string',
      nullable: true,
      severity: 'info',
      compatible: true,
      message: 'note was added',
      scope: 'catalog',
    };
    const diagnosis = diagnosisOf('schema', 'low', 'ok', { findings: [added] });
    expect(firedIds(input('rollback_schema', { diagnosis }))).toEqual(['G6_ROLLBACK_NEEDS_PREVIOUS_VERSION']);
  });

  it('allows a rollback with a previous version and an incompatible catalog-scope finding', () => {
    const v = guard(input('rollback_schema', { diagnosis: BAD_PUBLISH }));
    expect(v).toMatchObject({ final: 'rollback_schema', overridden: false, fired: [] });
  });

  it('still vetoes with the finding but no previous version', () => {
    const v = guard(
      input('rollback_schema', { capabilities: fullCapabilities({ hasPreviousSchemaVersion: false }) }),
    );
    expect(v.fired.map((f) => f.id)).toEqual(['G6_ROLLBACK_NEEDS_PREVIOUS_VERSION']);
    expect(v.reason).toContain('no previous catalog schema version');
  });
});

describe('guard rules (each fires, is named in the verdict, and moves only to escalate)', () => {
  it('passes a proposal that breaks no rule untouched', () => {
    for (const action of [
      'retry',
      'coerce_schema',
      'rollback_schema',
      'quarantine',
      'scale_resources',
      'defer',
    ] as const) {
      // Resource actions are for the families they fix; the others use the bad-publish case.
      const diagnosis =
        action === 'scale_resources'
          ? diagnosisOf('resource')
          : action === 'defer'
            ? diagnosisOf('dependency')
            : BAD_PUBLISH;
      const v = guard(input(action, { diagnosis }));
      expect(v).toMatchObject({ proposed: action, final: action, overridden: false, fired: [] });
      expect(v.guardHash).toBe(GUARD_HASH);
    }
  });

  const cases: { id: string; action: Action; patch: Partial<GuardInput> }[] = [
    {
      id: 'G1_CRITICAL_PASSIVE_ESCALATES',
      action: 'log_only',
      patch: { diagnosis: diagnosisOf('schema', 'critical') },
    },
    {
      id: 'G2_CRITICAL_BLOCKS_ACTIVE',
      action: 'coerce_schema',
      patch: { diagnosis: diagnosisOf('schema', 'critical') },
    },
    {
      id: 'G3_PROTECTED_DATASET',
      action: 'retry',
      patch: { diagnosis: diagnosisOf('transient', 'low', 'ok', { protectedDataset: true }) },
    },
    {
      id: 'G4_NOT_ALLOWED_BY_AUTHORITY',
      action: 'quarantine',
      patch: { authority: permissiveAuthority({ allowedActions: ['retry'] }) },
    },
    {
      id: 'G5_NOT_SUPPORTED_HERE',
      action: 'scale_resources',
      patch: { capabilities: fullCapabilities({ supported: ['retry'] }) },
    },
    {
      id: 'G6_ROLLBACK_NEEDS_PREVIOUS_VERSION',
      action: 'rollback_schema',
      patch: { capabilities: fullCapabilities({ hasPreviousSchemaVersion: false }) },
    },
    {
      id: 'G7_COERCION_NEEDS_SAFE_CAST',
      action: 'coerce_schema',
      patch: { capabilities: fullCapabilities({ coercionSafe: false }) },
    },
    {
      id: 'G8_QUARANTINE_NEEDS_STORE',
      action: 'quarantine',
      patch: {
        diagnosis: diagnosisOf('data_quality', 'low', 'degraded'),
        capabilities: fullCapabilities({ hasQuarantineStore: false }),
      },
    },
    {
      id: 'G9_QUARANTINE_BLAST_RADIUS',
      action: 'quarantine',
      patch: {
        diagnosis: diagnosisOf('data_quality', 'low', 'degraded'),
        capabilities: fullCapabilities({ badRowFraction: 0.4 }),
      },
    },
    { id: 'G10_NO_RETRY_FOR_FAMILY', action: 'retry', patch: { diagnosis: diagnosisOf('config') } },
    {
      id: 'G11_NO_BLIND_ACTION_FOR_FAMILY',
      action: 'quarantine',
      patch: { diagnosis: diagnosisOf('unknown') },
    },
    {
      id: 'G12_RETRY_BUDGET_PER_RUN',
      action: 'retry',
      patch: { diagnosis: diagnosisOf('transient'), usage: { ...NO_USAGE, retriesThisRun: 3 } },
    },
    {
      id: 'G13_RETRY_BUDGET_PER_HOUR',
      action: 'retry',
      patch: { diagnosis: diagnosisOf('transient'), usage: { ...NO_USAGE, retriesThisJobLastHour: 10 } },
    },
    {
      id: 'G14_CIRCUIT_BREAKER',
      action: 'rollback_schema',
      patch: { usage: { ...NO_USAGE, consecutiveFailedRemediations: 3 } },
    },
    {
      id: 'G15_COERCE_BLAST_RADIUS',
      action: 'coerce_schema',
      patch: { capabilities: fullCapabilities({ coercionBadRowFraction: 0.25 }) },
    },
    {
      id: 'G16_SCALE_ONLY_FOR_RESOURCE',
      action: 'scale_resources',
      patch: { diagnosis: diagnosisOf('schema') },
    },
    {
      id: 'G17_SCALE_WITHIN_CAPS',
      action: 'scale_resources',
      patch: {
        diagnosis: diagnosisOf('resource'),
        capabilities: fullCapabilities({
          scaleStep: { before: { memoryMb: 4096 }, after: { memoryMb: 8192 } },
        }),
      },
    },
    {
      id: 'G18_SCALE_STEPS_PER_RUN',
      action: 'scale_resources',
      patch: { diagnosis: diagnosisOf('resource'), usage: { ...NO_USAGE, scaleStepsThisRun: 2 } },
    },
    {
      id: 'G19_SCALE_COST_BUDGET',
      action: 'scale_resources',
      patch: {
        diagnosis: diagnosisOf('resource'),
        authority: permissiveAuthority({
          resources: { maxWorkers: 20, maxStepsPerRun: 2, maxDpuHoursPerRun: 5 },
        }),
        capabilities: fullCapabilities({
          scaleStep: {
            before: { workers: 5, workerType: 'G.1X' },
            after: { workers: 10, workerType: 'G.1X' },
            costDpuHours: 10,
          },
        }),
      },
    },
    {
      id: 'G20_DEFER_NEEDS_WAITABLE_CONDITION',
      action: 'defer',
      patch: { diagnosis: diagnosisOf('schema') },
    },
    {
      id: 'G21_DEFER_BOUND',
      action: 'defer',
      patch: { diagnosis: diagnosisOf('dependency'), usage: { ...NO_USAGE, deferralsThisRun: 3 } },
    },
  ];

  it('has a test case for every rule in the table', () => {
    expect(cases.map((c) => c.id).sort()).toEqual(GUARD_RULES.map((r) => r.id).sort());
  });

  for (const c of cases) {
    it(`${c.id} fires and escalates`, () => {
      const v = guard(input(c.action, c.patch));
      expect(v.fired.map((f) => f.id)).toContain(c.id);
      expect(v.final).toBe('escalate');
      expect(v.overridden).toBe(true);
      expect(v.reason).toContain(c.id);
      const rule = GUARD_RULES.find((r) => r.id === c.id)!;
      expect(v.fired.find((f) => f.id === c.id)?.effect).toBe(rule.effect);
    });
  }

  it('lists every rule that fired, not just the first', () => {
    const ids = firedIds(
      input('retry', {
        diagnosis: diagnosisOf('permission', 'critical', 'ok', { protectedDataset: true }),
        authority: permissiveAuthority({ allowedActions: ['quarantine'] }),
        usage: { retriesThisRun: 9, retriesThisJobLastHour: 99, consecutiveFailedRemediations: 9 },
      }),
    );
    expect(ids).toEqual([
      'G2_CRITICAL_BLOCKS_ACTIVE',
      'G3_PROTECTED_DATASET',
      'G4_NOT_ALLOWED_BY_AUTHORITY',
      'G10_NO_RETRY_FOR_FAMILY',
      'G11_NO_BLIND_ACTION_FOR_FAMILY',
      'G12_RETRY_BUDGET_PER_RUN',
      'G13_RETRY_BUDGET_PER_HOUR',
      'G14_CIRCUIT_BREAKER',
    ]);
  });

  it('G3 also fires for a dataset protected only by the authority', () => {
    const ids = firedIds(
      input('coerce_schema', { authority: permissiveAuthority({ protectedDatasets: ['orders'] }) }),
    );
    expect(ids).toEqual(['G3_PROTECTED_DATASET']);
  });

  it('G9 fires when the bad-row fraction is unknown, and at exactly the limit', () => {
    const dq = diagnosisOf('data_quality', 'low', 'degraded');
    expect(
      firedIds(
        input('quarantine', { diagnosis: dq, capabilities: fullCapabilities({ badRowFraction: undefined }) }),
      ),
    ).toEqual(['G9_QUARANTINE_BLAST_RADIUS']);
    expect(
      firedIds(
        input('quarantine', { diagnosis: dq, capabilities: fullCapabilities({ badRowFraction: 0.1 }) }),
      ),
    ).toEqual(['G9_QUARANTINE_BLAST_RADIUS']);
    expect(
      firedIds(
        input('quarantine', { diagnosis: dq, capabilities: fullCapabilities({ badRowFraction: 0.0999 }) }),
      ),
    ).toEqual([]);
  });

  it('G15 lets an unknown coercion fraction through and stops one at exactly the limit', () => {
    const at = (f: number | undefined) =>
      firedIds(input('coerce_schema', { capabilities: fullCapabilities({ coercionBadRowFraction: f }) }));
    expect(at(undefined)).toEqual([]);
    expect(at(0.0999)).toEqual([]);
    expect(at(0.1)).toEqual(['G15_COERCE_BLAST_RADIUS']);
    expect(at(Number.NaN)).toEqual(['G15_COERCE_BLAST_RADIUS']);
  });

  it('budgets above HARD_LIMITS are clamped: 5 retries per run is the ceiling whatever the config says', () => {
    const authority = permissiveAuthority({
      budgets: {
        maxRetriesPerRun: 1000,
        maxRetriesPerJobPerHour: 1000,
        circuitBreakerFailures: 1000,
        quarantineMaxFraction: 1,
      },
    });
    const transient = diagnosisOf('transient');
    expect(
      guard(input('retry', { diagnosis: transient, authority, usage: { ...NO_USAGE, retriesThisRun: 4 } }))
        .final,
    ).toBe('retry');
    expect(
      guard(
        input('retry', {
          diagnosis: transient,
          authority,
          usage: { ...NO_USAGE, retriesThisRun: HARD_LIMITS.maxRetriesPerRun },
        }),
      ).final,
    ).toBe('escalate');
    const dq = diagnosisOf('data_quality', 'low', 'degraded');
    expect(
      guard(
        input('quarantine', {
          diagnosis: dq,
          authority,
          capabilities: fullCapabilities({ badRowFraction: 0.3 }),
        }),
      ).final,
    ).toBe('escalate');
  });

  it('escalate and log_only are always allowed and supported', () => {
    const narrow = {
      authority: permissiveAuthority({ allowedActions: [] }),
      capabilities: fullCapabilities({ supported: [] }),
    };
    expect(guard(input('escalate', narrow)).final).toBe('escalate');
    expect(guard(input('log_only', narrow)).final).toBe('log_only');
    expect(guard(input('defer', narrow)).final).toBe('escalate');
  });

  it('GUARD_HASH is the hash of the rule table and the hard limits', () => {
    const expected = sha256(
      canonicalJson({
        version: 1,
        rules: GUARD_RULES.map((r) => ({ id: r.id, description: r.description, effect: r.effect, to: r.to })),
        hardLimits: HARD_LIMITS,
        resourceHardLimits: RESOURCE_HARD_LIMITS,
      }),
    );
    expect(GUARD_HASH).toBe(expected);
    expect(new Set(GUARD_RULES.map((r) => r.id)).size).toBe(GUARD_RULES.length);
  });
});
