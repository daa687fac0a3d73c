import { type AthenaClient, GetWorkGroupCommand } from '@aws-sdk/client-athena';
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DescribeGlobalReplicationGroupsCommand, type ElastiCacheClient } from '@aws-sdk/client-elasticache';
import {
  type EMRServerlessClient,
  GetApplicationCommand,
  ListApplicationsCommand,
} from '@aws-sdk/client-emr-serverless';
import { GetTablesCommand, type GlueClient } from '@aws-sdk/client-glue';
import { DescribeClusterV2Command, type KafkaClient, ListReplicatorsCommand } from '@aws-sdk/client-kafka';
import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import {
  DescribeClusterSnapshotsCommand,
  DescribeClustersCommand,
  type RedshiftClient,
} from '@aws-sdk/client-redshift';
import {
  GetWorkgroupCommand,
  ListSnapshotsCommand,
  type RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  type CatalogShape,
  type EmrShape,
  evaluateActiveRegion,
  evaluateCache,
  evaluateCatalog,
  evaluateEmr,
  evaluateMsk,
  evaluateRds,
  evaluateRedshift,
  evaluateS3,
} from './evaluate';
import type { NamedCheck } from './report';
import type { Budgets } from './types';

/** What the readiness function knows about the environment (set by its construct, as JSON). */
export interface ReadinessSettings {
  readonly environment: string;
  readonly role: 'primary' | 'dr';
  readonly primaryRegion: string;
  readonly drRegion: string;
  /** RDS instance identifiers of the writer ("primary") and its replica ("dr"); they differ after a re-seed. */
  readonly database?: { readonly source: string; readonly replica: string };
  readonly globalDatastoreId?: string;
  /** Node whose GlobalDatastoreReplicationLag the cache check reads. */
  readonly cacheNodeId: string;
  readonly mskClusterArnParameter: string;
  readonly replicatorName?: string;
  readonly replication: readonly { sourceBucket: string; destinationBucket: string; ruleId: string }[];
  /** The warehouse whose snapshots must reach the standby: a Serverless namespace or a provisioned cluster. */
  readonly warehouse?: { readonly mode: 'serverless' | 'provisioned'; readonly name: string };
  readonly emrApplicationName: string;
  readonly databases: readonly string[];
  readonly workgroups: readonly string[];
  readonly activeRegionParameter: string;
  readonly budgets: Budgets;
  readonly checkTimeoutMs: number;
  readonly consecutiveFailuresToRecommend: number;
  readonly stateParameter: string;
}

export interface RegionClients {
  readonly rds: RDSClient;
  readonly elasticache: ElastiCacheClient;
  readonly kafka: KafkaClient;
  readonly cloudwatch: CloudWatchClient;
  readonly redshift: RedshiftServerlessClient;
  readonly redshiftProvisioned: RedshiftClient;
  readonly emr: EMRServerlessClient;
  readonly glue: GlueClient;
  readonly athena: AthenaClient;
  readonly ssm: SSMClient;
}

const notFound = (error: unknown, ...names: string[]) => error instanceof Error && names.includes(error.name);

async function latestMetric(
  cw: CloudWatchClient,
  now: Date,
  queries: {
    id: string;
    namespace: string;
    metric: string;
    dimensions: Record<string, string>;
    stat: string;
  }[],
): Promise<Record<string, number | undefined>> {
  const MetricDataQueries: MetricDataQuery[] = queries.map((q) => ({
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metric,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 60,
      Stat: q.stat,
    },
  }));
  const out = await cw.send(
    new GetMetricDataCommand({
      MetricDataQueries,
      StartTime: new Date(now.getTime() - 5 * 60_000),
      EndTime: now,
      ScanBy: 'TimestampDescending',
    }),
  );
  return Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id ?? '', r.Values?.[0]]));
}

async function parameter(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if (notFound(error, 'ParameterNotFound')) return undefined;
    throw error;
  }
}

async function dbInstance(rds: RDSClient, id: string) {
  try {
    return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
  } catch (error) {
    if (notFound(error, 'DBInstanceNotFoundFault')) return undefined;
    throw error;
  }
}

async function emrShape(emr: EMRServerlessClient, name: string): Promise<EmrShape | undefined> {
  const list = await emr.send(new ListApplicationsCommand({}));
  const summary = list.applications?.find((a) => a.name === name && a.state !== 'TERMINATED');
  if (!summary?.id) return undefined;
  const app = (await emr.send(new GetApplicationCommand({ applicationId: summary.id }))).application;
  if (!app) return undefined;
  return {
    releaseLabel: app.releaseLabel ?? '',
    architecture: app.architecture ?? '',
    maximumCapacity: JSON.stringify(app.maximumCapacity ?? {}),
    subnetCount: app.networkConfiguration?.subnetIds?.length ?? 0,
  };
}

/** Tables and workgroups reduced to signatures that ignore what legitimately differs by region. */
async function catalogShape(c: RegionClients, settings: ReadinessSettings): Promise<CatalogShape> {
  const tables: Record<string, string> = {};
  for (const database of settings.databases) {
    let token: string | undefined;
    do {
      const page = await c.glue.send(new GetTablesCommand({ DatabaseName: database, NextToken: token }));
      for (const t of page.TableList ?? []) {
        const sd = t.StorageDescriptor;
        tables[`${database}.${t.Name}`] = JSON.stringify({
          type: t.TableType,
          columns: sd?.Columns?.map((col) => [col.Name, col.Type]),
          serde: sd?.SerdeInfo?.SerializationLibrary,
          input: sd?.InputFormat,
          view: t.ViewOriginalText,
        });
      }
      token = page.NextToken;
    } while (token);
  }
  const workgroups: Record<string, string> = {};
  for (const name of settings.workgroups) {
    const wg = (await c.athena.send(new GetWorkGroupCommand({ WorkGroup: name }))).WorkGroup;
    const conf = wg?.Configuration;
    workgroups[name] = JSON.stringify({
      state: wg?.State,
      enforce: conf?.EnforceWorkGroupConfiguration,
      cutoff: conf?.BytesScannedCutoffPerQuery,
      engine: conf?.EngineVersion?.SelectedEngineVersion,
      metrics: conf?.PublishCloudWatchMetricsEnabled,
      encryption: conf?.ResultConfiguration?.EncryptionConfiguration?.EncryptionOption,
    });
  }
  return { tables, workgroups };
}

async function serverlessSnapshotTimes(
  client: RedshiftServerlessClient,
  namespace: string,
  since: Date,
): Promise<number[]> {
  const out = await client.send(new ListSnapshotsCommand({ startTime: since, maxResults: 100 }));
  return (
    (out.snapshots ?? [])
      // Only finished copies count: one still COPYING cannot be restored yet.
      .filter((s) => s.namespaceName === namespace && s.status === 'AVAILABLE' && s.snapshotCreateTime)
      .map((s) => (s.snapshotCreateTime as Date).getTime())
  );
}

async function workgroupStatus(client: RedshiftServerlessClient, name: string): Promise<string> {
  try {
    return (
      (await client.send(new GetWorkgroupCommand({ workgroupName: name }))).workgroup?.status ?? 'missing'
    );
  } catch (error) {
    if (notFound(error, 'ResourceNotFoundException')) return 'missing';
    throw error;
  }
}

async function clusterStatus(client: RedshiftClient, name: string): Promise<string> {
  try {
    return (
      (await client.send(new DescribeClustersCommand({ ClusterIdentifier: name }))).Clusters?.[0]
        ?.ClusterStatus ?? 'missing'
    );
  } catch (error) {
    if (notFound(error, 'ClusterNotFoundFault', 'ClusterNotFound')) return 'missing';
    throw error;
  }
}

/** Available snapshots of the cluster in this region that were copied from the source region. */
async function copiedClusterSnapshotTimes(
  client: RedshiftClient,
  cluster: string,
  sourceRegion: string,
  since: Date,
): Promise<number[]> {
  const times: number[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(
      new DescribeClusterSnapshotsCommand({ ClusterIdentifier: cluster, StartTime: since, Marker: marker }),
    );
    for (const s of page.Snapshots ?? []) {
      if (s.Status === 'available' && s.SourceRegion === sourceRegion && s.SnapshotCreateTime)
        times.push(s.SnapshotCreateTime.getTime());
    }
    marker = page.Marker;
  } while (marker);
  return times;
}

/** The checks of one evaluation; `primary` and `dr` are clients bound to each region. */
export function buildChecks(
  settings: ReadinessSettings,
  primary: RegionClients,
  dr: RegionClients,
  now: Date,
): NamedCheck[] {
  const b = settings.budgets;
  const checks: NamedCheck[] = [];

  if (settings.database) {
    const { source: sourceId, replica: id } = settings.database;
    checks.push({
      name: 'rds',
      run: async () => {
        const [source, replica, lag] = await Promise.all([
          dbInstance(primary.rds, sourceId),
          dbInstance(dr.rds, id),
          latestMetric(dr.cloudwatch, now, [
            {
              id: 'lag',
              namespace: 'AWS/RDS',
              metric: 'ReplicaLag',
              dimensions: { DBInstanceIdentifier: id },
              stat: 'Maximum',
            },
          ]),
        ]);
        return evaluateRds(
          {
            sourceStatus: source?.DBInstanceStatus ?? 'missing',
            replica: replica && {
              status: replica.DBInstanceStatus ?? 'unknown',
              source: replica.ReadReplicaSourceDBInstanceIdentifier,
            },
            lagSeconds: lag.lag,
          },
          b,
        );
      },
    });
  }

  if (settings.globalDatastoreId) {
    const gid = settings.globalDatastoreId;
    checks.push({
      name: 'elasticache',
      run: async () => {
        const [groups, lag] = await Promise.all([
          primary.elasticache
            .send(
              new DescribeGlobalReplicationGroupsCommand({
                GlobalReplicationGroupId: gid,
                ShowMemberInfo: true,
              }),
            )
            .catch((error) => {
              if (notFound(error, 'GlobalReplicationGroupNotFoundFault'))
                return { GlobalReplicationGroups: [] };
              throw error;
            }),
          latestMetric(dr.cloudwatch, now, [
            {
              id: 'lag',
              namespace: 'AWS/ElastiCache',
              metric: 'GlobalDatastoreReplicationLag',
              dimensions: { CacheClusterId: settings.cacheNodeId },
              stat: 'Maximum',
            },
          ]),
        ]);
        const group = groups.GlobalReplicationGroups?.[0];
        return evaluateCache(
          {
            globalStatus: group?.Status,
            members: (group?.Members ?? []).map((m) => ({
              role: m.Role ?? '',
              region: m.ReplicationGroupRegion ?? '',
              status: m.Status ?? '',
            })),
            lagSeconds: lag.lag,
          },
          b,
        );
      },
    });
  }

  checks.push({
    name: 'msk',
    run: async () => {
      const state = async (c: RegionClients) => {
        const arn = await parameter(c.ssm, settings.mskClusterArnParameter);
        if (!arn) return undefined;
        return (await c.kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }))).ClusterInfo?.State;
      };
      const [primaryState, drState] = await Promise.all([state(primary), state(dr)]);
      let replicatorState: string | undefined;
      let latencySeconds: number | undefined;
      if (settings.replicatorName) {
        const list = await dr.kafka.send(
          new ListReplicatorsCommand({ ReplicatorNameFilter: settings.replicatorName }),
        );
        replicatorState = list.Replicators?.find(
          (r) => r.ReplicatorName === settings.replicatorName,
        )?.ReplicatorState;
        const m = await latestMetric(dr.cloudwatch, now, [
          {
            id: 'latency',
            namespace: 'AWS/Kafka',
            metric: 'ReplicationLatency',
            dimensions: { ReplicatorName: settings.replicatorName },
            stat: 'Maximum',
          },
        ]);
        latencySeconds = m.latency === undefined ? undefined : m.latency / 1000;
      }
      return evaluateMsk(
        {
          primaryState,
          drState,
          replicatorState,
          replicatorConfigured: !!settings.replicatorName,
          latencySeconds,
        },
        b,
      );
    },
  });

  if (settings.replication.length > 0) {
    checks.push({
      name: 's3',
      run: async () => {
        const queries = settings.replication.flatMap((r, i) => {
          const dimensions = {
            SourceBucket: r.sourceBucket,
            DestinationBucket: r.destinationBucket,
            RuleId: r.ruleId,
          };
          return [
            {
              id: `latency${i}`,
              namespace: 'AWS/S3',
              metric: 'ReplicationLatency',
              dimensions,
              stat: 'Maximum',
            },
            {
              id: `pending${i}`,
              namespace: 'AWS/S3',
              metric: 'OperationsPendingReplication',
              dimensions,
              stat: 'Maximum',
            },
            {
              id: `bytes${i}`,
              namespace: 'AWS/S3',
              metric: 'BytesPendingReplication',
              dimensions,
              stat: 'Maximum',
            },
            {
              id: `failed${i}`,
              namespace: 'AWS/S3',
              metric: 'OperationsFailedReplication',
              dimensions,
              stat: 'Sum',
            },
          ];
        });
        const m = await latestMetric(primary.cloudwatch, now, queries);
        const values = (prefix: string) =>
          settings.replication.map((_, i) => m[`${prefix}${i}`]).filter((v): v is number => v !== undefined);
        const max = (xs: number[]) => (xs.length > 0 ? Math.max(...xs) : undefined);
        const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
        return evaluateS3(
          {
            latencySeconds: max(values('latency')),
            pendingOperations: sum(values('pending')),
            pendingBytes: sum(values('bytes')),
            failedOperations: sum(values('failed')),
          },
          b,
        );
      },
    });
  }

  if (settings.warehouse) {
    const { mode, name } = settings.warehouse;
    const since = new Date(now.getTime() - 7 * 86_400_000);
    checks.push({
      name: 'redshift',
      run: async () => {
        const [times, writerStatus] = await Promise.all(
          mode === 'serverless'
            ? [serverlessSnapshotTimes(dr.redshift, name, since), workgroupStatus(primary.redshift, name)]
            : [
                copiedClusterSnapshotTimes(dr.redshiftProvisioned, name, settings.primaryRegion, since),
                clusterStatus(primary.redshiftProvisioned, name),
              ],
        );
        return evaluateRedshift(
          {
            newestCopiedSnapshot: times.length > 0 ? new Date(Math.max(...times)) : undefined,
            now,
            writerStatus,
          },
          b,
        );
      },
    });
  }

  checks.push({
    name: 'emr',
    run: async () => {
      const [p, d] = await Promise.all([
        emrShape(primary.emr, settings.emrApplicationName),
        emrShape(dr.emr, settings.emrApplicationName),
      ]);
      return evaluateEmr({ primary: p, dr: d });
    },
  });

  checks.push({
    name: 'catalog',
    run: async () => {
      const [p, d] = await Promise.all([catalogShape(primary, settings), catalogShape(dr, settings)]);
      return evaluateCatalog({ primary: p, dr: d });
    },
  });

  checks.push({
    name: 'active-region',
    run: async () => {
      const [p, d] = await Promise.all([
        parameter(primary.ssm, settings.activeRegionParameter).catch(() => undefined),
        parameter(dr.ssm, settings.activeRegionParameter).catch(() => undefined),
      ]);
      return evaluateActiveRegion({ primaryValue: p, drValue: d });
    },
  });

  return checks;
}
