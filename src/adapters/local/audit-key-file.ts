// Where the local audit's signing keys and anchored heads live: outside the state folder, so whoever
// can rewrite `.healer/` cannot also re-sign the chain or move its head. Keys come from
// `HEALER_AUDIT_KEY` (plus retired ones in `HEALER_AUDIT_KEY_PREVIOUS`) or from a key file created
// with mode 0600 (default `~/.config/healer/audit.key`, or `HEALER_AUDIT_KEY_FILE`).

import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import {
  type AuditHead,
  type AuditKeyring,
  auditKeyId,
  auditKeyring,
  sha256,
} from '../../core/audit-chain.js';
import { AuditError, ConfigError } from '../../core/errors.js';
import { tempPathFor, writeFileAtomic } from './atomic-file.js';

/** Environment variables read here (a subset of `process.env`). */
export type AuditKeyEnv = Record<string, string | undefined>;

/** The folder of healer's own configuration: `$XDG_CONFIG_HOME/healer` or `~/.config/healer`. */
export function configDir(env: AuditKeyEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'healer');
}

/** The key file: `HEALER_AUDIT_KEY_FILE`, else `<config>/audit.key`. */
export function auditKeyFilePath(env: AuditKeyEnv = process.env): string {
  return resolve(env.HEALER_AUDIT_KEY_FILE || join(configDir(env), 'audit.key'));
}

/** The folder of anchored heads: `HEALER_AUDIT_ANCHOR_DIR`, else `<config>/anchors`. */
export function auditAnchorDir(env: AuditKeyEnv = process.env): string {
  return resolve(env.HEALER_AUDIT_ANCHOR_DIR || join(configDir(env), 'anchors'));
}

const keyFileSchema = z
  .object({
    version: z.literal(1),
    active: z.string().min(1),
    keys: z
      .array(z.object({ id: z.string(), secret: z.string().min(32), created: z.string() }).strict())
      .min(1),
  })
  .strict();
type KeyFile = z.infer<typeof keyFileSchema>;

const MIN_ENV_KEY = 32;

export interface LoadAuditKeysOptions {
  env?: AuditKeyEnv;
  /** Create the key file when there is no key yet (the agent does; `audit verify` does not). */
  create?: boolean;
  /** The state folder: a key inside it would be no protection, so that is E_CONFIG. */
  stateDir?: string;
}

/**
 * The keyring: `HEALER_AUDIT_KEY` signs when set (retired keys from `HEALER_AUDIT_KEY_PREVIOUS`,
 * comma-separated, and from the key file still verify); otherwise the key file's active key.
 *
 * @example
 * const keys = await loadAuditKeys({ create: true, stateDir: '.healer' });
 */
export async function loadAuditKeys(options: LoadAuditKeysOptions = {}): Promise<AuditKeyring> {
  const env = options.env ?? process.env;
  const file = auditKeyFilePath(env);
  if (options.stateDir && isInside(file, options.stateDir))
    throw new ConfigError(
      `audit key file ${file} is inside the state folder ${options.stateDir}: keep it outside (HEALER_AUDIT_KEY_FILE)`,
      { context: { file } },
    );
  const fromEnv = env.HEALER_AUDIT_KEY;
  const previous = (env.HEALER_AUDIT_KEY_PREVIOUS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_ENV_KEY)
      throw new ConfigError(
        `HEALER_AUDIT_KEY must be at least ${MIN_ENV_KEY} characters (use 32 random bytes, hex)`,
      );
    const stored = await readKeyFile(file, false);
    return auditKeyring(fromEnv, [...(stored?.keys.map((k) => k.secret) ?? []), ...previous]);
  }
  const stored = await readKeyFile(file, options.create ?? false);
  if (!stored)
    throw new AuditError(
      `no audit key: set HEALER_AUDIT_KEY or create the key file ${file} (a run creates it)`,
      { context: { file } },
    );
  return keyringOf(stored, previous);
}

function keyringOf(stored: KeyFile, previous: readonly string[]): AuditKeyring {
  const active = stored.keys.find((k) => k.id === stored.active);
  if (!active) throw new ConfigError(`audit key file: active key ${stored.active} is not among its keys`);
  return auditKeyring(active.secret, [...previous, ...stored.keys.map((k) => k.secret)]);
}

/**
 * Adds a fresh key to the key file and makes it active; the old ones stay to verify older records.
 * The next append records the hand-over (a `key_rotated` record signed by the old key).
 */
export async function rotateKeyFile(env: AuditKeyEnv = process.env): Promise<{ from: string; to: string }> {
  if (env.HEALER_AUDIT_KEY)
    throw new ConfigError(
      'HEALER_AUDIT_KEY is set: rotate it by setting the new key there and the old one in HEALER_AUDIT_KEY_PREVIOUS',
    );
  const file = auditKeyFilePath(env);
  const stored = await readKeyFile(file, false);
  if (!stored) throw new AuditError(`no audit key file ${file} to rotate`, { context: { file } });
  const secret = randomBytes(32).toString('hex');
  const next: KeyFile = {
    version: 1,
    active: auditKeyId(secret),
    keys: [...stored.keys, { id: auditKeyId(secret), secret, created: new Date().toISOString() }],
  };
  await writeKeyFile(file, next);
  return { from: stored.active, to: next.active };
}

async function readKeyFile(file: string, create: boolean): Promise<KeyFile | undefined> {
  let text: string;
  try {
    const info = await stat(file);
    // Like ssh: a key others can read is not a key.
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0)
      throw new ConfigError(
        `audit key file ${file} is accessible by others (mode ${(info.mode & 0o777).toString(8)}): chmod 600`,
        {
          context: { file },
        },
      );
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw wrap(error, file);
    if (!create) return undefined;
    return createKeyFile(file);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`audit key file ${file} is not JSON`, { cause: error, context: { file } });
  }
  const result = keyFileSchema.safeParse(parsed);
  if (!result.success)
    throw new ConfigError(`audit key file ${file}: ${result.error.issues[0]?.message ?? 'invalid'}`, {
      context: { file },
    });
  for (const k of result.data.keys)
    if (k.id !== auditKeyId(k.secret))
      throw new ConfigError(`audit key file ${file}: key id ${k.id} does not match its secret`, {
        context: { file },
      });
  return result.data;
}

/** Creates the key file once, even when several processes race: written aside, then hard-linked. */
async function createKeyFile(file: string): Promise<KeyFile> {
  const secret = randomBytes(32).toString('hex');
  const content: KeyFile = {
    version: 1,
    active: auditKeyId(secret),
    keys: [{ id: auditKeyId(secret), secret, created: new Date().toISOString() }],
  };
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = tempPathFor(file);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw wrap(error, file);
    await rm(tmp, { force: true });
    const winner = await readKeyFile(file, false);
    if (!winner) throw new AuditError(`audit key file ${file} vanished while being created`);
    return winner;
  }
  await rm(tmp, { force: true });
  return content;
}

async function writeKeyFile(file: string, content: KeyFile): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`, 0o600);
}

function wrap(error: unknown, file: string): Error {
  if (error instanceof ConfigError || error instanceof AuditError) return error;
  return new AuditError(`audit key file ${file}: ${String(error)}`, { cause: error, context: { file } });
}

function isInside(file: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(file));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

const headSchema = z
  .object({
    scope: z.string(),
    seq: z.number().int().min(-1),
    hash: z.string(),
    at: z.string(),
    keyId: z.string(),
    sig: z.string(),
  })
  .strict();

/**
 * The signed head of one local audit log, kept in the anchor folder under a name derived from the
 * log's path (`<anchors>/<sha256(path)>.head.json`).
 *
 * @example
 * const anchor = new AuditAnchorFile(auditAnchorDir(), '/srv/etl/.healer/audit.jsonl');
 */
export class AuditAnchorFile {
  readonly file: string;

  constructor(
    readonly dir: string,
    readonly scope: string,
  ) {
    this.file = join(dir, `${sha256(scope).slice(0, 32)}.head.json`);
  }

  async read(): Promise<AuditHead | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AuditError(`cannot read audit anchor ${this.file}`, { cause: error });
    }
    try {
      return headSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new AuditError(`audit anchor ${this.file} is not a head record (edited?)`, { cause: error });
    }
  }

  /**
   * Replaces the head atomically (temp + rename) without fsync: after a crash the head may lag the
   * log by a record, which verification accepts (records past the head must still be signed); it
   * can never be ahead of the log, because it is written after the record's own fsync.
   */
  async write(head: AuditHead): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = tempPathFor(this.file);
    await writeFile(tmp, `${JSON.stringify(head)}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
  }

  /** Forgets the head: only for a state folder deliberately deleted and started afresh. */
  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
