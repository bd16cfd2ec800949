import { describe, expect, it } from 'vitest';
import {
  type AuditBody,
  type AuditRecord,
  auditKeyring,
  canonicalJson,
  chainRecord,
  compareWithHead,
  GENESIS_HASH,
  headProblem,
  signHead,
  signRecord,
  verifyChain,
} from './audit-chain.js';

const body = (step: AuditBody['step'], data: unknown): AuditBody => ({
  incidentId: 'inc-1',
  step,
  at: '2026-11-22T10:00:00.000Z',
  policyHash: 'p'.repeat(64),
  guardHash: 'g'.repeat(64),
  authorityHash: 'a'.repeat(64),
  data,
});

function chain(): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const [step, data] of [
    ['received', { runId: 'jr_1' }],
    ['diagnosis', { family: 'schema' }],
    ['decision', { final: 'escalate' }],
  ] as const) {
    records.push(chainRecord(records.at(-1), body(step, data)));
  }
  return records;
}

describe('audit chain', () => {
  it('links each record to the previous hash and verifies', () => {
    const records = chain();
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    expect(records[1]?.prevHash).toBe(records[0]?.hash);
    expect(verifyChain(records)).toEqual({ ok: true, records: 3 });
  });

  it('detects an edited record', () => {
    const records = chain();
    records[1] = { ...records[1]!, data: { family: 'transient' } };
    expect(verifyChain(records)).toMatchObject({ ok: false, brokenAt: 1 });
  });

  it('detects a removed record', () => {
    const records = chain();
    records.splice(1, 1);
    expect(verifyChain(records)).toMatchObject({ ok: false, brokenAt: 1 });
  });

  it('detects a record re-hashed after editing, at the next link', () => {
    const records = chain();
    const { hash: _old, seq: _s, prevHash: _p, ...rest } = records[1]!;
    records[1] = chainRecord(records[0], { ...rest, data: { family: 'transient' } });
    expect(verifyChain(records)).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('hashes canonically: key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } })).toBe(
      canonicalJson({ a: { c: [3, { e: 5, f: 4 }], d: 2 }, b: 1 }),
    );
  });

  describe('signatures', () => {
    const OLD = auditKeyring('old-key-0123456789abcdef0123456789abcdef');
    const NEW = auditKeyring('new-key-0123456789abcdef0123456789abcdef', [
      'old-key-0123456789abcdef0123456789abcdef',
    ]);
    const signed = () => chain().map((r) => signRecord(r, OLD.active));

    it('verifies signed records, and names the key without revealing it', () => {
      const records = signed();
      expect(verifyChain(records, OLD)).toEqual({ ok: true, records: 3 });
      expect(records[0]?.keyId).toMatch(/^k-[0-9a-f]{16}$/);
      expect(JSON.stringify(records)).not.toContain('old-key-');
    });

    it('rejects unsigned records and records signed by another key', () => {
      expect(verifyChain(chain(), OLD)).toMatchObject({
        ok: false,
        brokenAt: 0,
        problem: 'the record is not signed',
      });
      const other = auditKeyring('other-key-0123456789abcdef0123456789abcdef');
      expect(verifyChain(signed(), other)).toMatchObject({
        ok: false,
        problem: expect.stringMatching(/unknown key/),
      });
      const records = signed();
      records[2] = { ...records[2]!, sig: records[1]!.sig };
      expect(verifyChain(records, OLD)).toMatchObject({ ok: false, brokenAt: 2 });
    });

    it('follows a key hand-over, and only that', () => {
      const records = signed();
      const rotation = signRecord(
        chainRecord(records.at(-1), {
          ...body('key_rotated', { newKeyId: NEW.active.id }),
          incidentId: 'healer-audit',
        }),
        OLD.active,
      );
      const after = signRecord(chainRecord(rotation, body('outcome', {})), NEW.active);
      expect(verifyChain([...records, rotation, after], NEW)).toMatchObject({ ok: true, records: 5 });
      // Signed by the new key without a hand-over: the succession is broken.
      const jumped = signRecord(chainRecord(records.at(-1), body('outcome', {})), NEW.active);
      expect(verifyChain([...records, jumped], NEW)).toMatchObject({
        ok: false,
        brokenAt: 3,
        problem: expect.stringMatching(/chain's key is/),
      });
    });

    it('signs heads; a head edited, of another scope or ahead of the log is reported', () => {
      const records = signed();
      const last = records.at(-1)!;
      const head = signHead(
        { scope: '/a/audit.jsonl', seq: last.seq, hash: last.hash, at: last.at },
        OLD.active,
      );
      expect(headProblem(head, OLD, '/a/audit.jsonl')).toBeUndefined();
      expect(compareWithHead(records, head)).toBeUndefined();
      expect(headProblem({ ...head, seq: 9 }, OLD, '/a/audit.jsonl')).toMatch(/does not verify/);
      expect(headProblem(head, OLD, '/b/audit.jsonl')).toMatch(/belongs to/);
      expect(compareWithHead(records.slice(0, 2), head)).toMatch(/removed/);
      expect(compareWithHead([], head)).toMatch(/deleted/);
    });
  });
});
