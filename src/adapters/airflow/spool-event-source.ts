// The spool folder the listener plugin writes: one JSON file per failed try. Reading never deletes;
// a handled file moves to `done/`, an unreadable one to `rejected/` (with the reason beside it), so
// nothing the plugin reported is lost and nothing is read twice by one watcher. `healer serve`'s
// event endpoint writes here too, under the plugin's own file name for the try.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AirflowFailure, airflowFailureSchema } from './airflow-event.js';

/** One spooled failure, with the file it came from. */
export interface SpooledFailure {
  file: string;
  failure: AirflowFailure;
}

/** A spooled file that is not a failure event. */
export interface RejectedSpoolFile {
  file: string;
  reason: string;
}

/** Reads and settles the spool folder. */
export class SpoolEventSource {
  constructor(private readonly dir: string) {}

  /** Every complete event file now in the folder, oldest failure first; bad files are set aside. */
  async read(): Promise<{ failures: SpooledFailure[]; rejected: RejectedSpoolFile[] }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { failures: [], rejected: [] };
      throw error;
    }
    const failures: SpooledFailure[] = [];
    const rejected: RejectedSpoolFile[] = [];
    // `.tmp-` files are still being written (the plugin renames them when complete).
    for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
      const file = join(this.dir, name);
      let parsed: ReturnType<typeof airflowFailureSchema.safeParse>;
      try {
        parsed = airflowFailureSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      } catch (error) {
        rejected.push({ file, reason: `not JSON: ${(error as Error).message}` });
        continue;
      }
      if (parsed.success) failures.push({ file, failure: parsed.data });
      else {
        const issue = parsed.error.issues[0];
        rejected.push({
          file,
          reason: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
        });
      }
    }
    for (const r of rejected) await this.settle(r.file, 'rejected', r.reason);
    // In the order they happened: an instance's first try is seen before its later ones.
    failures.sort(
      (a, b) =>
        Date.parse(a.failure.occurred_at) - Date.parse(b.failure.occurred_at) ||
        a.failure.try_number - b.failure.try_number,
    );
    return { failures, rejected };
  }

  /**
   * Writes one failure as the plugin does (a temp file, then a rename, so a reader never sees half
   * of it), named after the try: the same try delivered twice is one file.
   */
  async write(failure: AirflowFailure): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, spoolFileName(failure));
    const tmp = join(this.dir, `.tmp-${randomBytes(6).toString('hex')}.json`);
    await writeFile(tmp, JSON.stringify(failure));
    await rename(tmp, file);
    return file;
  }

  /** Moves a handled file to `done/` (or `rejected/` with its reason). */
  async settle(file: string, into: 'done' | 'rejected', reason?: string): Promise<void> {
    const folder = join(this.dir, into);
    await mkdir(folder, { recursive: true });
    const name = file.slice(file.lastIndexOf('/') + 1);
    await rename(file, join(folder, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error; // another watcher settled it first
    });
    if (reason) await writeFile(join(folder, `${name}.reason.txt`), `${reason}\n`);
  }
}

/** The plugin's file name for a try: sha256 of `dag|run|task|map_index|try`, 24 hex digits. */
export function spoolFileName(
  failure: Pick<AirflowFailure, 'dag_id' | 'run_id' | 'task_id' | 'map_index' | 'try_number'>,
): string {
  const key = [failure.dag_id, failure.run_id, failure.task_id, failure.map_index, failure.try_number].join(
    '|',
  );
  return `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.json`;
}
