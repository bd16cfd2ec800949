// Template assertions on the approval API of a synthesized EtlHealer stack: IAM auth on every
// method, the routes, the Lambda behind them (same configuration and role as the incident Lambda),
// invoke permissions scoped to this API, and an approvers policy limited to its four routes.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { EtlHealer } from './etl-healer.js';

let template: Template;
let codeDir: string;

function synth(props: Partial<ConstructorParameters<typeof EtlHealer>[2]> = {}) {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
  const healer = new EtlHealer(stack, 'Healer', {
    jobNames: ['orders-etl'],
    database: 'sales',
    tables: [{ database: 'sales', table: 'orders' }],
    mode: 'supervised',
    code: lambda.Code.fromAsset(codeDir),
    ...props,
  });
  const oncall = new iam.Role(stack, 'Oncall', { assumedBy: new iam.AccountRootPrincipal() });
  healer.approvalApi?.grantApprove(oncall);
  return Template.fromStack(stack);
}

type Fn = {
  Properties: { Handler: string; Role: unknown; Environment: { Variables: Record<string, unknown> } };
};

function functions(): Record<string, Fn> {
  return template.findResources('AWS::Lambda::Function') as Record<string, Fn>;
}

function fnByHandler(handler: string): Fn {
  const found = Object.values(functions()).find((f) => f.Properties.Handler === handler);
  if (!found) throw new Error(`no function with handler ${handler}`);
  return found;
}

beforeAll(() => {
  // The template does not depend on the code's content (see etl-healer.test.ts).
  codeDir = mkdtempSync(join(tmpdir(), 'healer-cdk-'));
  writeFileSync(join(codeDir, 'index.mjs'), 'export const handler = async () => ({});\n');
  writeFileSync(join(codeDir, 'approval.mjs'), 'export const handler = async () => ({});\n');
  template = synth({ approvalApi: { approverArns: ['arn:aws:iam::123456789012:role/oncall'] } });
});

describe('EtlHealer approval API', () => {
  it('exposes GET /pending, GET /incidents/{id}, POST approve and reject, every method with IAM auth', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as {
      Properties: { HttpMethod: string; AuthorizationType: string };
    }[];
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'GET', 'POST', 'POST']);
    for (const m of methods) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
    const paths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map(
      (r) => (r as { Properties: { PathPart: string } }).Properties.PathPart,
    );
    expect(paths.sort()).toEqual(['approve', 'incidents', 'pending', 'reject', '{id}']);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
    });
  });

  it('runs approval.handler with the incident Lambda role and configuration, plus the approver list', () => {
    const incident = fnByHandler('index.handler');
    const approval = fnByHandler('approval.handler');
    expect(approval.Properties.Role).toEqual(incident.Properties.Role);
    const { HEALER_APPROVAL_API_URL, POWERTOOLS_SERVICE_NAME, ...shared } =
      incident.Properties.Environment.Variables;
    // Every variable the incident Lambda gets, the approval Lambda gets too: approving re-runs its flow.
    expect(approval.Properties.Environment.Variables).toMatchObject(shared);
    expect(approval.Properties.Environment.Variables.HEALER_APPROVER_ARNS).toBe(
      'arn:aws:iam::123456789012:role/oncall',
    );
    // The incident Lambda prints the API's URL in its approval requests.
    expect(JSON.stringify(HEALER_APPROVAL_API_URL)).toMatch(/execute-api/);
    expect(POWERTOOLS_SERVICE_NAME).toBe('etl-healer');
  });

  it('lets only this API invoke the approval Lambda, per method and path', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (p) =>
        (p as { Properties: { Principal: string; SourceArn: unknown; FunctionName: unknown } }).Properties,
    );
    const viaApi = permissions.filter((p) => p.Principal === 'apigateway.amazonaws.com');
    expect(viaApi.length).toBeGreaterThan(0);
    for (const p of viaApi) {
      const source = JSON.stringify(p.SourceArn);
      expect(source).toContain('execute-api');
      expect(source).toMatch(/HealerApprovalApi[A-Za-z0-9]*|ApprovalApi/);
      expect(source).toMatch(/\/(GET|POST)\/(pending|incidents)/);
    }
  });

  it("grants approvers execute-api:Invoke on the stage's four routes only, never on *", () => {
    const policies = [
      ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
      ...Object.values(template.findResources('AWS::IAM::Policy')),
    ].flatMap(
      (p) =>
        (
          p as {
            Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
          }
        ).Properties.PolicyDocument.Statement,
    );
    const invoke = policies.filter((s) => [s.Action].flat().includes('execute-api:Invoke'));
    // The managed approvers policy and the grant to the on-call role.
    expect(invoke.length).toBe(2);
    for (const s of invoke) {
      expect([s.Action].flat()).toEqual(['execute-api:Invoke']);
      const resources = [s.Resource].flat();
      expect(resources.length).toBe(4);
      const text = JSON.stringify(resources);
      for (const route of [
        '/prod/GET/pending',
        '/prod/GET/incidents/*',
        '/prod/POST/incidents/*/approve',
        '/prod/POST/incidents/*/reject',
      ])
        expect(text).toContain(route);
      expect(text).not.toContain('/*/*');
    }
    // Nothing else in the stack may invoke the API.
    expect(policies.some((s) => [s.Action].flat().some((a) => a === 'execute-api:*' || a === '*'))).toBe(
      false,
    );
  });

  it('is left out with approvalApi: false', () => {
    const without = synth({ approvalApi: false });
    without.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    const handlers = Object.values(without.findResources('AWS::Lambda::Function')).map(
      (f) => (f as Fn).Properties.Handler,
    );
    expect(handlers).toEqual(['index.handler']);
    without.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HEALER_MODE: 'supervised' }) },
    });
  });
});
