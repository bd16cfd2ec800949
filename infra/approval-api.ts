// The approval API of an `EtlHealer`: a REST API (API Gateway) with IAM auth on every method in
// front of the approval Lambda (`approval.handler` in the same bundle as the incident Lambda), and a
// managed policy that lets the principals it is attached to approve and reject, nothing more.

import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface HealerApprovalApiProps {
  /**
   * The incident Lambda's role. Approving runs the same remediation as the incident Lambda (the
   * guard again, then the Glue remediator), so it needs exactly the same named-resource grants;
   * one role keeps the two from drifting apart.
   */
  role: iam.IRole;
  /** The incident Lambda's environment (tables, bucket, topic, audit key, pipelines). */
  environment: Record<string, string>;
  code: lambda.Code;
  runtime: lambda.Runtime;
  /**
   * IAM principal ARNs allowed to approve or reject, checked by the Lambda on top of IAM auth
   * (`HEALER_APPROVER_ARNS`). Default: whoever holds `approversPolicy` (or another grant).
   */
  approverArns?: string[];
  /** Stage name. Default `prod`. */
  stageName?: string;
}

/**
 * `GET /pending`, `GET /incidents/{id}`, `POST /incidents/{id}/approve`, `POST /incidents/{id}/reject`.
 *
 * @example
 * const api = new HealerApprovalApi(this, 'ApprovalApi', { role, environment, code, runtime });
 * api.grantApprove(oncallRole);
 */
export class HealerApprovalApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly function: lambda.Function;
  /** Attach to the approvers' users, groups or roles: `execute-api:Invoke` on these routes only. */
  readonly approversPolicy: iam.ManagedPolicy;
  private readonly stageName: string;

  constructor(scope: Construct, id: string, props: HealerApprovalApiProps) {
    super(scope, id);
    this.stageName = props.stageName ?? 'prod';
    this.function = new lambda.Function(this, 'Function', {
      runtime: props.runtime,
      architecture: lambda.Architecture.X86_64,
      handler: 'approval.handler',
      code: props.code,
      role: props.role,
      memorySize: 1024,
      // Approving a coerce or quarantine waits for two Glue runs; API Gateway answers 504 after
      // 29 s but the invocation carries on to the end (GET /incidents/{id} shows the outcome).
      timeout: Duration.minutes(15),
      environment: {
        ...props.environment,
        ...(props.approverArns?.length ? { HEALER_APPROVER_ARNS: props.approverArns.join(',') } : {}),
        POWERTOOLS_SERVICE_NAME: 'etl-healer-approvals',
      },
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'healer approvals: list, approve and reject supervised incidents (IAM auth)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      deployOptions: {
        stageName: this.stageName,
        throttlingRateLimit: 10,
        throttlingBurstLimit: 20,
      },
      // Every method, including any added later, requires a SigV4-signed request.
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      cloudWatchRole: false,
    });
    const integration = new apigateway.LambdaIntegration(this.function, { proxy: true });
    this.api.root.addResource('pending').addMethod('GET', integration);
    const incident = this.api.root.addResource('incidents').addResource('{id}');
    incident.addMethod('GET', integration);
    incident.addResource('approve').addMethod('POST', integration);
    incident.addResource('reject').addMethod('POST', integration);

    this.approversPolicy = new iam.ManagedPolicy(this, 'ApproversPolicy', {
      description: 'May list, read, approve and reject healer incidents through the approval API',
      statements: [
        new iam.PolicyStatement({
          sid: 'InvokeHealerApprovalApi',
          actions: ['execute-api:Invoke'],
          resources: this.routeArns(),
        }),
      ],
    });
  }

  /** The deployed stage's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod/`. */
  get url(): string {
    return this.api.url;
  }

  /** Lets `grantee` call the approval API (the same statement as `approversPolicy`). */
  grantApprove(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: this.routeArns(),
    });
  }

  /** The four routes of the deployed stage, and nothing else of the API. */
  private routeArns(): string[] {
    // The literal stage name: the stage's token would resolve to a Ref, not a name, inside the ARN.
    const stage = this.stageName;
    return [
      this.api.arnForExecuteApi('GET', '/pending', stage),
      this.api.arnForExecuteApi('GET', '/incidents/*', stage),
      this.api.arnForExecuteApi('POST', '/incidents/*/approve', stage),
      this.api.arnForExecuteApi('POST', '/incidents/*/reject', stage),
    ];
  }
}
