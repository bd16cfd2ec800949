// PipelineRegistry over pipeline files: describes a pipeline (datasets with their contracts, the
// current input and the last good input, and the authority) from its YAML file and the catalog.

import { stat } from 'node:fs/promises';
import { ConfigError } from '../../core/errors.js';
import type { DatasetBinding, PipelineDescription, PipelineRegistry } from '../../ports.js';
import type { LocalCatalog } from './local-catalog.js';
import { loadPipelineFile, type PipelineSpec } from './pipeline-file.js';

/**
 * @example
 * const registry = new FilePipelineRegistry(['pipeline.yaml'], catalog);
 * const description = await registry.describe('flights_daily');
 */
export class FilePipelineRegistry implements PipelineRegistry {
  private readonly specs = new Map<string, PipelineSpec>();
  /** Per file: its stat signature when last parsed, and what it declared. */
  private readonly parsed = new Map<string, { signature: string; spec: PipelineSpec }>();

  constructor(
    private readonly files: string[],
    private readonly catalog: LocalCatalog,
  ) {}

  /**
   * The parsed pipeline of that name. Edits apply to the next incident: a file is parsed again
   * whenever its size or modification time changed (a storm of events does not re-parse each time).
   */
  async spec(pipeline: string): Promise<PipelineSpec> {
    for (const file of this.files) {
      const info = await stat(file).catch(() => undefined);
      const signature = info ? `${info.size}:${info.mtimeMs}:${info.ino}` : '';
      const known = this.parsed.get(file);
      if (known && signature && known.signature === signature) continue;
      const spec = await loadPipelineFile(file);
      if (known) this.specs.delete(known.spec.name);
      this.parsed.set(file, { signature, spec });
      this.specs.set(spec.name, spec);
    }
    const spec = this.specs.get(pipeline);
    if (!spec)
      throw new ConfigError(`no pipeline named ${pipeline} in ${this.files.join(', ')}`, {
        context: { pipeline },
      });
    return spec;
  }

  async describe(pipeline: string): Promise<PipelineDescription> {
    const spec = await this.spec(pipeline);
    const datasets: DatasetBinding[] = [];
    for (const s of spec.sources) {
      const baseline = await this.catalog.baseline(s.name);
      datasets.push({
        dataset: s.name,
        location: s.location,
        ...(baseline ? { baselineLocation: baseline.location } : {}),
        ...(s.contract ? { contract: s.contract } : {}),
        ...(s.read ? { read: s.read } : {}),
      });
    }
    // A run whose output differed from the published target schema left a proposal: the target is
    // then evidence too (its proposed output against its published version gives the findings).
    const proposal = await this.catalog.proposal(spec.target.name);
    const published = await this.catalog.currentSchema(spec.target.name);
    if (proposal && published)
      datasets.push({
        dataset: spec.target.name,
        location: proposal.file,
        contract: {
          dataset: spec.target.name,
          schema: { name: spec.target.name, fields: published.fields },
          keys: [],
          quality: {},
          protected: spec.authority.protectedDatasets.includes(spec.target.name),
        },
      });
    return { name: spec.name, datasets, authority: spec.authority };
  }
}
