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

  constructor(options: SnsNotifierOptions) {
    this.sns = options.sns ?? new SNS({});
    this.topicArn = options.topicArn;
    this.webhookUrl = options.webhookUrl;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async escalate(received: Escalation): Promise<RemediationStep[]> {
    const escalation = redactDeep(received);
    const text = escalationText(escalation);
    const steps: RemediationStep[] = [];
    try {
      const out = await this.sns.publish({
        TopicArn: this.topicArn,
        Subject: `healer: ${escalation.job} needs a human`.slice(0, 100),
        Message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}\n[truncated]` : text,
        MessageAttributes: {
          incidentId: { DataType: 'String', StringValue: escalation.incidentId },
          job: { DataType: 'String', StringValue: escalation.job },
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

/** The human-readable escalation: what failed, why it is escalated, the evidence, the decision trace. */
export function escalationText(e: Escalation): string {
  const lines = [
    `healer escalation ${e.incidentId}: ${escalationHeadline(e)}`,
    `job: ${e.job}  run: ${e.runId}  pipeline: ${e.pipeline}`,
    `summary: ${e.summary}`,
    `reason: ${e.reason}`,
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
