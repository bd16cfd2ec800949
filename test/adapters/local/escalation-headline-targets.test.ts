// The escalation headline is the same on every target: terminal, file, Slack, PagerDuty, SNS.

import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escalationText } from '../../../src/adapters/aws/sns-notifier.js';
import { FileNotifier } from '../../../src/adapters/local/file-notifier.js';
import { TerminalNotifier } from '../../../src/adapters/local/terminal-notifier.js';
import { pagerdutyBody, slackBody, WebhookNotifier } from '../../../src/adapters/local/webhook-notifier.js';
import { decide } from '../../../src/core/decide.js';
import { escalationHeadline } from '../../../src/core/escalation-headline.js';
import type { Escalation } from '../../../src/ports.js';
import {
  diagnosisOf,
  fullCapabilities,
  NO_USAGE,
  permissiveAuthority,
  proposalOf,
} from '../../core/decision-fixtures.js';

function permissionEscalation(): Escalation {
  const decision = decide({
    diagnosis: diagnosisOf('permission', 'high'),
    policy: { kind: 'rules', version: 'x@1', hash: 'h', propose: () => proposalOf('escalate') },
    capabilities: fullCapabilities(),
    authority: permissiveAuthority(),
    usage: NO_USAGE,
  });
  const errorMessage =
    'AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied) for s3://raw/vendors.csv';
  return {
    incidentId: 'inc-1',
    pipeline: 'vendors_daily',
    job: 'vendors_daily',
    runId: 'run-1',
    summary: 'escalated',
    reason: decision.verdict.reason,
    decision,
    evidence: {
      event: {
        id: 'e',
        source: 'local',
        pipeline: 'vendors_daily',
        job: 'vendors_daily',
        runId: 'run-1',
        state: 'FAILED',
        occurredAt: '2026-12-01T00:00:00.000Z',
        errorMessage,
        attempt: 1,
      },
      logs: `ERROR ${errorMessage}`,
      logsTruncated: false,
      datasets: [],
    },
  };
}

describe('escalation targets', () => {
  const e = permissionEscalation();
  const headline = escalationHeadline(e);

  it('the headline is actionable', () => {
    expect(headline).toMatch(
      /^permission: the job's role cannot read s3:\/\/raw\/vendors\.csv \(403 AccessDenied\): grant s3:GetObject/,
    );
  });

  it('terminal: the headline under the incident line, then the decision trace', async () => {
    let out = '';
    await new TerminalNotifier((t) => {
      out += t;
    }).escalate(e);
    const lines = out.split('\n');
    expect(lines[1]).toBe(`  ${headline}`);
    expect(out).toContain('final action: escalate');
  });

  it('file: the headline first, the full escalation below', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'healer-esc-'));
    const n = new FileNotifier(dir);
    await n.escalate(e);
    const json = JSON.parse(await readFile(n.pathFor('inc-1'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(json)[0]).toBe('headline');
    expect(json.headline).toBe(headline);
    expect(json.decision).toBeDefined();
  });

  it('Slack, PagerDuty and SNS carry the same headline', () => {
    expect(slackBody(e).text).toContain(headline);
    expect(JSON.stringify(slackBody(e).blocks)).toContain(headline);
    const pd = pagerdutyBody(e, 'key');
    expect(pd.payload.summary).toBe(`healer: vendors_daily: ${headline}`);
    expect(pd.payload.custom_details.headline).toBe(headline);
    expect(escalationText(e).split('\n')[0]).toBe(`healer escalation inc-1: ${headline}`);
  });

  it('a real webhook POST carries it', async () => {
    let body = '';
    const server = createServer((req, res) => {
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const steps = await new WebhookNotifier({
        url: `http://127.0.0.1:${port}/hook`,
        format: 'slack',
      }).escalate(e);
      expect(steps[0]?.status).toBe('applied');
      expect((JSON.parse(body) as { text: string }).text).toContain(headline);
    } finally {
      server.close();
    }
  });
});
