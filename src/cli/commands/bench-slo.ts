// `healer bench-slo [--pipelines P] [--rounds R] [--rates a,b,c] [--deadline S] [--quick] [--json]`:
// SLO adherence under stress (see sim/slo-bench.ts). Four arms (no agent, retries only, rules,
// healer) face the same faults at rising rates on the embedded runtime. With --json the last line is
// {"pipelines","runs","slo_adherence":{"none","retry_only","rules","healer"},"mttr_seconds":{...},...}.

import { InvalidInputError } from '../../core/errors.js';
import { type ArmFigures, runSloBench, SLO_ARMS, SLO_DEFAULTS, SLO_QUICK } from '../../sim/slo-bench.js';
import { integerOption } from '../bench-figures.js';
import type { RegisterCommand } from '../commands.js';
import { textTable } from '../text-table.js';

export const register: RegisterCommand = (program, io) => {
  program
    .command('bench-slo')
    .description('SLO adherence under stress: no agent, retries only, rules and healer on the same faults')
    .option('--pipelines <p>', 'pipelines running concurrently per arm', String(SLO_DEFAULTS.pipelines))
    .option('--rounds <r>', 'scheduled runs of every pipeline per fault rate', String(SLO_DEFAULTS.rounds))
    .option('--rates <list>', 'fault rates, rising, comma-separated', SLO_DEFAULTS.rates.join(','))
    .option(
      '--deadline <s>',
      "each run's deadline after it starts, seconds",
      String(SLO_DEFAULTS.deadlineMs / 1000),
    )
    .option('--seed <n>', 'seed of the fault schedule and of the trained policy', String(SLO_DEFAULTS.seed))
    .option(
      '--quick',
      `a small run for tests (${SLO_QUICK.pipelines} pipelines, ${SLO_QUICK.rounds} rounds, rate ${SLO_QUICK.rates.join(',')})`,
    )
    .option('--json', 'print the figures as JSON (last line)')
    .action(
      async (
        options: {
          pipelines: string;
          rounds: string;
          rates: string;
          deadline: string;
          seed: string;
          quick?: boolean;
          json?: boolean;
        },
        command: { getOptionValueSource(key: string): string | undefined },
      ) => {
        const base = options.quick ? SLO_QUICK : SLO_DEFAULTS;
        // --quick sets the defaults; a flag given on the command line still wins.
        const given = (flag: string) => command.getOptionValueSource(flag) === 'cli';
        const rates = given('rates') ? parseRates(options.rates) : base.rates;
        const result = await runSloBench({
          seed: integerOption('--seed', options.seed, 0, 2 ** 31 - 1),
          pipelines: given('pipelines')
            ? integerOption('--pipelines', options.pipelines, 1, 200)
            : base.pipelines,
          rounds: given('rounds') ? integerOption('--rounds', options.rounds, 1, 50) : base.rounds,
          rates,
          deadlineMs: given('deadline')
            ? integerOption('--deadline', options.deadline, 1, 600) * 1000
            : base.deadlineMs,
          ...(options.json ? {} : { progress: (line: string) => io.err(`${line}\n`) }),
        });
        if (options.json) {
          io.out(`${JSON.stringify(result.json)}\n`);
          return;
        }
        io.out(`${report(result.json)}\n`);
      },
    );
};

function parseRates(raw: string): number[] {
  const rates = raw.split(',').map((x) => Number(x.trim()));
  if (rates.length === 0 || rates.some((r) => !Number.isFinite(r) || r < 0 || r > 1))
    throw new InvalidInputError(`--rates: expected fault rates from 0 to 1, comma-separated, got ${raw}`);
  return rates;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ci = (m: { mean: number; ci95: number } | null, unit = '') =>
  m === null ? '-' : `${m.mean.toFixed(2)}${unit} ± ${m.ci95.toFixed(2)}`;

function report(json: Awaited<ReturnType<typeof runSloBench>>['json']): string {
  const rows: string[][] = [];
  for (const b of json.by_rate)
    for (const arm of SLO_ARMS) {
      const f: ArmFigures = b.arms[arm];
      rows.push([
        String(b.rate),
        arm,
        `${pct(f.slo_adherence.mean)} [${pct(f.slo_adherence.low)}, ${pct(f.slo_adherence.high)}]`,
        ci(f.mttr_seconds, ' s'),
        ci(f.response_seconds, ' s'),
        `${f.resolved}/${f.failed_runs}`,
        String(f.extra_runs),
        String(f.memory_steps),
        String(f.unsafe_actions),
      ]);
    }
  const t = json.target;
  return [
    `${json.pipelines} pipelines per arm, ${json.runs} runs, deadline ${json.deadline_seconds} s after each run starts; ${json.elapsed_seconds} s`,
    textTable(
      [
        'fault rate',
        'arm',
        'SLO adherence [95%]',
        'MTTR ± 95%',
        'response ± 95%',
        'recovered',
        'extra runs',
        'memory steps',
        'unsafe',
      ],
      rows,
    ),
    t.fault_rate === null
      ? 'target: retries only never fell under 80% here; raise --rates'
      : `target: at fault rate ${t.fault_rate} retries only meet ${pct(t.retry_only ?? 0)}; healer ${pct(t.healer ?? 0)} (target >= 94%: ${t.met ? 'met' : 'not met'})`,
  ].join('\n');
}
