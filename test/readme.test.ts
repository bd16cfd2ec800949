// README.md is hand-written and short: this checks it stays so and stays true to the code (links,
// commands, the docs the CLI points to ship in the package). `npm run readme` runs the same checks.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  brokenLinks,
  commandsMissingFromReadme,
  commandsUnknownToCli,
  docsPointedToByCode,
  MAX_README_LINES,
  markdownFiles,
  packedFiles,
  registeredCommands,
} from '../scripts/check-readme.js';

const root = join(import.meta.dirname, '..');

describe('README.md', () => {
  it(`is at most ${MAX_README_LINES} lines`, () => {
    const lines = readFileSync(join(root, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('links only to files that exist (README, changelog, docs pages)', () => {
    expect(markdownFiles(root).flatMap((f) => brokenLinks(root, f))).toEqual([]);
  });

  it('names every registered command in its commands table', async () => {
    expect((await registeredCommands()).length).toBeGreaterThan(10);
    expect(await commandsMissingFromReadme(root)).toEqual([]);
  });

  it('names no command the CLI does not have', async () => {
    expect(await commandsUnknownToCli(root)).toEqual([]);
  });

  it('tells the reader how to run healer after the quick start (npx)', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(/npx healer/);
  });
});

describe('the package', () => {
  it('ships every docs/ page the CLI messages or the scaffold point to', () => {
    const pointed = docsPointedToByCode(root);
    expect(pointed).toContain('docs/embedded-runtime.md');
    const shipped = new Set(packedFiles(root));
    expect(shipped.has('README.md')).toBe(true);
    expect(pointed.filter((doc) => !shipped.has(doc))).toEqual([]);
  }, 30_000);
});
