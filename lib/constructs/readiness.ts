import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import {
  activeRegionParameterName,
  bucketName,
  cacheReplicationGroupId,
  databaseInstanceArn,
  databaseInstanceIdentifier,
  globalDatastoreId,
  globalDatastoreJoined,
  parameterName,
  partitionOf,
  regionOf,
  resourceName,
  warehouseName,
} from '../../config/naming';
import { GLOBAL_DATASTORE_PREFIXES } from '../../config/regions';
import { otherRole, writerRole } from '../../config/topology';
import {
  CHECK_NAMES,
  type CheckName,
  METRICS_NAMESPACE,
  READINESS_METRICS,
  readinessDimensions,
  type StoreName,
} from '../../lambda/readiness/metrics';
import type { ReadinessSettings } from '../../lambda/readiness/settings';
import { DATABASES } from '../catalog/definitions';
import { acknowledge } from '../compliance/acknowledge';
import { platformFunction } from '../shared/lambda-function';
import { canaryStateParameterName, canaryStores } from './canary';
import { REPLICATED_PURPOSES } from './data-lake-buckets';

/** The project's custom-metrics namespace (one constant, shared with the handlers). */
export const READINESS_NAMESPACE = METRICS_NAMESPACE;
export { CHECK_NAMES, type CheckName, type StoreName };

export interface ReadinessProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  readonly logsKey: kms.IKey;
  /** Encrypts the alarm topic. */
  readonly topicKey: kms.IKey;
}

/**
 * The settings the readiness function reads, derived from config only (no
 * cross-region reads at synth). The function sees replication roles: its
 * "primary" is the region that takes writes in this failover generation and its
 * "dr" the standby, so after a failover the same code checks the way back.
 */
export function readinessSettings(config: EnvironmentConfig, role: RegionRole): ReadinessSettings {
  const f = config.failover;
  const writer = writerRole(config);
  const standby = otherRole(writer);
  return {
    environment: config.name,
    role: role === writer ? 'primary' : 'dr',
    primaryRegion: regionOf(config, writer),
    drRegion: regionOf(config, standby),
    database: config.rds.crossRegionReplica
      ? {
          source: databaseInstanceIdentifier(config, writer),
          replica: databaseInstanceIdentifier(config, standby),
        }
      : undefined,
    globalDatastoreId: globalDatastoreJoined(config)
      ? globalDatastoreId(config, GLOBAL_DATASTORE_PREFIXES)
      : undefined,
    cacheReplicationGroupId: cacheReplicationGroupId(config),
    cacheNodeIds: Array.from(
      { length: 1 + config.elasticache.replicasPerNodeGroup },
      (_, i) => `${cacheReplicationGroupId(config)}-${String(i + 1).padStart(3, '0')}`,
    ),
    mskClusterArnParameter: parameterName(config, 'msk/cluster-arn'),
    replicatorName: config.msk.replicator ? resourceName(config, 'msk-replicator') : undefined,
    replication: REPLICATED_PURPOSES.map((purpose) => ({
      sourceBucket: bucketName(config, writer, purpose),
      destinationBucket: bucketName(config, standby, purpose),
      ruleId: `to-${standby}-${regionOf(config, standby)}`,
    })),
    warehouse: { mode: config.redshift.mode, name: warehouseName(config) },
    emrApplicationName: resourceName(config, 'spark'),
    databases: DATABASES.map((d) => d.name),
    workgroups: ['analysts', 'jobs'].map((w) => resourceName(config, w)),
    activeRegionParameter: activeRegionParameterName(config),
    budgets: {
      ...f.budgets,
      redshiftSnapshotAgeSeconds:
        f.budgets.redshiftSnapshotAgeSeconds ?? config.redshift.snapshotIntervalHours * 3600 + 3600,
    },
    checkTimeoutMs: f.checkTimeoutMs,
    consecutiveFailuresToRecommend: f.consecutiveFailuresToRecommend,
    brownoutEvaluationsToRecommend: f.brownoutEvaluationsToRecommend,
    stateParameter: parameterName(config, 'readiness/state'),
    canaryStateParameter: canaryStateParameterName(config),
    canaryStores: canaryStores(config),
  };
}

/**
 * The failover readiness check of one region: a function run every minute that
 * checks both regions concurrently, logs and returns a readiness report
 * (contract A, lambda/readiness/types.ts; docs/readiness.md) with the RPO per store, publishes its metrics (EMF), and
 * recommends failover only after consecutive failing evaluations seen from the
 * standby. It never fails over by itself. It owns the KMS-encrypted SNS topic
 * every operations alarm notifies, and offers its metrics (`metricX()`) to
 * alarms and dashboards so a metric's name and dimensions are written once.
 */
export class Readiness extends Construct {
  readonly function: lambda.IFunction;
  readonly topic: sns.Topic;
  private readonly environmentName: string;

  constructor(scope: Construct, id: string, props: ReadinessProps) {
    super(scope, id);
    const { config, role } = props;
    const settings = readinessSettings(config, role);
    const { account } = Stack.of(this);
    this.environmentName = config.name;

    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `dual-region-analytics ${config.name} ${role} alarms`,
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    for (const email of config.failover.alarmEmails)
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    new ssm.StringParameter(this, 'State', {
      parameterName: settings.stateParameter,
      stringValue: JSON.stringify({ consecutivePrimaryFailures: 0 }),
      description:
        'Readiness decision state (consecutive failed evaluations of the primary); written by the readiness function',
    });

    const fn = platformFunction(this, 'Check', {
      config,
      entry: 'readiness/handler.ts',
      functionName: resourceName(config, 'readiness'),
      description: `Failover readiness of ${config.name}, evaluated from ${role}`,
      logsKey: props.logsKey,
      timeout: Duration.seconds(Math.ceil(settings.checkTimeoutMs / 1000) * 2 + 10),
      memorySize: 512,
      // The scheduled run (one a minute, done in well under one) plus the runbooks' evaluate-only
      // invocations (CheckReadiness, synchronous, during an outage) and an operator's: with 1 they
      // were throttled whenever they met the scheduled run. Evaluate-only runs write no state, and
      // scheduled runs never overlap (each ends within its timeout, far under a minute).
      reservedConcurrency: 3,
      outsideVpcReason:
        "Checks both regions' control-plane APIs every minute; the isolated VPC reaches only its own region's endpoints.",
      synchronousReason:
        'Scheduled every minute and idempotent; a failed run is an unknown evaluation, repeated a minute later, and alarms on its Errors metric.',
      environment: {
        READINESS_SETTINGS: JSON.stringify(settings),
        POWERTOOLS_METRICS_NAMESPACE: READINESS_NAMESPACE,
      },
    });
    // An asynchronous (EventBridge) invocation is never retried and is dropped after a
    // minute: a retried run would count as an extra evaluation, and the next scheduled
    // run is a minute away. By default Lambda retries a failed asynchronous run twice and
    // keeps throttled events up to 6 hours (Lambda developer guide,
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html and
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html).
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    this.function = fn;
    this.grantReads(fn, config, settings, account);
    new events.Rule(this, 'Schedule', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
      description: `Readiness check of ${config.name} every minute`,
    });
  }

  private metric(
    metricName: string,
    dimensions: { check?: string; store?: string },
    statistic: string,
    props: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: readinessDimensions(this.environmentName, dimensions),
      statistic,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** One check's status per minute: 0 healthy, 1 degraded, 2 failed, 3 unknown (Maximum). */
  metricCheckStatus(check: CheckName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(READINESS_METRICS.checkStatus, { check }, 'Maximum', props);
  }

  /** The worst known store lag, seconds (Maximum); absent when no lag could be read. */
  metricEstimatedRpo(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(READINESS_METRICS.estimatedRpo, {}, 'Maximum', props);
  }

  /** 1 when every replicated store's lag was read, 0 when the estimate is incomplete (Minimum). */
  metricRpoComplete(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(READINESS_METRICS.rpoComplete, {}, 'Minimum', props);
  }

  /** One store's lag, seconds (Maximum). */
  metricStoreLag(store: StoreName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(READINESS_METRICS.storeLag, { store }, 'Maximum', props);
  }

  /** Evaluations per minute (Sum): the function's heartbeat. */
  metricEvaluations(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(READINESS_METRICS.heartbeat, {}, 'Sum', props);
  }

  /** 1 when an evaluation reached no verdict on the writer (errors, not silence), else 0 (Minimum). */
  metricWriterVerdictUnknown(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(READINESS_METRICS.writerVerdictUnknown, {}, 'Minimum', props);
  }

  /** 1 when the MSK Replicator looks healthy, 0 when it lost a cluster or its access (Minimum). */
  metricReplicatorHealthy(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(READINESS_METRICS.replicatorHealthy, {}, 'Minimum', props);
  }

  /** 1 when the standby recommends failing over (Maximum). */
  metricFailoverRecommended(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(READINESS_METRICS.failoverRecommended, {}, 'Maximum', props);
  }

  private grantReads(
    fn: lambda.IFunction,
    config: EnvironmentConfig,
    settings: ReadinessSettings,
    account: string,
  ): void {
    const regions = [settings.primaryRegion, settings.drRegion];
    const arns = (fmt: (region: string) => string) => regions.map(fmt);
    // Both regions' resources, each in its region's partition (naming.partitionOf).
    const arn = (region: string, service: string, resource: string) =>
      `arn:${partitionOf(region)}:${service}:${region}:${account}:${resource}`;
    const add = (actionsList: string[], resources: string[], conditions?: Record<string, unknown>) =>
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: actionsList, resources, conditions }));
    add(
      ['rds:DescribeDBInstances'],
      (['primary', 'dr'] as const).map((role) => databaseInstanceArn(config, role)),
    );
    add(
      ['kafka:DescribeClusterV2'],
      arns((r) => arn(r, 'kafka', `cluster/${resourceName(config, 'msk')}/*`)),
    );
    add(
      ['emr-serverless:GetApplication'],
      arns((r) => arn(r, 'emr-serverless', `/applications/*`)),
    );
    add(
      ['glue:GetTables'],
      regions.flatMap((r) => [
        arn(r, 'glue', `catalog`),
        ...settings.databases.flatMap((d) => [
          arn(r, 'glue', `database/${d}`),
          arn(r, 'glue', `table/${d}/*`),
        ]),
      ]),
    );
    add(['kms:Decrypt'], ['*'], {
      StringLike: { 'kms:ViaService': regions.map((r) => `glue.${r}.amazonaws.com`) },
      StringEquals: { 'kms:CallerAccount': account },
    });
    add(
      ['athena:GetWorkGroup'],
      regions.flatMap((r) => settings.workgroups.map((w) => arn(r, 'athena', `workgroup/${w}`))),
    );
    add(
      ['ssm:GetParameter'],
      regions.flatMap((r) =>
        [
          settings.activeRegionParameter,
          settings.mskClusterArnParameter,
          settings.stateParameter,
          ...(settings.canaryStateParameter ? [settings.canaryStateParameter] : []),
        ].map((n) => arn(r, 'ssm', `parameter${n}`)),
      ),
    );
    add(['ssm:PutParameter'], [arn(Stack.of(this).region, 'ssm', `parameter${settings.stateParameter}`)]);
    // These list/describe/metric actions support no resource-level permissions.
    const unscoped = [
      'cloudwatch:GetMetricData',
      'elasticache:DescribeGlobalReplicationGroups',
      'elasticache:DescribeReplicationGroups',
      'kafka:ListReplicators',
      'redshift-serverless:ListSnapshots',
      'redshift:DescribeClusterSnapshots',
      'redshift:DescribeClusters',
      'redshift-serverless:GetWorkgroup',
      'emr-serverless:ListApplications',
    ];
    add(unscoped, ['*'], { StringEquals: { 'aws:RequestedRegion': regions } });
    acknowledge(
      fn.node.findChild('ServiceRole').node.findChild('DefaultPolicy'),
      [
        'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        ...regions.flatMap((r) => [
          `AwsSolutions::AwsSolutions-IAM5[Resource::${arn(r, 'kafka', `cluster/${resourceName(config, 'msk')}/*`)}]`,
          `AwsSolutions::AwsSolutions-IAM5[Resource::${arn(r, 'emr-serverless', '/applications/*')}]`,
          ...settings.databases.map(
            (d) => `AwsSolutions::AwsSolutions-IAM5[Resource::${arn(r, 'glue', `table/${d}/*`)}]`,
          ),
        ]),
      ],
      `Read-only checks: ${unscoped.join(', ')} and X-Ray support no resource-level permissions (limited to the two regions); cluster, application and table ids are generated, so those ARNs end in a wildcard under a named cluster, the account's applications, or a named database; kms:Decrypt only via Glue for the encrypted catalog.`,
    );
  }
}
