// The audit log on S3: one hash-chained JSONL object per incident (`audit/<incident>.jsonl`).
// Appends are read-modify-write with conditional writes (If-Match on the ETag, If-None-Match for
// the first record), so two writers never lose each other's records.

import { S3 } from '@aws-sdk/client-s3';
import {
  type AuditBody,
  type AuditRecord,
  type ChainVerification,
  chainRecord,
  verifyChain,
} from '../../core/audit-chain.js';
import { AuditError } from '../../core/errors.js';
import type { AuditLog } from '../../ports.js';
import { awsCall, awsErrorName, awsStatus } from './aws-errors.js';

/** The S3 calls the audit log uses. */
export type S3AuditClientLike = Pick<S3, 'getObject' | 'putObject' | 'listObjectsV2'>;

export interface S3AuditLogOptions {
  s3?: S3AuditClientLike;
  bucket: string;
  /** Key prefix. Default `audit/`. */
  prefix?: string;
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

  constructor(options: S3AuditLogOptions) {
    this.s3 = options.s3 ?? new S3({});
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? 'audit/';
    this.maxAttempts = options.maxAttempts ?? 8;
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
      const record = chainRecord(records.at(-1), body);
      const text = [...records, record].map((r) => JSON.stringify(r)).join('\n') + '\n';
      try {
        await this.s3.putObject({
          Bucket: this.bucket,
          Key: key,
          Body: text,
          ContentType: 'application/x-ndjson',
          ...(etag ? { IfMatch: etag } : { IfNoneMatch: '*' }),
        });
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

  async verify(incidentId?: string): Promise<ChainVerification & { incidents: number }> {
    const ids = incidentId ? [incidentId] : await this.listIncidentIds();
    let records = 0;
    for (const id of ids) {
      const result = verifyChain(await this.read(id));
      records += result.records;
      if (!result.ok)
        return { ...result, records, incidents: ids.length, problem: `${id}: ${result.problem}` };
    }
    return { ok: true, records, incidents: ids.length };
  }

  private async listIncidentIds(): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await awsCall('s3:ListObjectsV2', `s3://${this.bucket}/${this.prefix}`, () =>
        this.s3.listObjectsV2({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key?.endsWith('.jsonl')) ids.push(o.Key.slice(this.prefix.length, -'.jsonl'.length));
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
