// The Q-learning policy artifact: versioned, hashed JSON holding the Q-table, visit counts,
// hyperparameters and training metadata. Parsed strictly; it holds no guard settings and nothing
// in it can change what the guard allows.

import { z } from 'zod';
import { ACTIONS, type Action } from '../action.js';
import { canonicalJson, sha256 } from '../audit-chain.js';
import { PolicyArtifactError } from '../errors.js';
import { allStates, parseStateKey, type StateKey, stateKey } from '../state.js';
import { greedyAction } from './action-order.js';

export const POLICY_ARTIFACT_FORMAT = 'healer.policy';
export const POLICY_ARTIFACT_FORMAT_VERSION = 1;

/** One state's row: a value (or a visit count) per action of the artifact. */
export type ActionRow = Partial<Record<Action, number>>;

/**
 * A trained Q-learning policy as stored on disk. `hash` = sha256(canonicalJson(everything but
 * `hash` and `createdAt`)): the same training gives the same hash, whenever it ran.
 */
export interface PolicyArtifact {
  format: typeof POLICY_ARTIFACT_FORMAT;
  formatVersion: typeof POLICY_ARTIFACT_FORMAT_VERSION;
  kind: 'q_learning';
  /** The action set the policy chooses from (its columns). */
  actions: Action[];
  hyperparameters: { learningRate: number; epsilon: number; seed: number };
  /** Free-form training metadata (episodes, seeds, reward scheme). Never read by the guard. */
  training: Record<string, unknown>;
  /** Q(s, a) for every state that has a row; absent states are all zero. */
  qTable: Partial<Record<StateKey, ActionRow>>;
  /** How often each (s, a) was updated in training. */
  visits: Partial<Record<StateKey, ActionRow>>;
  /** ISO 8601. */
  createdAt: string;
  hash: string;
}

const stateKeySchema = z.string().refine((key) => parseStateKey(key) !== undefined, {
  message: 'unknown state key (expected family|risk|quality)',
});
const rowSchema = (value: z.ZodNumber) => z.partialRecord(z.enum(ACTIONS), value);

const artifactSchema = z
  .object({
    format: z.literal(POLICY_ARTIFACT_FORMAT),
    formatVersion: z.literal(POLICY_ARTIFACT_FORMAT_VERSION),
    kind: z.literal('q_learning'),
    actions: z
      .array(z.enum(ACTIONS))
      .min(1)
      .refine((a) => new Set(a).size === a.length, { message: 'duplicate action' }),
    hyperparameters: z
      .object({
        learningRate: z.number().gt(0).max(1),
        epsilon: z.number().min(0).max(1),
        seed: z.number().int(),
      })
      .strict(),
    training: z.record(z.string(), z.unknown()),
    qTable: z.record(stateKeySchema, rowSchema(z.number())),
    visits: z.record(stateKeySchema, rowSchema(z.number().int().min(0))),
    createdAt: z.string().datetime({ offset: true }),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

/**
 * The hash an artifact must carry: sha256 of the canonical JSON of every field but `hash` and
 * `createdAt`. The time of training is metadata, not the policy: retraining with the same seed,
 * data and hyperparameters gives the same hash (and the same `q_learning@<hash12>` version).
 */
export function artifactHash(artifact: Omit<PolicyArtifact, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, createdAt: _metadata, ...content } = artifact;
  return sha256(canonicalJson(content));
}

/** The hash artifacts carried before `createdAt` left it (every field but `hash`); still accepted. */
function hashWithCreatedAt(artifact: Omit<PolicyArtifact, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...content } = artifact;
  return sha256(canonicalJson(content));
}

/** Whether `hash` is the content's hash, as artifacts are hashed now or were before. */
export function matchesArtifactHash(
  content: Omit<PolicyArtifact, 'hash'> & { hash?: string },
  hash: string,
): boolean {
  return artifactHash(content) === hash || hashWithCreatedAt(content) === hash;
}

/**
 * Validates untrusted JSON as a policy artifact: exact shape (unknown keys are errors), known
 * actions and state keys, finite numbers, rows only over the artifact's actions, and a hash that
 * matches the content. Throws PolicyArtifactError naming the field.
 */
export function parsePolicyArtifact(json: unknown, where = 'policy artifact'): PolicyArtifact {
  const result = artifactSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : '(root)';
    // zod reports a refused record key generically; name the rule instead.
    const message =
      issue?.code === 'invalid_key' ? 'unknown state key (expected family|risk|quality)' : issue?.message;
    throw new PolicyArtifactError(`${where}: ${path}: ${message ?? 'invalid'}`, {
      context: { where, path },
    });
  }
  const artifact = result.data as PolicyArtifact;
  const allowed = new Set<Action>(artifact.actions);
  const fail = (path: string, message: string): never => {
    throw new PolicyArtifactError(`${where}: ${path}: ${message}`, { context: { where, path } });
  };
  for (const table of ['qTable', 'visits'] as const) {
    for (const [key, row] of Object.entries(artifact[table])) {
      for (const action of Object.keys(row ?? {}) as Action[]) {
        if (!allowed.has(action))
          fail(
            `${table}.${key}.${action}`,
            `action not in the artifact's actions [${artifact.actions.join(', ')}]`,
          );
      }
      // Full rows only: a row is Q (or visits) for every action, so nothing is implied by omission.
      for (const action of artifact.actions)
        if (row?.[action] === undefined)
          fail(`${table}.${key}.${action}`, 'missing value (rows cover every action)');
    }
  }
  const qKeys = Object.keys(artifact.qTable).sort().join(',');
  if (Object.keys(artifact.visits).sort().join(',') !== qKeys)
    fail('visits', 'must have a row for exactly the states of qTable');
  const expected = artifactHash(artifact);
  if (!matchesArtifactHash(artifact, artifact.hash))
    throw new PolicyArtifactError(
      `${where}: hash: content hash ${expected.slice(0, 12)}… does not match the recorded ${artifact.hash.slice(0, 12)}… (the file was edited)`,
      { context: { where, path: 'hash' } },
    );
  return artifact;
}

/** The greedy action of one state in an artifact (all-zero rows give the safest action). */
export function artifactGreedy(artifact: PolicyArtifact, key: StateKey): Action {
  return greedyAction(artifact.actions, artifact.qTable[key] ?? {});
}

/** Total visits of one state. */
export function artifactVisits(artifact: PolicyArtifact, key: StateKey): number {
  return Object.values(artifact.visits[key] ?? {}).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

export interface StateDiff {
  state: StateKey;
  greedyA: Action;
  greedyB: Action;
  greedyChanged: boolean;
  /** Actions whose value changed, with both values (0 where a side has no row). */
  changes: { action: Action; a: number; b: number }[];
  visitsA: number;
  visitsB: number;
}

export interface ArtifactDiff {
  hashA: string;
  hashB: string;
  identical: boolean;
  actionsAdded: Action[];
  actionsRemoved: Action[];
  hyperparameters: { name: string; a: number; b: number }[];
  /** Metadata that differs (`createdAt`, `training.<key>`), which the hash may not cover. */
  metadata: { name: string; a: string; b: string }[];
  /** States whose greedy action or any value changed, in the fixed state order. */
  states: StateDiff[];
}

/** Values closer than this are the same (floating-point noise after a JSON round trip is 0 anyway). */
const EPSILON = 1e-12;

/** What changed between two artifacts: states whose greedy action or values differ. */
export function diffArtifacts(a: PolicyArtifact, b: PolicyArtifact): ArtifactDiff {
  const union = [...new Set<Action>([...a.actions, ...b.actions])];
  const states: StateDiff[] = [];
  for (const state of allStates()) {
    const key = stateKey(state);
    const rowA = a.qTable[key] ?? {};
    const rowB = b.qTable[key] ?? {};
    const changes = union
      .map((action) => ({ action, a: rowA[action] ?? 0, b: rowB[action] ?? 0 }))
      .filter((c) => Math.abs(c.a - c.b) > EPSILON);
    const greedyA = artifactGreedy(a, key);
    const greedyB = artifactGreedy(b, key);
    if (changes.length === 0 && greedyA === greedyB) continue;
    states.push({
      state: key,
      greedyA,
      greedyB,
      greedyChanged: greedyA !== greedyB,
      changes,
      visitsA: artifactVisits(a, key),
      visitsB: artifactVisits(b, key),
    });
  }
  const hyperparameters = (['learningRate', 'epsilon', 'seed'] as const)
    .filter((name) => a.hyperparameters[name] !== b.hyperparameters[name])
    .map((name) => ({ name, a: a.hyperparameters[name], b: b.hyperparameters[name] }));
  const metadata: ArtifactDiff['metadata'] = [];
  if (a.createdAt !== b.createdAt) metadata.push({ name: 'createdAt', a: a.createdAt, b: b.createdAt });
  for (const key of [...new Set([...Object.keys(a.training), ...Object.keys(b.training)])].sort()) {
    const [va, vb] = [canonicalJson(a.training[key] ?? null), canonicalJson(b.training[key] ?? null)];
    if (va !== vb) metadata.push({ name: `training.${key}`, a: va, b: vb });
  }
  return {
    hashA: a.hash,
    hashB: b.hash,
    identical: a.hash === b.hash,
    metadata,
    actionsAdded: b.actions.filter((x) => !a.actions.includes(x)),
    actionsRemoved: a.actions.filter((x) => !b.actions.includes(x)),
    hyperparameters,
    states,
  };
}
