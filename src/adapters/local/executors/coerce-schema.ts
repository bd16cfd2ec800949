// `coerce_schema`: casts the input to the contract (DuckDB TRY_CAST), mapping renamed columns back
// as the detectors' rename evidence says (planCoercion); rows that cannot be cast go to quarantine.

import { planCoercion } from '../../../core/coercion.js';
import { conformAndRerun } from './conform-and-rerun.js';
import type { Executor } from './executor.js';

export const coerceSchema: Executor = (ctx, spec, deps) =>
  conformAndRerun('coerce_schema', ctx, spec, deps, (source) => {
    const evidence = ctx.evidence.datasets.find((d) => d.dataset === source);
    const contract = spec.sources.find((s) => s.name === source)?.contract;
    if (!evidence?.currentSchema || !contract) return { renames: [] };
    return {
      renames: planCoercion(contract.schema, evidence.currentSchema, ctx.decision.diagnosis.findings).renames,
    };
  });
