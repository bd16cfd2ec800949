// Who is on HEALER_APPROVER_ARNS: an exact ARN, or a session of a listed role (what API Gateway
// reports for people signed in through SSO or AssumeRole).

import { describe, expect, it } from 'vitest';
import { isApprover } from '../../../src/adapters/aws/approval-api.js';

const LIST = ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:role/teams/oncall'];

describe('isApprover', () => {
  it('accepts a listed user and a session of a listed role (the role path is not in the session ARN)', () => {
    expect(isApprover('arn:aws:iam::123456789012:user/alice', LIST)).toBe(true);
    expect(isApprover('arn:aws:sts::123456789012:assumed-role/oncall/carol@acme.example', LIST)).toBe(true);
  });

  it('refuses other users, other roles, the same role name in another account or partition', () => {
    expect(isApprover('arn:aws:iam::123456789012:user/mallory', LIST)).toBe(false);
    expect(isApprover('arn:aws:sts::123456789012:assumed-role/oncall-readonly/carol', LIST)).toBe(false);
    expect(isApprover('arn:aws:sts::210987654321:assumed-role/oncall/carol', LIST)).toBe(false);
    expect(isApprover('arn:aws-cn:sts::123456789012:assumed-role/oncall/carol', LIST)).toBe(false);
    expect(isApprover('arn:aws:sts::123456789012:federated-user/oncall', LIST)).toBe(false);
  });
});
