// The pipeline runner, reporting each run (and each re-run a remediation makes) as a progress phase
// with the rows it read. Only built when someone is watching a terminal.

import type { ProgressReporter } from '../../ports.js';
import { DuckdbPipelineRunner, type RunOptions, type RunOutcome } from './duckdb-pipeline-runner.js';
import type { PipelineSpec } from './pipeline-file.js';

/**
 * @example
 * const runner = new ProgressReportingRunner({ stateDir, catalog, engine, clock }, progress);
 */
export class ProgressReportingRunner extends DuckdbPipelineRunner {
  constructor(
    deps: ConstructorParameters<typeof DuckdbPipelineRunner>[0],
    private readonly progress: ProgressReporter,
  ) {
    super(deps);
  }

  override async run(spec: PipelineSpec, options: RunOptions = {}): Promise<RunOutcome> {
    // A remediation's runs are later attempts of the failed one.
    const phase = this.progress.start(`${(options.attempt ?? 1) > 1 ? 're-run' : 'run'} ${spec.name}`);
    try {
      const outcome = await super.run(spec, options);
      const rows =
        outcome.status === 'succeeded' ? Object.values(outcome.rowsIn).reduce((n, r) => n + r, 0) : undefined;
      phase.done({ rows });
      return outcome;
    } catch (error) {
      phase.done();
      throw error;
    }
  }
}
