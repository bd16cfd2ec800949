// Builds README.md from the chapters in docs/: the header as is, then each chapter with its headings
// shifted so its top level is `##`, and a contents list of those `##` headings. `npm run readme`
// writes it; test/readme.test.ts fails when README.md is not what the docs build.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHAPTERS = ['embedded-runtime', 'detectors', 'classifier', 'decision', 'benchmark', 'aws', '_footer'];

/** Shifts markdown headings (outside code fences) so the shallowest becomes level `top`. */
function shiftHeadings(text: string, top: number): string {
  const lines = text.split('\n');
  const levels: number[] = [];
  let fence = false;
  for (const line of lines) {
    if (line.startsWith('```')) fence = !fence;
    const m = !fence && /^(#+) /.exec(line);
    if (m) levels.push(m[1]!.length);
  }
  const delta = levels.length ? top - Math.min(...levels) : 0;
  fence = false;
  const out = lines.map((line) => {
    if (line.startsWith('```')) fence = !fence;
    const m = !fence && /^(#+) (.*)$/.exec(line);
    return m ? `${'#'.repeat(Math.min(6, m[1]!.length + delta))} ${m[2]}` : line;
  });
  return `${out.join('\n').trim()}\n`;
}

function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .trim()
    .replaceAll(' ', '-');
}

/** The README text the docs in `root/docs` build. */
export function buildReadme(root: string): string {
  const header = `${readFileSync(join(root, 'docs', '_header.md'), 'utf8').trim()}\n`;
  const chapters = CHAPTERS.map((name) => shiftHeadings(readFileSync(join(root, 'docs', `${name}.md`), 'utf8'), 2));
  const contents = chapters.flatMap((c) =>
    c
      .split('\n')
      .map((line) => /^## (.*)$/.exec(line)?.[1])
      .filter((t): t is string => t !== undefined)
      .map((t) => `- [${t}](#${anchor(t)})`),
  );
  return `${header}\n## Contents\n\n${contents.join('\n')}\n\n${chapters.join('\n')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const readme = buildReadme(root);
  writeFileSync(join(root, 'README.md'), readme);
  process.stdout.write(`README.md: ${readme.split('\n').length} lines\n`);
}
