// Typed errors for the whole project: one base class with a stable `code`, retry meaning as data,
// and context a user can act on. Adapters translate vendor errors into these at the boundary.

/** Stable error codes. Tools and tests match on these, never on messages. */
export type HealerErrorCode =
  | 'E_INPUT'
  | 'E_EVENT'
  | 'E_CONFIG'
  | 'E_PIPELINE'
  | 'E_POLICY_ARTIFACT'
  | 'E_DATA'
  | 'E_CONTRACT'
  | 'E_ENGINE'
  | 'E_NOT_FOUND'
  | 'E_AUDIT'
  | 'E_BUDGET'
  | 'E_LOCKED'
  | 'E_APPROVAL'
  | 'E_PROMOTION'
  | 'E_REMOTE'
  | 'E_INTERNAL';

export interface HealerErrorOptions {
  cause?: unknown;
  /** Whether trying the same thing again may succeed. The guard reads this, not the message. */
  retryable?: boolean;
  /** Where the problem is: a file, a line and key, a job run id, a detector. */
  context?: Record<string, string | number | boolean | undefined>;
}

/** Base class of every error healer raises on purpose. */
export class HealerError extends Error {
  readonly code: HealerErrorCode;
  readonly retryable: boolean;
  readonly context: Record<string, string | number | boolean | undefined>;

  constructor(code: HealerErrorCode, message: string, options: HealerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/** Bad user input (a CLI argument, a file that is not what it claims to be). */
export class InvalidInputError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_INPUT', message, options);
  }
}

/** A failure event that does not match the accepted shape. */
export class InvalidEventError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_EVENT', message, options);
  }
}

/** Broken configuration: a pipeline file, guard config or environment variable. */
export class ConfigError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_CONFIG', message, options);
  }
}

/** A policy artifact that is malformed, or whose hash does not match its content. */
export class PolicyArtifactError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_POLICY_ARTIFACT', message, options);
  }
}

/** The audit log is missing, edited or broken. */
export class AuditError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_AUDIT', message, options);
  }
}

/** Something that was looked up does not exist (an incident id, a table, a job run). */
export class NotFoundError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_NOT_FOUND', message, options);
  }
}

/** A lock another living holder has (a concurrent run or remediation of the same pipeline or job). */
export class LockedError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_LOCKED', message, { retryable: true, ...options });
  }
}

/** A rule of a dataset's contract failed on its data: the column, the rule and the count. */
export class ContractViolationError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_CONTRACT', message, options);
  }
}

/** An input that cannot be read truly: malformed lines, or no rows at all. Names the file. */
export class InputReadError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_DATA', message, options);
  }
}

/** Turns anything thrown into a one-line message for a terminal. */
export function oneLine(error: unknown): string {
  if (error instanceof HealerError) return `${error.code}: ${error.message}`.replace(/\s*\n\s*/g, ' ');
  if (error instanceof Error) return error.message.replace(/\s*\n\s*/g, ' ');
  return String(error);
}

/** An approval that cannot be given: the incident is not pending, or its approval expired. */
export class ApprovalError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_APPROVAL', message, options);
  }
}

/** A policy promotion refused: the candidate's estimate does not beat the current policy's. */
export class PromotionError extends HealerError {
  constructor(message: string, options: HealerErrorOptions = {}) {
    super('E_PROMOTION', message, options);
  }
}
