// `quarantine`: rows that break the contract go to `.healer/quarantine/<source>/<incident>.parquet`
// with their original values, a reason per row and the incident id; the rest of the run proceeds.

import { conformAndRerun } from './conform-and-rerun.js';
import type { Executor } from './executor.js';

export const quarantine: Executor = (ctx, spec, deps) =>
  conformAndRerun('quarantine', ctx, spec, deps, () => ({ renames: [] }));
