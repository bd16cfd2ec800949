// Pipeline declarations for Airflow tasks: the pipeline `dag_id/task_id` gets the authority the
// config gives the task (or its DAG), and the datasets of the healer pipeline file it declares.

import type { Authority } from '../../core/authority.js';
import { ConfigError } from '../../core/errors.js';
import type { DatasetBinding, PipelineDescription, PipelineRegistry } from '../../ports.js';
import { authorityFor, type LoadedAirflowConfig, pipelineFileFor } from './airflow-config.js';

export interface AirflowPipelineRegistryOptions {
  config: LoadedAirflowConfig;
  /** What a healer pipeline file declares (the composition root reads pipeline files). */
  describeFile?: (pipelineFile: string) => Promise<{ datasets: DatasetBinding[]; authority: Authority }>;
}

/** Looks up `dag_id/task_id` in the Airflow config. */
export class AirflowPipelineRegistry implements PipelineRegistry {
  constructor(private readonly o: AirflowPipelineRegistryOptions) {}

  async describe(pipeline: string): Promise<PipelineDescription> {
    const slash = pipeline.indexOf('/');
    if (slash <= 0 || slash === pipeline.length - 1)
      throw new ConfigError(`pipeline ${pipeline}: expected dag_id/task_id`, { context: { pipeline } });
    const dagId = pipeline.slice(0, slash);
    const taskId = pipeline.slice(slash + 1);
    const file = pipelineFileFor(this.o.config, dagId, taskId);
    const declared = file && this.o.describeFile ? await this.o.describeFile(file) : undefined;
    // The task's own authority, else its pipeline file's, else its DAG's, else escalate-only.
    const own = this.o.config.dags[dagId]?.tasks[taskId]?.authority;
    const authority = own ?? declared?.authority ?? authorityFor(this.o.config, dagId, taskId);
    return { name: pipeline, datasets: declared?.datasets ?? [], authority };
  }
}
