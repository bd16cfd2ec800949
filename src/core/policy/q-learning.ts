// Tabular Q-learning in the single-step contextual-bandit formulation of the reference: each
// incident is one step, Q(s,a) ← Q(s,a) + α(r − Q(s,a)). ε-greedy exploration with a seeded RNG.

import { type Action, CORE_ACTIONS } from '../action.js';
import type { Proposal } from '../decision.js';
import { PolicyArtifactError } from '../errors.js';
import { type State, type StateKey, stateKey } from '../state.js';
import { greedyAction } from './action-order.js';
import {
  type ActionRow,
  artifactHash,
  matchesArtifactHash,
  POLICY_ARTIFACT_FORMAT,
  POLICY_ARTIFACT_FORMAT_VERSION,
  type PolicyArtifact,
} from './artifact.js';
import type { Policy } from './policy.js';
import { createRng, type Rng } from './rng.js';

export interface QLearningOptions {
  /** Action set (columns); defaults to the six core actions. */
  actions?: readonly Action[];
  /** α in (0, 1]; default 0.1. */
  learningRate?: number;
  /** ε in [0, 1] for `explore`; default 0.1. */
  epsilon?: number;
  /** Seed of the exploration RNG; default 42. */
  seed?: number;
}

/** The version exploration proposals carry (the table changes after each update). */
export const EXPLORING_VERSION = 'q_learning@exploring';

/** Creation time used until `toArtifact` is given one, so an in-memory policy hashes stably. */
const EPOCH = '1970-01-01T00:00:00.000Z';

/**
 * Tabular Q-learning. `propose` is greedy (evaluation, propensity 1); `explore` is ε-greedy
 * (training); `update` applies one single-step update. Ties go to the safest action, so a state
 * never seen in training proposes `escalate`.
 *
 * @example
 * const q = new QLearningPolicy({ seed: 42 });
 * const p = q.explore(state); q.update(state, p.action, reward);
 */
export class QLearningPolicy implements Policy {
  readonly kind = 'q_learning' as const;
  readonly actions: readonly Action[];
  readonly learningRate: number;
  readonly epsilon: number;
  readonly seed: number;
  private readonly q = new Map<StateKey, ActionRow>();
  private readonly n = new Map<StateKey, ActionRow>();
  private readonly rng: Rng;
  private training: Record<string, unknown> = {};
  private createdAt = EPOCH;
  private cachedHash: string | undefined;

  constructor(options: QLearningOptions = {}) {
    this.actions = [...(options.actions ?? CORE_ACTIONS)];
    if (this.actions.length === 0) throw new RangeError('QLearningPolicy: empty action set');
    this.learningRate = options.learningRate ?? 0.1;
    this.epsilon = options.epsilon ?? 0.1;
    this.seed = options.seed ?? 42;
    if (!(this.learningRate > 0 && this.learningRate <= 1))
      throw new RangeError(`QLearningPolicy: learningRate must be in (0, 1], got ${this.learningRate}`);
    if (!(this.epsilon >= 0 && this.epsilon <= 1))
      throw new RangeError(`QLearningPolicy: epsilon must be in [0, 1], got ${this.epsilon}`);
    this.rng = createRng(this.seed);
  }

  /** Hash of the artifact this policy would serialise to (with its recorded metadata). */
  get hash(): string {
    this.cachedHash ??= this.toArtifact().hash;
    return this.cachedHash;
  }

  get version(): string {
    return `q_learning@${this.hash.slice(0, 12)}`;
  }

  /** Q-values of a state, one per action (0 when never updated). */
  values(state: State): Record<string, number> {
    const row = this.q.get(stateKey(state)) ?? {};
    return Object.fromEntries(this.actions.map((a) => [a, row[a] ?? 0]));
  }

  /** Visit counts of a state, one per action. */
  visits(state: State): Record<string, number> {
    const row = this.n.get(stateKey(state)) ?? {};
    return Object.fromEntries(this.actions.map((a) => [a, row[a] ?? 0]));
  }

  /** Greedy proposal (evaluation): argmax Q, ties to the safest action, propensity 1. */
  propose(state: State): Proposal {
    const qValues = this.values(state) as Partial<Record<Action, number>>;
    return {
      action: greedyAction(this.actions, qValues),
      qValues,
      propensity: 1,
      policyVersion: this.version,
    };
  }

  /**
   * ε-greedy proposal (training): with probability ε a uniformly random action, else greedy.
   * Propensity of the chosen action: (1−ε)+ε/|A| for the greedy one, ε/|A| for any other.
   */
  explore(state: State): Proposal {
    const qValues = this.values(state) as Partial<Record<Action, number>>;
    const greedy = greedyAction(this.actions, qValues);
    const k = this.actions.length;
    const action = this.rng.next() < this.epsilon ? this.actions[this.rng.int(k)]! : greedy;
    const propensity = action === greedy ? 1 - this.epsilon + this.epsilon / k : this.epsilon / k;
    // A policy in training changes after every update: hashing the table per step would dominate
    // training time and name a version that never exists on disk.
    return { action, qValues, propensity, policyVersion: EXPLORING_VERSION };
  }

  /** Single-step update: Q(s,a) ← Q(s,a) + α(r − Q(s,a)); visits(s,a) += 1. */
  update(state: State, action: Action, reward: number): void {
    if (!this.actions.includes(action))
      throw new RangeError(`QLearningPolicy.update: action ${action} is not in the action set`);
    if (!Number.isFinite(reward)) throw new RangeError(`QLearningPolicy.update: reward must be finite`);
    const key = stateKey(state);
    const row = this.q.get(key) ?? Object.fromEntries(this.actions.map((a) => [a, 0]));
    const visits = this.n.get(key) ?? Object.fromEntries(this.actions.map((a) => [a, 0]));
    const q = row[action] ?? 0;
    row[action] = q + this.learningRate * (reward - q);
    visits[action] = (visits[action] ?? 0) + 1;
    this.q.set(key, row);
    this.n.set(key, visits);
    this.cachedHash = undefined;
  }

  /**
   * Serialises the policy. Given `training` metadata and `createdAt`, records them, so afterwards
   * `hash` and `version` name exactly the artifact returned (and the file written from it).
   */
  toArtifact(training?: Record<string, unknown>, createdAt?: string): PolicyArtifact {
    if (training !== undefined) this.training = training;
    if (createdAt !== undefined) this.createdAt = createdAt;
    if (training !== undefined || createdAt !== undefined) this.cachedHash = undefined;
    const keys = [...this.q.keys()].sort();
    const content: Omit<PolicyArtifact, 'hash'> = {
      format: POLICY_ARTIFACT_FORMAT,
      formatVersion: POLICY_ARTIFACT_FORMAT_VERSION,
      kind: 'q_learning',
      actions: [...this.actions],
      hyperparameters: { learningRate: this.learningRate, epsilon: this.epsilon, seed: this.seed },
      training: this.training,
      qTable: Object.fromEntries(keys.map((k) => [k, { ...this.q.get(k) }])),
      visits: Object.fromEntries(keys.map((k) => [k, { ...this.n.get(k) }])),
      createdAt: this.createdAt,
    };
    return { ...content, hash: artifactHash(content) };
  }

  /** Rebuilds a policy from a parsed artifact (use parsePolicyArtifact on untrusted input first). */
  static fromArtifact(artifact: PolicyArtifact): QLearningPolicy {
    const policy = new QLearningPolicy({
      actions: artifact.actions,
      learningRate: artifact.hyperparameters.learningRate,
      epsilon: artifact.hyperparameters.epsilon,
      seed: artifact.hyperparameters.seed,
    });
    for (const [key, row] of Object.entries(artifact.qTable) as [StateKey, ActionRow][]) {
      policy.q.set(key, Object.fromEntries(policy.actions.map((a) => [a, row[a] ?? 0])));
      const visits = artifact.visits[key] ?? {};
      policy.n.set(key, Object.fromEntries(policy.actions.map((a) => [a, visits[a] ?? 0])));
    }
    policy.training = artifact.training;
    policy.createdAt = artifact.createdAt;
    if (!matchesArtifactHash(policy.toArtifact(), artifact.hash))
      throw new PolicyArtifactError(
        'policy artifact: the rebuilt policy does not hash to the artifact hash (rows must cover every action, visits every row)',
      );
    // An artifact hashed the earlier way keeps its recorded hash as its identity (version, audit).
    policy.cachedHash = artifact.hash;
    return policy;
  }
}
