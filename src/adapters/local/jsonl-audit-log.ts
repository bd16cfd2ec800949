// AuditLog as an append-only JSONL file (`.healer/audit.jsonl`): one global hash chain over every
// record. The chain's head (seq + hash) is also kept in the state store, so removing the last
// records (which leaves a valid shorter chain) is detected too.

import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type AuditBody, type AuditRecord, chainRecord, verifyChain } from '../../core/audit-chain.js';
import { AuditError } from '../../core/errors.js';
import type { AuditLog } from '../../ports.js';
import type { AuditHeadStore } from './duckdb-state-store.js';

/** Result of verifying the whole log, with the offending record named. */
export interface AuditVerification {
  ok: boolean;
  records: number;
  incidents: number;
  brokenAt?: number;
  problem?: string;
  /** Incident id of the broken record, when there is one. */
  incidentId?: string;
  /** 1-based line of the broken record in the file. */
  line?: number;
}

/**
 * Appends with `O_APPEND` and fsync; appends are serialised in-process.
 *
 * @example
 * const audit = new JsonlAuditLog('.healer/audit.jsonl', state);
 * await audit.append(body);
 * const check = await audit.verify();
 */
export class JsonlAuditLog implements AuditLog {
  private last: AuditRecord | undefined;
  private loaded = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly heads?: AuditHeadStore,
  ) {}

  append(body: AuditBody): Promise<AuditRecord> {
    const work = async () => {
      if (!this.loaded) {
        const { records } = await this.readAll();
        this.last = records.at(-1);
        this.loaded = true;
      }
      const record = chainRecord(this.last, body);
      await mkdir(dirname(this.file), { recursive: true });
      const handle = await open(this.file, 'a');
      try {
        await handle.write(`${JSON.stringify(record)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.last = record;
      await this.heads?.setAuditHead({ seq: record.seq, hash: record.hash });
      return record;
    };
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async read(incidentId: string): Promise<AuditRecord[]> {
    const { records } = await this.readAll();
    return records.filter((r) => r.incidentId === incidentId);
  }

  async verify(incidentId?: string): Promise<AuditVerification> {
    const { records, unparsable } = await this.readAll();
    const incidents = new Set(records.map((r) => r.incidentId));
    const count = incidentId === undefined ? incidents.size : incidents.has(incidentId) ? 1 : 0;
    if (unparsable !== undefined)
      return {
        ok: false,
        records: records.length,
        incidents: count,
        brokenAt: unparsable,
        line: unparsable + 1,
        problem: `line ${unparsable + 1} is not a JSON audit record`,
      };
    const chain = verifyChain(records);
    if (!chain.ok) {
      const at = chain.brokenAt ?? 0;
      return {
        ...chain,
        incidents: count,
        line: at + 1,
        ...(records[at] ? { incidentId: records[at]!.incidentId } : {}),
      };
    }
    const head = await this.heads?.getAuditHead();
    if (head) {
      const atHead = records[head.seq];
      if (!atHead)
        return {
          ok: false,
          records: records.length,
          incidents: count,
          brokenAt: records.length,
          problem: `the log ends at seq ${records.length - 1} but the state store's head is seq ${head.seq}: the last ${head.seq + 1 - records.length} record(s) were removed`,
        };
      if (atHead.hash !== head.hash)
        return {
          ok: false,
          records: records.length,
          incidents: count,
          brokenAt: head.seq,
          line: head.seq + 1,
          incidentId: atHead.incidentId,
          problem: `record seq ${head.seq} does not match the head hash in the state store (the tail was rewritten)`,
        };
    }
    return { ok: true, records: records.length, incidents: count };
  }

  private async readAll(): Promise<{ records: AuditRecord[]; unparsable?: number }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [] };
      throw new AuditError(`cannot read audit log ${this.file}`, { cause: error });
    }
    const records: AuditRecord[] = [];
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    for (const [i, line] of lines.entries()) {
      try {
        records.push(JSON.parse(line) as AuditRecord);
      } catch {
        return { records, unparsable: i };
      }
    }
    return { records };
  }
}
