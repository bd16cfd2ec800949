// Finds the pipeline file and state folder the governance commands (approve, reject, label,
// autonomy) work on, and the automatic demotion run after an incident finishes. `healer run` keeps
// `.healer/` beside its pipeline, so without `--pipeline` the pipeline files beside the state folder
// are read and the one the incident's event names is used.

import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadPipelineFile } from '../adapters/local/index.js';
import { setFamilyMode } from '../adapters/local/pipeline-authority-file.js';
import { auditModeChange, autonomyStatus, lastPromotions } from '../autonomy.js';
import { ConfigError } from '../core/errors.js';
import type { FailureFamily } from '../core/failure-family.js';
import { createLocalEnvironment, type LocalEnvironment } from '../environments/local-environment.js';
import type { CliIo } from './io.js';

export interface GovernanceFlags {
  stateDir?: string;
  pipeline?: string;
}

/** The pipeline files beside a state folder, by pipeline name (unparseable files are skipped). */
async function pipelinesBeside(stateDir: string): Promise<Map<string, string>> {
  const dir = dirname(stateDir);
  const out = new Map<string, string>();
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of names.filter((n) => /\.ya?ml$/i.test(n)).sort()) {
    const file = join(dir, name);
    try {
      const spec = await loadPipelineFile(file);
      if (!out.has(spec.name)) out.set(spec.name, file);
    } catch {
      // Not a pipeline file (or a broken one): it cannot be the pipeline asked for.
    }
  }
  return out;
}

/**
 * Opens the local environment for a pipeline: `--pipeline FILE`, else the file beside the state
 * folder named `pipelineName`, else the only pipeline file there.
 */
export async function openGovernanceEnv(
  io: CliIo,
  flags: GovernanceFlags,
  pipelineName?: string,
): Promise<LocalEnvironment> {
  if (flags.pipeline) {
    return createLocalEnvironment({
      pipelineFile: resolve(io.cwd, flags.pipeline),
      ...(flags.stateDir ? { stateDir: resolve(io.cwd, flags.stateDir) } : {}),
      terminal: (t) => io.err(t),
    });
  }
  const stateDir = resolve(io.cwd, flags.stateDir ?? '.healer');
  const found = await pipelinesBeside(stateDir);
  const file = pipelineName ? found.get(pipelineName) : found.size === 1 ? [...found.values()][0] : undefined;
  if (!file)
    throw new ConfigError(
      pipelineName
        ? `no pipeline file for ${pipelineName} beside ${stateDir}; pass --pipeline FILE`
        : `${found.size === 0 ? 'no' : 'more than one'} pipeline file beside ${stateDir}; pass --pipeline FILE`,
      { context: { stateDir } },
    );
  return createLocalEnvironment({
    pipelineFile: file,
    pipelineFiles: [...found.values()],
    stateDir,
    terminal: (t) => io.err(t),
  });
}

/**
 * Demotes an autonomous family to supervised when its validations fail too often (the pipeline's
 * `authority.autonomy` thresholds, default 2 of the last 10). Run after each incident finishes.
 * Returns the message it printed, if it demoted.
 */
export async function demoteIfFailing(
  env: LocalEnvironment,
  family: FailureFamily,
  io: CliIo,
): Promise<string | undefined> {
  const pipeline = env.spec;
  const status = autonomyStatus(
    pipeline,
    await env.state.listIncidents(10_000),
    await lastPromotions(env, pipeline.name),
  ).find((f) => f.family === family);
  if (!status?.demote) return undefined;
  const reason = `${status.validationsFailed} of its last ${status.validationsWindow} validations failed`;
  await setFamilyMode(pipeline.file, family, 'supervised');
  await auditModeChange(env, pipeline, {
    family,
    from: 'autonomous',
    to: 'supervised',
    by: 'healer',
    reason,
    automatic: true,
  });
  const message = `healer: ${family} demoted to supervised in ${pipeline.file}: ${reason}\n`;
  io.err(message);
  return message;
}
