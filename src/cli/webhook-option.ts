// The `--webhook URL [--webhook-format slack|pagerduty] [--webhook-routing-key KEY]` options shared
// by `healer run` and `healer demo`: validated here, wired to the webhook notifier for escalations.

import type { Command } from 'commander';
import type { WebhookConfig } from '../adapters/local/webhook-notifier.js';
import { InvalidInputError } from '../core/errors.js';

export interface WebhookFlags {
  webhook?: string;
  webhookFormat?: string;
  webhookRoutingKey?: string;
}

/** Adds the webhook options to a command. */
export function addWebhookOptions(command: Command): Command {
  return command
    .option('--webhook <url>', 'also POST escalations to this http(s) URL')
    .option(
      '--webhook-format <format>',
      'webhook body: slack (Slack-compatible) or pagerduty (Events v2)',
      'slack',
    )
    .option(
      '--webhook-routing-key <key>',
      'PagerDuty integration key (default: $PAGERDUTY_ROUTING_KEY); required with --webhook-format pagerduty',
    );
}

/** The notifier config from the flags; undefined without --webhook. Bad values are InvalidInputError. */
export function webhookConfig(
  flags: WebhookFlags,
  env: NodeJS.ProcessEnv = process.env,
): WebhookConfig | undefined {
  if (flags.webhook === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(flags.webhook);
  } catch {
    throw new InvalidInputError(`--webhook: not a URL: ${flags.webhook}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidInputError(`--webhook: expected an http(s) URL, got ${url.protocol}`);
  const format = flags.webhookFormat ?? 'slack';
  if (format !== 'slack' && format !== 'pagerduty')
    throw new InvalidInputError(`--webhook-format: expected slack or pagerduty, got ${format}`);
  const routingKey = flags.webhookRoutingKey ?? env.PAGERDUTY_ROUTING_KEY;
  if (format === 'pagerduty' && !routingKey)
    throw new InvalidInputError(
      '--webhook-routing-key: required with --webhook-format pagerduty (or set PAGERDUTY_ROUTING_KEY)',
    );
  return { url: url.toString(), format, ...(routingKey ? { routingKey } : {}) };
}
