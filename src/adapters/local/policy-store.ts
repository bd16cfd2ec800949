// The local store of policy versions in a state folder: every artifact that was ever in force
// (`policies/<hash12>.policy.json`), the one in force now (`policies/current.policy.json`, which the
// local environment loads) and the history of promotions and rollbacks (`policies/history.json`).

import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { NotFoundError, PolicyArtifactError } from '../../core/errors.js';
import { type PolicyArtifact, parsePolicyArtifact } from '../../core/policy/artifact.js';
import type { PolicyHistoryEntry, PolicyVersionStore } from '../../policy-promotion.js';
import { versionOf } from '../../policy-promotion.js';
import { writeFileAtomic } from './atomic-file.js';

export const POLICIES_DIR = 'policies';
const CURRENT = 'current.policy.json';
const HISTORY = 'history.json';

const estimateSchema = z.object({ estimate: z.number(), lower95: z.number(), upper95: z.number() });
const offPolicySchema = z.object({
  version: z.string(),
  n: z.number(),
  ess: z.number(),
  matched: z.number(),
  ips: estimateSchema,
  snips: estimateSchema,
  dr: estimateSchema,
});

const entrySchema = z
  .object({
    event: z.enum(['promote', 'rollback']),
    /** `q_learning@<hash12>`. */
    version: z.string(),
    hash: z.string(),
    /** The version in force before. */
    from: z.string(),
    by: z.string(),
    at: z.string(),
    /** The off-policy estimates the promotion rested on. */
    estimates: z.object({ candidate: offPolicySchema, current: offPolicySchema }).optional(),
  })
  .strict() satisfies z.ZodType<PolicyHistoryEntry>;

/** The file the local environment loads when a version was promoted in this state folder. */
export function currentPolicyFile(stateDir: string): string | undefined {
  const file = join(stateDir, POLICIES_DIR, CURRENT);
  return existsSync(file) ? file : undefined;
}

/**
 * Policy versions of one state folder.
 *
 * @example
 * const store = new LocalPolicyStore('.healer');
 * await store.makeCurrent(candidate, { event: 'promote', by: 'ana', at, from });
 */
export class LocalPolicyStore implements PolicyVersionStore {
  readonly dir: string;
  constructor(stateDir: string) {
    this.dir = join(stateDir, POLICIES_DIR);
  }

  /** Every promotion and rollback, oldest first. */
  async history(): Promise<PolicyHistoryEntry[]> {
    const file = join(this.dir, HISTORY);
    if (!existsSync(file)) return [];
    const parsed = z.array(entrySchema).safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success)
      throw new PolicyArtifactError(`${file}: not a policy history (${parsed.error.issues[0]?.message})`, {
        context: { file },
      });
    return parsed.data as PolicyHistoryEntry[];
  }

  /** Keeps an artifact as a version that can be rolled back to (idempotent). */
  async keep(artifact: PolicyArtifact): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${artifact.hash.slice(0, 12)}.policy.json`);
    if (!existsSync(file)) await writeFileAtomic(file, `${JSON.stringify(artifact, null, 2)}\n`);
  }

  /** A kept version, by `q_learning@<hash12>` or its 12-character hash. */
  async load(version: string): Promise<PolicyArtifact> {
    const hash12 = version.replace(/^q_learning@/, '');
    const file = join(this.dir, `${hash12}.policy.json`);
    if (!/^[0-9a-f]{12}$/.test(hash12) || !existsSync(file))
      throw new NotFoundError(`no policy version ${version} in ${this.dir} (see healer policy history)`, {
        context: { version },
      });
    return parsePolicyArtifact(JSON.parse(await readFile(file, 'utf8')), file);
  }

  /** Puts `artifact` in force and records the event; the artifact is kept first, the history last. */
  async makeCurrent(artifact: PolicyArtifact, entry: Omit<PolicyHistoryEntry, 'version' | 'hash'>) {
    await this.keep(artifact);
    await writeFileAtomic(join(this.dir, CURRENT), `${JSON.stringify(artifact, null, 2)}\n`);
    const full: PolicyHistoryEntry = { ...entry, version: versionOf(artifact), hash: artifact.hash };
    const history = [...(await this.history()), full];
    await writeFileAtomic(join(this.dir, HISTORY), `${JSON.stringify(history, null, 2)}\n`);
    return full;
  }
}
