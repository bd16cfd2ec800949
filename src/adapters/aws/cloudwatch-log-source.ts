// Reads one Glue run's log from CloudWatch Logs: the error and output log groups, streams whose
// names start with the job run id, paginated and bounded (the tail is kept when a log is huge).

import { CloudWatchLogs } from '@aws-sdk/client-cloudwatch-logs';
import type { FailureEvent } from '../../core/event.js';
import type { LogSource } from '../../ports.js';
import { awsCall, awsErrorName } from './aws-errors.js';

/** The CloudWatch Logs calls this adapter uses. */
export type CloudwatchLogsClientLike = Pick<CloudWatchLogs, 'describeLogStreams' | 'filterLogEvents'>;

/** Glue's default log groups: driver errors (stderr) first, then output (stdout). */
export const GLUE_LOG_GROUPS = ['/aws-glue/jobs/error', '/aws-glue/jobs/output'] as const;

export interface CloudwatchLogSourceOptions {
  client?: CloudwatchLogsClientLike;
  /** Log groups to read, in order. Defaults to GLUE_LOG_GROUPS. */
  logGroups?: readonly string[];
  /** Max characters returned; older lines are dropped first. Default 256 KiB. */
  maxChars?: number;
  /** Max FilterLogEvents pages per group. Default 20. */
  maxPages?: number;
}

/**
 * LogSource over CloudWatch Logs for Glue runs.
 *
 * @example
 * const { text } = await new CloudwatchLogSource().fetchRunLog(event);
 */
export class CloudwatchLogSource implements LogSource {
  private readonly client: CloudwatchLogsClientLike;
  private readonly logGroups: readonly string[];
  private readonly maxChars: number;
  private readonly maxPages: number;

  constructor(options: CloudwatchLogSourceOptions = {}) {
    this.client = options.client ?? new CloudWatchLogs({});
    this.logGroups = options.logGroups ?? GLUE_LOG_GROUPS;
    this.maxChars = options.maxChars ?? 256 * 1024;
    this.maxPages = options.maxPages ?? 20;
  }

  async fetchRunLog(event: FailureEvent): Promise<{ text: string; truncated: boolean }> {
    const groups = [...this.logGroups];
    // A job with a custom log group (`--continuous-log-logGroup`) reports it in GetJobRun.
    const custom = event.details?.logGroupName;
    if (custom && !custom.startsWith('/aws-glue/jobs')) groups.push(`${custom}/error`, `${custom}/output`);
    const sections: string[] = [];
    let truncated = false;
    for (const group of groups) {
      const read = await this.readGroup(group, event.runId);
      truncated ||= read.truncated;
      if (read.lines.length) sections.push(`== ${group} ==`, ...read.lines);
    }
    let text = sections.join('\n');
    if (text.length > this.maxChars) {
      text = text.slice(text.length - this.maxChars);
      truncated = true;
    }
    if (!text && event.errorMessage) text = event.errorMessage;
    return { text, truncated };
  }

  private async readGroup(group: string, runId: string): Promise<{ lines: string[]; truncated: boolean }> {
    let streams: string[];
    try {
      // Glue names streams `<jobRunId>` and `<jobRunId>-<executor>`: a prefix lookup finds them all.
      const described = await this.client.describeLogStreams({
        logGroupName: group,
        logStreamNamePrefix: runId,
        limit: 50,
      });
      streams = (described.logStreams ?? []).flatMap((s) => (s.logStreamName ? [s.logStreamName] : []));
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') return { lines: [], truncated: false };
      return awsCall('logs:DescribeLogStreams', group, () => Promise.reject(error));
    }
    if (!streams.length) return { lines: [], truncated: false };
    const lines: string[] = [];
    let chars = 0;
    let token: string | undefined;
    let pages = 0;
    let truncated = false;
    do {
      const page = await awsCall('logs:FilterLogEvents', group, () =>
        this.client.filterLogEvents({ logGroupName: group, logStreamNames: streams, nextToken: token }),
      );
      for (const e of page.events ?? []) {
        const line = (e.message ?? '').replace(/\n$/, '');
        lines.push(line);
        chars += line.length + 1;
      }
      // Keep memory bounded: drop the oldest lines once well over the budget (the tail matters).
      while (chars > this.maxChars * 2 && lines.length > 1) {
        chars -= (lines.shift() ?? '').length + 1;
        truncated = true;
      }
      token = page.nextToken;
      pages += 1;
    } while (token && pages < this.maxPages);
    if (token) truncated = true;
    return { lines, truncated };
  }
}
