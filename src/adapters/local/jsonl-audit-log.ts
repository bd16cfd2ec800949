// AuditLog as an append-only JSONL file (`.healer/audit.jsonl`): one global hash chain over every
// record. The chain's head (seq + hash) is also kept in the state store, so removing the last
// records (which leaves a valid shorter chain) is detected too.

import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type AuditBody, type AuditRecord, chainRecord, verifyChain } from '../../core/audit-chain.js';
import { AuditError } from '../../core/errors.js';
import type { AuditLog } from '../../ports.js';
import type { AuditHeadStore } from './audit-head-store.js';

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
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly heads?: AuditHeadStore,
  ) {}

  append(body: AuditBody): Promise<AuditRecord> {
    const work = async () => {
      await mkdir(dirname(this.file), { recursive: true });
      const heads = this.heads;
      // Under the store's exclusive lock the file's last record is re-read on every append, so two
      // environments (or processes) on one folder extend one chain and never repeat a seq.
      if (heads?.exclusive && heads.setAuditHeadSync) {
        const setHead = heads.setAuditHeadSync.bind(heads);
        return heads.exclusive(() => {
          const record = this.appendSync(body);
          setHead({ seq: record.seq, hash: record.hash });
          return record;
        });
      }
      const record = this.appendSync(body);
      await heads?.setAuditHead({ seq: record.seq, hash: record.hash });
      return record;
    };
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Chains `body` after the file's last whole record and appends it with O_APPEND and fsync. */
  private appendSync(body: AuditBody): AuditRecord {
    const record = chainRecord(lastRecordSync(this.file), body);
    const fd = openSync(this.file, 'a');
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return record;
  }

  async read(incidentId: string): Promise<AuditRecord[]> {
    const { records } = await this.readAll();
    return records.filter((r) => r.incidentId === incidentId);
  }

  async verify(incidentId?: string): Promise<AuditVerification> {
    // The head first: a writer appends the record before it moves the head, so every record the
    // head names is in the file read afterwards, even while a run appends.
    const head = await this.heads?.getAuditHead();
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
    // The last piece has no newline yet: a record being appended right now (the head does not
    // name it until it is whole), or one torn by a crash, which the head check reports.
    lines.pop();
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

/** The last newline-terminated record of the file, read from its end (undefined when empty). */
function lastRecordSync(file: string): AuditRecord | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AuditError(`cannot read audit log ${file}`, { cause: error });
  }
  try {
    let end = fstatSync(fd).size;
    let tail = Buffer.alloc(0);
    // Skip a torn piece after the last newline, then grow the window until a whole line fits.
    for (let window = 65_536; end > 0; window *= 2) {
      const start = Math.max(0, end - window);
      const chunk = Buffer.alloc(end - start);
      readSync(fd, chunk, 0, chunk.length, start);
      tail = Buffer.concat([chunk, tail]);
      end = start;
      const lastNewline = tail.lastIndexOf(10);
      if (lastNewline < 0) continue;
      // (A negative offset would search from the end again.)
      const before = lastNewline > 0 ? tail.lastIndexOf(10, lastNewline - 1) : -1;
      if (before < 0 && end > 0) continue;
      const line = tail.subarray(before + 1, lastNewline).toString('utf8');
      try {
        return JSON.parse(line) as AuditRecord;
      } catch (error) {
        throw new AuditError(`${file}: the last audit record is not JSON; run \`healer audit verify\``, {
          cause: error,
        });
      }
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
