import { CfnOutput } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { regionOf } from '../../config/naming';
import { isWriter } from '../../config/topology';
import { Canary } from '../constructs/canary';
import { FailoverRunbook } from '../constructs/failover-runbook';
import { FenceRunbook } from '../constructs/fence-runbook';
import { CanaryAlarms } from '../constructs/operations/canary-alarms';
import { OperationsDashboard } from '../constructs/operations/dashboard';
import { DataStoreAlarms } from '../constructs/operations/data-store-alarms';
import { operationsMonitoring } from '../constructs/operations/monitoring';
import { ReadinessAlarms } from '../constructs/operations/readiness-alarms';
import { SparkFailureRule } from '../constructs/operations/spark-failure-rule';
import { StreamingAlarms } from '../constructs/operations/streaming-alarms';
import { Readiness } from '../constructs/readiness';
import { hasFailback } from '../runbooks/failback';
import { RegionStack, type RegionStackProps } from './region-stack';

export interface OperationsStackProps extends RegionStackProps {
  readonly logsKey: kms.IKey;
  readonly streamingKey: kms.IKey;
  /** The region's VPC, for the canary (its stores are reached from inside). */
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** Encrypts the lake buckets (the S3 canary). */
  readonly dataKey: kms.IKey;
  /** Encrypts the cache AUTH token (the cache canary). */
  readonly databaseKey: kms.IKey;
}

/**
 * Readiness check and its alarms, the replication canary and its alarms, alarms on the services' own health, the
 * failed-Spark-run rule, (in the primary region) the environment's dashboard
 * showing both regions, and (in the standby) the runbooks. Wiring only: each
 * concern is a construct.
 */
export class OperationsStack extends RegionStack {
  readonly readiness: Readiness;
  readonly canary: Canary;
  readonly dashboard?: cloudwatch.Dashboard;
  /** Every alarm of this stack that notifies the readiness topic. */
  readonly alarms: cloudwatch.Alarm[];
  /** In the standby region: the runbook that makes it the active region. */
  readonly failover?: FailoverRunbook;
  /** In the primary region while the DR region writes: the planned switch back. */
  readonly failback?: FailoverRunbook;
  /** In every region: fences it once it answers again after the other region took over. */
  readonly fence: FenceRunbook;

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, 'operations', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: readiness checks, alarms${props.role === 'primary' ? ', dashboard' : ''}`,
    });
    const { config, role } = this;
    this.readiness = new Readiness(this, 'Readiness', {
      config,
      role,
      logsKey: props.logsKey,
      topicKey: props.streamingKey,
    });
    const topic = this.readiness.topic;
    this.canary = new Canary(this, 'Canary', {
      config,
      role,
      vpc: props.vpc,
      subnets: props.subnets,
      clientSecurityGroup: props.clientSecurityGroup,
      dataKey: props.dataKey,
      databaseKey: props.databaseKey,
      logsKey: props.logsKey,
    });
    const canaryAlarms = new CanaryAlarms(this, 'CanaryAlarms', { config, role, canary: this.canary, topic });
    const readinessAlarms = new ReadinessAlarms(this, 'ReadinessAlarms', {
      config,
      role,
      readiness: this.readiness,
    });
    const dataStores = new DataStoreAlarms(this, 'DataStoreAlarms', {
      config,
      role,
      topic,
      monitoring: operationsMonitoring(this, config, role, topic),
    });
    const streaming = new StreamingAlarms(this, 'StreamingAlarms', { config, role, topic });
    const spark = new SparkFailureRule(this, 'SparkFailures', {
      config,
      role,
      logsKey: props.logsKey,
      topic,
    });
    this.alarms = [
      ...readinessAlarms.alarms,
      ...canaryAlarms.alarms,
      ...dataStores.alarms,
      ...streaming.alarms,
      spark.alarm,
    ];
    if (role === 'primary')
      this.dashboard = new OperationsDashboard(this, 'Dashboard', {
        config,
        readiness: this.readiness,
        canary: this.canary,
      }).dashboard;
    const runbook = { config, topic: this.readiness.topic, topicKey: props.streamingKey };
    this.fence = new FenceRunbook(this, 'FenceRunbook', { ...runbook, role });
    if (!isWriter(config, role)) {
      this.failover = new FailoverRunbook(this, 'FailoverRunbook', runbook);
      if (hasFailback(config)) {
        this.failback = new FailoverRunbook(this, 'FailbackRunbook', { ...runbook, kind: 'failback' });
      }
    }
    this.addOperatorOutputs();
  }

  /**
   * What an operator needs from this stack, readable with `aws cloudformation describe-stacks`
   * or `cdk deploy --outputs-file`. Never exported: an export pins the stack to its
   * consumers, and nothing reads these across stacks (design rule: no cross-region references).
   */
  private addOperatorOutputs(): void {
    const region = regionOf(this.config, this.role);
    const start = (document: string) =>
      `aws ssm start-automation-execution --region ${region} --document-name ${document}`;
    new CfnOutput(this, 'ReadinessFunctionName', {
      value: this.readiness.function.functionName,
      description: `Readiness check of this region; latest report: aws lambda invoke --region ${region} --function-name <this> /dev/stdout`,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.readiness.topic.topicArn,
      description:
        'SNS topic every alarm and runbook report of this region notifies (failover.alarmEmails subscribe)',
    });
    if (this.dashboard) {
      // The console's dashboard link (no AWS page documents the URL scheme; docs/unverified.md).
      new CfnOutput(this, 'DashboardUrl', {
        value: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${this.dashboard.dashboardName}`,
        description: 'CloudWatch dashboard showing the readiness of both regions',
      });
    }
    const runbooks: [string, { document: { name?: string }; role: { roleArn: string } } | undefined][] = [
      ['Failover', this.failover],
      ['Failback', this.failback],
      ['Fence', this.fence],
    ];
    for (const [kind, runbook] of runbooks) {
      if (!runbook?.document.name) continue;
      new CfnOutput(this, `${kind}RunbookName`, {
        value: runbook.document.name,
        description: `SSM Automation document; start it with: ${start(runbook.document.name)}`,
      });
      new CfnOutput(this, `${kind}RunbookRoleArn`, {
        value: runbook.role.roleArn,
        description: `The role the ${kind.toLowerCase()} runbook runs as: pass it as AutomationAssumeRole=<this>`,
      });
    }
  }
}
