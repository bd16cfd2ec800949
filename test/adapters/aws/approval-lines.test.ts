// The approval block of an SNS approval request: what an approver needs without opening anything
// else, with and without a configured approval API. Pure text; the moto test reads the real message.

import { describe, expect, it } from 'vitest';
import { approvalLines, escalationText } from '../../../src/adapters/aws/sns-notifier.js';
import type { Escalation } from '../../../src/ports.js';

const escalation: Escalation = {
  incidentId: 'inc-5d2a9c41b7e0',
  pipeline: 'orders-etl',
  job: 'orders-etl',
  runId: 'jr_7f3e',
  summary: 'approval required to retry',
  reason: 'supervised mode: approval required before executing',
  kind: 'approval',
  approval: { expiresAt: '2026-12-03T09:00:00.000Z' },
  evidence: {
    event: {
      pipeline: 'orders-etl',
      job: 'orders-etl',
      runId: 'jr_7f3e',
      state: 'FAILED',
      errorMessage: 'ThrottlingException',
    },
    logs: '',
    datasets: [],
  } as unknown as Escalation['evidence'],
};

describe('approval request text', () => {
  it('names the incident, the expiry and the signed calls, with the region taken from the API URL', () => {
    const lines = approvalLines(escalation, 'https://x1y2z3.execute-api.eu-west-1.amazonaws.com/prod/');
    expect(lines).toContain('  incident: inc-5d2a9c41b7e0');
    expect(lines).toContain('  expires: 2026-12-03T09:00:00.000Z');
    expect(lines).toContain(
      '  approve: POST https://x1y2z3.execute-api.eu-west-1.amazonaws.com/prod/incidents/inc-5d2a9c41b7e0/approve {"by":"NAME","note":"TEXT"}',
    );
    expect(lines.join('\n')).toContain('--aws-sigv4 "aws:amz:eu-west-1:execute-api"');
  });

  it('says the API is not configured rather than printing a wrong URL', () => {
    const lines = approvalLines(escalation, undefined);
    expect(lines.at(-1)).toBe('  approval API: not configured (set HEALER_APPROVAL_API_URL)');
    expect(lines.join('\n')).not.toContain('curl');
  });

  it('adds the block only to approval requests', () => {
    expect(escalationText(escalation)).toContain('approval requested:');
    expect(escalationText({ ...escalation, kind: 'decision' })).not.toContain('approval requested:');
  });
});
