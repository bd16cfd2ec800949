// Atomic publication on local disk: write to a temporary file beside the destination, fsync it,
// rename it over the destination and fsync the folder, so a reader sees the old or the new file,
// never half of one, even when the process is killed mid-write.

import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A fresh temporary path in the destination's folder (same filesystem, so rename is atomic). */
export function tempPathFor(dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Flushes a file's content to disk. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (a rename into it) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  }
}

/** Writes `data` to `dest` atomically (temp + fsync + rename + folder fsync); `mode` for new files. */
export async function writeFileAtomic(dest: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = tempPathFor(dest);
  const handle = await open(tmp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, dest);
  await fsyncDir(dirname(dest));
}

/**
 * Publishes an already written (and fsynced) file at `dest` atomically without rewriting it: a
 * hard link under a temporary name renamed over `dest`; a copy when linking is not possible.
 */
export async function publishFileAtomic(src: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = tempPathFor(dest);
  try {
    await link(src, tmp);
  } catch {
    await copyFile(src, tmp);
    await fsyncFile(tmp);
  }
  try {
    await rename(tmp, dest);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(dest));
}
