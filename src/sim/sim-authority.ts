// What the simulated pipelines allow healer to do: the authority every simulated incident is
// judged under (the four data actions plus the resource actions, with resource caps and defer
// bounds), and the delays the modelled runtime's own retries cover.

import { ACTIONS, type Action } from '../core/action.js';
import { type Authority, authoritySchema } from '../core/authority.js';
import { type ResourceCaps, resourceCapsSchema } from '../core/resources.js';

/** Caps on `scale_resources` the simulated pipelines declare (DuckDB memory, Glue workers). */
export const SIM_RESOURCE_CAPS: ResourceCaps = resourceCapsSchema.parse({
  maxMemoryMb: 8192,
  maxThreads: 8,
  maxWorkers: 40,
  maxWorkerType: 'G.2X',
  maxStepsPerRun: 2,
  // No DPU-hour budget: one authority covers DuckDB jobs too, whose runs bill nothing (an unknown
  // cost under a budget is vetoed by G19); the worker caps bound a Glue step's cost instead.
});

/** The authority of every simulated pipeline: data actions, resource actions, caps, defer bounds. */
export const SIM_AUTHORITY: Authority = authoritySchema.parse({
  allowedActions: ['retry', 'coerce_schema', 'rollback_schema', 'quarantine', 'scale_resources', 'defer'],
  resources: SIM_RESOURCE_CAPS,
});

/** The action set policies learn and choose over in the simulator: the simulator executes all of them. */
export const SIM_ACTIONS: readonly Action[] = ACTIONS;

/**
 * The longest delay a retry rides out: the runtime's backoff (base 2 s, cap 30 s, three attempts)
 * waits about a minute before the retry budget is spent. A throttle or a late input that lasts
 * longer fails every retry; `defer` waits up to the authority's bound instead.
 */
export const RETRY_WINDOW_SECONDS = 60;
