// The local audit log: the AuditLog contract on a real file with its anchor folder, then what only
// a file has: a torn last line repaired at open (and audited), damage elsewhere refusing appends,
// the key file's mode and place, and `healer audit verify` / `rotate-key` from the CLI.

import { appendFile, chmod, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AuditAnchorFile,
  auditScope,
  JsonlAuditLog,
  loadAuditKeys,
  openJsonlAuditLog,
} from '../../../src/adapters/local/index.js';
import { memoryIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import type { AuditBody, AuditKeyring, AuditRecord } from '../../../src/core/audit-chain.js';
import { type AuditLogHarness, runAuditLogContract } from '../../ports/audit-log-contract.js';

async function harness(keys: AuditKeyring): Promise<AuditLogHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'healer-audit-'));
  const file = join(dir, 'state', 'audit.jsonl');
  const anchor = new AuditAnchorFile(join(dir, 'anchors'), join(dir, 'state', 'audit.jsonl'));
  await writeFile(join(dir, 'placeholder'), '');
  const open = (k: AuditKeyring) => new JsonlAuditLog(file, { keys: k, anchor });
  const raw = async () =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord);
  return {
    audit: open(keys),
    reopen: async (k) => open(k),
    rawRecords: raw,
    writeRawRecords: async (_id, records) =>
      writeFile(file, records.map((r) => `${JSON.stringify(r)}\n`).join('')),
    rawHead: () => anchor.read(),
    writeRawHead: (_id, head) => anchor.write(head),
    deleteHead: () => anchor.remove(),
    deleteLog: () => unlink(file),
  };
}

runAuditLogContract('jsonl (local file)', { create: harness });

const KEY_ENV = (dir: string) => ({
  HEALER_AUDIT_KEY_FILE: join(dir, 'keys', 'audit.key'),
  HEALER_AUDIT_ANCHOR_DIR: join(dir, 'anchors'),
});

const body = (i: number): AuditBody => ({
  incidentId: `inc-${i}`,
  step: 'received',
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  policyHash: 'p',
  guardHash: 'g',
  authorityHash: 'a',
  data: { i },
});

describe('jsonl audit log on disk', () => {
  it('creates the key file once with mode 0600 outside the state folder, and refuses a readable or misplaced one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-key-'));
    const env = KEY_ENV(dir);
    const [a, b] = await Promise.all([
      loadAuditKeys({ env, create: true }),
      loadAuditKeys({ env, create: true }),
    ]);
    expect(a.active.id).toBe(b.active.id);
    expect((await stat(env.HEALER_AUDIT_KEY_FILE)).mode & 0o777).toBe(0o600);
    await chmod(env.HEALER_AUDIT_KEY_FILE, 0o644);
    await expect(loadAuditKeys({ env })).rejects.toMatchObject({ code: 'E_CONFIG' });
    await expect(loadAuditKeys({ env, stateDir: join(dir, 'keys') })).rejects.toMatchObject({
      code: 'E_CONFIG',
    });
    await expect(loadAuditKeys({ env: KEY_ENV(join(dir, 'none')) })).rejects.toMatchObject({
      code: 'E_AUDIT',
    });
    await expect(loadAuditKeys({ env: { ...env, HEALER_AUDIT_KEY: 'short' } })).rejects.toMatchObject({
      code: 'E_CONFIG',
    });
  });

  it('repairs a torn last line at open with an audited repair record, then verifies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-torn-'));
    const env = KEY_ENV(dir);
    const state = join(dir, '.healer');
    const log = await openJsonlAuditLog(state, { env });
    for (let i = 0; i < 3; i++) await log.append(body(i));
    const file = join(state, 'audit.jsonl');
    const whole = await readFile(file, 'utf8');
    // A crash mid-append: half a record, no newline.
    await appendFile(file, '{"incidentId":"inc-9","step":"evid');
    const broken = await log.verify();
    expect(broken).toMatchObject({ ok: false, line: 4 });
    expect(broken.problem).toMatch(/torn/);
    const reopened = await openJsonlAuditLog(state, { env });
    await reopened.open();
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(whole)).toBe(true);
    const repair = JSON.parse(text.trimEnd().split('\n').at(-1)!) as AuditRecord;
    expect(repair).toMatchObject({ step: 'repair', seq: 3, data: { truncatedBytes: 34, line: 4 } });
    await reopened.append(body(4));
    expect(await reopened.verify()).toMatchObject({ ok: true, records: 5, incidents: 4 });
  });

  it('refuses to append after damage that is not a torn tail, or when the log is behind its head', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-damaged-'));
    const env = KEY_ENV(dir);
    const state = join(dir, '.healer');
    const log = await openJsonlAuditLog(state, { env });
    for (let i = 0; i < 3; i++) await log.append(body(i));
    const file = join(state, 'audit.jsonl');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/\n/, '\ngarbage\n'));
    await expect((await openJsonlAuditLog(state, { env })).open()).rejects.toMatchObject({ code: 'E_AUDIT' });
    // Audit and state deleted: the head outside the folder still names seq 2.
    await rm(state, { recursive: true });
    const fresh = await openJsonlAuditLog(state, { env });
    await expect(fresh.append(body(5))).rejects.toThrow(/deleted/);
    const io = memoryIo('', dir);
    process.env.HEALER_AUDIT_KEY_FILE = env.HEALER_AUDIT_KEY_FILE;
    process.env.HEALER_AUDIT_ANCHOR_DIR = env.HEALER_AUDIT_ANCHOR_DIR;
    try {
      expect(await main(['audit', 'verify', '--state-dir', state], io)).toBe(1);
      expect(io.stdout).toMatch(/missing or empty but its anchored head is at seq 2/);
    } finally {
      delete process.env.HEALER_AUDIT_KEY_FILE;
      delete process.env.HEALER_AUDIT_ANCHOR_DIR;
    }
  });

  it('CLI: rotate-key records the hand-over now; verify passes with the key file holding both keys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-rotate-'));
    const env = KEY_ENV(dir);
    const state = join(dir, '.healer');
    const log = await openJsonlAuditLog(state, { env });
    for (let i = 0; i < 2; i++) await log.append(body(i));
    Object.assign(process.env, env);
    try {
      const io = memoryIo('', dir);
      expect(await main(['audit', 'rotate-key', '--state-dir', state], io)).toBe(0);
      expect(io.stdout).toMatch(/audit key rotated: k-[0-9a-f]{16} → k-[0-9a-f]{16}/);
      const text = await readFile(join(state, 'audit.jsonl'), 'utf8');
      expect(text.trimEnd().split('\n').at(-1)).toContain('"step":"key_rotated"');
      const after = await openJsonlAuditLog(state, { env });
      await after.append(body(3));
      const ok = memoryIo('', dir);
      expect(await main(['audit', 'verify', '--state-dir', state, '--json'], ok)).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, records: 4, incidents: 3 });
      // Verification never creates a key: with no key at all it is an error, not a pass.
      const none = memoryIo('', dir);
      process.env.HEALER_AUDIT_KEY_FILE = join(dir, 'no-such.key');
      expect(await main(['audit', 'verify', '--state-dir', state], none)).toBe(2);
      expect(none.stderr).toMatch(/E_AUDIT: no audit key/);
    } finally {
      delete process.env.HEALER_AUDIT_KEY_FILE;
      delete process.env.HEALER_AUDIT_ANCHOR_DIR;
    }
  });

  it('reports an anchored head that is not a head record as broken, not as a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-badhead-'));
    const env = KEY_ENV(dir);
    const log = await openJsonlAuditLog(join(dir, '.healer'), { env });
    await log.append(body(0));
    const anchor = new AuditAnchorFile(env.HEALER_AUDIT_ANCHOR_DIR, auditScope(log.file));
    await writeFile(anchor.file, '{"seq": "zero"}\n');
    const v = await log.verify();
    expect(v.ok).toBe(false);
    expect(v.problem).toMatch(/not a head record/);
  });

  it('anchors under a name derived from the real path, so two spellings share one head', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-scope-'));
    expect(auditScope(join(dir, 'x', '..', 'audit.jsonl'))).toBe(auditScope(join(dir, 'audit.jsonl')));
  });
});
