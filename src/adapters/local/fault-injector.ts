// Fault injection for failures a local disk cannot produce for real (an S3 throttle, an S3 access
// denial when running as root): the runner raises the exact error text a real S3/Glue run gives.

/** One injected fault: which dataset's read fails, with which real-world error. */
export interface InjectedFault {
  kind: 'transient' | 'permission';
  dataset: string;
  /** URI shown in the log, e.g. `s3://demo-raw/flights/part-0000.csv`. */
  uri?: string;
  /** How many runs it fails before clearing (a flake clears; a permission error does not). */
  times: number;
  /** Exact error text to raise instead of the kind's default (the benchmark replays a scenario's log). */
  message?: string;
}

export interface FaultInjector {
  /** The fault for this read, if any; consumes one occurrence. */
  take(read: {
    pipeline: string;
    runId: string;
    attempt: number;
    dataset: string;
  }): InjectedFault | undefined;
}

/** Faults consumed in order, each for `times` reads of its dataset. */
export class ScriptedFaults implements FaultInjector {
  private readonly queue: InjectedFault[];
  constructor(faults: InjectedFault[] = []) {
    this.queue = faults.map((f) => ({ ...f }));
  }
  add(fault: InjectedFault): void {
    this.queue.push({ ...fault });
  }
  take(read: { dataset: string }): InjectedFault | undefined {
    const i = this.queue.findIndex((f) => f.dataset === read.dataset && f.times > 0);
    if (i < 0) return undefined;
    const fault = this.queue[i]!;
    fault.times -= 1;
    if (fault.times === 0) this.queue.splice(i, 1);
    return fault;
  }
}

/** The exact error text the AWS SDK for Java (inside Glue/Spark) prints for each fault. */
export function formatFault(fault: InjectedFault): string {
  if (fault.message !== undefined) return fault.message;
  const requestId = 'A1B2C3D4E5F60718';
  switch (fault.kind) {
    case 'transient':
      return `com.amazonaws.services.s3.model.AmazonS3Exception: Slow Down (Service: Amazon S3; Status Code: 503; Error Code: 503 Slow Down; Request ID: ${requestId}; S3 Extended Request ID: null; Proxy: null)`;
    case 'permission':
      return `com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: ${requestId}; S3 Extended Request ID: null; Proxy: null)`;
    default:
      return fault.kind satisfies never;
  }
}
