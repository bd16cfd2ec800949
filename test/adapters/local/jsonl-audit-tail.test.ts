// The audit log re-reads its last record from the end of the file on every append (so several
// writers share one chain): records larger than the read window, and a newline exactly at the
// window's edge followed by a torn piece, still chain after the last whole record.

import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonlAuditLog } from '../../../src/adapters/local/jsonl-audit-log.js';
import type { AuditBody, AuditRecord } from '../../../src/core/audit-chain.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const body = (data: unknown): AuditBody => ({
  incidentId: 'inc-1',
  step: 'received',
  at: '2026-11-22T10:00:00.000Z',
  policyHash: '',
  guardHash: '',
  authorityHash: '',
  data,
});

describe('JsonlAuditLog tail reading', () => {
  it('chains after records larger than the read window', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-audit-tail-'));
    dirs.push(dir);
    const log = new JsonlAuditLog(join(dir, 'audit.jsonl'));
    const first = await log.append(body({ pad: 'x'.repeat(200_000) }));
    const second = await log.append(body({ small: true }));
    const third = await log.append(body({ pad: 'y'.repeat(70_000) }));
    const fourth = await log.append(body({ small: 2 }));
    expect([first, second, third, fourth].map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(second.prevHash).toBe(first.hash);
    expect(fourth.prevHash).toBe(third.hash);
    expect(await log.verify()).toMatchObject({ ok: true, records: 4 });
  });

  it('skips a torn piece that starts right at the edge of the read window', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-audit-tail-'));
    dirs.push(dir);
    const file = join(dir, 'audit.jsonl');
    const log = new JsonlAuditLog(file);
    const whole = await log.append(body({ ok: true }));
    // A torn piece of exactly 65,535 bytes: the newline before it is the window's first byte.
    const torn = `{"torn":"${'z'.repeat(65_535 - 10)}"`;
    expect(Buffer.byteLength(torn)).toBe(65_535);
    await appendFile(file, torn);
    const next = await new JsonlAuditLog(file).append(body({ after: true }));
    expect(next.seq).toBe(whole.seq + 1);
    expect(next.prevHash).toBe(whole.hash);
    const text = await readFile(file, 'utf8');
    expect(text.endsWith(`${JSON.stringify(next)}\n`)).toBe(true);
    expect((JSON.parse(text.split('\n')[0]!) as AuditRecord).hash).toBe(whole.hash);
  });
});
