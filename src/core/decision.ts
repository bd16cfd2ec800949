// The decision record types: Proposal (policy), Capabilities and BudgetUsage (facts the guard
// needs), Verdict (guard), Diagnosis (detectors) and Decision (all of it, explained).

import type { Action } from './action.js';
import type { Mode } from './authority.js';
import type { Classification } from './failure-family.js';
import type { Finding } from './finding.js';
import type { ScaleStep } from './resources.js';
import type { QualityCondition, RiskAssessment } from './risk.js';
import type { State } from './state.js';

/** The facts detectors established for one incident. */
export interface Diagnosis {
  classification: Classification;
  findings: Finding[];
  risk: RiskAssessment;
  quality: QualityCondition;
  /** True when any dataset the run reads is declared protected. */
  protectedDataset: boolean;
  /** Names of the datasets the run reads (the guard checks them against authority.protectedDatasets). */
  datasets?: string[];
  /** Set when the family came from the findings rather than the log (the log said `unknown`). */
  familyRefinedFrom?: Classification;
}

/** What a policy proposes for a state. */
export interface Proposal {
  action: Action;
  /** The policy's value for every action it considered (0 for policies without values). */
  qValues: Partial<Record<Action, number>>;
  /** Probability the policy chose this action (for off-policy evaluation). */
  propensity: number;
  /** `q_learning@<hash12>`, `rules@1`, `random@<seed>`. */
  policyVersion: string;
  /**
   * Where the proposal came from when not from the policy's own table: `job_memory` (what last
   * resolved this job in this state), `resource_rules` (a resource action the policy cannot name),
   * `condition_met` (a `defer` turned into a run: what it would wait for already holds) or
   * `throttle_backoff` (a retry turned into a `defer`: the throttle outlasted a retry of the run).
   */
  source?: ProposalSource;
}

export type ProposalSource = 'job_memory' | 'resource_rules' | 'condition_met' | 'throttle_backoff';

/** What the environment can actually do for this incident. The guard vetoes anything impossible. */
export interface Capabilities {
  /** Actions the runtime has an executor for. */
  supported: Action[];
  /** A previous catalog schema version exists to roll back to. */
  hasPreviousSchemaVersion: boolean;
  /** Every affected column has a lossless or declared-safe cast to the contract type. */
  coercionSafe: boolean;
  /** A quarantine store is configured. */
  hasQuarantineStore: boolean;
  /** Share of input rows that break the contract (0..1); undefined when unknown. */
  badRowFraction?: number;
  /** What the share was measured on: rows examined, and whether they were a sample of the input. */
  badRowSample?: { rowsMeasured: number; sampled: boolean };
  /**
   * Share of input rows that would still break the contract after the coercion's renames are
   * mapped back: the rows `coerce_schema` would quarantine (0..1); undefined when unknown.
   */
  coercionBadRowFraction?: number;
  /** The step `scale_resources` would take (settings before/after, cost); undefined when none. */
  scaleStep?: ScaleStep;
  /** What `defer` would wait for (e.g. `input orders.csv to arrive`); undefined when nothing to wait for. */
  deferCondition?: string;
  /**
   * What `defer` would have waited for already holds (e.g. `input orders.csv arrived`): the late
   * input came before the decision, so there is nothing to wait for and the job can run now.
   */
  deferConditionMet?: string;
}

/** How much of each budget this job has used. Read from the state store before deciding. */
export interface BudgetUsage {
  retriesThisRun: number;
  retriesThisJobLastHour: number;
  /** Consecutive failed remediations on this job (reset by a validated resolution). */
  consecutiveFailedRemediations: number;
  /** `scale_resources` steps taken for this run's chain (absent = 0). */
  scaleStepsThisRun?: number;
  /** `defer`s taken for this run's chain (absent = 0). */
  deferralsThisRun?: number;
}

/** One guard rule that fired. */
export interface FiredRule {
  /** Stable rule id, e.g. `G1_CRITICAL_PASSIVE_ESCALATES`. */
  id: string;
  /** `override`: replaced the action; `veto`: forbade it (final action becomes escalate). */
  effect: 'override' | 'veto';
  reason: string;
}

/** The guard's ruling on a proposal. */
export interface Verdict {
  proposed: Action;
  final: Action;
  /** Every rule that fired, in evaluation order. Empty when the proposal passed untouched. */
  fired: FiredRule[];
  /** True when `final !== proposed`. */
  overridden: boolean;
  /** Why, in one sentence. */
  reason: string;
  /** Hash of the guard rules and limits in force (changes only with a new guard release). */
  guardHash: string;
}

/** Everything decided about one incident, ready to execute and to audit. */
export interface Decision {
  diagnosis: Diagnosis;
  state: State;
  proposal: Proposal;
  verdict: Verdict;
  /** The mode in force for this incident's family. */
  mode: Mode;
  /** `execute` (autonomous), `await_approval` (supervised), `record_only` (shadow). */
  disposition: 'execute' | 'await_approval' | 'record_only';
  /** Human-readable lines: facts, state, proposal, guard rulings, final action. */
  explanation: string[];
  /** Hash of the authority (pipeline policy-as-code) in force. */
  authorityHash: string;
}
