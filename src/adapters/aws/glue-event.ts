// The EventBridge `Glue Job State Change` event as AWS publishes it, parsed with zod, and its
// translation into a core FailureEvent. The event carries no job arguments, so the run itself is
// read with GetJobRun (Arguments, Attempt, PreviousRunId, LogGroupName, ErrorMessage).

import { Glue } from '@aws-sdk/client-glue';
import { z } from 'zod';
import { InvalidEventError } from '../../core/errors.js';
import { type FailureEvent, parseFailureEvent, rootRunOf } from '../../core/event.js';
import { awsCall } from './aws-errors.js';

/** States healer acts on (FAILED, TIMEOUT) or validates with (SUCCEEDED). */
export const GLUE_EVENT_STATES = ['FAILED', 'TIMEOUT', 'SUCCEEDED'] as const;

// AWS adds envelope fields over time (e.g. `resources` content), so unknown keys are dropped rather
// than rejected here; the fields healer reads are all required and typed.
export const glueJobStateChangeSchema = z.object({
  version: z.string(),
  id: z.string().min(1).max(256),
  'detail-type': z.literal('Glue Job State Change'),
  source: z.literal('aws.glue'),
  account: z.string(),
  time: z.string().datetime({ offset: true }),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.object({
    jobName: z.string().min(1).max(256),
    severity: z.string(),
    state: z.string(),
    jobRunId: z.string().min(1).max(256),
    message: z.string().max(100_000),
  }),
});

export type GlueJobStateChange = z.infer<typeof glueJobStateChangeSchema> & {
  detail: { state: (typeof GLUE_EVENT_STATES)[number] };
};

/**
 * Parses untrusted input as a Glue Job State Change event, or throws an InvalidEventError naming
 * the field (`detail.jobRunId: ...`) or the unsupported state.
 *
 * @example
 * const event = parseGlueEvent(lambdaEvent); // event.detail.jobRunId
 */
export function parseGlueEvent(input: unknown): GlueJobStateChange {
  const result = glueJobStateChangeSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new InvalidEventError(
      `not a Glue Job State Change event: ${path}: ${issue?.message ?? 'invalid'}`,
      { context: { path } },
    );
  }
  const state = result.data.detail.state;
  if (!(GLUE_EVENT_STATES as readonly string[]).includes(state)) {
    throw new InvalidEventError(
      `Glue Job State Change: detail.state ${JSON.stringify(state)} is not handled (expected ${GLUE_EVENT_STATES.join(', ')})`,
      { context: { path: 'detail.state', jobRunId: result.data.detail.jobRunId } },
    );
  }
  return result.data as GlueJobStateChange;
}

/** The one Glue call the translator needs. */
export type GlueJobRunReader = Pick<Glue, 'getJobRun'>;

/** What GetJobRun told us about the run (the part healer uses). */
export interface GlueRunFacts {
  arguments: Record<string, string>;
  /** Glue counts attempts from 0. */
  attempt?: number;
  previousRunId?: string;
  logGroupName?: string;
  errorMessage?: string;
}

/** Builds the core FailureEvent from the parsed event and the run's facts. */
export function toFailureEvent(event: GlueJobStateChange, run: GlueRunFacts): FailureEvent {
  const details: Record<string, string> = {
    account: event.account,
    region: event.region,
    severity: event.detail.severity,
  };
  // Cutting JSON would corrupt it: arguments too large to carry are omitted, and the executors
  // then refuse to re-run rather than start the job with its defaults.
  const args = JSON.stringify(run.arguments);
  if (args.length <= 10_000) details.arguments = args;
  else details.argumentsOmitted = `${args.length} characters`;
  if (run.logGroupName) details.logGroupName = run.logGroupName;
  if (run.previousRunId) details.previousRunId = run.previousRunId;
  return parseFailureEvent(
    {
      id: event.id,
      source: 'glue',
      pipeline: event.detail.jobName,
      job: event.detail.jobName,
      runId: event.detail.jobRunId,
      ...(run.arguments[ROOT_RUN_ARGUMENT] ? { rootRunId: run.arguments[ROOT_RUN_ARGUMENT] } : {}),
      state: event.detail.state,
      occurredAt: event.time,
      errorMessage: (run.errorMessage || event.detail.message || undefined)?.slice(0, 100_000),
      attempt: run.attempt === undefined ? undefined : run.attempt + 1,
      details,
    },
    `glue event ${event.id}`,
  );
}

/**
 * Reads the job arguments a FailureEvent carries (written by `toFailureEvent`); undefined when
 * they are unknown (omitted or unreadable), so nothing re-runs a job with the wrong arguments.
 */
export function runArguments(event: FailureEvent): Record<string, string> | undefined {
  const raw = event.details?.arguments;
  if (raw === undefined) return event.details?.argumentsOmitted ? undefined : {};
  try {
    const parsed = z.record(z.string(), z.string()).safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The job argument that carries a rerun chain's first run, so budgets count the whole chain. */
export const ROOT_RUN_ARGUMENT = '--healer_root_run_id';

/**
 * The arguments for healer's rerun of the failed run: the run's own arguments (with `overrides`)
 * plus the chain's root run id. Undefined when the original arguments are unknown.
 */
export function rerunArguments(
  event: FailureEvent,
  overrides: Record<string, string> = {},
): Record<string, string> | undefined {
  const args = runArguments(event);
  return args ? { ...args, ...overrides, [ROOT_RUN_ARGUMENT]: rootRunOf(event) } : undefined;
}

/**
 * Turns EventBridge input into a FailureEvent: zod parse, then GetJobRun for what the event lacks.
 *
 * @example
 * const failure = await new GlueEventTranslator().translate(lambdaEvent);
 */
export class GlueEventTranslator {
  private readonly glue: GlueJobRunReader;

  constructor(options: { glue?: GlueJobRunReader } = {}) {
    this.glue = options.glue ?? new Glue({});
  }

  async translate(input: unknown): Promise<FailureEvent> {
    const event = parseGlueEvent(input);
    const { jobName, jobRunId } = event.detail;
    const response = await awsCall('glue:GetJobRun', `${jobName}/${jobRunId}`, () =>
      this.glue.getJobRun({ JobName: jobName, RunId: jobRunId, PredecessorsIncluded: false }),
    );
    const run = response.JobRun;
    return toFailureEvent(event, {
      arguments: run?.Arguments ?? {},
      attempt: run?.Attempt,
      previousRunId: run?.PreviousRunId,
      logGroupName: run?.LogGroupName,
      errorMessage: run?.ErrorMessage,
    });
  }
}
