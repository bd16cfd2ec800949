// Path containment for a pipeline file: every source and target resolves inside a declared root
// (the pipeline's folder by default; a `roots:` list widens it), so `../../../../etc/passwd`, an
// absolute path elsewhere or a symlink out of the folder is a ConfigError, not a read or a write.

import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../../core/errors.js';

/** The folders a pipeline may read and write under, absolute (default: the pipeline's folder). */
export function declaredRoots(pipelineDir: string, roots: readonly string[] | undefined): string[] {
  const list = roots?.length ? roots : ['.'];
  return [...new Set(list.map((r) => (isAbsolute(r) ? resolve(r) : resolve(pipelineDir, r))))];
}

/**
 * Every spelling of the roots a path check may meet, each ending in a separator: as written and
 * with symlinks resolved (DuckDB's `allowed_directories` compares path strings).
 */
export function rootDirectories(roots: readonly string[]): string[] {
  const withSep = (p: string) => (p.endsWith(sep) ? p : `${p}${sep}`);
  return [...new Set(roots.flatMap((r) => [withSep(r), withSep(realPrefix(r))]))];
}

/**
 * Resolves `path` (relative to the pipeline folder; a glob is allowed) and checks it stays inside
 * one of `roots`. `where` (file:line) and `key` name the YAML key for the message.
 *
 * @example
 * resolveInsideRoots('/p', declaredRoots('/p', undefined), '../../etc/passwd', { file: '/p/pipeline.yaml', where: 'pipeline.yaml:4', key: 'sources.a.path' });
 * // throws ConfigError: pipeline.yaml:4: sources.a.path: ../../etc/passwd resolves outside ...
 */
export function resolveInsideRoots(
  pipelineDir: string,
  roots: readonly string[],
  path: string,
  at: { file: string; where: string; key: string },
): string {
  const { file, where, key } = at;
  if (path.includes('\0'))
    throw new ConfigError(`${where}: ${key}: contains a NUL byte`, { context: { file, key } });
  const location = isAbsolute(path) ? resolve(path) : resolve(pipelineDir, path);
  // A glob's literal prefix is the folder it can read from; symlinks in it are followed.
  const real = realPrefix(globPrefix(location));
  if (!roots.some((root) => inside(realPrefix(root), real)))
    throw new ConfigError(
      `${where}: ${key}: ${path} resolves outside the pipeline's roots (${roots.join(', ')}); ` +
        'list its folder under `roots:` to allow it',
      { context: { file, key, path } },
    );
  return location;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The part of a path before its first glob character, as a folder or file path. */
function globPrefix(location: string): string {
  const at = location.search(/[*?[{]/);
  if (at < 0) return location;
  const head = location.slice(0, at);
  return head.endsWith(sep) ? head.slice(0, -1) || sep : dirname(head);
}

/** `path` with symlinks resolved in its longest existing prefix (the rest does not exist yet). */
function realPrefix(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.push(basename(existing));
      existing = parent;
    }
  }
}
