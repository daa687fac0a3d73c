import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
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
import { GLOBAL_DATASTORE_PREFIXES } from '../../config/regions';
import type { ReadinessSettings } from '../../lambda/readiness/checks';
import { DATABASES } from '../catalog/definitions';
import { acknowledge } from '../compliance/acknowledge';
import {
  activeRegionParameterName,
  bucketName,
  cacheNodeId,
  databaseInstanceArn,
  databaseInstanceIdentifier,
  globalDatastoreId,
  parameterName,
  regionOf,
  resourceName,
  warehouseName,
} from '../naming';
import { platformFunction } from '../shared/lambda-function';
import { isWriter, otherRole, writerRole } from '../topology';
import { REPLICATED_PURPOSES } from './data-lake-buckets';

export const READINESS_NAMESPACE = 'DualRegionAnalytics';
export const CHECK_NAMES = [
  'rds',
  'elasticache',
  'msk',
  's3',
  'redshift',
  'emr',
  'catalog',
  'active-region',
] as const;

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
    globalDatastoreId: config.elasticache.globalDatastore
      ? globalDatastoreId(config, GLOBAL_DATASTORE_PREFIXES)
      : undefined,
    cacheNodeId: cacheNodeId(config),
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
    stateParameter: parameterName(config, 'readiness/state'),
  };
}

/**
 * The failover readiness check of one region: a function run every minute that
 * checks both regions concurrently, logs and returns a readiness report with the
 * estimated RPO, publishes one metric per check, and recommends failover only
 * after consecutive failed evaluations seen from the DR region. It never fails
 * over by itself. Alarms (M of N datapoints) go to a KMS-encrypted SNS topic.
 */
export class Readiness extends Construct {
  readonly function: lambda.IFunction;
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ReadinessProps) {
    super(scope, id);
    const { config, role } = props;
    const settings = readinessSettings(config, role);
    const { account } = Stack.of(this);

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
      reservedConcurrency: 1,
      outsideVpcReason:
        "Checks both regions' control-plane APIs every minute; the isolated VPC reaches only its own region's endpoints.",
      synchronousReason:
        'Scheduled every minute and idempotent; a failed run is an unknown evaluation, repeated a minute later, and alarms on its Errors metric.',
      environment: {
        READINESS_SETTINGS: JSON.stringify(settings),
        POWERTOOLS_METRICS_NAMESPACE: READINESS_NAMESPACE,
      },
    });
    this.function = fn;
    this.grantReads(fn, config, settings, account);
    new events.Rule(this, 'Schedule', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
      description: `Readiness check of ${config.name} every minute`,
    });

    const metric = (name: string, dimensions: Record<string, string>, statistic = 'Maximum') =>
      new cloudwatch.Metric({
        namespace: READINESS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: 'readiness', ...dimensions },
        statistic,
        period: Duration.minutes(1),
      });
    const alarm = (
      alarmId: string,
      m: cloudwatch.IMetric,
      threshold: number,
      description: string,
      evaluationPeriods = 5,
      datapointsToAlarm = 3,
    ) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric: m,
        threshold,
        evaluationPeriods,
        datapointsToAlarm,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
        alarmDescription: description,
      });
      a.addAlarmAction(new actions.SnsAction(this.topic));
      a.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(a);
      return a;
    };
    for (const check of CHECK_NAMES) {
      alarm(
        `Check-${check}`,
        metric('CheckStatus', { environment: config.name, check }),
        2,
        `${check} readiness failed in 3 of the last 5 minutes (0 healthy, 1 degraded, 2 failed, 3 unknown). See docs/runbooks.`,
      );
    }
    alarm(
      'EstimatedRpo',
      metric('EstimatedRpoSeconds', { environment: config.name }),
      config.failover.rpoBudgetSeconds,
      `Estimated RPO above the ${config.failover.rpoBudgetSeconds}s budget in 3 of 5 minutes: a failover now would lose more data than agreed.`,
    );
    if (!isWriter(config, role)) {
      alarm(
        'FailoverRecommended',
        metric('FailoverRecommended', { environment: config.name }),
        1,
        "The standby region recommends failing over: the writer's region failed consecutive evaluations. A human decides (docs/runbooks).",
        1,
        1,
      );
    }
    alarm(
      'CheckErrors',
      fn.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      1,
      'The readiness function itself is failing.',
    );
  }

  private grantReads(
    fn: lambda.IFunction,
    config: EnvironmentConfig,
    settings: ReadinessSettings,
    account: string,
  ): void {
    const regions = [settings.primaryRegion, settings.drRegion];
    const arns = (fmt: (region: string) => string) => regions.map(fmt);
    const add = (actionsList: string[], resources: string[], conditions?: Record<string, unknown>) =>
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: actionsList, resources, conditions }));
    add(
      ['rds:DescribeDBInstances'],
      (['primary', 'dr'] as const).map((role) => databaseInstanceArn(config, role)),
    );
    add(
      ['kafka:DescribeClusterV2'],
      arns((r) => `arn:aws:kafka:${r}:${account}:cluster/${resourceName(config, 'msk')}/*`),
    );
    add(
      ['emr-serverless:GetApplication'],
      arns((r) => `arn:aws:emr-serverless:${r}:${account}:/applications/*`),
    );
    add(
      ['glue:GetTables'],
      regions.flatMap((r) => [
        `arn:aws:glue:${r}:${account}:catalog`,
        ...settings.databases.flatMap((d) => [
          `arn:aws:glue:${r}:${account}:database/${d}`,
          `arn:aws:glue:${r}:${account}:table/${d}/*`,
        ]),
      ]),
    );
    add(['kms:Decrypt'], ['*'], {
      StringLike: { 'kms:ViaService': regions.map((r) => `glue.${r}.amazonaws.com`) },
      StringEquals: { 'kms:CallerAccount': account },
    });
    add(
      ['athena:GetWorkGroup'],
      regions.flatMap((r) => settings.workgroups.map((w) => `arn:aws:athena:${r}:${account}:workgroup/${w}`)),
    );
    add(
      ['ssm:GetParameter'],
      regions.flatMap((r) =>
        [settings.activeRegionParameter, settings.mskClusterArnParameter, settings.stateParameter].map(
          (n) => `arn:aws:ssm:${r}:${account}:parameter${n}`,
        ),
      ),
    );
    add(
      ['ssm:PutParameter'],
      [`arn:aws:ssm:${Stack.of(this).region}:${account}:parameter${settings.stateParameter}`],
    );
    // These list/describe/metric actions support no resource-level permissions.
    const unscoped = [
      'cloudwatch:GetMetricData',
      'elasticache:DescribeGlobalReplicationGroups',
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
          `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:kafka:${r}:${account}:cluster/${resourceName(config, 'msk')}/*]`,
          `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:emr-serverless:${r}:${account}:/applications/*]`,
          ...settings.databases.map(
            (d) => `AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:glue:${r}:${account}:table/${d}/*]`,
          ),
        ]),
      ],
      `Read-only checks: ${unscoped.join(', ')} and X-Ray support no resource-level permissions (limited to the two regions); cluster, application and table ids are generated, so those ARNs end in a wildcard under a named cluster, the account's applications, or a named database; kms:Decrypt only via Glue for the encrypted catalog.`,
    );
  }
}
