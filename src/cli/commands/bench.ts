// `healer bench [--seeds 42..71] [--json] [--out DIR]`: trains and evaluates every policy per seed on
// simulated incidents and writes results.json, report.md and chart.svg.

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { InvalidInputError } from '../../core/errors.js';
import { runBench } from '../../sim/bench.js';
import { loadHeldOutCorpus } from '../../sim/classifier-score.js';
import { renderEngineMarkdown, renderEngineTerminal, runDuckdbEngine } from '../../sim/duckdb-engine.js';
import { renderMarkdown, renderTerminal } from '../../sim/report.js';
import { HELD_OUT_SEEDS, parsePositiveInt, parseSeeds, REFERENCE_SEEDS } from '../../sim/seeds.js';
import { runShift } from '../../sim/shift.js';
import { renderShiftMarkdown, renderShiftTerminal } from '../../sim/shift-report.js';
import { renderChart } from '../../sim/svg-chart.js';
import type { RegisterCommand } from '../commands.js';

export const register: RegisterCommand = (program, io) => {
  program
    .command('bench')
    .description('Benchmark Q-learning, rules, random and the no-guard ablation on simulated incidents')
    .option('--seeds <list>', 'seeds: A..B or a comma list', REFERENCE_SEEDS)
    .option(
      '--held-out <list>',
      'held-out seeds reported beside --seeds and never tuned on (none: skip them)',
      HELD_OUT_SEEDS,
    )
    .option('--json', 'print the results as JSON (the shape of results.json)')
    .option('--out <dir>', 'where to write results.json, report.md and chart.svg', 'bench-out')
    .option('--train-incidents <n>', 'training incidents per seed', '300')
    .option('--eval-incidents <n>', 'evaluation incidents per seed', '150')
    .option(
      '--episodes <n>',
      'training updates per seed (default: 40 epochs, i.e. 40 shuffled passes over the training incidents = 12000)',
    )
    .option('--loop <loop>', 'direct (core calls) or agent (handleIncident over simulated ports)', 'direct')
    .option(
      '--engine <engine>',
      'sim (modelled outcomes) or duckdb (also replay a sample for real on the embedded runtime)',
      'sim',
    )
    .option(
      '--scenario <name>',
      'stationary, or shift (also run the mix whose right fix changes part-way: rules, static and online Q)',
      'stationary',
    )
    .option('--engine-sample <n>', 'with --engine duckdb: incidents per fault type, first seed only', '2')
    .option(
      '--engine-dir <dir>',
      'with --engine duckdb: keep the replayed pipelines here (default: temp, removed)',
    )
    .action(
      async (options: {
        seeds: string;
        heldOut: string;
        json?: boolean;
        out: string;
        trainIncidents: string;
        evalIncidents: string;
        episodes?: string;
        loop: string;
        engine: string;
        engineSample: string;
        engineDir?: string;
        scenario: string;
      }) => {
        const seeds = parseSeeds(options.seeds);
        const heldOut = options.heldOut.trim() === 'none' ? [] : parseSeeds(options.heldOut, '--held-out');
        const overlap = heldOut.filter((s) => seeds.includes(s));
        if (overlap.length > 0)
          throw new InvalidInputError(
            `--held-out: seed ${overlap[0]} is also in --seeds; the held-out range must be disjoint`,
          );
        if (options.loop !== 'direct' && options.loop !== 'agent')
          throw new InvalidInputError(`--loop: '${options.loop}' is not one of direct, agent`);
        if (options.engine !== 'sim' && options.engine !== 'duckdb')
          throw new InvalidInputError(`--engine: '${options.engine}' is not one of sim, duckdb`);
        if (options.scenario !== 'stationary' && options.scenario !== 'shift')
          throw new InvalidInputError(`--scenario: '${options.scenario}' is not one of stationary, shift`);
        const engineSample = parsePositiveInt(options.engineSample, '--engine-sample', 1000);
        const bar =
          io.isTty && options.json !== true && process.stderr.isTTY
            ? new SingleBar({
                format: 'bench [{bar}] {value}/{total} seeds | seed {seed} | {duration}s',
                stream: process.stderr,
              })
            : undefined;
        bar?.start(seeds.length + heldOut.length, 0, { seed: seeds[0] });
        const corpus = loadHeldOutCorpus();
        const result = await runBench({
          seeds,
          trainIncidents: parsePositiveInt(options.trainIncidents, '--train-incidents', 100_000),
          evalIncidents: parsePositiveInt(options.evalIncidents, '--eval-incidents', 100_000),
          ...(options.episodes === undefined
            ? {}
            : { episodes: parsePositiveInt(options.episodes, '--episodes') }),
          loop: options.loop,
          heldOutSeeds: heldOut,
          ...(corpus ? { classifierCorpus: corpus } : {}),
          onProgress: (done, _total, seed) => bar?.update(done, { seed }),
        });
        bar?.stop();
        const seed = seeds[0]!;
        const engine =
          options.engine === 'duckdb'
            ? await runDuckdbEngine({
                seed,
                perFault: engineSample,
                trainIncidents: result.options.trainIncidents,
                evalIncidents: result.options.evalIncidents,
                episodes: result.options.episodes,
                ...(options.engineDir === undefined ? {} : { dir: resolve(io.cwd, options.engineDir) }),
              })
            : undefined;
        const shift =
          options.scenario === 'shift'
            ? await runShift({
                seeds,
                trainIncidents: result.options.trainIncidents,
                episodes: result.options.episodes,
              })
            : undefined;
        const out = resolve(io.cwd, options.out);
        await mkdir(out, { recursive: true });
        const json = `${JSON.stringify(
          {
            ...result.json,
            ...(engine ? { duckdb: engine.json } : {}),
            ...(shift ? { shift: shift.json } : {}),
          },
          null,
          2,
        )}\n`;
        await writeFile(join(out, 'results.json'), json);
        await writeFile(
          join(out, 'report.md'),
          renderMarkdown(result) +
            (engine ? renderEngineMarkdown(engine, seed) : '') +
            (shift ? renderShiftMarkdown(shift) : ''),
        );
        await writeFile(join(out, 'chart.svg'), renderChart(result.json));
        if (engine)
          await writeFile(
            join(out, 'duckdb-incidents.json'),
            `${JSON.stringify(engine.incidents, null, 2)}\n`,
          );
        if (options.json === true) io.out(json);
        else
          io.out(
            `${renderTerminal(result)}${engine ? renderEngineTerminal(engine, seed) : ''}${shift ? renderShiftTerminal(shift) : ''}wrote ${join(options.out, 'results.json')}, report.md, chart.svg\n`,
          );
      },
    );
};
