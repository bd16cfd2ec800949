// AuditLog as an append-only JSONL file (`.healer/audit.jsonl`): one global hash chain over every
// record, each record signed (HMAC) with a key kept outside the state folder, and the chain's signed
// head anchored outside it too (see audit-key-file.ts). A torn last line (a crash mid-append) is cut
// off at open and the cut is itself audited; any other damage stops appends until a human looks.

import { mkdirSync, realpathSync } from 'node:fs';
import { mkdir, open, readFile, stat, truncate } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  AUDIT_SYSTEM_ID,
  type AuditBody,
  type AuditHead,
  type AuditKeyring,
  type AuditRecord,
  chainRecord,
  compareWithHead,
  headProblem,
  sha256,
  signHead,
  signRecord,
  verifyChain,
} from '../../core/audit-chain.js';
import { AuditError } from '../../core/errors.js';
import { redactDeep } from '../../core/redact.js';
import type { AuditLog } from '../../ports.js';
import { AuditAnchorFile, type AuditKeyEnv, auditAnchorDir, loadAuditKeys } from './audit-key-file.js';

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
  /** Seq of the anchored head, when there is one. */
  anchoredSeq?: number;
}

/** Where the anchored head is kept. */
export interface AuditAnchor {
  /** Where the head is kept, for messages. */
  readonly file: string;
  read(): Promise<AuditHead | undefined>;
  write(head: AuditHead): Promise<void>;
}

export interface JsonlAuditLogOptions {
  keys: AuditKeyring;
  anchor: AuditAnchor;
  /** Clock for repair and rotation records. */
  now?: () => Date;
  /**
   * Runs one append while no other process appends (the state store's lock). Without it appends
   * are serialised within this process only.
   */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** Appends to one file are serialised across every instance in the process. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Appends with `O_APPEND` and fsync, then moves the anchored head.
 *
 * @example
 * const audit = await openJsonlAuditLog('.healer');
 * await audit.append(body);
 * const check = await audit.verify();
 */
export class JsonlAuditLog implements AuditLog {
  private last: AuditRecord | undefined;
  /** File size after our last write; another writer changes it and forces a re-read. */
  private size = -1;

  constructor(
    readonly file: string,
    private readonly options: JsonlAuditLogOptions,
  ) {}

  /** Opens for appending: repairs a torn last line (audited) and checks the log against its head. */
  open(): Promise<void> {
    return this.serial(() => this.load());
  }

  append(body: AuditBody): Promise<AuditRecord> {
    return this.serial(async () => {
      await this.handOver();
      return this.write(
        signRecord(
          chainRecord(this.last, { ...body, data: redactDeep(body.data) }),
          this.options.keys.active,
        ),
      );
    });
  }

  /** Records the hand-over to the active key now, when the chain is still signed by an older one. */
  rotate(): Promise<void> {
    return this.serial(() => this.handOver());
  }

  private async handOver(): Promise<void> {
    if (this.size < 0 || (await fileSize(this.file)) !== this.size) await this.load();
    const key = this.options.keys.active;
    const chainKey = this.expectedKey();
    if (chainKey === undefined || chainKey === key.id) return;
    const old = this.options.keys.keys.get(chainKey);
    if (!old)
      throw new AuditError(
        `${this.file}: the chain is signed by key ${chainKey}, which is not available; keep retired keys (see docs/crash-safety.md)`,
      );
    // Signed by the old key: only its holder could have named the new one.
    await this.write(
      signRecord(chainRecord(this.last, this.system('key_rotated', { newKeyId: key.id })), old),
    );
  }

  async read(incidentId: string): Promise<AuditRecord[]> {
    const { records } = await this.readAll();
    return records.filter((r) => r.incidentId === incidentId);
  }

  async verify(incidentId?: string): Promise<AuditVerification> {
    const { records, unparsable, torn } = await this.readAll();
    const incidents = new Set(records.map((r) => r.incidentId));
    incidents.delete(AUDIT_SYSTEM_ID);
    const count = incidentId === undefined ? incidents.size : incidents.has(incidentId) ? 1 : 0;
    const fail = (brokenAt: number, problem: string): AuditVerification => ({
      ok: false,
      records: records.length,
      incidents: count,
      brokenAt,
      line: brokenAt + 1,
      problem,
      ...(records[brokenAt] ? { incidentId: records[brokenAt]!.incidentId } : {}),
    });
    if (unparsable !== undefined)
      return fail(
        unparsable,
        torn
          ? `line ${unparsable + 1} is torn (a crash mid-append); the next run repairs it`
          : `line ${unparsable + 1} is not a JSON audit record`,
      );
    const chain = verifyChain(records, this.options.keys);
    if (!chain.ok) return fail(chain.brokenAt ?? 0, chain.problem ?? 'broken');
    let head: AuditHead | undefined;
    try {
      head = await this.options.anchor.read();
    } catch (error) {
      // An unreadable head is a verdict, not a crash of the verifier.
      return fail(Math.max(records.length - 1, 0), (error as Error).message);
    }
    if (!head) {
      if (records.length > 0)
        return fail(
          records.length - 1,
          'the log has no anchored head (the anchor was deleted or never written)',
        );
      return { ok: true, records: 0, incidents: 0 };
    }
    const problem = headProblem(head, this.options.keys, this.scope()) ?? compareWithHead(records, head);
    if (problem) return fail(Math.min(head.seq, records.length), problem);
    return { ok: true, records: records.length, incidents: count, anchoredSeq: head.seq };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const key = resolve(this.file);
    const exclusive = this.options.exclusive;
    // Across processes too: another writer's records are re-read (the size check) under the lock.
    const guarded = exclusive ? () => exclusive(work) : work;
    const next = (queues.get(key) ?? Promise.resolve()).then(guarded, guarded);
    queues.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  private scope(): string {
    return auditScope(this.file);
  }

  private expectedKey(): string | undefined {
    if (!this.last) return undefined;
    if (this.last.step === 'key_rotated') {
      const next = (this.last.data as { newKeyId?: unknown } | null)?.newKeyId;
      if (typeof next === 'string') return next;
    }
    return this.last.keyId;
  }

  private system(step: 'repair' | 'key_rotated', data: unknown): AuditBody {
    return {
      incidentId: AUDIT_SYSTEM_ID,
      step,
      at: (this.options.now?.() ?? new Date()).toISOString(),
      policyHash: '',
      guardHash: '',
      authorityHash: '',
      data,
    };
  }

  private async load(): Promise<void> {
    const { records, unparsable, torn, text } = await this.readAll();
    let repair: { truncatedBytes: number; line: number; tailSha256: string } | undefined;
    if (unparsable !== undefined) {
      if (!torn)
        throw new AuditError(
          `${this.file}: line ${unparsable + 1} is not a JSON audit record; appends stop until it is examined (healer audit verify)`,
          { context: { file: this.file, line: unparsable + 1 } },
        );
      const keep = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8');
      const tail = text.slice(text.lastIndexOf('\n') + 1);
      await truncate(this.file, keep);
      repair = {
        truncatedBytes: Buffer.byteLength(tail, 'utf8'),
        line: unparsable + 1,
        tailSha256: sha256(tail),
      };
    } else if (text !== '' && !text.endsWith('\n')) {
      // A whole record whose newline never landed.
      await this.appendText('\n');
    }
    this.last = records.at(-1);
    const head = await this.options.anchor.read();
    if (head) {
      const problem = headProblem(head, this.options.keys, this.scope()) ?? compareWithHead(records, head);
      if (problem)
        throw new AuditError(
          `${this.file}: ${problem}; appends stop until it is examined (healer audit verify; anchor ${this.options.anchor.file})`,
          {
            context: { file: this.file },
          },
        );
    }
    this.size = await fileSize(this.file);
    if (repair)
      await this.write(signRecord(chainRecord(this.last, this.system('repair', repair)), this.signingKey()));
  }

  /** The key for a system record right now: the chain's, so the succession stays intact. */
  private signingKey() {
    const chainKey = this.expectedKey();
    return (chainKey && this.options.keys.keys.get(chainKey)) || this.options.keys.active;
  }

  private async write(record: AuditRecord): Promise<AuditRecord> {
    await this.appendText(`${JSON.stringify(record)}\n`);
    this.last = record;
    this.size = await fileSize(this.file);
    await this.options.anchor.write(
      signHead(
        { scope: this.scope(), seq: record.seq, hash: record.hash, at: record.at },
        this.options.keys.active,
      ),
    );
    return record;
  }

  private async appendText(text: string): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const handle = await open(this.file, 'a', 0o600);
    try {
      await handle.write(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private async readAll(): Promise<{
    records: AuditRecord[];
    unparsable?: number;
    torn?: boolean;
    text: string;
  }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], text: '' };
      throw new AuditError(`cannot read audit log ${this.file}`, { cause: error });
    }
    const records: AuditRecord[] = [];
    const lines = text.split('\n');
    const endsWhole = lines.at(-1) === '';
    if (endsWhole) lines.pop();
    for (const [i, line] of lines.entries()) {
      try {
        records.push(JSON.parse(line) as AuditRecord);
      } catch {
        // Only the last line, without its newline, can be a crash's torn write.
        return { records, unparsable: i, torn: i === lines.length - 1 && !endsWhole, text };
      }
    }
    return { records, text };
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** The anchor scope of a log: its real path, so two spellings of one folder share one head. */
export function auditScope(file: string): string {
  const dir = dirname(resolve(file));
  try {
    return join(realpathSync(dir), basename(file));
  } catch {
    return resolve(file);
  }
}

/**
 * The local audit log of a state folder, with its keys and anchor from the environment
 * (`HEALER_AUDIT_KEY`, `HEALER_AUDIT_KEY_FILE`, `HEALER_AUDIT_ANCHOR_DIR`). `create` makes the key
 * file on first use (the agent); verification never does.
 */
export async function openJsonlAuditLog(
  stateDir: string,
  options: {
    env?: AuditKeyEnv;
    create?: boolean;
    now?: () => Date;
    exclusive?: JsonlAuditLogOptions['exclusive'];
  } = {},
): Promise<JsonlAuditLog> {
  const env = options.env ?? process.env;
  if (options.create ?? true) mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, 'audit.jsonl');
  const keys = await loadAuditKeys({ env, create: options.create ?? true, stateDir });
  const anchor = new AuditAnchorFile(auditAnchorDir(env), auditScope(file));
  return new JsonlAuditLog(file, {
    keys,
    anchor,
    ...(options.now ? { now: options.now } : {}),
    ...(options.exclusive ? { exclusive: options.exclusive } : {}),
  });
}

/** Forgets the anchored head of a state folder that is being deleted on purpose (`healer demo`). */
export async function forgetAuditAnchor(stateDir: string, env: AuditKeyEnv = process.env): Promise<void> {
  await new AuditAnchorFile(auditAnchorDir(env), auditScope(join(stateDir, 'audit.jsonl'))).remove();
}
