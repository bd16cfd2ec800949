// The audit record shape, its hash chain and its signatures: each record commits to the previous
// record's hash, so editing or removing any record breaks verification from that point on; each
// record and the anchored head carry an HMAC under a key kept outside the log, so a chain rewritten
// from scratch (hashes recomputed) fails too.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const AUDIT_STEPS = [
  'received',
  'evidence',
  'diagnosis',
  'decision',
  'intent',
  'action',
  'validation',
  'escalation',
  'commit',
  'reconcile',
  'outcome',
  'reconcile',
  'linked',
  /** The log's torn last line (a crash mid-append) was cut off at start. */
  'repair',
  /** Records after this one are signed by the key it names; it is signed by the previous key. */
  'key_rotated',
  'lock_takeover',
  'approval',
  'rejection',
  'label',
  'autonomy',
  /** A job's kept resource setting changed outside an incident (a step down kept, or still needed). */
  'resources',
  /** A policy version was promoted or rolled back (chain `policy`). */
  'policy',
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
  /** Id of the key that signed `hash` (absent only on records written before signing existed). */
  keyId?: string;
  /** HMAC-SHA256 of `hash` under that key, hex. */
  sig?: string;
}

/** Incident id of the log's own records (`repair`, `key_rotated`): not an incident. */
export const AUDIT_SYSTEM_ID = 'healer-audit';

/** A signing key: its secret never leaves the key file or environment; its id goes in records. */
export interface AuditKey {
  id: string;
  secret: string;
}

/** The key that signs new records, and every key that may have signed older ones. */
export interface AuditKeyring {
  active: AuditKey;
  keys: ReadonlyMap<string, AuditKey>;
}

/** The public id of a key secret: a short hash, so records name a key without revealing it. */
export function auditKeyId(secret: string): string {
  return `k-${sha256(`healer-audit-key:${secret}`).slice(0, 16)}`;
}

/** Builds a keyring whose active key is `active` and which can also verify `older` keys. */
export function auditKeyring(active: string, older: readonly string[] = []): AuditKeyring {
  const keys = new Map<string, AuditKey>();
  for (const secret of [...older, active]) keys.set(auditKeyId(secret), { id: auditKeyId(secret), secret });
  return { active: { id: auditKeyId(active), secret: active }, keys };
}

function hmac(key: AuditKey, text: string): string {
  return createHmac('sha256', key.secret).update(text).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Signs a chained record's hash with a key. */
export function signRecord(record: AuditRecord, key: AuditKey): AuditRecord {
  return { ...record, keyId: key.id, sig: hmac(key, `record:${record.hash}`) };
}

/**
 * The head of a chain, kept outside the log (a signed file, an S3 object): the log can then be
 * neither cut short nor deleted without the head disagreeing.
 */
export interface AuditHead {
  /** What the head is of: the log file's path, or the incident id of an S3 chain. */
  scope: string;
  /** Seq and hash of the last record; seq -1 for an empty log. */
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  sig: string;
}

/** Signs the head of a chain. */
export function signHead(head: Omit<AuditHead, 'keyId' | 'sig'>, key: AuditKey): AuditHead {
  const unsigned = { scope: head.scope, seq: head.seq, hash: head.hash, at: head.at };
  return { ...unsigned, keyId: key.id, sig: hmac(key, `head:${canonicalJson(unsigned)}`) };
}

/** Why a head does not verify, or undefined when it does. */
export function headProblem(head: AuditHead, keyring: AuditKeyring, scope: string): string | undefined {
  const key = keyring.keys.get(head.keyId);
  if (!key) return `the anchored head is signed by unknown key ${head.keyId}`;
  const unsigned = { scope: head.scope, seq: head.seq, hash: head.hash, at: head.at };
  if (!sameHex(hmac(key, `head:${canonicalJson(unsigned)}`), head.sig))
    return 'the anchored head signature does not verify (the head was forged or edited)';
  if (head.scope !== scope) return `the anchored head belongs to ${head.scope}, not ${scope}`;
  return undefined;
}

/** Compares a verified chain with its verified head. */
export function compareWithHead(records: readonly AuditRecord[], head: AuditHead): string | undefined {
  if (head.seq < 0) return undefined;
  if (records.length === 0)
    return `the audit log is missing or empty but its anchored head is at seq ${head.seq} (the log was deleted)`;
  const atHead = records[head.seq];
  if (!atHead)
    return `the log ends at seq ${records.length - 1} but the anchored head is seq ${head.seq}: the last ${head.seq + 1 - records.length} record(s) were removed`;
  if (atHead.hash !== head.hash)
    return `record seq ${head.seq} does not match the anchored head hash (the chain was rewritten)`;
  return undefined;
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

/**
 * Checks sequence numbers, links and hashes of a whole chain and, given a keyring, every record's
 * signature and the key succession (a record is signed by its predecessor's key unless that
 * predecessor is a `key_rotated` record naming the new key).
 */
export function verifyChain(records: readonly AuditRecord[], keyring?: AuditKeyring): ChainVerification {
  let prevHash = GENESIS_HASH;
  let expectedKey: string | undefined;
  const broken = (i: number, problem: string): ChainVerification => ({
    ok: false,
    records: records.length,
    brokenAt: i,
    problem,
  });
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.seq !== i)
      return broken(i, `expected seq ${i}, found ${r.seq} (a record was removed or reordered)`);
    if (r.prevHash !== prevHash)
      return broken(i, 'prevHash does not match the previous record (a record was removed or edited)');
    const { hash, keyId, sig, ...rest } = r;
    if (sha256(canonicalJson(rest)) !== hash)
      return broken(i, 'hash does not match the content (the record was edited)');
    if (keyring) {
      if (keyId === undefined || sig === undefined) return broken(i, 'the record is not signed');
      const key = keyring.keys.get(keyId);
      if (!key) return broken(i, `the record is signed by unknown key ${keyId}`);
      if (expectedKey !== undefined && keyId !== expectedKey)
        return broken(i, `the record is signed by ${keyId} but the chain's key is ${expectedKey}`);
      if (!sameHex(hmac(key, `record:${hash}`), sig))
        return broken(i, 'the signature does not verify (the record was rewritten without the key)');
      expectedKey = keyId;
      if (r.step === 'key_rotated') {
        const next = (r.data as { newKeyId?: unknown } | null)?.newKeyId;
        if (typeof next === 'string') expectedKey = next;
      }
    }
    prevHash = hash;
  }
  return { ok: true, records: records.length };
}
