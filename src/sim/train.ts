// Training: the Q-learning policy learns from simulated incidents as deployed: each incident is
// diagnosed once with the real detectors; then, per epoch, explore, guard, simulate, reward, update.

import type { Action } from '../core/action.js';
import { encodeState } from '../core/decide.js';
import type { Capabilities, Diagnosis, Proposal } from '../core/decision.js';
import { diagnose } from '../core/diagnose.js';
import { QLearningPolicy } from '../core/policy/q-learning.js';
import { createRng, type Rng } from '../core/policy/rng.js';
import { guard } from '../core/safety/guard.js';
import type { State } from '../core/state.js';
import { incidentCapabilities, incidentEvidence } from './evidence.js';
import { simulateAction } from './outcome-model.js';
import { REWARD, rewardFor } from './reward.js';
import { generateIncidents, type SimIncident } from './scenarios.js';
import { SIM_ACTIONS, SIM_AUTHORITY } from './sim-authority.js';

export interface TrainOptions {
  seed: number;
  /**
   * Total updates. Default `epochs` × training-set size: each epoch is one pass over the set in a
   * seeded shuffled order (a value that is not a multiple of the set size ends mid-pass).
   */
  episodes?: number;
  /** Passes over the training set when `episodes` is not given. Default 40. */
  epochs?: number;
  /** Size of the training set the episodes draw from. Default 400. */
  incidents?: number;
  /** Index offset of the training set (the benchmark evaluates on a disjoint range). Default 0. */
  offset?: number;
  learningRate?: number;
  epsilon?: number;
  /** Pre-built training incidents (the benchmark passes its own set). */
  pool?: readonly SimIncident[];
  /** The actions the policy learns over; default every action the simulator executes (SIM_ACTIONS). */
  actions?: readonly Action[];
}

/** Default passes over the training set. */
export const DEFAULT_EPOCHS = 40;

/** A training incident with its diagnosis and capabilities, computed once (both are deterministic). */
export interface PreparedIncident {
  incident: SimIncident;
  diagnosis: Diagnosis;
  capabilities: Capabilities;
}

const AUTHORITY = SIM_AUTHORITY;
const NO_USAGE = { retriesThisRun: 0, retriesThisJobLastHour: 0, consecutiveFailedRemediations: 0 };

/** Diagnoses an incident with the real detectors and measures its capabilities. */
export function prepareIncident(incident: SimIncident): PreparedIncident {
  const diagnosis = diagnose(incidentEvidence(incident));
  return { incident, diagnosis, capabilities: incidentCapabilities(incident, diagnosis) };
}

/** A training incident as the trainer caches it: its state, and the reward of each action once judged. */
interface CachedIncident extends PreparedIncident {
  state: State;
  rewards: Map<Action, number>;
}

/**
 * The reward of proposing `action` on the incident, as deployed: the guard judges the proposal, the
 * action that survives is simulated, and a vetoed proposal earns that outcome plus a small veto cost.
 * Diagnosis, guard and outcome model are all deterministic, so it is computed once per action.
 */
function rewardOf(c: CachedIncident, proposal: Proposal): number {
  const cached = c.rewards.get(proposal.action);
  if (cached !== undefined) return cached;
  const verdict = guard({
    proposal,
    diagnosis: c.diagnosis,
    capabilities: c.capabilities,
    authority: AUTHORITY,
    usage: NO_USAGE,
  });
  const outcome = simulateAction(c.incident, verdict.final);
  const reward = rewardFor(c.incident, outcome) + (verdict.overridden ? REWARD.vetoed : 0);
  c.rewards.set(proposal.action, reward);
  return reward;
}

/**
 * Trains a Q-learning policy. Every training incident is diagnosed once (real detectors); then each
 * epoch visits the whole set in a seeded shuffled order: explore, guard, simulate, reward, update.
 * The update goes to the proposed action, so the policy learns what its proposals lead to as
 * deployed (a vetoed proposal earns the escalation's reward plus a small veto cost).
 */
export function trainPolicy(options: TrainOptions): QLearningPolicy {
  const learningRate = options.learningRate ?? 0.1;
  const epsilon = options.epsilon ?? 0.2;
  const pool: CachedIncident[] = (
    options.pool ??
    generateIncidents({ seed: options.seed, count: options.incidents ?? 400, offset: options.offset ?? 0 })
  ).map((incident) => {
    const p = prepareIncident(incident);
    return { ...p, state: encodeState(p.diagnosis), rewards: new Map<Action, number>() };
  });
  const episodes = options.episodes ?? (options.epochs ?? DEFAULT_EPOCHS) * pool.length;
  const policy = new QLearningPolicy({
    seed: options.seed,
    learningRate,
    epsilon,
    actions: options.actions ?? SIM_ACTIONS,
  });
  const rng = createRng(options.seed ^ 0x5eed);
  const order = pool.map((_, i) => i);
  for (let e = 0; e < episodes; e++) {
    const k = e % pool.length;
    if (k === 0) shuffle(order, rng);
    const c = pool[order[k]!]!;
    const proposal = policy.explore(c.state);
    policy.update(c.state, proposal.action, rewardOf(c, proposal));
  }
  policy.toArtifact({
    seed: options.seed,
    episodes,
    epochs: episodes / pool.length,
    incidents: pool.length,
    offset: options.offset ?? 0,
    environment: 'sim',
    guard: 'on',
    reward: REWARD,
  });
  return policy;
}

/** Fisher–Yates, in place, with the seeded generator. */
function shuffle(xs: number[], rng: Rng): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
}
