// The bounded set of remediation actions, and which of them touch anything.

/** Every action healer can take. Resource actions join only where the adapter supports them. */
export const ACTIONS = [
  'retry',
  'coerce_schema',
  'rollback_schema',
  'quarantine',
  'escalate',
  'log_only',
  'scale_resources',
  'defer',
] as const;
export type Action = (typeof ACTIONS)[number];

/** The six actions of the reference system; policies learn over these by default. */
export const CORE_ACTIONS = [
  'retry',
  'coerce_schema',
  'rollback_schema',
  'quarantine',
  'escalate',
  'log_only',
] as const satisfies readonly Action[];

/** Actions that change something (data, catalog, job runs, resources). They require non-critical risk. */
export const ACTIVE_ACTIONS = [
  'retry',
  'coerce_schema',
  'rollback_schema',
  'quarantine',
  'scale_resources',
  // `defer` waits for a condition and then runs the job: it changes job runs, so it is active.
  'defer',
] as const satisfies readonly Action[];

/** Actions that change nothing: `escalate` hands over to a human, `log_only` records. */
export const PASSIVE_ACTIONS = ['escalate', 'log_only'] as const satisfies readonly Action[];

export function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value);
}

export function isActiveAction(action: Action): boolean {
  return (ACTIVE_ACTIONS as readonly Action[]).includes(action);
}
