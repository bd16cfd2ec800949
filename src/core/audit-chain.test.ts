import { describe, expect, it } from 'vitest';
import {
  type AuditBody,
  type AuditRecord,
  canonicalJson,
  chainRecord,
  GENESIS_HASH,
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
});
