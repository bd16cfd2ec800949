// `healer policy show FILE` and `healer policy diff A B`: inspect a trained Q-learning policy
// artifact (every state's Q-values, greedy action and visits) and what changed between two.

import { resolve } from 'node:path';
import type { Action } from '../../core/action.js';
import {
  type ArtifactDiff,
  artifactGreedy,
  artifactVisits,
  diffArtifacts,
  type PolicyArtifact,
  parsePolicyArtifact,
} from '../../core/policy/artifact.js';
import { allStates, type StateKey, stateKey } from '../../core/state.js';
import type { RegisterCommand } from '../commands.js';
import type { CliIo } from '../io.js';
import { readJsonFile } from '../read-json-file.js';
import { registerPolicyVersions } from './policy-versions.js';

export const register: RegisterCommand = (program, io) => {
  const policy = program
    .command('policy')
    .description('Inspect policy artifacts; learn, evaluate, promote and roll back policy versions');
  policy
    .command('show')
    .description('Print the Q-table: states × actions, greedy action marked with *, visits in ()')
    .argument('<file>', 'policy artifact written by `healer train`')
    .option('--all', 'every state, not only those visited in training')
    .option('--json', 'print the table as JSON')
    .action(async (file: string, options: { all?: boolean; json?: boolean }) => {
      const artifact = await load(io, file);
      const rows = tableRows(artifact, options.all === true);
      if (options.json === true) io.out(`${JSON.stringify(showJson(artifact, rows), null, 2)}\n`);
      else io.out(showText(artifact, rows));
    });
  policy
    .command('diff')
    .description('Show the states whose greedy action or Q-values differ between two artifacts')
    .argument('<a>', 'the older artifact')
    .argument('<b>', 'the newer artifact')
    .option('--json', 'print the diff as JSON')
    .action(async (a: string, b: string, options: { json?: boolean }) => {
      const diff = diffArtifacts(await load(io, a), await load(io, b));
      io.out(options.json === true ? `${JSON.stringify(diff, null, 2)}\n` : diffText(diff));
    });
  registerPolicyVersions(policy, io);
};

async function load(io: CliIo, file: string): Promise<PolicyArtifact> {
  const json = await readJsonFile(resolve(io.cwd, file), 'policy file', file);
  return parsePolicyArtifact(json, file);
}

interface Row {
  state: StateKey;
  greedy: Action;
  values: Partial<Record<Action, number>>;
  visits: Partial<Record<Action, number>>;
  totalVisits: number;
}

function tableRows(artifact: PolicyArtifact, all: boolean): Row[] {
  const rows: Row[] = [];
  for (const state of allStates()) {
    const key = stateKey(state);
    const totalVisits = artifactVisits(artifact, key);
    if (!all && totalVisits === 0) continue;
    const q = artifact.qTable[key] ?? {};
    const n = artifact.visits[key] ?? {};
    rows.push({
      state: key,
      greedy: artifactGreedy(artifact, key),
      values: Object.fromEntries(artifact.actions.map((a) => [a, q[a] ?? 0])),
      visits: Object.fromEntries(artifact.actions.map((a) => [a, n[a] ?? 0])),
      totalVisits,
    });
  }
  return rows;
}

function showJson(artifact: PolicyArtifact, rows: Row[]) {
  return {
    version: `q_learning@${artifact.hash.slice(0, 12)}`,
    hash: artifact.hash,
    createdAt: artifact.createdAt,
    actions: artifact.actions,
    hyperparameters: artifact.hyperparameters,
    training: artifact.training,
    states: rows,
  };
}

function showText(artifact: PolicyArtifact, rows: Row[]): string {
  const h = artifact.hyperparameters;
  const out: string[] = [
    `policy   q_learning@${artifact.hash.slice(0, 12)}  (created ${artifact.createdAt})`,
    `hyper    learning rate ${h.learningRate}, epsilon ${h.epsilon}, seed ${h.seed}`,
  ];
  const training = Object.entries(artifact.training)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  if (training) out.push(`training ${training}`);
  out.push(
    `states   ${rows.length} shown of ${allStates().length}; * marks the greedy action, (n) its visits`,
    '',
  );
  // Action headers skip the greedy mark and sign columns, so names align with the values.
  const header = ['state', ...artifact.actions.map((a) => `  ${a}`), 'visits'];
  const body = rows.map((r) => [
    r.state,
    ...artifact.actions.map(
      (a) => `${r.greedy === a ? '*' : ' '}${signed(r.values[a] ?? 0)} (${r.visits[a] ?? 0})`,
    ),
    String(r.totalVisits),
  ]);
  out.push(...table([header, ...body]));
  if (rows.length === 0) out.push('(no visited state; use --all to list every state)');
  return `${out.join('\n')}\n`;
}

function diffText(diff: ArtifactDiff): string {
  const out: string[] = [
    `A q_learning@${diff.hashA.slice(0, 12)}`,
    `B q_learning@${diff.hashB.slice(0, 12)}`,
  ];
  const metadata = diff.metadata.map((m) => `${m.name}: ${m.a} → ${m.b}`);
  if (diff.identical)
    return `${[...out, 'identical policy (same hash)', ...metadata.map((m) => `metadata differs (not hashed): ${m}`)].join('\n')}\n`;
  out.push(...metadata);
  if (diff.actionsAdded.length) out.push(`actions added: ${diff.actionsAdded.join(', ')}`);
  if (diff.actionsRemoved.length) out.push(`actions removed: ${diff.actionsRemoved.join(', ')}`);
  for (const p of diff.hyperparameters) out.push(`${p.name}: ${p.a} → ${p.b}`);
  const greedyChanged = diff.states.filter((s) => s.greedyChanged).length;
  out.push(
    `${diff.states.length} state(s) changed, ${greedyChanged} with a new greedy action (! marks them)`,
    '',
  );
  const header = ['state', 'greedy A → B', 'visits A → B', 'Q changes (A → B)'];
  const body = diff.states.map((s) => [
    s.state,
    `${s.greedyChanged ? '!' : ' '}${s.greedyA} → ${s.greedyB}`,
    `${s.visitsA} → ${s.visitsB}`,
    s.changes.map((c) => `${c.action} ${c.a.toFixed(3)}→${c.b.toFixed(3)}`).join(', '),
  ]);
  if (body.length) out.push(...table([header, ...body]));
  return `${out.join('\n')}\n`;
}

/** Fixed 3 decimals with a space where the minus sign would be, so columns line up. */
function signed(value: number): string {
  return `${value < 0 ? '' : ' '}${value.toFixed(3)}`;
}

/** Left-aligned columns separated by two spaces, trailing spaces trimmed. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
