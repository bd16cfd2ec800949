// README.md is built from docs/ (`npm run readme`): this fails when someone edits one without the other.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReadme } from '../scripts/build-readme.js';

describe('README.md', () => {
  it('is what the chapters in docs/ build', () => {
    const root = join(import.meta.dirname, '..');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe(buildReadme(root));
  });
});
