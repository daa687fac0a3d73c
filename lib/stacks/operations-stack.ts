import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
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
  }
}
