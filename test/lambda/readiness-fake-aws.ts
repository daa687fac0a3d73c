import { AthenaClient, GetWorkGroupCommand, type GetWorkGroupCommandOutput } from '@aws-sdk/client-athena';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeGlobalReplicationGroupsCommand,
  type DescribeGlobalReplicationGroupsCommandOutput,
  DescribeReplicationGroupsCommand,
  type DescribeReplicationGroupsCommandOutput,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import {
  EMRServerlessClient,
  GetApplicationCommand,
  type GetApplicationCommandOutput,
  ListApplicationsCommand,
  type ListApplicationsCommandOutput,
} from '@aws-sdk/client-emr-serverless';
import { GetTablesCommand, type GetTablesCommandOutput, GlueClient } from '@aws-sdk/client-glue';
import {
  type ClusterState,
  DescribeClusterV2Command,
  type DescribeClusterV2CommandOutput,
  KafkaClient,
  ListReplicatorsCommand,
  type ListReplicatorsCommandOutput,
} from '@aws-sdk/client-kafka';
import {
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandInput,
  type DescribeDBInstancesCommandOutput,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  DescribeClusterSnapshotsCommand,
  type DescribeClusterSnapshotsCommandOutput,
  DescribeClustersCommand,
  type DescribeClustersCommandOutput,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
import {
  GetWorkgroupCommand,
  type GetWorkgroupCommandOutput,
  ListSnapshotsCommand,
  type ListSnapshotsCommandOutput,
  RedshiftServerlessClient,
  type WorkgroupStatus,
} from '@aws-sdk/client-redshift-serverless';
import {
  GetParameterCommand,
  type GetParameterCommandInput,
  type GetParameterCommandOutput,
  ParameterNotFound,
  PutParameterCommand,
  type PutParameterCommandInput,
  type PutParameterCommandOutput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { RegionClients } from '../../lambda/readiness/checks';
import type { ReadinessSettings } from '../../lambda/readiness/settings';

/**
 * A region-aware fake of the AWS APIs the readiness function calls. Every
 * mocked `send` looks at the region of the client it was called on
 * (`await client.config.region()`), applies that region's (or that service's)
 * failure mode, and answers from `world`. Metrics are answered only in the
 * region AWS publishes them, so a query in the wrong region reads nothing.
 */
export const WRITER = 'us-east-1';
export const STANDBY = 'us-west-2';

export const SETTINGS: ReadinessSettings = {
  environment: 'prod',
  role: 'dr',
  primaryRegion: WRITER,
  drRegion: STANDBY,
  database: { source: 'dra-prod-postgres', replica: 'dra-prod-postgres' },
  globalDatastoreId: 'ldgnf-dra-prod-cache',
  cacheReplicationGroupId: 'dra-prod-cache',
  cacheNodeIds: ['dra-prod-cache-001', 'dra-prod-cache-002'],
  mskClusterArnParameter: '/dra/prod/msk/cluster-arn',
  replicatorName: 'dra-prod-msk-replicator',
  replication: [{ sourceBucket: 'src', destinationBucket: 'dst', ruleId: 'to-dr-us-west-2' }],
  warehouse: { mode: 'serverless', name: 'dra-prod-warehouse' },
  emrApplicationName: 'dra-prod-spark',
  databases: ['tickit_demo'],
  workgroups: ['dra-prod-analysts'],
  activeRegionParameter: '/dra/prod/active-region',
  budgets: {
    rdsReplicaLagSeconds: 60,
    cacheReplicationLagSeconds: 5,
    mskReplicationLatencySeconds: 60,
    s3ReplicationLatencySeconds: 900,
    redshiftSnapshotAgeSeconds: 7200,
  },
  // Tiny, so that "calls that never answer" time out fast.
  checkTimeoutMs: 40,
  consecutiveFailuresToRecommend: 3,
  brownoutEvaluationsToRecommend: 10,
  stateParameter: '/dra/prod/readiness/state',
};

/** How a region (or one service in it) behaves. */
export type Mode = 'up' | 'refuse' | 'dns' | 'hang' | 'throttle' | '5xx';
export type Service =
  | 'rds'
  | 'elasticache'
  | 'kafka'
  | 'cloudwatch'
  | 'redshift'
  | 'redshiftProvisioned'
  | 'emr'
  | 'glue'
  | 'athena'
  | 'ssm';

export interface World {
  mode: Record<string, Mode>;
  /** Per region, per service: overrides the region's mode. */
  serviceMode: Record<string, Partial<Record<Service, Mode>>>;
  rdsWriterStatus: string;
  rdsReplicaStatus: string;
  mskState: Record<string, ClusterState>;
  /** The Serverless workgroup's status (WorkgroupStatus: CREATING, AVAILABLE, MODIFYING, DELETING). */
  warehouseStatus: WorkgroupStatus;
  /** The provisioned cluster's status (ClusterStatus, e.g. available, hardware-failure). */
  clusterStatus: string;
  newestCopyAgeSeconds?: number;
  /** Metric values; undefined = no datapoint. */
  rdsLag?: number;
  cacheLag?: number;
  /** The standby node that is primary now (the only one GlobalDatastoreReplicationLag is published for). */
  cachePrimaryNode: string;
  mskLatencyMs?: number;
  /** MessageLag datapoints of the last minutes, newest first. */
  mskMessageLag: number[];
  /** KafkaClusterPingSuccessCount per ClusterAlias (undefined: the series has no datapoint). */
  mskPing: Record<string, number | undefined>;
  s3Latency?: number;
  s3Pending?: number;
  s3Bytes?: number;
  s3Failed?: number;
  params: Record<string, Record<string, string>>;
  now: Date;
}

export function healthyWorld(now: Date): World {
  const params = (region: string) => ({
    [SETTINGS.mskClusterArnParameter]: `arn:aws:kafka:${region}:111111111111:cluster/dra-prod-msk/x`,
    [SETTINGS.activeRegionParameter]: WRITER,
  });
  return {
    mode: { [WRITER]: 'up', [STANDBY]: 'up' },
    serviceMode: {},
    rdsWriterStatus: 'available',
    rdsReplicaStatus: 'available',
    mskState: { [WRITER]: 'ACTIVE', [STANDBY]: 'ACTIVE' },
    warehouseStatus: 'AVAILABLE',
    clusterStatus: 'available',
    newestCopyAgeSeconds: 1800,
    rdsLag: 2,
    cacheLag: 0.5,
    cachePrimaryNode: 'dra-prod-cache-001',
    mskLatencyMs: 1500,
    mskMessageLag: [0, 0, 0],
    mskPing: { source: 1, target: 1 },
    s3Latency: 30,
    s3Pending: 4,
    s3Bytes: 1024,
    s3Failed: 0,
    params: { [WRITER]: params(WRITER), [STANDBY]: params(STANDBY) },
    now,
  };
}

const sdkError = (name: string, message: string, extra: Record<string, unknown>) =>
  Object.assign(new Error(message), { name, ...extra });

/** Errors shaped as the SDK v3 raises them (see lambda/readiness/outcome.ts). */
export const ERRORS = {
  // @smithy/node-http-handler renames ECONNREFUSED socket errors to TimeoutError, keeping `code`.
  refuse: (host: string) =>
    sdkError('TimeoutError', `connect ECONNREFUSED ${host}:443`, { code: 'ECONNREFUSED' }),
  dns: (host: string) => sdkError('Error', `getaddrinfo ENOTFOUND ${host}`, { code: 'ENOTFOUND' }),
  throttle: () =>
    sdkError('ThrottlingException', 'Rate exceeded', {
      $metadata: { httpStatusCode: 400 },
      $fault: 'client',
    }),
  '5xx': () =>
    sdkError('InternalFailure', 'We encountered an internal error', {
      $metadata: { httpStatusCode: 503 },
      $fault: 'server',
    }),
};

export function clientsIn(region: string): RegionClients {
  return {
    rds: new RDSClient({ region }),
    elasticache: new ElastiCacheClient({ region }),
    kafka: new KafkaClient({ region }),
    cloudwatch: new CloudWatchClient({ region }),
    redshift: new RedshiftServerlessClient({ region }),
    redshiftProvisioned: new RedshiftClient({ region }),
    emr: new EMRServerlessClient({ region }),
    glue: new GlueClient({ region }),
    athena: new AthenaClient({ region }),
    ssm: new SSMClient({ region }),
  };
}

/** The stubs of every client class the readiness function uses, typed by client. */
export interface Stubs {
  rds: AwsClientStub<RDSClient>;
  elasticache: AwsClientStub<ElastiCacheClient>;
  kafka: AwsClientStub<KafkaClient>;
  cloudwatch: AwsClientStub<CloudWatchClient>;
  redshift: AwsClientStub<RedshiftServerlessClient>;
  redshiftProvisioned: AwsClientStub<RedshiftClient>;
  emr: AwsClientStub<EMRServerlessClient>;
  glue: AwsClientStub<GlueClient>;
  athena: AwsClientStub<AthenaClient>;
  ssm: AwsClientStub<SSMClient>;
}

/** The region of the client a mocked `send` was called on. */
export const regionOfClient = (getClient: () => { config: unknown }): Promise<string> =>
  (getClient().config as { region: () => Promise<string> }).region();

/** Installs the fake; `world()` is read on every call, so tests change the world between evaluations. */
export function installFakeAws(world: () => World) {
  const stubs: Stubs = {
    rds: mockClient(RDSClient),
    elasticache: mockClient(ElastiCacheClient),
    kafka: mockClient(KafkaClient),
    cloudwatch: mockClient(CloudWatchClient),
    redshift: mockClient(RedshiftServerlessClient),
    redshiftProvisioned: mockClient(RedshiftClient),
    emr: mockClient(EMRServerlessClient),
    glue: mockClient(GlueClient),
    athena: mockClient(AthenaClient),
    ssm: mockClient(SSMClient),
  };
  const calls: { region: string; service: Service; command: string }[] = [];

  /** Applies the region's (or service's) failure mode, then answers from the world. */
  const gate =
    <I, O>(service: Service, command: string, answer: (region: string, input: I, w: World) => O) =>
    async (input: I, getClient: () => { config: unknown }): Promise<O> => {
      const region = await regionOfClient(getClient);
      calls.push({ region, service, command });
      const w = world();
      const mode = w.serviceMode[region]?.[service] ?? w.mode[region] ?? 'up';
      const host = `${service}.${region}.amazonaws.com`;
      if (mode === 'refuse') throw ERRORS.refuse(host);
      if (mode === 'dns') throw ERRORS.dns(host);
      if (mode === 'hang') return new Promise<O>(() => {});
      if (mode === 'throttle') throw ERRORS.throttle();
      if (mode === '5xx') throw ERRORS['5xx']();
      return answer(region, input, w);
    };
  const register = () => {
    stubs.rds.on(DescribeDBInstancesCommand).callsFake(
      gate('rds', 'DescribeDBInstancesCommand', (region, input: DescribeDBInstancesCommandInput, w) => {
        const id = input.DBInstanceIdentifier;
        if (region === WRITER && id === SETTINGS.database?.source)
          return {
            $metadata: {},
            DBInstances: [{ DBInstanceIdentifier: id, DBInstanceStatus: w.rdsWriterStatus }],
          } satisfies DescribeDBInstancesCommandOutput;
        if (region === STANDBY && id === SETTINGS.database?.replica)
          return {
            $metadata: {},
            DBInstances: [
              {
                DBInstanceIdentifier: id,
                DBInstanceStatus: w.rdsReplicaStatus,
                ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:${WRITER}:111111111111:db:${SETTINGS.database?.source}`,
              },
            ],
          } satisfies DescribeDBInstancesCommandOutput;
        throw new DBInstanceNotFoundFault({
          message: `DBInstance ${id} not found.`,
          $metadata: { httpStatusCode: 404 },
        });
      }),
    );
    stubs.elasticache.on(DescribeGlobalReplicationGroupsCommand).callsFake(
      gate(
        'elasticache',
        'DescribeGlobalReplicationGroupsCommand',
        () =>
          ({
            $metadata: {},
            GlobalReplicationGroups: [
              {
                GlobalReplicationGroupId: SETTINGS.globalDatastoreId,
                Status: 'available',
                Members: [
                  { Role: 'PRIMARY', ReplicationGroupRegion: WRITER, Status: 'associated' },
                  { Role: 'SECONDARY', ReplicationGroupRegion: STANDBY, Status: 'associated' },
                ],
              },
            ],
          }) satisfies DescribeGlobalReplicationGroupsCommandOutput,
      ),
    );
    stubs.elasticache.on(DescribeReplicationGroupsCommand).callsFake(
      gate(
        'elasticache',
        'DescribeReplicationGroupsCommand',
        (region) =>
          ({
            $metadata: {},
            ReplicationGroups: [
              {
                ReplicationGroupId: SETTINGS.cacheReplicationGroupId,
                Status: 'available',
                GlobalReplicationGroupInfo: {
                  GlobalReplicationGroupId: SETTINGS.globalDatastoreId,
                  GlobalReplicationGroupMemberRole: region === WRITER ? 'PRIMARY' : 'SECONDARY',
                },
              },
            ],
          }) satisfies DescribeReplicationGroupsCommandOutput,
      ),
    );
    stubs.ssm.on(GetParameterCommand).callsFake(
      gate('ssm', 'GetParameterCommand', (region, input: GetParameterCommandInput, w) => {
        const value = w.params[region]?.[input.Name ?? ''];
        if (value === undefined)
          throw new ParameterNotFound({ message: `${input.Name}`, $metadata: { httpStatusCode: 400 } });
        return {
          $metadata: {},
          Parameter: { Name: input.Name, Type: 'String', Value: value },
        } satisfies GetParameterCommandOutput;
      }),
    );
    stubs.ssm.on(PutParameterCommand).callsFake(
      gate('ssm', 'PutParameterCommand', (region, input: PutParameterCommandInput, w) => {
        w.params[region] = { ...w.params[region], [input.Name ?? '']: input.Value ?? '' };
        return { $metadata: {}, Version: 2, Tier: 'Standard' } satisfies PutParameterCommandOutput;
      }),
    );
    stubs.kafka.on(DescribeClusterV2Command).callsFake(
      gate(
        'kafka',
        'DescribeClusterV2Command',
        (region, _input, w) =>
          ({
            $metadata: {},
            ClusterInfo: { State: w.mskState[region], ClusterType: 'SERVERLESS' },
          }) satisfies DescribeClusterV2CommandOutput,
      ),
    );
    stubs.kafka.on(ListReplicatorsCommand).callsFake(
      gate(
        'kafka',
        'ListReplicatorsCommand',
        (region) =>
          ({
            $metadata: {},
            Replicators:
              region === STANDBY
                ? [{ ReplicatorName: SETTINGS.replicatorName, ReplicatorState: 'RUNNING' }]
                : [],
          }) satisfies ListReplicatorsCommandOutput,
      ),
    );
    stubs.cloudwatch.on(GetMetricDataCommand).callsFake(
      gate('cloudwatch', 'GetMetricDataCommand', (region, input: GetMetricDataCommandInput, w) => {
        const value = (q: MetricDataQuery): number[] | number | undefined => {
          const metric = q.MetricStat?.Metric;
          const [ns, name] = [metric?.Namespace, metric?.MetricName];
          const dim = (n: string) => metric?.Dimensions?.find((d) => d.Name === n)?.Value;
          // Each metric exists only in the region AWS publishes it (lambda/readiness/rpo.ts).
          if (region === STANDBY) {
            if (
              ns === 'AWS/RDS' &&
              name === 'ReplicaLag' &&
              dim('DBInstanceIdentifier') === SETTINGS.database?.replica
            )
              return w.rdsLag;
            if (
              ns === 'AWS/ElastiCache' &&
              name === 'GlobalDatastoreReplicationLag' &&
              dim('CacheClusterId') === w.cachePrimaryNode
            )
              return w.cacheLag;
            if (ns === 'AWS/Kafka' && dim('ReplicatorName') === SETTINGS.replicatorName) {
              if (name === 'ReplicationLatency') return w.mskLatencyMs;
              if (name === 'MessageLag') return w.mskMessageLag;
            }
            if (ns === 'AWS/S3' && dim('DestinationBucket') === 'dst') {
              if (name === 'ReplicationLatency') return w.s3Latency;
              if (name === 'OperationsPendingReplication') return w.s3Pending;
              if (name === 'BytesPendingReplication') return w.s3Bytes;
            }
          }
          if (region === WRITER && ns === 'AWS/S3' && name === 'OperationsFailedReplication')
            return w.s3Failed;
          return undefined;
        };
        const results: MetricDataResult[] = [];
        for (const q of input.MetricDataQueries ?? []) {
          if (q.Expression) {
            // The Replicator's ping SEARCH: one series per ClusterAlias, in the target (standby) region only.
            const match = /KafkaClusterPingSuccessCount" ReplicatorName="([^"]+)"/.exec(q.Expression);
            if (region === STANDBY && match?.[1] === SETTINGS.replicatorName)
              for (const [alias, v] of Object.entries(w.mskPing))
                results.push({
                  Id: q.Id,
                  Label: alias,
                  StatusCode: 'Complete',
                  Values: v === undefined ? [] : [v],
                  Timestamps: v === undefined ? [] : [w.now],
                });
            continue;
          }
          const v = value(q);
          const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
          results.push({
            Id: q.Id,
            Label: q.MetricStat?.Metric?.MetricName,
            StatusCode: 'Complete',
            Values: values,
            Timestamps: values.map((_, i) => new Date(w.now.getTime() - i * 60_000)),
          });
        }
        return {
          $metadata: {},
          MetricDataResults: results,
          Messages: [],
        } satisfies GetMetricDataCommandOutput;
      }),
    );
    stubs.redshift.on(GetWorkgroupCommand).callsFake(
      gate(
        'redshift',
        'GetWorkgroupCommand',
        (_region, _input, w) =>
          ({
            $metadata: {},
            workgroup: { workgroupName: SETTINGS.warehouse?.name, status: w.warehouseStatus },
          }) satisfies GetWorkgroupCommandOutput,
      ),
    );
    stubs.redshift.on(ListSnapshotsCommand).callsFake(
      gate(
        'redshift',
        'ListSnapshotsCommand',
        (region, _input, w) =>
          ({
            $metadata: {},
            snapshots:
              region === STANDBY && w.newestCopyAgeSeconds !== undefined
                ? [
                    {
                      namespaceName: SETTINGS.warehouse?.name,
                      status: 'AVAILABLE',
                      snapshotCreateTime: new Date(w.now.getTime() - w.newestCopyAgeSeconds * 1000),
                    },
                  ]
                : [],
          }) satisfies ListSnapshotsCommandOutput,
      ),
    );
    stubs.redshiftProvisioned.on(DescribeClustersCommand).callsFake(
      gate(
        'redshiftProvisioned',
        'DescribeClustersCommand',
        (_region, _input, w) =>
          ({
            $metadata: {},
            Clusters: [{ ClusterIdentifier: SETTINGS.warehouse?.name, ClusterStatus: w.clusterStatus }],
          }) satisfies DescribeClustersCommandOutput,
      ),
    );
    stubs.redshiftProvisioned.on(DescribeClusterSnapshotsCommand).callsFake(
      gate(
        'redshiftProvisioned',
        'DescribeClusterSnapshotsCommand',
        () =>
          ({
            $metadata: {},
            Snapshots: [],
          }) satisfies DescribeClusterSnapshotsCommandOutput,
      ),
    );
    stubs.emr.on(ListApplicationsCommand).callsFake(
      gate(
        'emr',
        'ListApplicationsCommand',
        () =>
          ({
            $metadata: {},
            applications: [
              {
                id: 'app',
                name: SETTINGS.emrApplicationName,
                arn: 'arn:aws:emr-serverless:us-east-1:111111111111:/applications/app',
                releaseLabel: 'emr-7.9.0',
                type: 'Spark',
                state: 'CREATED',
                createdAt: new Date('2026-01-01T00:00:00Z'),
                updatedAt: new Date('2026-01-01T00:00:00Z'),
              },
            ],
          }) satisfies ListApplicationsCommandOutput,
      ),
    );
    stubs.emr.on(GetApplicationCommand).callsFake(
      gate(
        'emr',
        'GetApplicationCommand',
        () =>
          ({
            $metadata: {},
            application: {
              applicationId: 'app',
              arn: 'arn:aws:emr-serverless:us-east-1:111111111111:/applications/app',
              type: 'Spark',
              state: 'CREATED',
              createdAt: new Date('2026-01-01T00:00:00Z'),
              updatedAt: new Date('2026-01-01T00:00:00Z'),
              releaseLabel: 'emr-7.9.0',
              architecture: 'ARM64',
              maximumCapacity: { cpu: '200 vCPU', memory: '800 GB' },
              networkConfiguration: { subnetIds: ['a', 'b', 'c'] },
            },
          }) satisfies GetApplicationCommandOutput,
      ),
    );
    stubs.glue.on(GetTablesCommand).callsFake(
      gate(
        'glue',
        'GetTablesCommand',
        () =>
          ({
            $metadata: {},
            TableList: [
              {
                Name: 'refined_sales',
                TableType: 'EXTERNAL_TABLE',
                StorageDescriptor: { Columns: [{ Name: 'id', Type: 'int' }] },
              },
            ],
          }) satisfies GetTablesCommandOutput,
      ),
    );
    stubs.athena.on(GetWorkGroupCommand).callsFake(
      gate(
        'athena',
        'GetWorkGroupCommand',
        () =>
          ({
            $metadata: {},
            WorkGroup: {
              Name: 'dra-prod-analysts',
              State: 'ENABLED',
              Configuration: { BytesScannedCutoffPerQuery: 100 },
            },
          }) satisfies GetWorkGroupCommandOutput,
      ),
    );
  };
  register();

  return {
    stubs,
    calls,
    /** Back to the default answers (after a test replaced some). */
    reset: () => {
      for (const s of Object.values(stubs)) s.reset();
      register();
    },
    restore: () => {
      for (const s of Object.values(stubs)) s.restore();
    },
  };
}
