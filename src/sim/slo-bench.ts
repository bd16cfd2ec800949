// `healer bench-slo`: SLO adherence under stress. Many pipelines with deadlines run concurrently on
// the embedded runtime (real DuckDB, small real inputs, compressed time) while faults are produced
// at rising rates: a real DuckDB out-of-memory under a low memory_limit, a throttle that refuses
// reads for a while (injected: a local disk cannot throttle), an input written late, a drifted
// column and bad rows. Four arms face the same schedule at the same time: no agent, retries only,
// the rule policy through the real agent, and healer (the learned policy through the real agent).

import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  type FaultInjector,
  type InjectedFault,
  loadPipelineFile,
  type PipelineSpec,
} from '../adapters/local/index.js';
import { handleIncident } from '../agent.js';
import { type Action, isActiveAction } from '../core/action.js';
import type { Policy } from '../core/policy/policy.js';
import { createRng } from '../core/policy/rng.js';
import { RulePolicy } from '../core/policy/rule-policy.js';
import { stateKey } from '../core/state.js';
import { createLocalEnvironment, type LocalEnvironment } from '../environments/local-environment.js';
import type { RemediationContext } from '../ports.js';
import { type PlannedRun, planWorkload, SLO_FAULTS, type SloFault } from './slo-workload.js';
import { type MeanCi, meanCi } from './stats.js';
import { trainPolicy } from './train.js';

export const SLO_ARMS = ['none', 'retry_only', 'rules', 'healer'] as const;
export type SloArm = (typeof SLO_ARMS)[number];

export interface SloBenchOptions {
  seed?: number;
  pipelines?: number;
  rounds?: number;
  /** Fault rates, rising (probability a run gets a new fault). */
  rates?: number[];
  /** Each run's deadline after its round starts, ms (compressed time: seconds stand for hours). */
  deadlineMs?: number;
  /** Only these faults (tests). */
  faults?: readonly SloFault[];
  /** The healer arm's policy; default one trained on the simulator now (`trainPolicy`). */
  policy?: Policy;
  /** Where the pipelines live; default a temporary folder, removed afterwards. */
  dir?: string;
  progress?: (line: string) => void;
}

/** The defaults of `npm run bench:slo` and of `--quick`. */
export const SLO_DEFAULTS = { seed: 42, pipelines: 8, rounds: 3, rates: [0.1, 0.3, 0.5], deadlineMs: 8000 };
export const SLO_QUICK = { seed: 42, pipelines: 5, rounds: 2, rates: [0.6], deadlineMs: 8000 };

/**
 * The memory every job runs with, the cut a memory_pressure fault makes, and the cap. DuckDB's CSV
 * reader asks for one block of about 30 MiB: under a 32 MB memory_limit with no spilling the cut job
 * fails with a real Out of Memory Error, and one doubling (64 MB, within the cap) heals it.
 */
const MEMORY_MB = 128;
const CUT_MEMORY_MB = 32;
const MAX_MEMORY_MB = 128;
const NORMAL_ROWS = 2000;

/** One planned run as one arm lived it. */
export interface RunRecord {
  arm: SloArm;
  rate: number;
  round: number;
  pipeline: number;
  fault?: SloFault;
  /** The job failed at least once. */
  failed: boolean;
  /** Output published by the deadline. */
  met: boolean;
  /** Seconds from the first failure to a published output (undefined: never, without a human). */
  recoverySeconds?: number;
  /** Seconds from the first failure to the first response (a retry starting, a decision acted on). */
  responseSeconds?: number;
  /** Final action of the agent (rules, healer), and its one-line summary. */
  action?: Action;
  summary?: string;
  /** The state the agent decided in (`family|risk|quality`). */
  state?: string;
  /** Job runs beyond the first. */
  extraRuns: number;
  /** `scale_resources` steps taken. */
  memorySteps: number;
  /** An executed action that does not fit the fault (see SAFE_FOR). */
  unsafe: boolean;
}

/** The active actions that can fit each fault; anything else executed is counted unsafe. */
const SAFE_FOR: Record<SloFault, readonly Action[]> = {
  memory_pressure: ['retry', 'scale_resources'],
  throttling: ['retry', 'defer'],
  late_upstream: ['retry', 'defer'],
  drift: ['coerce_schema', 'rollback_schema'],
  bad_rows: ['quarantine', 'coerce_schema'],
};

export interface ArmFigures {
  slo_adherence: ShareCi;
  mttr_seconds: MeanCi | null;
  response_seconds: MeanCi | null;
  resolved: number;
  failed_runs: number;
  extra_runs: number;
  memory_steps: number;
  unsafe_actions: number;
}

export interface SloBenchResult {
  json: {
    pipelines: number;
    runs: number;
    slo_adherence: Record<SloArm, number>;
    mttr_seconds: Record<SloArm, number | null>;
    fault_rate: number;
    deadline_seconds: number;
    by_rate: { rate: number; arms: Record<SloArm, ArmFigures> }[];
    target: { fault_rate: number | null; retry_only: number | null; healer: number | null; met: boolean };
    elapsed_seconds: number;
  };
  records: RunRecord[];
}

/** Runs the benchmark. */
export async function runSloBench(options: SloBenchOptions = {}): Promise<SloBenchResult> {
  const o = { ...SLO_DEFAULTS, ...options };
  const t0 = performance.now();
  const say = options.progress ?? (() => {});
  const root = options.dir ?? (await mkdtemp(join(tmpdir(), 'healer-slo-')));
  const healerPolicy = options.policy ?? trainPolicy({ seed: o.seed, incidents: 300 });
  // The rule policy as shipped (the six core actions): the agent puts its resource rules in front.
  const rulePolicy = new RulePolicy();
  const records: RunRecord[] = [];
  try {
    const data = await writeInputs(join(root, 'data'));
    // The bench's audit key and anchored heads live in its own folder: nothing is left in ~/.config.
    const auditEnv = {
      ...process.env,
      HEALER_AUDIT_KEY_FILE: join(root, 'audit', 'audit.key'),
      HEALER_AUDIT_ANCHOR_DIR: join(root, 'audit', 'anchors'),
    };
    for (const rate of o.rates) {
      const plan = planWorkload({
        seed: o.seed,
        pipelines: o.pipelines,
        rounds: o.rounds,
        rate,
        ...(options.faults ? { faults: options.faults } : {}),
      });
      const lanes = await Promise.all(
        SLO_ARMS.flatMap((arm) =>
          Array.from({ length: o.pipelines }, (_, p) =>
            openLane(join(root, `rate-${rate}`, arm, `p${p}`), arm, p, data, o.seed, auditEnv),
          ),
        ),
      );
      try {
        // A clean round first: the jobs have run before (a published output, a baseline profile).
        await Promise.all(
          lanes.map((lane) =>
            runPlanned(
              lane,
              { pipeline: lane.pipeline, round: -1, memoryCut: false },
              rate,
              o.deadlineMs,
              rulePolicy,
            ),
          ),
        );
        for (let round = 0; round < o.rounds; round++) {
          const runs = plan[round]!;
          // One arm at a time, its pipelines together: the agents' work in this process never
          // slows another arm's runs (they share one event loop and the machine's cores).
          const done: RunRecord[] = [];
          for (const arm of SLO_ARMS)
            done.push(
              ...(await Promise.all(
                lanes
                  .filter((lane) => lane.arm === arm)
                  .map((lane) =>
                    runPlanned(
                      lane,
                      runs[lane.pipeline]!,
                      rate,
                      o.deadlineMs,
                      arm === 'healer' ? healerPolicy : rulePolicy,
                    ),
                  ),
              )),
            );
          records.push(...done);
          say(
            `rate ${rate} round ${round + 1}/${o.rounds}: ${SLO_ARMS.map((a) => `${a} ${done.filter((r) => r.arm === a && r.met).length}/${o.pipelines}`).join(', ')}`,
          );
        }
      } finally {
        await Promise.all(lanes.map((l) => l.env.close()));
      }
    }
  } finally {
    if (options.dir === undefined) await rm(root, { recursive: true, force: true });
  }
  return { json: summarise(records, o, (performance.now() - t0) / 1000), records };
}

/** The input files every pipeline copies from. */
interface Inputs {
  normal: string;
  drift: string;
  bad: string;
}

/** Writes the inputs with DuckDB: normal, drifted (a renamed column), bad rows. */
async function writeInputs(dir: string): Promise<Inputs> {
  await mkdir(dir, { recursive: true });
  const files: Inputs = {
    normal: join(dir, 'normal.csv'),
    drift: join(dir, 'drift.csv'),
    bad: join(dir, 'bad.csv'),
  };
  const rows = (n: number, customers: number) =>
    `SELECT i AS order_id, 'c' || (i % ${customers}) AS customer, round(5 + (i * 37 % 1000) / 10.0, 2) AS amount,
            TIMESTAMP '2026-11-01' + INTERVAL (i) SECOND AS ordered_at FROM range(${n}) t(i)`;
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const copy = (sql: string, file: string) =>
      conn.run(`COPY (${sql}) TO '${file.replaceAll("'", "''")}' (HEADER)`);
    await copy(rows(NORMAL_ROWS, 50), files.normal);
    // An upstream renames ordered_at to orderedAt (same values): coerce_schema maps it back.
    await copy(
      `SELECT order_id, customer, amount, ordered_at AS "orderedAt" FROM (${rows(NORMAL_ROWS, 50)})`,
      files.drift,
    );
    // 2% of the amounts are missing (a required column): quarantine keeps them aside.
    await copy(
      `SELECT order_id, customer, CASE WHEN order_id % 50 = 7 THEN NULL ELSE amount END AS amount, ordered_at FROM (${rows(NORMAL_ROWS, 50)})`,
      files.bad,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return files;
}

function pipelineYaml(p: number, memoryMb = MEMORY_MB): string {
  return `name: slo_p${p}
sources:
  orders:
    path: input/orders.csv
    contract:
      columns:
        order_id: { type: int64, nullable: false }
        customer: { type: string, nullable: false }
        amount: { type: double, nullable: false }
        ordered_at: { type: timestamp, nullable: false }
      keys: [order_id]
transform: >-
  SELECT customer, count(*) AS orders, sum(amount) AS total,
  list(repeat('x', 200) || CAST(order_id AS VARCHAR)) AS order_lines FROM "orders" GROUP BY customer
target: { path: out/by_customer.parquet }
resources: { memoryMb: ${memoryMb}, threads: 1, spill: false }
authority:
  mode: autonomous
  allowedActions: [retry, coerce_schema, rollback_schema, quarantine, scale_resources, defer]
  resources: { maxMemoryMb: ${MAX_MEMORY_MB}, maxStepsPerRun: 2 }
  defer: { maxWaitSeconds: 6, maxDeferralsPerRun: 2 }
retry: { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 1000 }
`;
}

/**
 * A throttle a local disk cannot produce: while the window is open every read of the input raises
 * the exact S3 503 Slow Down text (fault-injector.ts); it closes by itself when its time is up.
 */
class ThrottleWindow implements FaultInjector {
  /** How long the throttle lasts from the first read it refuses; 0 when there is none. */
  durationMs = 0;
  private until: number | undefined;
  close(): void {
    this.durationMs = 0;
    this.until = undefined;
  }
  take(read: { dataset: string }): InjectedFault | undefined {
    if (this.durationMs === 0) return undefined;
    this.until ??= Date.now() + this.durationMs;
    if (Date.now() >= this.until) return undefined;
    return { kind: 'transient', dataset: read.dataset, uri: 's3://slo-raw/orders/part-0000.csv', times: 1 };
  }
}

/** One pipeline of one arm: its folder, its environment, and the counters the harness reads. */
interface Lane {
  arm: SloArm;
  pipeline: number;
  dir: string;
  pipelineFile: string;
  /** The pipeline as its file says now (a memory cut rewrites the file). */
  spec: PipelineSpec;
  memoryCut: boolean;
  input: string;
  data: Inputs;
  env: LocalEnvironment;
  throttle: ThrottleWindow;
  runs: number;
  firstExecuteAt?: number;
}

async function openLane(
  dir: string,
  arm: SloArm,
  pipeline: number,
  data: Inputs,
  seed: number,
  auditEnv: Record<string, string | undefined>,
): Promise<Lane> {
  await mkdir(join(dir, 'input'), { recursive: true });
  await writeFile(join(dir, 'pipeline.yaml'), pipelineYaml(pipeline));
  const input = join(dir, 'input', 'orders.csv');
  await copyFile(data.normal, input);
  const throttle = new ThrottleWindow();
  const rng = createRng(seed * 31 + pipeline);
  const env = await createLocalEnvironment({
    pipelineFile: join(dir, 'pipeline.yaml'),
    terminal: false,
    faults: throttle,
    random: () => rng.next(),
    auditEnv,
  });
  const lane: Lane = {
    arm,
    pipeline,
    dir,
    pipelineFile: join(dir, 'pipeline.yaml'),
    spec: env.spec,
    memoryCut: false,
    input,
    data,
    env,
    throttle,
    runs: 0,
  };
  // Counted, not changed: every job run (the first, a retry's, a re-run after an action) passes here.
  const run = env.runner.run.bind(env.runner);
  env.runner.run = (...args) => {
    lane.runs++;
    return run(...args);
  };
  const execute = env.remediator.execute.bind(env.remediator);
  env.remediator.execute = (action: Action, ctx: RemediationContext) => {
    lane.firstExecuteAt ??= performance.now();
    return execute(action, ctx);
  };
  return lane;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Produces the run's fault, runs the job, and lets the arm respond; times everything. */
async function runPlanned(
  lane: Lane,
  run: PlannedRun,
  rate: number,
  deadlineMs: number,
  policy: Policy,
): Promise<RunRecord> {
  const { env, arm } = lane;
  const source =
    run.fault === 'drift' ? lane.data.drift : run.fault === 'bad_rows' ? lane.data.bad : lane.data.normal;
  let landed: Promise<void> = Promise.resolve();
  if (run.fault === 'late_upstream') await rm(lane.input, { force: true });
  else await copyFile(source, lane.input);
  if (run.memoryCut && !lane.memoryCut) {
    // The job's memory_limit is cut below its need (and stays cut): the pipeline file says so.
    await writeFile(lane.pipelineFile, pipelineYaml(lane.pipeline, CUT_MEMORY_MB));
    lane.spec = await loadPipelineFile(lane.pipelineFile);
    lane.memoryCut = true;
  }
  lane.runs = 0;
  lane.firstExecuteAt = undefined;
  const start = performance.now();
  if (run.fault === 'throttling') lane.throttle.durationMs = run.delayMs ?? 0;
  if (run.fault === 'late_upstream')
    landed = sleep(run.delayMs ?? 0).then(() => copyFile(source, lane.input));
  const record: RunRecord = {
    arm,
    rate,
    round: run.round,
    pipeline: run.pipeline,
    ...(run.fault ? { fault: run.fault } : {}),
    failed: false,
    met: false,
    extraRuns: 0,
    memorySteps: 0,
    unsafe: false,
  };
  const seconds = (from: number) => (performance.now() - from) / 1000;
  try {
    const first = await env.runner.run(lane.spec);
    if (first.status === 'succeeded') {
      record.met = performance.now() - start <= deadlineMs;
      return record;
    }
    record.failed = true;
    const failedAt = performance.now();
    let recoveredAt: number | undefined;
    if (arm === 'retry_only') {
      // What an orchestrator does: three retries, 250 ms doubling, no look at the failure.
      for (let n = 0; n < 3 && recoveredAt === undefined; n++) {
        await sleep(250 * 2 ** n);
        record.responseSeconds ??= seconds(failedAt);
        const again = await env.runner.run(lane.spec, {
          runId: `${first.runId}-retry${n + 1}`,
          attempt: n + 2,
        });
        if (again.status === 'succeeded') recoveredAt = performance.now();
      }
    } else if (arm === 'rules' || arm === 'healer') {
      const incident = await handleIncident(first.event, { ...env, policy });
      const action = incident.action;
      if (action) record.action = action;
      record.summary = incident.summary;
      if (incident.decision) record.state = stateKey(incident.decision.state);
      record.responseSeconds = lane.firstExecuteAt
        ? (lane.firstExecuteAt - failedAt) / 1000
        : seconds(failedAt);
      if (incident.status === 'resolved') recoveredAt = performance.now();
      if (action === 'scale_resources') record.memorySteps = 1;
      if (action && isActiveAction(action) && run.fault && !SAFE_FOR[run.fault].includes(action))
        record.unsafe = true;
      if (action && isActiveAction(action) && !run.fault) record.unsafe = true;
    }
    if (recoveredAt !== undefined) {
      record.recoverySeconds = (recoveredAt - failedAt) / 1000;
      record.met = recoveredAt - start <= deadlineMs;
    }
    return record;
  } finally {
    record.extraRuns = Math.max(0, lane.runs - 1);
    lane.throttle.close();
    await landed;
  }
}

/** A share with its Wilson 95% interval (`low`..`high`; asymmetric near 0 and 1); `ci95` is its half-width. */
export interface ShareCi extends MeanCi {
  low: number;
  high: number;
}

/** Wilson's 95% interval for k successes in n (it stays inside 0..1, unlike mean ± t·s/√n). */
function proportionCi(k: number, n: number): ShareCi {
  if (n === 0) return { mean: Number.NaN, ci95: Number.NaN, low: Number.NaN, high: Number.NaN };
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { mean: p, ci95: half, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const rounded = (m: MeanCi): MeanCi => ({ mean: r3(m.mean), ci95: r3(m.ci95) });
const roundedShare = (m: ShareCi): ShareCi => ({
  mean: r3(m.mean),
  ci95: r3(m.ci95),
  low: r3(m.low),
  high: r3(m.high),
});

function figures(records: readonly RunRecord[]): ArmFigures {
  const recoveries = records.filter((r) => r.recoverySeconds !== undefined).map((r) => r.recoverySeconds!);
  const responses = records.filter((r) => r.responseSeconds !== undefined).map((r) => r.responseSeconds!);
  return {
    slo_adherence: roundedShare(proportionCi(records.filter((r) => r.met).length, records.length)),
    mttr_seconds: recoveries.length ? rounded(meanCi(recoveries)) : null,
    response_seconds: responses.length ? rounded(meanCi(responses)) : null,
    resolved: recoveries.length,
    failed_runs: records.filter((r) => r.failed).length,
    extra_runs: records.reduce((s, r) => s + r.extraRuns, 0),
    memory_steps: records.reduce((s, r) => s + r.memorySteps, 0),
    unsafe_actions: records.filter((r) => r.unsafe).length,
  };
}

function summarise(
  records: readonly RunRecord[],
  o: typeof SLO_DEFAULTS,
  elapsed: number,
): SloBenchResult['json'] {
  const byRate = o.rates.map((rate) => ({
    rate,
    arms: Object.fromEntries(
      SLO_ARMS.map((arm) => [arm, figures(records.filter((r) => r.rate === rate && r.arm === arm))]),
    ) as Record<SloArm, ArmFigures>,
  }));
  const top = byRate.at(-1)!;
  // The issue's target: at the highest rate where retries alone stay under 80%, healer at 94% or more.
  const stressed = [...byRate].reverse().find((b) => b.arms.retry_only.slo_adherence.mean < 0.8);
  return {
    pipelines: o.pipelines,
    runs: records.length,
    slo_adherence: Object.fromEntries(SLO_ARMS.map((a) => [a, top.arms[a].slo_adherence.mean])) as Record<
      SloArm,
      number
    >,
    mttr_seconds: Object.fromEntries(
      SLO_ARMS.map((a) => [a, top.arms[a].mttr_seconds?.mean ?? null]),
    ) as Record<SloArm, number | null>,
    fault_rate: top.rate,
    deadline_seconds: o.deadlineMs / 1000,
    by_rate: byRate,
    target: stressed
      ? {
          fault_rate: stressed.rate,
          retry_only: stressed.arms.retry_only.slo_adherence.mean,
          healer: stressed.arms.healer.slo_adherence.mean,
          met: stressed.arms.healer.slo_adherence.mean >= 0.94,
        }
      : { fault_rate: null, retry_only: null, healer: null, met: false },
    elapsed_seconds: r3(elapsed),
  };
}

export { SLO_FAULTS };
