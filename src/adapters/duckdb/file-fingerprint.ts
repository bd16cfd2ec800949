// A cheap identity of the data at a local location: every file it names with its size and
// modification time, hashed. Equal fingerprints mean the engine would read the same bytes, so a
// profile measured once can be reused (incident storms measure each dataset version once).

import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const GLOB = /[*?[\]{}]/;

/**
 * Fingerprints a path, a directory (its visible files) or a glob whose wildcards are in the last
 * segment. Undefined when the location cannot be fingerprinted cheaply (a wildcard in a folder
 * name, a missing file): callers then measure afresh instead of trusting a cache.
 */
export async function fileFingerprint(location: string): Promise<string | undefined> {
  const files = await listFiles(location);
  if (!files?.length) return undefined;
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    try {
      const info = await stat(file);
      hash.update(`${file}\0${info.size}\0${info.mtimeMs}\0${info.ino}\n`);
    } catch {
      return undefined;
    }
  }
  return hash.digest('hex').slice(0, 32);
}

async function listFiles(location: string): Promise<string[] | undefined> {
  const folder = dirname(location);
  if (GLOB.test(folder)) return undefined;
  const name = basename(location);
  if (GLOB.test(name)) {
    const pattern = globToRegExp(name);
    if (!pattern) return undefined;
    const entries = await readdir(folder).catch(() => undefined);
    return entries?.filter((e) => pattern.test(e)).map((e) => join(folder, e));
  }
  const info = await stat(location).catch(() => undefined);
  if (!info) return undefined;
  if (info.isFile()) return [location];
  if (!info.isDirectory()) return undefined;
  // As the engine reads a folder: its files, hidden and underscore files excluded.
  const entries = await readdir(location, { withFileTypes: true });
  return entries.filter((e) => e.isFile() && !/^[._]/.test(e.name)).map((e) => join(location, e.name));
}

/** `*` and `?` only; anything richer is not fingerprinted (returns undefined). */
function globToRegExp(glob: string): RegExp | undefined {
  if (/[[\]{}]/.test(glob)) return undefined;
  const body = glob
    .replace(/[.+^$()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}
