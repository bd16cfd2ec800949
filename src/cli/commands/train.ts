// `healer train [--seed N] [--episodes N] [--incidents N] --out policy.json`: trains the Q-learning
// policy on simulated incidents (real detectors, guard on) and writes the versioned, hashed artifact.

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { HELD_OUT_SEEDS, isHeldOutSeed, parsePositiveInt } from '../../sim/seeds.js';
import { DEFAULT_EPOCHS, trainPolicy } from '../../sim/train.js';
import type { RegisterCommand } from '../commands.js';

export const register: RegisterCommand = (program, io) => {
  program
    .command('train')
    .description('Train the Q-learning policy on simulated incidents and write its artifact')
    .requiredOption('--out <file>', 'where to write the policy artifact (JSON)')
    .option('--seed <n>', 'seed of the incidents and of exploration', '42')
    .option(
      '--episodes <n>',
      'training updates (default: 40 epochs, i.e. 40 shuffled passes over the training incidents = 80000)',
    )
    .option('--incidents <n>', 'size of the generated training set', '2000')
    .option('--json', 'print a JSON summary')
    .action(
      async (options: {
        out: string;
        seed: string;
        episodes?: string;
        incidents: string;
        json?: boolean;
      }) => {
        const seed = Number(options.seed);
        if (!/^\d+$/.test(options.seed.trim()) || !Number.isSafeInteger(seed) || seed > 0xffffffff)
          throw new InvalidInputError(`--seed: '${options.seed}' is not a non-negative integer below 2^32`);
        // A policy trained on the benchmark's held-out seeds would make them tuned-on.
        if (isHeldOutSeed(seed))
          throw new InvalidInputError(
            `--seed: ${seed} is a held-out benchmark seed (${HELD_OUT_SEEDS}); never train on it`,
          );
        const incidents = parsePositiveInt(options.incidents, '--incidents', 100_000);
        // Each incident is diagnosed once; an epoch is one shuffled pass over the set.
        const episodes =
          options.episodes === undefined
            ? DEFAULT_EPOCHS * incidents
            : parsePositiveInt(options.episodes, '--episodes');
        const started = performance.now();
        const policy = trainPolicy({ seed, episodes, incidents });
        const artifact = policy.toArtifact(
          {
            seed,
            episodes,
            epochs: episodes / incidents,
            incidents,
            environment: 'sim',
            guard: 'on',
            command: 'healer train',
          },
          new Date().toISOString(),
        );
        const out = resolve(io.cwd, options.out);
        await mkdir(dirname(out), { recursive: true });
        // Write then rename: a crash never leaves a half-written policy where the runtime loads it.
        const tmp = `${out}.tmp-${process.pid}`;
        await writeFile(tmp, `${JSON.stringify(artifact, null, 2)}\n`);
        await rename(tmp, out);
        const seconds = (performance.now() - started) / 1000;
        const states = Object.keys(artifact.qTable).length;
        if (options.json === true)
          io.out(
            `${JSON.stringify({ out, hash: artifact.hash, version: policy.version, states, episodes, incidents, seed, seconds })}\n`,
          );
        else
          io.out(
            `trained ${policy.version} on ${incidents} incidents (${episodes} episodes, seed ${seed}) in ${seconds.toFixed(1)}s\n` +
              `states with values: ${states}\nwrote ${out}\ninspect it with: healer policy show ${options.out}\n`,
          );
      },
    );
};
