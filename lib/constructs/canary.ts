import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import {
  activeRegionParameterName,
  bucketName,
  globalDatastoreJoined,
  parameterName,
  regionalArn,
  regionOf,
  resourceName,
  secretName,
} from '../../config/naming';
import { isWriter } from '../../config/topology';
import { CANARY_METRICS, canaryDimensions, METRICS_NAMESPACE } from '../../lambda/canary/metrics';
import type { CanarySettings } from '../../lambda/canary/settings';
import { CANARY_INTERVAL_SECONDS } from '../../lambda/canary/state';
import type { StoreName } from '../../lambda/readiness/metrics';
import { acknowledge } from '../compliance/acknowledge';
import { platformFunction } from '../shared/lambda-function';
import { CANARY_BUCKET, CANARY_KEY } from './data-lake-buckets';
import { CANARY_TOPIC } from './msk-serverless';

/** The canary's state parameter, the same name in both regions (read by the readiness function). */
export function canaryStateParameterName(config: EnvironmentConfig): string {
  return parameterName(config, 'canary/state');
}

/** The stores that replicate in this environment, each given a canary (readiness' replicated stores). */
export function canaryStores(config: EnvironmentConfig): StoreName[] {
  return [
    ...(config.rds.crossRegionReplica ? (['rds'] as const) : []),
    ...(globalDatastoreJoined(config) ? (['elasticache'] as const) : []),
    ...(config.msk.replicator ? (['msk'] as const) : []),
    's3' as const,
  ];
}

/** The consumer group the standby's Kafka canary reads with (it never commits an offset). */
export const CANARY_GROUP = 'dra-canary-reader';
/** The cache key the canary writes (and the secondary reads). */
export const CANARY_CACHE_KEY = 'dra:canary';
/** Time allowed to each store's write or read within a run. */
export const CANARY_STORE_TIMEOUT_MS = 10_000;

export interface CanaryProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  /** The region's VPC: the canary reaches its stores through their security groups and endpoints. */
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Worn by the platform's workloads; the cache and MSK admit it. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** Encrypts the lake buckets (the S3 canary's object). */
  readonly dataKey: kms.IKey;
  /** Encrypts the cache AUTH token secret. */
  readonly databaseKey: kms.IKey;
  readonly logsKey: kms.IKey;
}

/** The settings of one region's canary, from config only. */
export function canarySettings(config: EnvironmentConfig, role: RegionRole): CanarySettings {
  const stores = canaryStores(config);
  return {
    environment: config.name,
    side: isWriter(config, role) ? 'writer' : 'standby',
    region: regionOf(config, role),
    activeRegionParameter: activeRegionParameterName(config),
    stateParameter: canaryStateParameterName(config),
    storeTimeoutMs: CANARY_STORE_TIMEOUT_MS,
    ...(stores.includes('rds') ? { rds: { functionName: resourceName(config, 'postgres-control') } } : {}),
    s3: { bucket: bucketName(config, role, CANARY_BUCKET), key: CANARY_KEY },
    ...(stores.includes('msk')
      ? {
          msk: {
            bootstrapServersParameter: parameterName(config, 'msk/bootstrap-servers'),
            topic: CANARY_TOPIC,
            groupId: CANARY_GROUP,
          },
        }
      : {}),
    ...(stores.includes('elasticache')
      ? {
          elasticache: {
            endpointParameter: parameterName(config, 'cache/endpoint'),
            authSecretName: secretName(config, 'cache/auth-token'),
            key: CANARY_CACHE_KEY,
          },
        }
      : {}),
  };
}

/**
 * `dra-{env}-canary`: a function in the VPC of each region, run every minute, that
 * measures replication from the data instead of the control planes (lambda/canary).
 * In the writer's region it writes one dated canary per replicated store (the
 * PostgreSQL heartbeat through postgres-control, an S3 object under `canary/`, a
 * message on the canary topic, a cache key), only while this region's active-region
 * record names it; in the standby's it reads the newest one that reached each store
 * here. Each run keeps its result in `/dra/{env}/canary/state` in its own region
 * (the readiness function reads both) and publishes CanaryResult, CanaryLagSeconds and
 * CanaryRuns, which its alarms watch (`metricX()` below).
 */
export class Canary extends Construct {
  readonly function: lambda.IFunction;
  readonly stores: readonly StoreName[];
  private readonly environmentName: string;

  constructor(scope: Construct, id: string, props: CanaryProps) {
    super(scope, id);
    const { config, role } = props;
    const settings = canarySettings(config, role);
    this.stores = canaryStores(config);
    this.environmentName = config.name;

    new ssm.StringParameter(this, 'State', {
      parameterName: settings.stateParameter,
      // A run older than the freshness window: readiness reads "not running" until the first run.
      stringValue: JSON.stringify({
        side: settings.side,
        region: settings.region,
        ranAt: '1970-01-01T00:00:00.000Z',
        stores: {},
      }),
      description: `Canary state of ${config.name} in this region (${settings.side}); written every minute by ${resourceName(config, 'canary')}, read by the readiness function`,
    });

    const fn = platformFunction(this, 'Function', {
      config,
      entry: 'canary/handler.ts',
      functionName: resourceName(config, 'canary'),
      description: `Replication canary of ${config.name} in this region (${settings.side}: ${settings.side === 'writer' ? 'writes' : 'reads'} one canary per replicated store)`,
      vpc: props.vpc,
      subnets: props.subnets,
      securityGroup: props.clientSecurityGroup,
      logsKey: props.logsKey,
      // Every store within CANARY_STORE_TIMEOUT_MS (concurrently), then the state: well inside.
      timeout: Duration.seconds(CANARY_STORE_TIMEOUT_MS / 1000 + 20),
      memorySize: 256,
      reservedConcurrency: 1,
      synchronousReason:
        'Scheduled every minute and idempotent; a failed run is reported by its own CanaryRuns alarm and repeated a minute later, never retried.',
      environment: { CANARY_SETTINGS: JSON.stringify(settings) },
    });
    // Never retried, dropped after a minute: the next run is a minute away (Lambda developer guide,
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html).
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    this.function = fn;
    new events.Rule(this, 'Schedule', {
      schedule: events.Schedule.rate(Duration.minutes(CANARY_INTERVAL_SECONDS / 60)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
      description: `Replication canary of ${config.name} every minute`,
    });
    this.grant(fn, props, settings);
  }

  private grant(fn: lambda.IFunction, props: CanaryProps, settings: CanarySettings): void {
    const { config, role } = props;
    const { region, account } = Stack.of(this);
    const here = (service: string, resource: string) => regionalArn(config, role, service, resource);
    const add = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources, conditions }));
    const writer = settings.side === 'writer';
    const read = [
      ...(writer ? [settings.activeRegionParameter] : []),
      ...(settings.msk ? [settings.msk.bootstrapServersParameter] : []),
      ...(settings.elasticache ? [settings.elasticache.endpointParameter] : []),
    ];
    if (read.length > 0)
      add(
        ['ssm:GetParameter'],
        read.map((p) => here('ssm', `parameter${p}`)),
      );
    add(['ssm:PutParameter'], [here('ssm', `parameter${settings.stateParameter}`)]);
    if (settings.rds)
      add(['lambda:InvokeFunction'], [here('lambda', `function:${settings.rds.functionName}`)]);
    if (settings.s3) {
      const bucket = `arn:${Stack.of(this).partition}:s3:::${settings.s3.bucket}`;
      // Only the canary's key: PutObject on the writer's side, GetObject on the standby's.
      add([writer ? 's3:PutObject' : 's3:GetObject'], [`${bucket}/${settings.s3.key}`]);
      add(writer ? ['kms:GenerateDataKey'] : ['kms:Decrypt'], [props.dataKey.keyArn], {
        StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
      });
    }
    const wildcards: string[] = [];
    if (settings.msk) {
      // The cluster id is generated: the cluster, its topic and group ARNs end in a wildcard under
      // the named cluster (MSK developer guide, "IAM access control", iam-access-control.html#msk-iam-resources).
      const cluster = here('kafka', `cluster/${resourceName(config, 'msk')}/*`);
      const topic = here('kafka', `topic/${resourceName(config, 'msk')}/*/${settings.msk.topic}`);
      const group = here('kafka', `group/${resourceName(config, 'msk')}/*/${settings.msk.groupId}`);
      add(['kafka-cluster:Connect'], [cluster]);
      add(
        ['kafka-cluster:DescribeTopic', writer ? 'kafka-cluster:WriteData' : 'kafka-cluster:ReadData'],
        [topic],
      );
      if (!writer) add(['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], [group]);
      wildcards.push(cluster, topic, ...(writer ? [] : [group]));
    }
    if (settings.elasticache) {
      // Secrets Manager appends six random characters to a secret's ARN.
      const secret = here('secretsmanager', `secret:${settings.elasticache.authSecretName}-??????`);
      add(['secretsmanager:GetSecretValue'], [secret]);
      add(['kms:Decrypt'], [props.databaseKey.keyArn], {
        StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
      });
      wildcards.push(secret);
    }
    if (wildcards.length > 0)
      acknowledge(
        fn.node.findChild('ServiceRole').node.findChild('DefaultPolicy'),
        wildcards.map((w) => `AwsSolutions::AwsSolutions-IAM5[Resource::${w}]`),
        `The canary's own resources only: the MSK cluster id is generated (so its cluster, canary topic ${settings.msk?.topic ?? ''} and reader group ARNs end in a wildcard under the named cluster), and a secret ARN ends in six random characters; account ${account}.`,
      );
  }

  private metric(
    metricName: string,
    store: string | undefined,
    statistic: string,
    props: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: canaryDimensions(this.environmentName, store),
      statistic,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** One store's canary result per minute: 0 ok, 1 the store failed it, 2 AWS throttled or 5xx, 3 the canary could not work (Maximum). */
  metricResult(store: StoreName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(CANARY_METRICS.result, store, 'Maximum', props);
  }

  /** One store's measured lag in the standby, seconds (Maximum). */
  metricLag(store: StoreName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(CANARY_METRICS.lag, store, 'Maximum', props);
  }

  /** Canary runs per minute (Sum): its heartbeat. */
  metricRuns(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric(CANARY_METRICS.runs, undefined, 'Sum', props);
  }
}
