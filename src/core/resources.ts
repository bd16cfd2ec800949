// Resource settings a job runs with, the caps an authority puts on them, and the one bounded step
// `scale_resources` may take. Pure: runtimes measure and apply, this file only computes.

import { z } from 'zod';

/** Glue worker types in increasing size; DPUs per worker from AWS's Glue pricing page. */
export const WORKER_TYPES = ['G.025X', 'G.1X', 'G.2X', 'G.4X', 'G.8X'] as const;
export type WorkerType = (typeof WORKER_TYPES)[number];
export const DPU_PER_WORKER: Record<WorkerType, number> = {
  'G.025X': 0.25,
  'G.1X': 1,
  'G.2X': 2,
  'G.4X': 4,
  'G.8X': 8,
};

/**
 * What a job runs with. The embedded runtime uses `memoryMb` and `threads` (DuckDB `memory_limit`,
 * `threads`); AWS Glue uses `workers` and `workerType`. Absent means "the runtime's default".
 */
export interface ResourceSettings {
  memoryMb?: number;
  threads?: number;
  workers?: number;
  workerType?: WorkerType;
}

/** One step of `scale_resources`: the settings before and after, and what the run may cost. */
export interface ScaleStep {
  before: ResourceSettings;
  after: ResourceSettings;
  /** Estimated cost of one run at `after` in DPU-hours (AWS); undefined where nothing is billed. */
  costDpuHours?: number;
}

/** Hard ceilings on resources built into the guard; an authority may lower them, never raise them. */
export const RESOURCE_HARD_LIMITS = {
  maxMemoryMb: 256 * 1024,
  maxThreads: 256,
  maxWorkers: 500,
  maxScaleStepsPerRun: 4,
  maxDeferralsPerRun: 10,
  maxDeferSeconds: 6 * 3600,
} as const;

export const resourceCapsSchema = z
  .object({
    /** Highest DuckDB `memory_limit` healer may set, in MB. */
    maxMemoryMb: z.number().int().positive().optional(),
    /** Highest DuckDB `threads` healer may set. */
    maxThreads: z.number().int().positive().optional(),
    /** Highest Glue `NumberOfWorkers` healer may set. */
    maxWorkers: z.number().int().positive().optional(),
    /** Largest Glue `WorkerType` healer may set. */
    maxWorkerType: z.enum(WORKER_TYPES).optional(),
    /** At most this many `scale_resources` steps for one run and its reruns (default 2). */
    maxStepsPerRun: z.number().int().min(0).default(2),
    /** Cost budget of one scaled run in DPU-hours (AWS); a step whose estimate is above it is vetoed. */
    maxDpuHoursPerRun: z.number().positive().optional(),
  })
  .strict();
export type ResourceCaps = z.infer<typeof resourceCapsSchema>;

export const deferBoundsSchema = z
  .object({
    /** Longest total wait for the condition (input arrival, freshness, a free slot), in seconds. */
    maxWaitSeconds: z.number().positive().default(900),
    /** At most this many deferrals for one run and its reruns. */
    maxDeferralsPerRun: z.number().int().min(0).default(3),
  })
  .strict();
export type DeferBounds = z.infer<typeof deferBoundsSchema>;

/** Caps clamped to RESOURCE_HARD_LIMITS: what the guard enforces. */
export function effectiveCaps(caps: ResourceCaps): ResourceCaps {
  const clamp = (v: number | undefined, hard: number) => (v === undefined ? undefined : Math.min(v, hard));
  const out: ResourceCaps = {
    maxStepsPerRun: Math.min(caps.maxStepsPerRun, RESOURCE_HARD_LIMITS.maxScaleStepsPerRun),
  };
  const memory = clamp(caps.maxMemoryMb, RESOURCE_HARD_LIMITS.maxMemoryMb);
  const threads = clamp(caps.maxThreads, RESOURCE_HARD_LIMITS.maxThreads);
  const workers = clamp(caps.maxWorkers, RESOURCE_HARD_LIMITS.maxWorkers);
  if (memory !== undefined) out.maxMemoryMb = memory;
  if (threads !== undefined) out.maxThreads = threads;
  if (workers !== undefined) out.maxWorkers = workers;
  if (caps.maxWorkerType !== undefined) out.maxWorkerType = caps.maxWorkerType;
  if (caps.maxDpuHoursPerRun !== undefined) out.maxDpuHoursPerRun = caps.maxDpuHoursPerRun;
  return out;
}

export function effectiveDeferBounds(bounds: DeferBounds): DeferBounds {
  return {
    maxWaitSeconds: Math.min(bounds.maxWaitSeconds, RESOURCE_HARD_LIMITS.maxDeferSeconds),
    maxDeferralsPerRun: Math.min(bounds.maxDeferralsPerRun, RESOURCE_HARD_LIMITS.maxDeferralsPerRun),
  };
}

/**
 * Why `after` is not within the caps, or undefined when it is. A setting the caps do not name
 * cannot be raised at all: no cap means no authority to scale that dimension.
 */
export function capViolation(step: ScaleStep, caps: ResourceCaps): string | undefined {
  const { before, after } = step;
  const raised = <K extends keyof ResourceSettings>(k: K) => after[k] !== undefined && after[k] !== before[k];
  if (raised('memoryMb')) {
    if (caps.maxMemoryMb === undefined) return 'memory is raised but the authority sets no maxMemoryMb';
    if ((after.memoryMb ?? 0) > caps.maxMemoryMb)
      return `memory ${after.memoryMb} MB is above the cap of ${caps.maxMemoryMb} MB`;
  }
  if (raised('threads')) {
    if (caps.maxThreads === undefined) return 'threads are raised but the authority sets no maxThreads';
    if ((after.threads ?? 0) > caps.maxThreads)
      return `${after.threads} threads is above the cap of ${caps.maxThreads}`;
  }
  if (raised('workers')) {
    if (caps.maxWorkers === undefined) return 'workers are raised but the authority sets no maxWorkers';
    if ((after.workers ?? 0) > caps.maxWorkers)
      return `${after.workers} workers is above the cap of ${caps.maxWorkers}`;
  }
  if (raised('workerType')) {
    if (caps.maxWorkerType === undefined)
      return 'the worker type is changed but the authority sets no maxWorkerType';
    if (WORKER_TYPES.indexOf(after.workerType!) > WORKER_TYPES.indexOf(caps.maxWorkerType))
      return `worker type ${after.workerType} is above the cap of ${caps.maxWorkerType}`;
  }
  return undefined;
}

/** DPU-hours of one run: workers × DPU per worker × hours. */
export function dpuHours(settings: ResourceSettings, hours: number): number | undefined {
  if (settings.workers === undefined || settings.workerType === undefined) return undefined;
  return settings.workers * DPU_PER_WORKER[settings.workerType] * hours;
}

/**
 * The next step up within the caps: memory doubles (up to the cap), then threads double; on Glue,
 * workers double, then the worker type grows one size. Undefined when every dimension is at its cap.
 */
export function nextScaleStep(current: ResourceSettings, caps: ResourceCaps): ScaleStep | undefined {
  const c = effectiveCaps(caps);
  const after: ResourceSettings = { ...current };
  if (current.memoryMb !== undefined && c.maxMemoryMb !== undefined && current.memoryMb < c.maxMemoryMb) {
    after.memoryMb = Math.min(current.memoryMb * 2, c.maxMemoryMb);
  } else if (current.threads !== undefined && c.maxThreads !== undefined && current.threads < c.maxThreads) {
    after.threads = Math.min(current.threads * 2, c.maxThreads);
  } else if (current.workers !== undefined && c.maxWorkers !== undefined && current.workers < c.maxWorkers) {
    after.workers = Math.min(current.workers * 2, c.maxWorkers);
  } else if (
    current.workerType !== undefined &&
    c.maxWorkerType !== undefined &&
    WORKER_TYPES.indexOf(current.workerType) < WORKER_TYPES.indexOf(c.maxWorkerType)
  ) {
    after.workerType = WORKER_TYPES[WORKER_TYPES.indexOf(current.workerType) + 1]!;
  } else {
    return undefined;
  }
  return { before: { ...current }, after };
}
