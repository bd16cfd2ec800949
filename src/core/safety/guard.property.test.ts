// Property tests: whatever the policy proposes and whatever the facts, the guard's invariants hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, isActiveAction } from '../action.js';
import { type Authority, authoritySchema, HARD_LIMITS, MODES } from '../authority.js';
import { decide } from '../decide.js';
import type { BudgetUsage, Capabilities, Diagnosis } from '../decision.js';
import { FAILURE_FAMILIES } from '../failure-family.js';
import type { Finding } from '../finding.js';
import { parsePolicyArtifact } from '../policy/artifact.js';
import type { Policy } from '../policy/policy.js';
import { QLearningPolicy } from '../policy/q-learning.js';
import {
  capViolation,
  effectiveCaps,
  nextScaleStep,
  RESOURCE_HARD_LIMITS,
  type ResourceSettings,
  type ScaleStep,
} from '../resources.js';
import { QUALITY_CONDITIONS, RISKS } from '../risk.js';
import { allStates } from '../state.js';
import { GUARD_HASH, guard } from './guard.js';

const action = fc.constantFrom(...ACTIONS);
const BAD_PUBLISH: Finding = {
  kind: 'field_removed',
  column: 'amount',
  baseline: 'double',
  severity: 'error',
  compatible: false,
  message: 'amount was removed by the latest catalog version',
  scope: 'catalog',
};
const diagnosis: fc.Arbitrary<Diagnosis> = fc.record({
  classification: fc.record({
    family: fc.constantFrom(...FAILURE_FAMILIES),
    rule: fc.string(),
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    line: fc.string(),
  }),
  // No findings, or a bad catalog publish (so rollback_schema can pass G6 and be checked too).
  findings: fc.constantFrom<Finding[]>([], [BAD_PUBLISH]),
  risk: fc.record({ level: fc.constantFrom(...RISKS), reasons: fc.array(fc.string(), { maxLength: 2 }) }),
  quality: fc.constantFrom(...QUALITY_CONDITIONS),
  protectedDataset: fc.boolean(),
  datasets: fc.array(fc.constantFrom('orders', 'customers', 'payments'), { maxLength: 3 }),
});
const capabilities: fc.Arbitrary<Capabilities> = fc.record({
  supported: fc.uniqueArray(action),
  hasPreviousSchemaVersion: fc.boolean(),
  coercionSafe: fc.boolean(),
  hasQuarantineStore: fc.boolean(),
  badRowFraction: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});
const authority: fc.Arbitrary<Authority> = fc
  .record({
    allowedActions: fc.uniqueArray(action),
    protectedDatasets: fc.uniqueArray(fc.constantFrom('orders', 'customers', 'payments')),
    mode: fc.constantFrom(...MODES),
    budgets: fc.record({
      maxRetriesPerRun: fc.nat(1000),
      maxRetriesPerJobPerHour: fc.nat(10_000),
      circuitBreakerFailures: fc.integer({ min: 1, max: 1000 }),
      quarantineMaxFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  })
  .map((a) => authoritySchema.parse(a));
const usage: fc.Arbitrary<BudgetUsage> = fc.record({
  retriesThisRun: fc.nat(50),
  retriesThisJobLastHour: fc.nat(100),
  consecutiveFailedRemediations: fc.nat(20),
});
const guardInput = fc.record({
  proposal: fc.record({
    action,
    qValues: fc.constant({}),
    propensity: fc.double({ min: 0, max: 1, noNaN: true }),
    policyVersion: fc.constant('prop@1'),
  }),
  diagnosis,
  capabilities,
  authority,
  usage,
});

const activity = (a: Action) => (a === 'escalate' ? 0 : isActiveAction(a) ? 2 : 1);
const RUNS = { numRuns: 2000 };

describe('guard invariants (fast-check)', () => {
  it('no active action passes on critical risk, and critical never ends passive-but-silent', () => {
    fc.assert(
      fc.property(guardInput, (i) => {
        if (i.diagnosis.risk.level !== 'critical') return;
        const v = guard(i);
        expect(isActiveAction(v.final)).toBe(false);
        expect(v.final).toBe('escalate');
      }),
      RUNS,
    );
  });

  it('no action outside authority passes (escalate and log_only always allowed), nor on a protected dataset', () => {
    fc.assert(
      fc.property(guardInput, (i) => {
        const v = guard(i);
        if (v.final !== 'escalate' && v.final !== 'log_only')
          expect(i.authority.allowedActions).toContain(v.final);
        const isProtected =
          i.diagnosis.protectedDataset ||
          (i.diagnosis.datasets ?? []).some((d) => i.authority.protectedDatasets.includes(d));
        if (isProtected) expect(isActiveAction(v.final)).toBe(false);
      }),
      RUNS,
    );
  });

  it('never retries permission, config or unknown; never acts on permission or unknown', () => {
    fc.assert(
      fc.property(guardInput, (i) => {
        const v = guard(i);
        const family = i.diagnosis.classification.family;
        if (family === 'permission' || family === 'config' || family === 'unknown')
          expect(v.final).not.toBe('retry');
        if (family === 'permission' || family === 'unknown') expect(isActiveAction(v.final)).toBe(false);
      }),
      RUNS,
    );
  });

  it('the final action is the proposal or escalate: never more active, never another active action', () => {
    fc.assert(
      fc.property(guardInput, (i) => {
        const v = guard(i);
        expect(v.final === i.proposal.action || v.final === 'escalate').toBe(true);
        expect(activity(v.final)).toBeLessThanOrEqual(activity(i.proposal.action));
        expect(v.overridden).toBe(v.final !== i.proposal.action);
        if (v.overridden) expect(v.fired.length).toBeGreaterThan(0);
        expect(v.guardHash).toBe(GUARD_HASH);
      }),
      RUNS,
    );
  });

  it('budgets beyond HARD_LIMITS never allow more than HARD_LIMITS do', () => {
    fc.assert(
      fc.property(guardInput, fc.nat(5), (i, extra) => {
        const atLimits = { ...i.authority, budgets: { ...HARD_LIMITS } };
        const beyond = {
          ...i.authority,
          budgets: {
            maxRetriesPerRun: HARD_LIMITS.maxRetriesPerRun + extra * 100,
            maxRetriesPerJobPerHour: HARD_LIMITS.maxRetriesPerJobPerHour + extra * 100,
            circuitBreakerFailures: HARD_LIMITS.circuitBreakerFailures + extra * 100,
            quarantineMaxFraction: 1,
          },
        };
        expect(guard({ ...i, authority: beyond }).final).toBe(guard({ ...i, authority: atLimits }).final);
      }),
      RUNS,
    );
  });

  it('no policy artifact changes GUARD_HASH or what the guard allows', () => {
    const table = fc.dictionary(
      fc.constantFrom(...allStates().map((s) => `${s.family}|${s.risk}|${s.quality}`)),
      fc.tuple(...Array.from({ length: 6 }, () => fc.double({ min: -1e6, max: 1e6, noNaN: true }))),
      { maxKeys: 10 },
    );
    fc.assert(
      fc.property(table, guardInput, (rows, i) => {
        const policy = new QLearningPolicy();
        for (const [key, values] of Object.entries(rows)) {
          const [family, risk, quality] = key.split('|') as [never, never, never];
          policy.actions.forEach((a, k) => {
            // One update with α=0.1 from 0 sets Q = 0.1 r: drive every value in the table.
            policy.update({ family, risk, quality }, a, values[k]! * 10);
          });
        }
        const loaded = QLearningPolicy.fromArtifact(
          parsePolicyArtifact(JSON.parse(JSON.stringify(policy.toArtifact()))),
        );
        const decision = decide({ ...i, policy: loaded });
        expect(decision.verdict.guardHash).toBe(GUARD_HASH);
        // The same proposal from any other source gets the same verdict: the guard ignores who proposed.
        const fixed: Policy = { kind: 'rules', version: 'x@1', hash: 'x', propose: () => decision.proposal };
        expect(decide({ ...i, policy: fixed }).verdict).toEqual(decision.verdict);
      }),
      { numRuns: 300 },
    );
  });
});

describe('resource caps under any sequence of proposals (fast-check)', () => {
  const caps = fc.record({
    maxMemoryMb: fc.option(fc.integer({ min: 1, max: 2 * RESOURCE_HARD_LIMITS.maxMemoryMb }), {
      nil: undefined,
    }),
    maxThreads: fc.option(fc.integer({ min: 1, max: 2 * RESOURCE_HARD_LIMITS.maxThreads }), {
      nil: undefined,
    }),
    maxStepsPerRun: fc.nat(2 * RESOURCE_HARD_LIMITS.maxScaleStepsPerRun),
  });
  const bounds = fc.record({
    maxWaitSeconds: fc.integer({ min: 1, max: 2 * RESOURCE_HARD_LIMITS.maxDeferSeconds }),
    maxDeferralsPerRun: fc.nat(2 * RESOURCE_HARD_LIMITS.maxDeferralsPerRun),
  });
  // Each turn: what the policy proposes, the failure's family, and whether the runtime reports the
  // honest next step (nextScaleStep) or an adversarial one (any settings at all).
  const turn = fc.record({
    action: fc.constantFrom<Action>('scale_resources', 'defer', 'retry', 'escalate'),
    family: fc.constantFrom('resource', 'dependency', 'transient', 'schema', 'unknown'),
    step: fc.option(
      fc.record({
        memoryMb: fc.integer({ min: 1, max: 4 * RESOURCE_HARD_LIMITS.maxMemoryMb }),
        threads: fc.integer({ min: 1, max: 1024 }),
      }),
      { nil: undefined },
    ),
  });

  it('never more scale steps or deferrals per run than the caps, never a setting above a cap', () => {
    fc.assert(
      fc.property(
        caps,
        bounds,
        fc.record({ memoryMb: fc.integer({ min: 1, max: 4096 }), threads: fc.integer({ min: 1, max: 8 }) }),
        fc.array(turn, { minLength: 1, maxLength: 30 }),
        (resources, defer, start, turns) => {
          const authority = authoritySchema.parse({
            allowedActions: ['retry', 'scale_resources', 'defer'],
            resources,
            defer,
          });
          const effective = effectiveCaps(authority.resources!);
          let current: ResourceSettings = { ...start };
          let steps = 0;
          let deferrals = 0;
          for (const t of turns) {
            const scaleStep: ScaleStep | undefined =
              t.step === undefined
                ? nextScaleStep(current, authority.resources!)
                : { before: current, after: t.step };
            const verdict = guard({
              proposal: { action: t.action, qValues: {}, propensity: 1, policyVersion: 'prop@1' },
              diagnosis: {
                classification: { family: t.family as never, rule: 'x', confidence: 1, line: '' },
                findings: [],
                risk: { level: 'low', reasons: [] },
                quality: 'ok',
                protectedDataset: false,
                datasets: ['orders'],
              },
              capabilities: {
                supported: [...ACTIONS],
                hasPreviousSchemaVersion: false,
                coercionSafe: false,
                hasQuarantineStore: false,
                ...(scaleStep ? { scaleStep } : {}),
                deferCondition: 'input orders.csv to arrive',
              },
              authority,
              usage: {
                retriesThisRun: 0,
                retriesThisJobLastHour: 0,
                consecutiveFailedRemediations: 0,
                scaleStepsThisRun: steps,
                deferralsThisRun: deferrals,
              },
            });
            if (verdict.final === 'scale_resources') {
              expect(t.family).toBe('resource');
              expect(capViolation(scaleStep!, effective)).toBeUndefined();
              current = { ...scaleStep!.after };
              steps++;
            }
            if (verdict.final === 'defer') deferrals++;
          }
          expect(steps).toBeLessThanOrEqual(
            Math.min(resources.maxStepsPerRun, RESOURCE_HARD_LIMITS.maxScaleStepsPerRun),
          );
          expect(deferrals).toBeLessThanOrEqual(
            Math.min(defer.maxDeferralsPerRun, RESOURCE_HARD_LIMITS.maxDeferralsPerRun),
          );
          // Raised only up to the caps (a setting already above a cap at the start may stay, never grow).
          if (steps > 0) {
            if (current.memoryMb !== start.memoryMb)
              expect(current.memoryMb).toBeLessThanOrEqual(effective.maxMemoryMb ?? 0);
            if (current.threads !== start.threads)
              expect(current.threads).toBeLessThanOrEqual(effective.maxThreads ?? 0);
          }
        },
      ),
      RUNS,
    );
  });
});
