// Deferred reruns for the EtlHealer construct: an EventBridge Scheduler group of healer's one-time
// schedules, the role those schedules assume (glue:StartJobRun on the watched jobs, nothing else),
// and the Lambda's right to create schedules in that group and to pass that role only.

import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

/** Prefix of every schedule healer creates (src/adapters/aws/glue-actions/defer.ts `scheduleName`). */
export const DEFER_SCHEDULE_PREFIX = 'healer-defer-';

export interface DeferSchedulerProps {
  /** The healer Lambda: it creates the schedules. */
  fn: lambda.Function;
  /** ARNs of the Glue jobs a deferred rerun may start. */
  jobArns: string[];
}

/**
 * The scheduler side of `defer`; sets HEALER_SCHEDULER_ROLE_ARN and HEALER_SCHEDULE_GROUP on the Lambda.
 *
 * @example
 * new DeferScheduler(this, 'DeferScheduler', { fn: this.function, jobArns });
 */
export class DeferScheduler extends Construct {
  readonly group: scheduler.CfnScheduleGroup;
  readonly role: iam.Role;
  readonly groupName: string;

  constructor(scope: Construct, id: string, props: DeferSchedulerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const groupName = `${stack.stackName}-healer-defer`.slice(0, 64);
    this.groupName = groupName;
    this.group = new scheduler.CfnScheduleGroup(this, 'Group', { name: groupName });

    // Only EventBridge Scheduler of this account may assume it, and it may only start the jobs.
    this.role = new iam.Role(this, 'Role', {
      description: 'healer: deferred Glue reruns started by EventBridge Scheduler',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartDeferredRuns',
        actions: ['glue:StartJobRun'],
        resources: props.jobArns,
      }),
    );

    props.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ScheduleDeferredRuns',
        actions: ['scheduler:CreateSchedule'],
        resources: [
          stack.formatArn({
            service: 'scheduler',
            resource: 'schedule',
            resourceName: `${groupName}/${DEFER_SCHEDULE_PREFIX}*`,
          }),
        ],
      }),
    );
    props.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    props.fn.addEnvironment('HEALER_SCHEDULER_ROLE_ARN', this.role.roleArn);
    props.fn.addEnvironment('HEALER_SCHEDULE_GROUP', groupName);
    // The group exists before the Lambda can schedule into it.
    props.fn.node.addDependency(this.group);
  }
}
