// The audit record shape and its hash chain: each record commits to the previous record's hash,
// so editing or removing any record breaks verification from that point on.

import { createHash } from 'node:crypto';

export const AUDIT_STEPS = [
  'received',
  'evidence',
  'diagnosis',
  'decision',
  'action',
  'validation',
  'escalation',
  'outcome',
  'reconcile',
  'linked',
  'approval',
  'rejection',
  'label',
  'autonomy',
] as const;
export type AuditStep = (typeof AUDIT_STEPS)[number];

/** The content of a record before it is chained. */
export interface AuditBody {
  incidentId: string;
  step: AuditStep;
  /** ISO 8601. */
  at: string;
  /** Hashes of the policy artifact, the guard and the authority in force (empty string when not yet known). */
  policyHash: string;
  guardHash: string;
  authorityHash: string;
  data: unknown;
}

export interface AuditRecord extends AuditBody {
  /** 0-based position in its chain. */
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Links a body to the chain after `prev` (or starts a chain). */
export function chainRecord(prev: AuditRecord | undefined, body: AuditBody): AuditRecord {
  const seq = prev ? prev.seq + 1 : 0;
  const prevHash = prev ? prev.hash : GENESIS_HASH;
  const hash = sha256(canonicalJson({ ...body, seq, prevHash }));
  return { ...body, seq, prevHash, hash };
}

export interface ChainVerification {
  ok: boolean;
  records: number;
  /** First broken position and why, when not ok. */
  brokenAt?: number;
  problem?: string;
}

/** Checks sequence numbers, links and hashes of a whole chain. */
export function verifyChain(records: readonly AuditRecord[]): ChainVerification {
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.seq !== i)
      return {
        ok: false,
        records: records.length,
        brokenAt: i,
        problem: `expected seq ${i}, found ${r.seq} (a record was removed or reordered)`,
      };
    if (r.prevHash !== prevHash)
      return {
        ok: false,
        records: records.length,
        brokenAt: i,
        problem: 'prevHash does not match the previous record (a record was removed or edited)',
      };
    const { hash, ...rest } = r;
    if (sha256(canonicalJson(rest)) !== hash)
      return {
        ok: false,
        records: records.length,
        brokenAt: i,
        problem: 'hash does not match the content (the record was edited)',
      };
    prevHash = hash;
  }
  return { ok: true, records: records.length };
}
