import { AthenaClient, GetWorkGroupCommand } from '@aws-sdk/client-athena';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import {
  EMRServerlessClient,
  GetApplicationCommand,
  ListApplicationsCommand,
} from '@aws-sdk/client-emr-serverless';
import { GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { DescribeClusterV2Command, KafkaClient, ListReplicatorsCommand } from '@aws-sdk/client-kafka';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  DescribeClusterSnapshotsCommand,
  DescribeClustersCommand,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
import {
  GetWorkgroupCommand,
  ListSnapshotsCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
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
  mskState: Record<string, string>;
  warehouseStatus: string;
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

const CLASSES = {
  rds: RDSClient,
  elasticache: ElastiCacheClient,
  kafka: KafkaClient,
  cloudwatch: CloudWatchClient,
  redshift: RedshiftServerlessClient,
  redshiftProvisioned: RedshiftClient,
  emr: EMRServerlessClient,
  glue: GlueClient,
  athena: AthenaClient,
  ssm: SSMClient,
};

export function clientsIn(region: string): RegionClients {
  return Object.fromEntries(
    Object.entries(CLASSES).map(([k, C]) => [
      k,
      new (C as new (c: { region: string }) => unknown)({ region }),
    ]),
  ) as unknown as RegionClients;
}

/** Installs the fake; `world()` is read on every call, so tests change the world between evaluations. */
export function installFakeAws(world: () => World) {
  const stubs = Object.fromEntries(
    Object.entries(CLASSES).map(([k, C]) => [k, mockClient(C as never)]),
  ) as Record<Service, AwsClientStub<any>>;
  const calls: { region: string; service: Service; command: string }[] = [];

  const on = (
    service: Service,
    command: unknown,
    answer: (region: string, input: any, w: World) => unknown,
  ) => {
    (stubs[service] as any).on(command).callsFake(async (input: any, getClient: () => any) => {
      const region: string = await getClient().config.region();
      calls.push({ region, service, command: (command as { name: string }).name });
      const w = world();
      const mode = w.serviceMode[region]?.[service] ?? w.mode[region] ?? 'up';
      const host = `${service}.${region}.amazonaws.com`;
      if (mode === 'refuse') throw ERRORS.refuse(host);
      if (mode === 'dns') throw ERRORS.dns(host);
      if (mode === 'hang') return new Promise(() => {});
      if (mode === 'throttle') throw ERRORS.throttle();
      if (mode === '5xx') throw ERRORS['5xx']();
      return answer(region, input, w);
    });
  };
  const register = () => {
    const notFound = (name: string) => sdkError(name, `${name}`, { $metadata: { httpStatusCode: 404 } });

    on('rds', DescribeDBInstancesCommand, (region, input, w) => {
      const id = input.DBInstanceIdentifier;
      if (region === WRITER && id === SETTINGS.database?.source)
        return { DBInstances: [{ DBInstanceStatus: w.rdsWriterStatus }] };
      if (region === STANDBY && id === SETTINGS.database?.replica)
        return {
          DBInstances: [
            {
              DBInstanceStatus: w.rdsReplicaStatus,
              ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:${WRITER}:111111111111:db:${SETTINGS.database?.source}`,
            },
          ],
        };
      throw notFound('DBInstanceNotFoundFault');
    });
    on('elasticache', DescribeGlobalReplicationGroupsCommand, () => ({
      GlobalReplicationGroups: [
        {
          Status: 'available',
          Members: [
            { Role: 'PRIMARY', ReplicationGroupRegion: WRITER, Status: 'associated' },
            { Role: 'SECONDARY', ReplicationGroupRegion: STANDBY, Status: 'associated' },
          ],
        },
      ],
    }));
    on('elasticache', DescribeReplicationGroupsCommand, (region) => ({
      ReplicationGroups: [
        {
          Status: 'available',
          GlobalReplicationGroupInfo: {
            GlobalReplicationGroupId: SETTINGS.globalDatastoreId,
            GlobalReplicationGroupMemberRole: region === WRITER ? 'PRIMARY' : 'SECONDARY',
          },
        },
      ],
    }));
    on('ssm', GetParameterCommand, (region, input, w) => {
      const value = w.params[region]?.[input.Name];
      if (value === undefined) throw notFound('ParameterNotFound');
      return { Parameter: { Value: value } };
    });
    on('ssm', PutParameterCommand, (region, input, w) => {
      w.params[region] = { ...w.params[region], [input.Name]: input.Value };
      return {};
    });
    on('kafka', DescribeClusterV2Command, (region, _input, w) => ({
      ClusterInfo: { State: w.mskState[region] },
    }));
    on('kafka', ListReplicatorsCommand, (region) => ({
      Replicators:
        region === STANDBY ? [{ ReplicatorName: SETTINGS.replicatorName, ReplicatorState: 'RUNNING' }] : [],
    }));
    on('cloudwatch', GetMetricDataCommand, (region, input, w) => {
      const value = (q: any): number[] | number | undefined => {
        const { Namespace: ns, MetricName: name, Dimensions: dims } = q.MetricStat.Metric;
        const dim = (n: string) => dims.find((d: any) => d.Name === n)?.Value;
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
        if (region === WRITER && ns === 'AWS/S3' && name === 'OperationsFailedReplication') return w.s3Failed;
        return undefined;
      };
      const results: MetricDataResult[] = [];
      for (const q of input.MetricDataQueries) {
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
          Label: q.MetricStat.Metric.MetricName,
          StatusCode: 'Complete',
          Values: values,
          Timestamps: values.map((_, i) => new Date(w.now.getTime() - i * 60_000)),
        });
      }
      return { $metadata: {}, MetricDataResults: results, Messages: [] } satisfies GetMetricDataCommandOutput;
    });
    on('redshift', GetWorkgroupCommand, (_region, _input, w) => ({
      workgroup: { status: w.warehouseStatus },
    }));
    on('redshift', ListSnapshotsCommand, (region, _input, w) => ({
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
    }));
    on('redshiftProvisioned', DescribeClustersCommand, () => ({
      Clusters: [{ ClusterStatus: 'available' }],
    }));
    on('redshiftProvisioned', DescribeClusterSnapshotsCommand, () => ({ Snapshots: [] }));
    on('emr', ListApplicationsCommand, () => ({
      applications: [{ id: 'app', name: SETTINGS.emrApplicationName, state: 'CREATED' }],
    }));
    on('emr', GetApplicationCommand, () => ({
      application: {
        releaseLabel: 'emr-7.9.0',
        architecture: 'ARM64',
        maximumCapacity: { cpu: '200 vCPU', memory: '800 GB' },
        networkConfiguration: { subnetIds: ['a', 'b', 'c'] },
      },
    }));
    on('glue', GetTablesCommand, () => ({
      TableList: [
        {
          Name: 'refined_sales',
          TableType: 'EXTERNAL_TABLE',
          StorageDescriptor: { Columns: [{ Name: 'id', Type: 'int' }] },
        },
      ],
    }));
    on('athena', GetWorkGroupCommand, () => ({
      WorkGroup: {
        Name: 'dra-prod-analysts',
        State: 'ENABLED',
        Configuration: { BytesScannedCutoffPerQuery: 100 },
      },
    }));
  };
  register();

  return {
    stubs,
    calls,
    /** Back to the default answers (after a test replaced some). */
    reset: () => {
      for (const s of Object.values(stubs)) (s as any).reset();
      register();
    },
    restore: () => {
      for (const s of Object.values(stubs)) (s as any).restore();
    },
  };
}
