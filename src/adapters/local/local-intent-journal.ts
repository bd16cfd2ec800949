// Intent and commit of everything that changes published state on the embedded runtime: an
// incident's active action and a plain pipeline run. Before anything is written an intent file
// names its owner; writes are staged under `.healer/staging/<key>/` (outside every documented
// glob); the commit is one atomic rename of the intent file with the publication in it; publishing
// then moves the staged files into place and flips the pointers, idempotently, so a restart that
// finds a committed intent finishes it and one that finds an uncommitted intent removes its staging.
// A job's kept resource setting (scale_resources) is published the same way: only a committed
// action makes later runs start at it.

import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { HealerError } from '../../core/errors.js';
import type { KeptResources } from '../../core/kept-resources.js';
import type { ResourceSettings } from '../../core/resources.js';
import type { TableSchema } from '../../core/schema.js';
import { crashPoint } from '../../crash-point.js';
import type { ActionCommit, ActionIntent, IntentJournal, OpenIntent } from '../../ports.js';
import { fsyncDir, writeFileAtomic } from './atomic-file.js';
import type { BaselinePointer, LocalCatalog, TargetSnapshot } from './local-catalog.js';
import { safeName } from './local-catalog.js';
import { currentOwner, ownerIsGone, type ProcessOwner } from './process-owner.js';

/** What a run or an action makes visible when it commits. */
export interface Publication {
  /** Staged file → its final path (a rename: readers never see the staged name). */
  files: { from: string; to: string }[];
  /** The target output to publish (its snapshot is one of `files`). */
  target?: { name: string; location: string; snapshot: TargetSnapshot };
  /** Catalog schema versions to publish (idempotent: an unchanged schema publishes nothing). */
  schemas: { schema: TableSchema; reason: string; at: string }[];
  /** Baseline pointers to move (their files are among `files`). */
  baselines: { source: string; pointer: BaselinePointer }[];
  /**
   * The setting a scaled re-run succeeded at, kept for the job's later runs once the action is
   * committed (a re-run that is never validated and committed keeps nothing).
   */
  keptResources?: { job: string; settings: ResourceSettings; at: string };
}

/** Where kept resource settings are written when a publication carries one (the state store). */
export interface KeptResourceWriter {
  saveKeptResources(job: string, kept: KeptResources | undefined, at: Date): Promise<void>;
}

/** An empty publication. */
export function emptyPublication(): Publication {
  return { files: [], schemas: [], baselines: [] };
}

/** The final paths a publication makes visible. */
export function publicationWrites(p: Publication): string[] {
  return [
    ...p.files.map((f) => f.to),
    ...(p.target ? [p.target.location] : []),
    ...p.baselines.map((b) => `baseline pointer of ${b.source} → ${b.pointer.location}`),
    ...(p.keptResources ? [`kept resources of ${p.keptResources.job}`] : []),
  ];
}

// What is read back from disk is checked: a hand-edited or foreign file fails here, by name.
const PublicationFile = z.object({
  files: z.array(z.object({ from: z.string(), to: z.string() })),
  target: z
    .object({
      name: z.string(),
      location: z.string(),
      snapshot: z.object({ runId: z.string(), file: z.string(), publishedAt: z.string(), rows: z.number() }),
    })
    .optional(),
  schemas: z.array(
    z.object({
      // The fields were written by this journal from a TableSchema; their shape is the catalog's.
      schema: z.object({
        name: z.string(),
        fields: z.array(z.looseObject({ path: z.string(), type: z.string() })),
      }),
      reason: z.string(),
      at: z.string(),
    }),
  ),
  baselines: z.array(
    z.object({
      source: z.string(),
      pointer: z.object({ location: z.string(), runId: z.string(), rows: z.number(), at: z.string() }),
    }),
  ),
  keptResources: z
    .object({
      job: z.string(),
      settings: z
        .object({
          memoryMb: z.number().int().positive().optional(),
          threads: z.number().int().positive().optional(),
        })
        .strict(),
      at: z.string(),
    })
    .optional(),
});

const IntentFile = z.object({
  key: z.string(),
  kind: z.enum(['action', 'run']),
  owner: z.object({ pid: z.number().int(), host: z.string() }),
  state: z.enum(['intent', 'committed']),
  createdAt: z.string(),
  intent: z.unknown().optional(),
  commit: z.unknown().optional(),
  publication: PublicationFile.optional(),
});

interface IntentFileBody {
  key: string;
  kind: 'action' | 'run';
  owner: ProcessOwner;
  state: 'intent' | 'committed';
  createdAt: string;
  intent?: ActionIntent;
  commit?: ActionCommit;
  publication?: Publication;
}

/**
 * @example
 * const journal = new LocalIntentJournal('.healer', catalog, keptStore);
 * await journal.begin(intent);                       // before anything is written
 * await journal.stage(intent.incidentId, publication); // what the action wrote under staging
 * await journal.commit(intent.incidentId, make);      // the one flip
 * await journal.publish(intent.incidentId);           // idempotent
 */
export class LocalIntentJournal implements IntentJournal {
  constructor(
    readonly stateDir: string,
    private readonly catalog: LocalCatalog,
    /** Where kept resource settings go; without it a publication carrying one is refused at staging. */
    private readonly kept?: KeptResourceWriter,
  ) {}

  private intentFile(key: string): string {
    return join(this.stateDir, 'intents', `${key}.json`);
  }

  /** Where an incident's action stages its writes. */
  stagingDir(incidentId: string): string {
    return this.stagingOf(actionKey(incidentId));
  }

  private stagingOf(key: string): string {
    return join(this.stateDir, 'staging', key);
  }

  async begin(intent: ActionIntent): Promise<void> {
    await this.write({
      key: actionKey(intent.incidentId),
      kind: 'action',
      owner: currentOwner(),
      state: 'intent',
      createdAt: new Date().toISOString(),
      intent,
    });
    await rm(this.stagingDir(intent.incidentId), { recursive: true, force: true });
  }

  /** Records what an action staged (read back at its commit). */
  async stage(incidentId: string, publication: Publication): Promise<void> {
    if (publication.keptResources && !this.kept)
      throw new HealerError('E_CONFIG', 'this journal has no store for kept resource settings');
    await writeFileAtomic(join(this.stagingDir(incidentId), 'publication.json'), JSON.stringify(publication));
  }

  async commit(incidentId: string, make: (writes: string[]) => ActionCommit): Promise<ActionCommit> {
    const key = actionKey(incidentId);
    const open = await this.read(key);
    if (!open) throw new HealerError('E_INTERNAL', `no open intent for incident ${incidentId}`);
    const publication = await this.staged(incidentId);
    const commit = make(publicationWrites(publication));
    await this.write({ ...open, state: 'committed', publication, commit });
    return commit;
  }

  async publish(incidentId: string): Promise<void> {
    const open = await this.read(actionKey(incidentId));
    if (open?.state !== 'committed' || !open.publication) return;
    await this.apply(open.publication);
  }

  async discard(incidentId: string): Promise<void> {
    await rm(this.stagingDir(incidentId), { recursive: true, force: true });
  }

  async close(incidentId: string): Promise<void> {
    await this.finish(actionKey(incidentId));
  }

  async abandoned(): Promise<OpenIntent[]> {
    const out: OpenIntent[] = [];
    for (const file of await this.intentFiles()) {
      const open = await this.read(file);
      if (!open || !ownerIsGone(open.owner)) continue;
      if (open.kind === 'run') {
        // A plain run has no record to finish: publish what it committed, else drop its staging.
        if (open.state === 'committed' && open.publication) await this.apply(open.publication);
        await this.finish(open.key);
        continue;
      }
      if (!open.intent) continue;
      out.push({
        intent: open.intent,
        ...(open.state === 'committed' && open.commit ? { commit: open.commit } : {}),
      });
    }
    return out.sort((a, b) => a.intent.incident.startedAt.localeCompare(b.intent.incident.startedAt));
  }

  // ---- plain runs: the runner commits its own output ----

  /** Opens the intent of a plain run; returns where it stages. */
  async beginRun(runId: string): Promise<string> {
    const key = runKey(runId);
    await this.write({
      key,
      kind: 'run',
      owner: currentOwner(),
      state: 'intent',
      createdAt: new Date().toISOString(),
    });
    return this.stagingOf(key);
  }

  /** Commits and publishes a plain run's output, then closes its intent. */
  async commitRun(runId: string, publication: Publication): Promise<void> {
    const key = runKey(runId);
    const open = await this.read(key);
    if (!open) throw new HealerError('E_INTERNAL', `no open intent for run ${runId}`);
    await this.write({ ...open, state: 'committed', publication });
    await this.apply(publication);
    await this.finish(key);
  }

  /** Drops a plain run's staging and intent (the run failed; nothing was published). */
  async abortRun(runId: string): Promise<void> {
    // A run that failed after its commit is finished by reconciliation, never undone.
    if ((await this.read(runKey(runId)))?.state === 'committed') return;
    await this.finish(runKey(runId));
  }

  // ---- internals ----

  private async staged(incidentId: string): Promise<Publication> {
    const file = join(this.stagingDir(incidentId), 'publication.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyPublication();
      throw error;
    }
    const parsed = PublicationFile.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new HealerError('E_INTERNAL', `unreadable staged publication ${file}`, { cause: parsed.error });
    return parsed.data as unknown as Publication;
  }

  /**
   * Moves staged files into place, then the target, the schemas and the baseline pointers. Every
   * step is idempotent: a file already moved is left, a pointer already moved is rewritten.
   */
  private async apply(p: Publication): Promise<void> {
    const dirs = new Set<string>();
    for (const f of p.files) {
      await moveIntoPlace(f.from, f.to);
      dirs.add(dirname(f.to));
    }
    for (const dir of dirs) await fsyncDir(dir);
    crashPoint('files-moved');
    if (p.target) await this.catalog.publishTarget(p.target.name, p.target.location, p.target.snapshot);
    crashPoint('published');
    for (const s of p.schemas) await this.catalog.publishSchema(s.schema, s.reason, new Date(s.at));
    for (const b of p.baselines) await this.catalog.setBaseline(b.source, b.pointer);
    crashPoint('baseline');
    // Idempotent: a restart that publishes again writes the same setting with no run counted yet.
    if (p.keptResources)
      await this.kept?.saveKeptResources(
        p.keptResources.job,
        { settings: p.keptResources.settings, successes: 0 },
        new Date(p.keptResources.at),
      );
  }

  /** Staging first, then the intent file: no staging folder is ever left without its intent. */
  private async finish(key: string): Promise<void> {
    await rm(this.stagingOf(key), { recursive: true, force: true });
    await rm(this.intentFile(key), { force: true });
  }

  private async write(body: IntentFileBody): Promise<void> {
    await writeFileAtomic(this.intentFile(body.key), JSON.stringify(body));
  }

  private async read(key: string): Promise<IntentFileBody | undefined> {
    let text: string;
    try {
      text = await readFile(this.intentFile(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = IntentFile.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new HealerError('E_INTERNAL', `unreadable intent file ${this.intentFile(key)}`, {
        cause: parsed.error,
      });
    return parsed.data as unknown as IntentFileBody;
  }

  private async intentFiles(): Promise<string[]> {
    try {
      return (await readdir(join(this.stateDir, 'intents')))
        .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
        .map((f) => f.slice(0, -'.json'.length))
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

function actionKey(incidentId: string): string {
  return `incident-${safeName(incidentId)}`;
}

function runKey(runId: string): string {
  return `run-${safeName(runId)}`;
}

/** Renames a staged file to its final path; already there (a finished earlier pass) is fine. */
async function moveIntoPlace(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const there = await stat(to).catch(() => undefined);
    if (!there)
      throw new HealerError('E_INTERNAL', `staged file ${from} is missing and ${to} was never written`, {
        cause: error,
      });
  }
}
