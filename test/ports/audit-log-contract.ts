// The AuditLog contract: one suite every adapter runs (S3 on moto, the JSONL file locally), so all
// logs agree on chaining, signing, the anchored head, tamper detection, redaction and key rotation.
//
//   runAuditLogContract('s3 (moto)', { create: async (keys) => ({ audit: new S3AuditLog(...), ... }) });

import { describe, expect, it } from 'vitest';
import {
  type AuditBody,
  type AuditHead,
  type AuditKeyring,
  type AuditRecord,
  auditKeyring,
  chainRecord,
  signHead,
  signRecord,
} from '../../src/core/audit-chain.js';
import type { AuditLog } from '../../src/ports.js';

/** One adapter's log plus raw access to its storage, as an attacker with write access has. */
export interface AuditLogHarness {
  audit: AuditLog;
  /** The same storage opened with other keys (a rotation, or a verifier with fewer keys). */
  reopen(keys: AuditKeyring): Promise<AuditLog>;
  /** Raw records of the storage holding an incident's chain (the whole file locally). */
  rawRecords(incidentId: string): Promise<AuditRecord[]>;
  writeRawRecords(incidentId: string, records: AuditRecord[]): Promise<void>;
  rawHead(incidentId: string): Promise<AuditHead | undefined>;
  writeRawHead(incidentId: string, head: AuditHead): Promise<void>;
  deleteHead(incidentId: string): Promise<void>;
  /** Deletes the log itself (the file, the object); the head stays. */
  deleteLog(incidentId: string): Promise<void>;
}

export interface AuditLogContractOptions {
  /** A fresh, empty log per test, signing with `keys`. */
  create(keys: AuditKeyring): Promise<AuditLogHarness>;
}

export const KEY = 'contract-audit-key-0123456789abcdef0123456789abcdef';
const ATTACKER = auditKeyring('attacker-key-0123456789abcdef0123456789abcdef0123');

const body = (incidentId: string, i: number, data: unknown = { i }): AuditBody => ({
  incidentId,
  step: 'evidence',
  at: new Date(Date.UTC(2026, 10, 22, 0, 0, i)).toISOString(),
  policyHash: 'p',
  guardHash: 'g',
  authorityHash: 'a',
  data,
});

/** Re-chains records from scratch with recomputed hashes and a key that is not the log's. */
function forge(records: AuditRecord[], edit: (r: AuditRecord) => AuditRecord): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const r of records.map(edit)) {
    const { seq: _s, prevHash: _p, hash: _h, keyId: _k, sig: _g, ...b } = r;
    out.push(signRecord(chainRecord(out.at(-1), b), ATTACKER.active));
  }
  return out;
}

/** Registers the contract tests for one AuditLog implementation. */
export function runAuditLogContract(name: string, options: AuditLogContractOptions): void {
  describe(`AuditLog contract: ${name}`, () => {
    const keys = auditKeyring(KEY);

    async function seeded() {
      const h = await options.create(keys);
      for (let i = 0; i < 3; i++) {
        await h.audit.append(body('inc-a', i));
        await h.audit.append(body('inc-b', i));
      }
      return h;
    }

    it('appends signed records, reads them per incident in order, and verifies', async () => {
      const h = await seeded();
      const a = await h.audit.read('inc-a');
      expect(a.map((r) => (r.data as { i: number }).i)).toEqual([0, 1, 2]);
      for (const r of a)
        expect(r).toMatchObject({ keyId: keys.active.id, sig: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(await h.audit.verify()).toMatchObject({ ok: true, records: 6, incidents: 2 });
      expect(await h.audit.verify('inc-a')).toMatchObject({ ok: true, incidents: 1 });
    });

    it('keeps every one of eight concurrent appends', async () => {
      const h = await options.create(keys);
      await h.audit.append(body('inc-c', 0));
      await Promise.all(Array.from({ length: 8 }, (_, i) => h.audit.append(body('inc-c', i + 1))));
      const records = await h.audit.read('inc-c');
      expect(new Set(records.map((r) => (r.data as { i: number }).i)).size).toBe(9);
      expect(await h.audit.verify()).toMatchObject({ ok: true });
    });

    it('detects an edited record', async () => {
      const h = await seeded();
      const raw = await h.rawRecords('inc-a');
      const at = raw.findIndex((r) => r.incidentId === 'inc-a' && (r.data as { i: number }).i === 1);
      raw[at] = { ...raw[at]!, data: { i: 111 } };
      await h.writeRawRecords('inc-a', raw);
      const v = await h.audit.verify();
      expect(v.ok).toBe(false);
      expect(v.problem).toMatch(/hash does not match/);
    });

    it('detects a whole chain rewritten with recomputed hashes, and its head, without the key', async () => {
      const h = await seeded();
      const forged = forge(await h.rawRecords('inc-a'), (r) =>
        r.incidentId === 'inc-a' ? { ...r, data: { i: 7 } } : r,
      );
      await h.writeRawRecords('inc-a', forged);
      const last = forged.at(-1)!;
      const head = await h.rawHead('inc-a');
      await h.writeRawHead(
        'inc-a',
        signHead({ scope: head!.scope, seq: last.seq, hash: last.hash, at: last.at }, ATTACKER.active),
      );
      const v = await h.audit.verify();
      expect(v.ok).toBe(false);
      expect(v.problem).toMatch(/unknown key/);
      // The same rewrite with the signatures stripped (a downgrade) fails too.
      await h.writeRawRecords(
        'inc-a',
        forged.map(({ keyId: _k, sig: _s, ...r }) => r),
      );
      expect((await h.audit.verify()).problem).toMatch(/not signed/);
    });

    it('detects the last records removed (the head is ahead of the log)', async () => {
      const h = await seeded();
      const raw = await h.rawRecords('inc-a');
      await h.writeRawRecords('inc-a', raw.slice(0, -1));
      const v = await h.audit.verify();
      expect(v.ok).toBe(false);
      expect(v.problem).toMatch(/removed/);
    });

    it('detects a deleted log whose head remains, and a deleted head', async () => {
      const h = await seeded();
      await h.deleteLog('inc-a');
      const v = await h.audit.verify();
      expect(v.ok).toBe(false);
      expect(v.problem).toMatch(/deleted/);
      const g = await seeded();
      await g.deleteHead('inc-b');
      const w = await g.audit.verify();
      expect(w.ok).toBe(false);
      expect(w.problem).toMatch(/no anchored head/);
    });

    it('detects a forged head (edited seq, signature kept)', async () => {
      const h = await seeded();
      const head = (await h.rawHead('inc-a'))!;
      await h.writeRawHead('inc-a', { ...head, seq: head.seq + 5 });
      const v = await h.audit.verify();
      expect(v.ok).toBe(false);
      expect(v.problem).toMatch(/signature does not verify/);
    });

    it('redacts secrets in record data on the way in', async () => {
      const h = await options.create(keys);
      const record = await h.audit.append(
        body('inc-s', 0, { log: 'AKIAIOSFODNN7EXAMPLE denied', details: { db_password: 'hunter2' } }),
      );
      const text = JSON.stringify(await h.rawRecords('inc-s'));
      expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
      expect(text).not.toContain('hunter2');
      expect(record.data).toEqual({
        log: '[REDACTED:aws_access_key_id] denied',
        details: { db_password: '[REDACTED:password]' },
      });
    });

    it('rotates keys: the hand-over is signed by the old key; the old key is still needed to verify', async () => {
      const h = await seeded();
      const NEW = 'rotated-audit-key-0123456789abcdef0123456789abcdef';
      const rotated = await h.reopen(auditKeyring(NEW, [KEY]));
      await rotated.append(body('inc-a', 3));
      const all = await h.rawRecords('inc-a');
      const handOver = all.find((r) => r.step === 'key_rotated');
      expect(handOver).toMatchObject({
        keyId: keys.active.id,
        data: { newKeyId: auditKeyring(NEW).active.id },
      });
      expect(all.at(-1)?.keyId).toBe(auditKeyring(NEW).active.id);
      expect(await rotated.verify()).toMatchObject({ ok: true });
      const withoutOld = await h.reopen(auditKeyring(NEW));
      expect((await withoutOld.verify()).problem).toMatch(/unknown key/);
      // Whoever holds only the old key cannot continue the chain after the hand-over.
      const raw = await h.rawRecords('inc-a');
      raw.push(signRecord(chainRecord(raw.at(-1), body('inc-a', 4)), keys.active));
      await h.writeRawRecords('inc-a', raw);
      expect((await rotated.verify()).problem).toMatch(/chain's key is/);
    });
  });
}
