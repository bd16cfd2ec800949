// Checks the README against what it describes: at most 200 lines, every relative link (there and
// in docs/) resolves, its commands table names every registered `healer` command, and every docs/
// file the CLI's messages or the scaffold point to ships in the package. `npm run readme` prints the
// problems; test/readme.test.ts fails on any.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';

export const MAX_README_LINES = 200;

/** Markdown files whose links are checked: the README, the changelog and every page under docs/. */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f));
  return ['README.md', 'CHANGELOG.md', ...docs];
}

/** Relative links (`[text](path#anchor)`) of one markdown file that point to no file. */
export function brokenLinks(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  const broken: string[] = [];
  for (const m of text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
    const target = m[1] ?? '';
    if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
    const path = target.split('#')[0] ?? '';
    if (!existsSync(join(root, dirname(file), path))) broken.push(`${file}: ${target}`);
  }
  return broken;
}

/** Every registered command as the user types it: `run`, `policy show`, `audit verify`, ... */
export async function registeredCommands(): Promise<string[]> {
  const program = await buildProgram(memoryIo());
  const names: string[] = [];
  const walk = (command: Command, prefix: string) => {
    for (const sub of command.commands) {
      const name = `${prefix}${sub.name()}`;
      if (sub.commands.length === 0) names.push(name);
      else walk(sub, `${name} `);
    }
  };
  walk(program, '');
  return names;
}

/** The README's `## Commands` section. */
export function commandsSection(readme: string): string {
  const start = readme.indexOf('\n## Commands\n');
  if (start < 0) return '';
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The commands the README's commands table names (`healer run`, `healer policy show`, ...). */
export function commandsInReadme(root: string): string[] {
  const section = commandsSection(readFileSync(join(root, 'README.md'), 'utf8'));
  return [...new Set([...section.matchAll(/`healer ([a-z][a-z-]*(?: [a-z][a-z-]*)?)/g)].map((m) => m[1] ?? ''))];
}

/** Registered commands the README's commands table does not name as `healer <command>`. */
export async function commandsMissingFromReadme(root: string): Promise<string[]> {
  const mentioned = new Set(commandsInReadme(root));
  return (await registeredCommands()).filter((c) => !mentioned.has(c));
}

/** Commands the README's table names that the CLI does not have. */
export async function commandsUnknownToCli(root: string): Promise<string[]> {
  const commands = await registeredCommands();
  const known = (m: string) => commands.some((c) => c === m || c.startsWith(`${m} `) || m.startsWith(`${c} `));
  return commandsInReadme(root).filter((m) => !known(m));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Files under docs/ that the code points a user to (messages, the scaffold), outside comments. */
export function docsPointedToByCode(root: string): string[] {
  const found = new Set<string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const trimmed = line.trim();
      if (trimmed.startsWith('//') || trimmed.startsWith('*') || trimmed.startsWith('/*')) continue;
      for (const m of trimmed.matchAll(/\bdocs\/[\w./-]+\.md\b/g)) found.add(m[0]);
    }
  }
  return [...found].sort();
}

/** The files `npm pack` would ship, relative to the package root. */
export function packedFiles(root: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const parsed = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
  return (parsed[0]?.files ?? []).map((f) => f.path);
}

/** Every problem found, one line each; empty when the README is as it should be. */
export async function readmeProblems(root: string): Promise<string[]> {
  const problems: string[] = [];
  const lines = readFileSync(join(root, 'README.md'), 'utf8').trimEnd().split('\n').length;
  if (lines > MAX_README_LINES) problems.push(`README.md has ${lines} lines (at most ${MAX_README_LINES})`);
  for (const file of markdownFiles(root)) problems.push(...brokenLinks(root, file).map((l) => `broken link ${l}`));
  for (const c of await commandsMissingFromReadme(root))
    problems.push(`README.md commands table lacks \`healer ${c}\``);
  for (const c of await commandsUnknownToCli(root))
    problems.push(`README.md commands table names \`healer ${c}\`, which the CLI does not have`);
  const shipped = new Set(packedFiles(root));
  for (const doc of docsPointedToByCode(root)) {
    if (!existsSync(join(root, doc))) problems.push(`the code points to ${doc}, which does not exist`);
    else if (!shipped.has(doc)) problems.push(`the code points to ${doc}, which the package does not ship`);
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = await readmeProblems(root);
  for (const p of problems) process.stdout.write(`${p}\n`);
  process.stdout.write(
    problems.length ? `${problems.length} problem(s)\n` : `README.md ok (${relative(process.cwd(), join(root, 'README.md')) || 'README.md'})\n`,
  );
  process.exitCode = problems.length ? 1 : 0;
}
