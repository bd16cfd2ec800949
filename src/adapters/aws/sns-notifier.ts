// Escalations to humans: SNS Publish with the evidence summary and the decision trace, plus an
// optional Slack/PagerDuty-style webhook. Each target reports its own step; none throws.

import { SNS } from '@aws-sdk/client-sns';
import { oneLine } from '../../core/errors.js';
import { escalationHeadline } from '../../core/escalation-headline.js';
import type { RemediationStep } from '../../core/outcome.js';
import { redact, redactDeep } from '../../core/redact.js';
import type { Escalation, Notifier } from '../../ports.js';

/** The SNS call the notifier uses. */
export type SnsClientLike = Pick<SNS, 'publish'>;

export interface SnsNotifierOptions {
  sns?: SnsClientLike;
  topicArn: string;
  /** Slack incoming webhook or any JSON endpoint; receives `{ text, escalation }`. */
  webhookUrl?: string;
  fetch?: typeof fetch;
  /** Base URL of the approval API (`HEALER_APPROVAL_API_URL`), printed in approval requests. */
  approvalApiUrl?: string;
}

/** SNS allows 256 KiB per message; keep a margin for the envelope. */
const MAX_MESSAGE = 240 * 1024;

/**
 * Notifier over SNS (and a webhook).
 *
 * @example
 * const steps = await new SnsNotifier({ topicArn }).escalate(escalation);
 */
export class SnsNotifier implements Notifier {
  private readonly sns: SnsClientLike;
  private readonly topicArn: string;
  private readonly webhookUrl?: string;
  private readonly fetch: typeof fetch;
  private readonly approvalApiUrl?: string;

  constructor(options: SnsNotifierOptions) {
    this.sns = options.sns ?? new SNS({});
    this.topicArn = options.topicArn;
    this.webhookUrl = options.webhookUrl;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.approvalApiUrl = options.approvalApiUrl;
  }

  async escalate(received: Escalation): Promise<RemediationStep[]> {
    const escalation = redactDeep(received);
    const text = escalationText(escalation, { approvalApiUrl: this.approvalApiUrl });
    const steps: RemediationStep[] = [];
    try {
      const out = await this.sns.publish({
        TopicArn: this.topicArn,
        Subject: (escalation.kind === 'approval'
          ? `healer: approve ${escalation.decision?.verdict.final ?? 'action'} on ${escalation.job}?`
          : `healer: ${escalation.job} needs a human`
        ).slice(0, 100),
        Message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}\n[truncated]` : text,
        MessageAttributes: {
          incidentId: { DataType: 'String', StringValue: escalation.incidentId },
          job: { DataType: 'String', StringValue: escalation.job },
          // Lets a subscription filter route approval requests apart from other escalations.
          kind: { DataType: 'String', StringValue: escalation.kind ?? 'decision' },
          ...(escalation.approval
            ? { expiresAt: { DataType: 'String', StringValue: escalation.approval.expiresAt } }
            : {}),
        },
      });
      steps.push({ name: 'sns_publish', status: 'applied', detail: out.MessageId });
    } catch (error) {
      steps.push({ name: 'sns_publish', status: 'failed', detail: redact(oneLine(error)) });
    }
    if (this.webhookUrl) {
      try {
        const response = await this.fetch(this.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: text.slice(0, 35_000) }),
          signal: AbortSignal.timeout(10_000),
        });
        steps.push({
          name: 'webhook',
          status: response.ok ? 'applied' : 'failed',
          detail: `HTTP ${response.status}`,
        });
      } catch (error) {
        steps.push({ name: 'webhook', status: 'failed', detail: redact(oneLine(error)) });
      }
    }
    return steps;
  }
}

/**
 * The human-readable escalation: what failed, why it is escalated, how to approve when an approval
 * is asked for, the evidence, the decision trace.
 */
export function escalationText(e: Escalation, options: { approvalApiUrl?: string } = {}): string {
  const lines = [
    `healer escalation ${e.incidentId}: ${escalationHeadline(e)}`,
    `job: ${e.job}  run: ${e.runId}  pipeline: ${e.pipeline}`,
    `summary: ${e.summary}`,
    `reason: ${e.reason}`,
    ...(e.kind === 'approval' ? ['', ...approvalLines(e, options.approvalApiUrl)] : []),
    '',
    'evidence:',
    `  error: ${e.evidence.event.errorMessage ?? '(none)'}`,
  ];
  for (const d of e.evidence.datasets) {
    lines.push(
      `  dataset ${d.dataset}: catalog versions ${d.schemaVersions.map((v) => v.version ?? '?').join(', ') || 'none'}` +
        `, rows sampled ${d.currentProfile?.rowCount ?? 'n/a'}`,
    );
  }
  if (e.decision) {
    lines.push('', 'decision trace:', ...e.decision.explanation.map((l) => `  ${l}`));
    for (const f of e.decision.verdict.fired) lines.push(`  guard ${f.id} (${f.effect}): ${f.reason}`);
  }
  if (e.validation) {
    lines.push('', `validation: ${e.validation.status}`);
    for (const c of e.validation.checks) lines.push(`  ${c.passed ? 'pass' : 'FAIL'} ${c.name}: ${c.detail}`);
  }
  lines.push('', 'log tail:', e.evidence.logs.slice(-4000));
  return lines.join('\n');
}

/**
 * What an approver needs, in the message itself: the incident, the proposed action, the expiry and
 * the calls that approve or reject it (IAM-signed: `curl --aws-sigv4` with the approver's credentials).
 */
export function approvalLines(e: Escalation, apiUrl: string | undefined): string[] {
  const action = e.decision?.verdict.final ?? '(see the decision trace)';
  const lines = [
    'approval requested:',
    `  incident: ${e.incidentId}`,
    `  proposed action: ${action}`,
    `  expires: ${e.approval?.expiresAt ?? '(see the incident)'}`,
  ];
  if (!apiUrl) {
    lines.push('  approval API: not configured (set HEALER_APPROVAL_API_URL)');
    return lines;
  }
  const base = apiUrl.replace(/\/+$/, '');
  const id = encodeURIComponent(e.incidentId);
  const region = /execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(base)?.[1] ?? '$AWS_REGION';
  const curl = (verb: string, body: string) =>
    `curl --aws-sigv4 "aws:amz:${region}:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" ` +
    `-H "x-amz-security-token: $AWS_SESSION_TOKEN" -H "content-type: application/json" ` +
    `-X POST "${base}/incidents/${id}/${verb}" -d '${body}'`;
  lines.push(
    `  approval API: ${base} (IAM auth: sign the request with your AWS credentials)`,
    `  approve: POST ${base}/incidents/${id}/approve {"by":"NAME","note":"TEXT"}`,
    `  reject:  POST ${base}/incidents/${id}/reject {"by":"NAME","reason":"TEXT"}`,
    `  pending: GET ${base}/pending`,
    `  approve from a shell: ${curl('approve', '{"by":"NAME"}')}`,
    `  reject from a shell:  ${curl('reject', '{"by":"NAME","reason":"TEXT"}')}`,
  );
  return lines;
}
