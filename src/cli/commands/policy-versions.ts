// `healer policy log|learn|evaluate|promote|rollback|history`: the policy keeps learning from logged
// outcomes, and a candidate goes into force only when off-policy evaluation on the logged
// propensities shows it beats the policy in force, with a named approver; every version can be
// rolled back. Versions live in the state folder (`.healer/policies/`).

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openJsonlAuditLog, SqliteStateStore, STATE_FILE, SystemClock } from '../../adapters/local/index.js';
import { currentPolicyFile, LocalPolicyStore } from '../../adapters/local/policy-store.js';
import { InvalidInputError } from '../../core/errors.js';
import { parsePolicyArtifact } from '../../core/policy/artifact.js';
import { QLearningPolicy } from '../../core/policy/q-learning.js';
import { RulePolicy } from '../../core/policy/rule-policy.js';
import { defaultPolicyPath } from '../../environments/local-environment.js';
import { exclusiveLease } from '../../lock-lease.js';
import { decisionLog, type LoggedDecision } from '../../policy-log.js';
import {
  type CurrentPolicy,
  evaluateCandidate,
  learnCandidate,
  type PolicyEvaluation,
  promotePolicy,
  rollbackPolicy,
  type StoredEstimate,
  versionOf,
} from '../../policy-promotion.js';
import type { CliIo } from '../io.js';
import { readJsonFile } from '../read-json-file.js';
import { textTable } from '../text-table.js';

const STATE_DIR_HELP = 'state folder holding the incidents and policy versions';

/** The policy in force for a state folder: its promoted version, else the shipped default, else rules. */
export async function currentPolicy(stateDir: string): Promise<CurrentPolicy> {
  const file =
    currentPolicyFile(stateDir) ?? (existsSync(defaultPolicyPath()) ? defaultPolicyPath() : undefined);
  if (!file) return { policy: new RulePolicy() };
  const artifact = parsePolicyArtifact(JSON.parse(await readFile(file, 'utf8')), file);
  return { policy: QLearningPolicy.fromArtifact(artifact), artifact };
}

async function readLog(stateDir: string): Promise<LoggedDecision[]> {
  const state = SqliteStateStore.open(join(stateDir, STATE_FILE), { readOnly: true, whenMissing: 'empty' });
  try {
    return decisionLog(await state.listIncidents(1_000_000));
  } finally {
    await state.close();
  }
}

async function loadCandidate(io: CliIo, file: string) {
  return parsePolicyArtifact(await readJsonFile(resolve(io.cwd, file), 'candidate policy', file), file);
}

/** Opens what promote and rollback write: the version store and the audit log (appends take turns). */
async function openVersions(stateDir: string) {
  const state = SqliteStateStore.open(join(stateDir, STATE_FILE), { whenMissing: 'empty' });
  const clock = new SystemClock();
  const audit = await openJsonlAuditLog(stateDir, {
    now: () => clock.now(),
    create: true,
    exclusive: exclusiveLease(state, clock, 'audit-append', { ttlMs: 30_000, waitMs: 10_000, pollMs: 5 }),
  });
  await audit.open();
  return {
    deps: {
      store: new LocalPolicyStore(stateDir),
      audit,
      current: await currentPolicy(stateDir),
      now: clock.now(),
    },
    close: () => state.close(),
  };
}

const f3 = (x: number) => x.toFixed(3);
const interval = (e: StoredEstimate['dr']) => `${f3(e.estimate)} [${f3(e.lower95)}, ${f3(e.upper95)}]`;

function evaluationText(e: PolicyEvaluation): string {
  const rows = (['ips', 'snips', 'dr'] as const).map((k) => [
    k === 'ips' ? 'IPS' : k === 'snips' ? 'SNIPS' : 'DR',
    interval(e.candidate[k]),
    interval(e.current[k]),
  ]);
  rows.push([
    'ESS',
    `${e.candidate.ess.toFixed(1)} of ${e.candidate.n}`,
    `${e.current.ess.toFixed(1)} of ${e.current.n}`,
  ]);
  const verdict = e.promotable
    ? `promotable: yes (candidate DR lower bound ${f3(e.candidate.dr.lower95)} > current DR ${f3(e.current.dr.estimate)})`
    : `promotable: no (candidate DR lower bound ${f3(e.candidate.dr.lower95)} ≤ current DR ${f3(e.current.dr.estimate)})`;
  return `${[
    `logged decisions with a known reward: ${e.steps}; value per decision, 95% bootstrap intervals`,
    '',
    textTable(
      ['estimator', `candidate ${e.candidate.version}`, `current ${e.current.version}`],
      rows,
    ).trimEnd(),
    '',
    verdict,
  ].join('\n')}\n`;
}

/** Adds the version subcommands to `healer policy`. */
export function registerPolicyVersions(policy: Command, io: CliIo): void {
  policy
    .command('log')
    .description('Every decision: state, proposed action, propensity, policy version and reward once known')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.healer')
    .option('--json', 'print as JSON')
    .action(async (options: { stateDir: string; json?: boolean }) => {
      const log = await readLog(resolve(io.cwd, options.stateDir));
      if (options.json) {
        io.out(`${JSON.stringify(log, null, 2)}\n`);
        return;
      }
      io.out(
        textTable(
          ['incident', 'state', 'proposed', 'propensity', 'policy', 'final', 'status', 'reward'],
          log.map((d) => [
            d.incidentId,
            d.state,
            d.proposed,
            f3(d.propensity),
            d.policyVersion,
            d.final,
            d.status,
            d.reward === undefined ? 'pending' : f3(d.reward),
          ]),
        ),
      );
    });

  policy
    .command('learn')
    .description('Build a candidate Q-table from the logged outcomes, starting from the policy in force')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.healer')
    .option('--out <file>', 'where to write the candidate', 'candidate.policy.json')
    .action(async (options: { stateDir: string; out: string }) => {
      const stateDir = resolve(io.cwd, options.stateDir);
      const current = await currentPolicy(stateDir);
      const log = await readLog(stateDir);
      const { candidate, applied, skipped } = learnCandidate(current, log, new Date().toISOString());
      await writeFile(resolve(io.cwd, options.out), `${JSON.stringify(candidate, null, 2)}\n`);
      io.out(
        `wrote ${options.out}: ${versionOf(candidate)} learned from ${applied} outcome(s)` +
          `${skipped ? ` (${skipped} skipped: action not in the policy's action set)` : ''}` +
          `, starting from ${current.policy.version}; ${log.length - applied - skipped} decision(s) still without a reward\n` +
          `next: healer policy evaluate ${options.out}\n`,
      );
    });

  policy
    .command('evaluate')
    .description(
      'Estimate a candidate off-policy (IPS, SNIPS, DR; bootstrap 95% intervals, ESS) beside the policy in force',
    )
    .argument('<candidate>', 'candidate artifact (from healer policy learn)')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.healer')
    .option('--json', 'print as JSON')
    .action(async (file: string, options: { stateDir: string; json?: boolean }) => {
      const candidate = await loadCandidate(io, file);
      const stateDir = resolve(io.cwd, options.stateDir);
      const evaluation = evaluateCandidate(
        candidate,
        (await currentPolicy(stateDir)).policy,
        await readLog(stateDir),
      );
      io.out(options.json ? `${JSON.stringify(evaluation, null, 2)}\n` : evaluationText(evaluation));
    });

  policy
    .command('promote')
    .description('Put a candidate in force when its DR lower bound beats the current estimate (audited)')
    .argument('<candidate>', 'candidate artifact')
    .requiredOption('--by <name>', 'who approves the promotion')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.healer')
    .action(async (file: string, options: { by: string; stateDir: string }) => {
      const by = options.by.trim();
      if (!by) throw new InvalidInputError('--by: a name is required');
      const candidate = await loadCandidate(io, file);
      const stateDir = resolve(io.cwd, options.stateDir);
      const log = await readLog(stateDir);
      const { deps, close } = await openVersions(stateDir);
      try {
        const { entry, evaluation } = await promotePolicy(candidate, by, log, deps);
        io.out(evaluationText(evaluation));
        io.out(`promoted ${entry.version} (was ${entry.from}) by ${entry.by} at ${entry.at}\n`);
      } finally {
        await close();
      }
    });

  policy
    .command('rollback')
    .description('Put a kept version back in force (default: the one before the current)')
    .argument('[version]', 'q_learning@<hash12> from healer policy history')
    .option('--by <name>', 'who rolls back', 'anonymous')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.healer')
    .action(async (version: string | undefined, options: { by: string; stateDir: string }) => {
      const { deps, close } = await openVersions(resolve(io.cwd, options.stateDir));
      try {
        const entry = await rollbackPolicy(version, options.by.trim() || 'anonymous', deps);
        io.out(`rolled back to ${entry.version} (was ${entry.from}) by ${entry.by} at ${entry.at}\n`);
      } finally {
        await close();
      }
    });

  policy
    .command('history')
    .description('Policy versions: promotions and rollbacks, who, when, and the estimates they rested on')
    .option('--state-dir <dir>', STATE_DIR_HELP, '.healer')
    .option('--json', 'print as JSON')
    .action(async (options: { stateDir: string; json?: boolean }) => {
      const stateDir = resolve(io.cwd, options.stateDir);
      const entries = await new LocalPolicyStore(stateDir).history();
      const current = (await currentPolicy(stateDir)).policy.version;
      if (options.json) {
        io.out(`${JSON.stringify({ current, entries }, null, 2)}\n`);
        return;
      }
      io.out(`in force: ${current}\n`);
      if (entries.length === 0) {
        io.out('no promotion or rollback yet\n');
        return;
      }
      io.out(
        textTable(
          ['at', 'event', 'version', 'from', 'by', 'candidate DR', 'current DR'],
          entries.map((e) => [
            e.at,
            e.event,
            e.version,
            e.from,
            e.by,
            e.estimates ? interval(e.estimates.candidate.dr) : '-',
            e.estimates ? f3(e.estimates.current.dr.estimate) : '-',
          ]),
        ),
      );
    });
}
