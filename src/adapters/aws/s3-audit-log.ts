// The audit log on S3: one hash-chained, signed JSONL object per incident (`audit/<incident>.jsonl`)
// and its signed head anchored in a separate object (`audit-head/<incident>.json`, optionally in
// another, versioned or object-locked bucket), so a chain cut short, rewritten or deleted no longer
// matches its head. Appends are read-modify-write with conditional writes (If-Match on the ETag,
// If-None-Match for the first record), so two writers never lose each other's records.

import { S3 } from '@aws-sdk/client-s3';
import {
  AUDIT_SYSTEM_ID,
  type AuditBody,
  type AuditHead,
  type AuditKeyring,
  type AuditRecord,
  type ChainVerification,
  chainRecord,
  compareWithHead,
  headProblem,
  signHead,
  signRecord,
  verifyChain,
} from '../../core/audit-chain.js';
import { AuditError } from '../../core/errors.js';
import { redactDeep } from '../../core/redact.js';
import type { AuditLog } from '../../ports.js';
import { awsCall, awsErrorName, awsStatus } from './aws-errors.js';

/** The S3 calls the audit log uses. */
export type S3AuditClientLike = Pick<S3, 'getObject' | 'putObject' | 'listObjectsV2'>;

/** The S3 object form of a head; zod-free on purpose: headProblem() rejects anything unsigned. */
function parseHead(text: string, where: string): AuditHead {
  try {
    const v = JSON.parse(text) as AuditHead;
    if (typeof v.seq === 'number' && typeof v.hash === 'string' && typeof v.sig === 'string') return v;
  } catch {
    // fall through
  }
  throw new AuditError(`${where}: not an audit head`);
}

export interface S3AuditLogOptions {
  s3?: S3AuditClientLike;
  bucket: string;
  /** Key prefix. Default `audit/`. */
  prefix?: string;
  /** Signing keys (from `HEALER_AUDIT_KEY`). */
  keys: AuditKeyring;
  /** Bucket of the anchored heads; default the audit bucket. A versioned or object-locked one is best. */
  anchorBucket?: string;
  /** Key prefix of the anchored heads. Default `audit-head/`. */
  anchorPrefix?: string;
  /** Conditional-write attempts before giving up. Default 8. */
  maxAttempts?: number;
}

/**
 * AuditLog on S3.
 *
 * @example
 * const audit = new S3AuditLog({ bucket: 'healer-audit' });
 * (await audit.verify('inc-1a2b')).ok;
 */
export class S3AuditLog implements AuditLog {
  private readonly s3: S3AuditClientLike;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly maxAttempts: number;
  private readonly keys: AuditKeyring;
  private readonly anchorBucket: string;
  private readonly anchorPrefix: string;

  constructor(options: S3AuditLogOptions) {
    this.s3 = options.s3 ?? new S3({});
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? 'audit/';
    this.maxAttempts = options.maxAttempts ?? 8;
    this.keys = options.keys;
    this.anchorBucket = options.anchorBucket ?? options.bucket;
    this.anchorPrefix = options.anchorPrefix ?? 'audit-head/';
  }

  /** Object key of one incident's anchored head. */
  anchorKeyOf(incidentId: string): string {
    this.keyOf(incidentId);
    return `${this.anchorPrefix}${incidentId}.json`;
  }

  /** Object key of one incident's chain. */
  keyOf(incidentId: string): string {
    if (!/^[A-Za-z0-9._:-]{1,200}$/.test(incidentId))
      throw new AuditError(`incident id ${JSON.stringify(incidentId)} is not a safe object key`);
    return `${this.prefix}${incidentId}.jsonl`;
  }

  async append(body: AuditBody): Promise<AuditRecord> {
    const key = this.keyOf(body.incidentId);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const { records, etag } = await this.load(key);
      const added = this.handOver(records);
      const record = signRecord(
        chainRecord(added.at(-1) ?? records.at(-1), { ...body, data: redactDeep(body.data) }),
        this.keys.active,
      );
      added.push(record);
      const text = [...records, ...added].map((r) => JSON.stringify(r)).join('\n') + '\n';
      try {
        await this.s3.putObject({
          Bucket: this.bucket,
          Key: key,
          Body: text,
          ContentType: 'application/x-ndjson',
          ...(etag ? { IfMatch: etag } : { IfNoneMatch: '*' }),
        });
        await this.advanceHead(body.incidentId, record);
        return record;
      } catch (error) {
        // 412: someone appended in between; 409: a concurrent conditional write is in flight.
        const status = awsStatus(error);
        if (status === 412 || status === 409 || awsErrorName(error) === 'PreconditionFailed') continue;
        throw new AuditError(`s3://${this.bucket}/${key}: append failed: ${String(error)}`, {
          cause: error,
          retryable: true,
        });
      }
    }
    throw new AuditError(`s3://${this.bucket}/${key}: ${this.maxAttempts} concurrent appends lost the race`, {
      retryable: true,
    });
  }

  async read(incidentId: string): Promise<AuditRecord[]> {
    return (await this.load(this.keyOf(incidentId))).records;
  }

  /**
   * Verifies chains, signatures and anchored heads: of one incident, or of every incident that has
   * a log or a head (a head without its log is a deleted log).
   */
  async verify(incidentId?: string): Promise<ChainVerification & { incidents: number }> {
    const ids = incidentId
      ? [incidentId]
      : [
          ...new Set([
            ...(await this.listIds(this.bucket, this.prefix, '.jsonl')),
            ...(await this.listIds(this.anchorBucket, this.anchorPrefix, '.json')),
          ]),
        ].sort();
    let records = 0;
    const counted = ids.filter((id) => id !== AUDIT_SYSTEM_ID).length;
    for (const id of ids) {
      let chain: AuditRecord[];
      try {
        chain = await this.read(id);
      } catch (error) {
        return { ok: false, records, incidents: counted, problem: `${id}: ${(error as Error).message}` };
      }
      const result = verifyChain(chain, this.keys);
      records += result.records;
      if (!result.ok) return { ...result, records, incidents: counted, problem: `${id}: ${result.problem}` };
      const { head } = await this.readHead(id);
      const problem = head
        ? (headProblem(head, this.keys, id) ?? compareWithHead(chain, head))
        : chain.length > 0
          ? 'the chain has no anchored head (the head was deleted)'
          : undefined;
      if (problem)
        return { ok: false, records, incidents: counted, brokenAt: head?.seq, problem: `${id}: ${problem}` };
    }
    return { ok: true, records, incidents: counted };
  }

  /** A `key_rotated` record when the chain is still signed by an older key than the active one. */
  private handOver(records: readonly AuditRecord[]): AuditRecord[] {
    const last = records.at(-1);
    if (!last) return [];
    const next =
      last.step === 'key_rotated' ? (last.data as { newKeyId?: unknown } | null)?.newKeyId : undefined;
    const chainKey = typeof next === 'string' ? next : last.keyId;
    if (chainKey === undefined || chainKey === this.keys.active.id) return [];
    const old = this.keys.keys.get(chainKey);
    if (!old)
      throw new AuditError(
        `${last.incidentId}: the chain is signed by key ${chainKey}, which is not available`,
      );
    return [
      signRecord(
        chainRecord(last, {
          incidentId: last.incidentId,
          step: 'key_rotated',
          at: new Date().toISOString(),
          policyHash: '',
          guardHash: '',
          authorityHash: '',
          data: { newKeyId: this.keys.active.id },
        }),
        old,
      ),
    ];
  }

  /** Moves the anchored head forward (never back: a slower concurrent writer loses the race). */
  private async advanceHead(incidentId: string, record: AuditRecord): Promise<void> {
    const key = this.anchorKeyOf(incidentId);
    const head = signHead(
      { scope: incidentId, seq: record.seq, hash: record.hash, at: record.at },
      this.keys.active,
    );
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const current = await this.readHead(incidentId);
      if (current.head && current.head.seq >= record.seq) return;
      try {
        await this.s3.putObject({
          Bucket: this.anchorBucket,
          Key: key,
          Body: JSON.stringify(head),
          ContentType: 'application/json',
          ...(current.etag ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
        });
        return;
      } catch (error) {
        const status = awsStatus(error);
        if (status === 412 || status === 409 || awsErrorName(error) === 'PreconditionFailed') continue;
        throw new AuditError(
          `s3://${this.anchorBucket}/${key}: anchoring the head failed: ${String(error)}`,
          {
            cause: error,
            retryable: true,
          },
        );
      }
    }
    throw new AuditError(
      `s3://${this.anchorBucket}/${key}: ${this.maxAttempts} concurrent head updates lost the race`,
      {
        retryable: true,
      },
    );
  }

  private async readHead(incidentId: string): Promise<{ head?: AuditHead; etag?: string }> {
    const key = this.anchorKeyOf(incidentId);
    try {
      const got = await this.s3.getObject({ Bucket: this.anchorBucket, Key: key });
      const text = (await got.Body?.transformToString()) ?? '';
      return { head: parseHead(text, `s3://${this.anchorBucket}/${key}`), etag: got.ETag };
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchKey' || awsStatus(error) === 404) return {};
      if (error instanceof AuditError) throw error;
      throw new AuditError(`s3://${this.anchorBucket}/${key}: read failed: ${String(error)}`, {
        cause: error,
      });
    }
  }

  private async listIds(bucket: string, prefix: string, suffix: string): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await awsCall('s3:ListObjectsV2', `s3://${bucket}/${prefix}`, () =>
        this.s3.listObjectsV2({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key?.endsWith(suffix) && !o.Key.slice(prefix.length).includes('/'))
          ids.push(o.Key.slice(prefix.length, -suffix.length));
      token = page.NextContinuationToken;
    } while (token);
    return ids;
  }

  private async load(key: string): Promise<{ records: AuditRecord[]; etag?: string }> {
    let text: string;
    let etag: string | undefined;
    try {
      const got = await this.s3.getObject({ Bucket: this.bucket, Key: key });
      text = (await got.Body?.transformToString()) ?? '';
      etag = got.ETag;
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchKey' || awsStatus(error) === 404) return { records: [] };
      throw new AuditError(`s3://${this.bucket}/${key}: read failed: ${String(error)}`, { cause: error });
    }
    const records: AuditRecord[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line) continue;
      try {
        records.push(JSON.parse(line) as AuditRecord);
      } catch {
        throw new AuditError(`s3://${this.bucket}/${key}: line ${i + 1}: not valid JSON`, {
          context: { key, line: i + 1 },
        });
      }
    }
    return { records, etag };
  }
}
