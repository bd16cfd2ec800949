// Escalation to a webhook: a Slack-compatible `{text, blocks}` message, or a PagerDuty Events v2
// `trigger` event, POSTed as JSON. A failed delivery is a failed step, never an exception.

import { escalationHeadline } from '../../core/escalation-headline.js';
import type { RemediationStep } from '../../core/outcome.js';
import { redact, redactDeep } from '../../core/redact.js';
import type { Escalation, Notifier } from '../../ports.js';

export interface WebhookConfig {
  url: string;
  format: 'slack' | 'pagerduty';
  /** PagerDuty integration (routing) key; required for `pagerduty`. */
  routingKey?: string;
  timeoutMs?: number;
}

/** The Slack-compatible body: a text fallback and section blocks. */
export function slackBody(e: Escalation): { text: string; blocks: unknown[] } {
  const headline = escalationHeadline(e);
  const text = `healer escalated ${e.incidentId} on ${e.pipeline} (run ${e.runId}): ${headline}`;
  const lines = e.decision?.explanation ?? [];
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `healer: ${e.pipeline} needs a human` } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${headline}*\n*Incident* ${e.incidentId}, run ${e.runId}` },
      },
      ...(lines.length
        ? [
            {
              type: 'section',
              text: { type: 'mrkdwn', text: `\`\`\`${lines.join('\n').slice(0, 2800)}\`\`\`` },
            },
          ]
        : []),
    ],
  };
}

/** The PagerDuty Events API v2 body. */
export function pagerdutyBody(e: Escalation, routingKey: string) {
  const severity = e.decision?.diagnosis.risk.level === 'critical' ? 'critical' : 'error';
  return {
    routing_key: routingKey,
    event_action: 'trigger' as const,
    dedup_key: e.incidentId,
    payload: {
      summary: `healer: ${e.pipeline}: ${escalationHeadline(e)}`.slice(0, 1024),
      source: `healer/${e.pipeline}`,
      severity,
      custom_details: {
        incident: e.incidentId,
        job: e.job,
        runId: e.runId,
        headline: escalationHeadline(e),
        reason: e.reason,
        explanation: e.decision?.explanation ?? [],
        error: e.evidence.event.errorMessage ?? '',
      },
    },
  };
}

/**
 * @example
 * await new WebhookNotifier({ url, format: 'slack' }).escalate(escalation);
 */
export class WebhookNotifier implements Notifier {
  constructor(private readonly config: WebhookConfig) {}

  async escalate(escalation: Escalation): Promise<RemediationStep[]> {
    const e = redactDeep(escalation);
    // The webhook URL is itself a credential (Slack's token is in its path): steps name the origin only.
    const where = webhookOrigin(this.config.url);
    const body =
      this.config.format === 'pagerduty' ? pagerdutyBody(e, this.config.routingKey ?? '') : slackBody(e);
    try {
      const response = await fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
      });
      if (!response.ok)
        return [
          {
            name: 'notify_webhook',
            status: 'failed',
            detail: `HTTP ${response.status} from ${where}`,
          },
        ];
      return [{ name: 'notify_webhook', status: 'applied', detail: `${this.config.format} → ${where}` }];
    } catch (error) {
      return [{ name: 'notify_webhook', status: 'failed', detail: redact(`${where}: ${String(error)}`) }];
    }
  }
}

/** Scheme and host of a webhook URL, never its path or query (where the tokens are). */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid webhook URL)';
  }
}
