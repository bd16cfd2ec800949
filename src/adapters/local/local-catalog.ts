// The local catalog under `.healer/`: every schema version of each source and target table (the
// Glue Data Catalog's table versions, locally), target snapshots so the last good output can be
// restored, and the pointer to the last good input (the drift baseline). Version and snapshot
// files are immutable; small HEAD pointer files are replaced atomically.

import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { canonicalJson } from '../../core/audit-chain.js';
import { HealerError } from '../../core/errors.js';
import type { TableSchema } from '../../core/schema.js';
import type { Catalog } from '../../ports.js';
import { publishFileAtomic, writeFileAtomic } from './atomic-file.js';

/** A published schema version, as stored. */
export interface StoredSchemaVersion extends TableSchema {
  version: string;
  publishedAt: string;
  /** Why it was published (`contract`, `run <id>`, `rollback of 3`). */
  reason: string;
}

interface VersionHead {
  /** Active versions, oldest first; the last is current. */
  active: string[];
  /** Versions retired by a rollback (kept on disk for the record). */
  rolledBack: string[];
}

/** One published target output. */
export interface TargetSnapshot {
  runId: string;
  file: string;
  publishedAt: string;
  rows: number;
}

interface TargetHead {
  current?: TargetSnapshot;
  history: TargetSnapshot[];
}

/** The last good input of a source: where it is kept and how many rows it had. */
export interface BaselinePointer {
  location: string;
  runId: string;
  rows: number;
  at: string;
}

/**
 * A target schema a run produced that differs from the published version: kept, never published,
 * until someone adopts it (`healer catalog adopt`) or a run produces the published schema again.
 */
export interface SchemaProposal {
  schema: TableSchema;
  /** The version it would replace. */
  against: string;
  runId: string;
  /** The output the run wrote with it (not published), for the evidence. */
  file: string;
  at: string;
}

/** Folder-safe form of a table name (any name, including hostile ones). */
export function safeName(name: string): string {
  return encodeURIComponent(name).replace(
    /[*.~'!()]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Catalog port over files. Every write goes to a new file; HEAD pointers are replaced atomically,
 * so a process killed mid-publish leaves the previous good state readable.
 *
 * @example
 * const catalog = new LocalCatalog('.healer');
 * await catalog.publishSchema(schema, 'contract');
 * const versions = await catalog.listSchemaVersions('orders');
 */
export class LocalCatalog implements Catalog {
  constructor(readonly stateDir: string) {}

  private tableDir(table: string): string {
    return join(this.stateDir, 'catalog', safeName(table));
  }

  async listSchemaVersions(dataset: string): Promise<StoredSchemaVersion[]> {
    const head = await this.versionHead(dataset);
    const out: StoredSchemaVersion[] = [];
    for (const v of head.active) out.push(await this.readVersion(dataset, v));
    return out;
  }

  /** The current (last active) version, if any. */
  async currentSchema(dataset: string): Promise<StoredSchemaVersion | undefined> {
    const head = await this.versionHead(dataset);
    const v = head.active.at(-1);
    return v === undefined ? undefined : this.readVersion(dataset, v);
  }

  /** Versions retired by rollbacks. */
  async rolledBackVersions(dataset: string): Promise<string[]> {
    return (await this.versionHead(dataset)).rolledBack;
  }

  /**
   * Publishes a new version when the fields differ from the current one; returns the current
   * version either way.
   */
  async publishSchema(schema: TableSchema, reason: string, at = new Date()): Promise<StoredSchemaVersion> {
    const current = await this.currentSchema(schema.name);
    if (current && canonicalJson(current.fields) === canonicalJson(schema.fields)) return current;
    const head = await this.versionHead(schema.name);
    const all = [...head.active, ...head.rolledBack].map(Number);
    const version = String((all.length ? Math.max(...all) : 0) + 1);
    const stored: StoredSchemaVersion = {
      name: schema.name,
      version,
      fields: schema.fields,
      publishedAt: at.toISOString(),
      reason,
    };
    // The version file first (immutable), then the pointer: a crash in between leaves an orphan
    // file that no HEAD names, and the previous version stays current.
    await writeFileAtomic(
      join(this.tableDir(schema.name), 'versions', `${version}.json`),
      JSON.stringify(stored),
    );
    await this.writeVersionHead(schema.name, { ...head, active: [...head.active, version] });
    return stored;
  }

  /** Retires the current version; the previous one becomes current. Returns [retired, restored]. */
  async rollbackSchema(dataset: string): Promise<[StoredSchemaVersion, StoredSchemaVersion]> {
    const head = await this.versionHead(dataset);
    const bad = head.active.at(-1);
    const good = head.active.at(-2);
    if (bad === undefined || good === undefined)
      throw new HealerError('E_NOT_FOUND', `no previous schema version of ${dataset} to roll back to`);
    await this.writeVersionHead(dataset, {
      active: head.active.slice(0, -1),
      rolledBack: [...head.rolledBack, bad],
    });
    return [await this.readVersion(dataset, bad), await this.readVersion(dataset, good)];
  }

  private async readVersion(dataset: string, version: string): Promise<StoredSchemaVersion> {
    const file = join(this.tableDir(dataset), 'versions', `${version}.json`);
    return JSON.parse(await readFile(file, 'utf8')) as StoredSchemaVersion;
  }

  private async versionHead(dataset: string): Promise<VersionHead> {
    return readJson<VersionHead>(join(this.tableDir(dataset), 'HEAD.json'), { active: [], rolledBack: [] });
  }

  private async writeVersionHead(dataset: string, head: VersionHead): Promise<void> {
    await writeFileAtomic(join(this.tableDir(dataset), 'HEAD.json'), JSON.stringify(head));
  }

  // ---- proposed target schemas ----

  async proposeSchema(proposal: SchemaProposal): Promise<void> {
    await writeFileAtomic(
      join(this.tableDir(proposal.schema.name), 'PROPOSED.json'),
      JSON.stringify(proposal),
    );
  }

  async proposal(table: string): Promise<SchemaProposal | undefined> {
    return readJson<SchemaProposal | undefined>(join(this.tableDir(table), 'PROPOSED.json'), undefined);
  }

  /** Where a run keeps the output of a proposed schema (never published). */
  async newProposalPath(target: string, runId: string): Promise<string> {
    const dir = join(this.targetDir(target), 'proposed');
    await mkdir(dir, { recursive: true });
    return join(dir, `${safeName(runId)}.parquet`);
  }

  async clearProposal(table: string): Promise<void> {
    await rm(join(this.tableDir(table), 'PROPOSED.json'), { force: true });
  }

  // ---- target snapshots ----

  private targetDir(target: string): string {
    return join(this.stateDir, 'targets', safeName(target));
  }

  /** A new, unique path for the output of a run (write there, then `publishTarget`). */
  async newSnapshotPath(target: string, runId: string): Promise<string> {
    const file = this.snapshotPath(target, runId);
    await mkdir(dirname(file), { recursive: true });
    return file;
  }

  /** Where the snapshot of a run's output is kept (no folder created). */
  snapshotPath(target: string, runId: string): string {
    return join(this.targetDir(target), 'snapshots', `${safeName(runId)}.parquet`);
  }

  /** The file of a target's HEAD pointer (current snapshot and history). */
  targetHeadPath(target: string): string {
    return join(this.targetDir(target), 'HEAD.json');
  }

  /** The file of a source's baseline pointer. */
  baselinePointerPath(source: string): string {
    return join(this.baselineDir(source), 'HEAD.json');
  }

  /**
   * Publishes a written snapshot: the target location is replaced atomically by it, then the
   * snapshot pointer moves. The previous snapshot stays on disk for `restoreTarget`.
   */
  async publishTarget(target: string, location: string, snapshot: TargetSnapshot): Promise<void> {
    await publishFileAtomic(snapshot.file, location);
    const head = await this.targetHead(target);
    // Publishing the same snapshot again (a restart finishing a commit) adds no history entry.
    if (head.current?.runId === snapshot.runId && head.current.file === snapshot.file) return;
    await writeFileAtomic(
      join(this.targetDir(target), 'HEAD.json'),
      JSON.stringify({ current: snapshot, history: [...head.history, snapshot] } satisfies TargetHead),
    );
  }

  async currentTarget(target: string): Promise<TargetSnapshot | undefined> {
    return (await this.targetHead(target)).current;
  }

  async targetHistory(target: string): Promise<TargetSnapshot[]> {
    return (await this.targetHead(target)).history;
  }

  /** Makes an earlier snapshot the published target again. */
  async restoreTarget(target: string, location: string, snapshot: TargetSnapshot): Promise<void> {
    await publishFileAtomic(snapshot.file, location);
    const head = await this.targetHead(target);
    await writeFileAtomic(
      join(this.targetDir(target), 'HEAD.json'),
      JSON.stringify({ current: snapshot, history: head.history } satisfies TargetHead),
    );
  }

  private async targetHead(target: string): Promise<TargetHead> {
    return readJson<TargetHead>(join(this.targetDir(target), 'HEAD.json'), { history: [] });
  }

  // ---- baselines ----

  private baselineDir(source: string): string {
    return join(this.stateDir, 'baselines', safeName(source));
  }

  async newBaselinePath(source: string, runId: string): Promise<string> {
    const dir = this.baselineDir(source);
    await mkdir(dir, { recursive: true });
    return join(dir, `${safeName(runId)}.parquet`);
  }

  async baseline(source: string): Promise<BaselinePointer | undefined> {
    return readJson<BaselinePointer | undefined>(join(this.baselineDir(source), 'HEAD.json'), undefined);
  }

  async setBaseline(source: string, pointer: BaselinePointer): Promise<void> {
    await writeFileAtomic(join(this.baselineDir(source), 'HEAD.json'), JSON.stringify(pointer));
  }

  /** Every table with at least one schema version (encoded folder names decoded). */
  async tables(): Promise<string[]> {
    try {
      return (await readdir(join(this.stateDir, 'catalog'))).map((d) => decodeURIComponent(d)).sort();
    } catch {
      return [];
    }
  }
}

async function readJson<T>(file: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw error;
  }
  return JSON.parse(text) as T;
}
