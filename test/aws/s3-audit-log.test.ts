// The S3 audit log on moto, through the shared AuditLog contract (a fresh bucket pair per test:
// the chains in one, the anchored heads in another, as a versioned or object-locked bucket would be).

import { afterAll, beforeAll } from 'vitest';
import { S3AuditLog } from '../../src/adapters/aws/s3-audit-log.js';
import type { AuditHead, AuditKeyring, AuditRecord } from '../../src/core/audit-chain.js';
import { runAuditLogContract } from '../ports/audit-log-contract.js';
import { type Moto, type MotoClients, motoClients, startMoto } from './moto.js';

let moto: Moto;
let c: MotoClients;
let buckets = 0;

beforeAll(async () => {
  moto = await startMoto();
  c = motoClients(moto.endpoint);
});
afterAll(async () => moto?.stop());

runAuditLogContract('s3 (moto)', {
  create: async (keys: AuditKeyring) => {
    const n = ++buckets;
    const bucket = `healer-audit-${n}`;
    const anchorBucket = `healer-audit-heads-${n}`;
    await c.s3.createBucket({ Bucket: bucket });
    await c.s3.createBucket({ Bucket: anchorBucket });
    const open = (k: AuditKeyring) => new S3AuditLog({ s3: c.s3, bucket, anchorBucket, keys: k });
    const audit = open(keys);
    const text = async (b: string, key: string) =>
      (await (await c.s3.getObject({ Bucket: b, Key: key })).Body?.transformToString()) ?? '';
    return {
      audit,
      reopen: async (k) => open(k),
      rawRecords: async (id) =>
        (await text(bucket, audit.keyOf(id)))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as AuditRecord),
      writeRawRecords: async (id, records) => {
        await c.s3.putObject({
          Bucket: bucket,
          Key: audit.keyOf(id),
          Body: records.map((r) => `${JSON.stringify(r)}\n`).join(''),
        });
      },
      rawHead: async (id) => JSON.parse(await text(anchorBucket, audit.anchorKeyOf(id))) as AuditHead,
      writeRawHead: async (id, head) => {
        await c.s3.putObject({
          Bucket: anchorBucket,
          Key: audit.anchorKeyOf(id),
          Body: JSON.stringify(head),
        });
      },
      deleteHead: async (id) => {
        await c.s3.deleteObject({ Bucket: anchorBucket, Key: audit.anchorKeyOf(id) });
      },
      deleteLog: async (id) => {
        await c.s3.deleteObject({ Bucket: bucket, Key: audit.keyOf(id) });
      },
    };
  },
});
