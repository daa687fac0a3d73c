import { type AthenaClient, GetWorkGroupCommand } from '@aws-sdk/client-athena';
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import {
  type EMRServerlessClient,
  GetApplicationCommand,
  ListApplicationsCommand,
} from '@aws-sdk/client-emr-serverless';
import { GetTablesCommand, type GlueClient } from '@aws-sdk/client-glue';
import { DescribeClusterV2Command, type KafkaClient, ListReplicatorsCommand } from '@aws-sdk/client-kafka';
import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import {
  type Snapshot as ClusterSnapshot,
  DescribeClusterSnapshotsCommand,
  DescribeClustersCommand,
  type RedshiftClient,
} from '@aws-sdk/client-redshift';
import {
  GetWorkgroupCommand,
  ListSnapshotsCommand,
  type RedshiftServerlessClient,
  type Snapshot,
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
import { attempt, type Outcome } from './outcome';
import type { NamedCheck } from './report';
import type { ReadinessSettings } from './settings';
import { newestRestorableCopy } from './snapshot-choice';

export type { ReadinessSettings } from './settings';

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

const notFound = (error: unknown, ...names: string[]) =>
  typeof error === 'object' && error !== null && names.includes((error as { name?: string }).name ?? '');

interface MetricQuery {
  id: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  stat: string;
}

/** Latest datapoint of each query in the last five minutes (undefined when there is none). */
async function latestMetric(
  cw: CloudWatchClient,
  now: Date,
  queries: MetricQuery[],
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

async function serverlessNewestCopy(
  client: RedshiftServerlessClient,
  warehouse: { name: string; writerRegion: string },
  since: Date,
): Promise<Date | undefined> {
  // Every page (Redshift Serverless API reference, ListSnapshots: nextToken,
  // https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_ListSnapshots.html),
  // not filtered by namespace name on the server: which snapshots count is the shared rule
  // the restore uses (snapshot-choice.ts), not a filter no page describes for copies.
  const snapshots: Snapshot[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListSnapshotsCommand({ startTime: since, maxResults: 100, nextToken: token }),
    );
    snapshots.push(...(page.snapshots ?? []));
    token = page.nextToken;
  } while (token);
  return newestRestorableCopy('serverless', snapshots, warehouse)?.snapshotCreateTime;
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

/** Newest snapshot of the cluster in this region copied from the writer's, by the shared rule (snapshot-choice.ts). */
async function copiedClusterNewest(
  client: RedshiftClient,
  cluster: string,
  writerRegion: string,
  since: Date,
): Promise<Date | undefined> {
  const snapshots: ClusterSnapshot[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(
      new DescribeClusterSnapshotsCommand({ ClusterIdentifier: cluster, StartTime: since, Marker: marker }),
    );
    snapshots.push(...(page.Snapshots ?? []));
    marker = page.Marker;
  } while (marker);
  return newestRestorableCopy('provisioned', snapshots, { name: cluster, writerRegion })?.SnapshotCreateTime;
}

const mapOutcome = <T, U>(o: Outcome<T>, f: (v: T) => U): Outcome<U> =>
  o.ok ? { ok: true, value: f(o.value) } : o;

/**
 * The checks of one evaluation; `writer` and `standby` are clients bound to
 * each region. Within a check, the writer's calls and the standby's calls are
 * separate groups, run concurrently, each with `checkTimeoutMs`; one group
 * failing never loses the other's readings.
 */
export function buildChecks(
  settings: ReadinessSettings,
  writer: RegionClients,
  standby: RegionClients,
  now: Date,
): NamedCheck[] {
  const t = settings.checkTimeoutMs;
  const w = <T>(what: string, run: () => Promise<T>) => attempt(run, t, `${what} (writer)`);
  const d = <T>(what: string, run: () => Promise<T>) => attempt(run, t, `${what} (standby)`);
  const checks: NamedCheck[] = [];

  if (settings.database) {
    const { source, replica } = settings.database;
    checks.push({
      name: 'rds',
      run: async () => {
        const [writerStatus, replicaOut, lagOut] = await Promise.all([
          w(
            'DescribeDBInstances',
            async () => (await dbInstance(writer.rds, source))?.DBInstanceStatus ?? undefined,
          ),
          d('DescribeDBInstances', async () => {
            const r = await dbInstance(standby.rds, replica);
            return (
              r && {
                status: r.DBInstanceStatus ?? 'unknown',
                source: r.ReadReplicaSourceDBInstanceIdentifier,
              }
            );
          }),
          d('ReplicaLag', () =>
            latestMetric(standby.cloudwatch, now, [
              {
                id: 'lag',
                namespace: 'AWS/RDS',
                metric: 'ReplicaLag',
                dimensions: { DBInstanceIdentifier: replica },
                stat: 'Maximum',
              },
            ]),
          ),
        ]);
        return evaluateRds(
          { writer: writerStatus, replica: replicaOut, lag: mapOutcome(lagOut, (m) => m.lag) },
          settings,
        );
      },
    });
  }

  if (settings.globalDatastoreId) {
    const gid = settings.globalDatastoreId;
    const groupId = settings.cacheReplicationGroupId;
    checks.push({
      name: 'elasticache',
      run: async () => {
        const [globalOut, memberOut, lagOut] = await Promise.all([
          w('DescribeGlobalReplicationGroups', async () => {
            try {
              const g = (
                await writer.elasticache.send(
                  new DescribeGlobalReplicationGroupsCommand({
                    GlobalReplicationGroupId: gid,
                    ShowMemberInfo: true,
                  }),
                )
              ).GlobalReplicationGroups?.[0];
              return (
                g && {
                  status: g.Status,
                  primaryMember: g.Members?.find((m) => m.Role === 'PRIMARY')?.Status,
                }
              );
            } catch (error) {
              if (notFound(error, 'GlobalReplicationGroupNotFoundFault')) return undefined;
              throw error;
            }
          }),
          d('DescribeReplicationGroups', async () => {
            try {
              const g = (
                await standby.elasticache.send(
                  new DescribeReplicationGroupsCommand({ ReplicationGroupId: groupId }),
                )
              ).ReplicationGroups?.[0];
              return (
                g && {
                  status: g.Status,
                  role: g.GlobalReplicationGroupInfo?.GlobalReplicationGroupMemberRole,
                }
              );
            } catch (error) {
              if (notFound(error, 'ReplicationGroupNotFoundFault')) return undefined;
              throw error;
            }
          }),
          // Published for the secondary region's primary node (ElastiCache user guide, "Metrics
          // for Valkey and Redis OSS", CacheMetrics.Redis.html), which moves on an in-region
          // failover: every node is read and the worst lag kept.
          d('GlobalDatastoreReplicationLag', () =>
            latestMetric(
              standby.cloudwatch,
              now,
              settings.cacheNodeIds.map((node, i) => ({
                id: `lag${i}`,
                namespace: 'AWS/ElastiCache',
                metric: 'GlobalDatastoreReplicationLag',
                dimensions: { CacheClusterId: node },
                stat: 'Maximum',
              })),
            ),
          ),
        ]);
        const worst = (m: Record<string, number | undefined>) => {
          const lags = settings.cacheNodeIds
            .map((_, i) => m[`lag${i}`])
            .filter((v): v is number => v !== undefined);
          return lags.length > 0 ? Math.max(...lags) : undefined;
        };
        return evaluateCache(
          { writer: globalOut, standby: memberOut, lag: mapOutcome(lagOut, worst) },
          settings,
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
      const name = settings.replicatorName;
      const [writerState, standbyState, replicator, latency] = await Promise.all([
        w('DescribeClusterV2', () => state(writer)),
        d('DescribeClusterV2', () => state(standby)),
        name
          ? d('ListReplicators', async () => {
              const list = await standby.kafka.send(
                new ListReplicatorsCommand({ ReplicatorNameFilter: name }),
              );
              return list.Replicators?.find((r) => r.ReplicatorName === name)?.ReplicatorState;
            })
          : undefined,
        name
          ? d('ReplicationLatency', () =>
              latestMetric(standby.cloudwatch, now, [
                {
                  id: 'latency',
                  namespace: 'AWS/Kafka',
                  metric: 'ReplicationLatency',
                  dimensions: { ReplicatorName: name },
                  stat: 'Maximum',
                },
              ]),
            )
          : undefined,
      ]);
      return evaluateMsk(
        {
          writer: writerState,
          standbyCluster: standbyState,
          replicator,
          // Published in milliseconds (MSK developer guide, msk-replicator-metrics-ref).
          latency:
            latency && mapOutcome(latency, (m) => (m.latency === undefined ? undefined : m.latency / 1000)),
        },
        settings,
      );
    },
  });

  if (settings.replication.length > 0) {
    const rules = settings.replication;
    const query = (metric: string, stat: string) =>
      rules.map((r, i) => ({
        id: `${metric.charAt(0).toLowerCase()}${metric.slice(1)}${i}`,
        namespace: 'AWS/S3',
        metric,
        dimensions: {
          SourceBucket: r.sourceBucket,
          DestinationBucket: r.destinationBucket,
          RuleId: r.ruleId,
        },
        stat,
      }));
    const at = (m: Record<string, number | undefined>, metric: string, i: number) =>
      m[`${metric.charAt(0).toLowerCase()}${metric.slice(1)}${i}`];
    const values = (m: Record<string, number | undefined>, metric: string) =>
      rules.map((_, i) => at(m, metric, i)).filter((v): v is number => v !== undefined);
    const total = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, x) => a + x, 0) : undefined);
    /** Every rule's value, or undefined when any rule has no datapoint (a missing one is never 0). */
    const everyRule = (xs: (number | undefined)[]) =>
      xs.every((x): x is number => x !== undefined) ? xs : undefined;
    checks.push({
      name: 's3',
      run: async () => {
        // Latency and pending: the destination's region; failures: the source's (S3 user guide,
        // "Using S3 Replication metrics").
        const [destination, failed] = await Promise.all([
          d('S3 replication metrics', () =>
            latestMetric(standby.cloudwatch, now, [
              ...query('ReplicationLatency', 'Maximum'),
              ...query('OperationsPendingReplication', 'Maximum'),
              ...query('BytesPendingReplication', 'Maximum'),
            ]),
          ),
          w('OperationsFailedReplication', () =>
            latestMetric(writer.cloudwatch, now, query('OperationsFailedReplication', 'Sum')),
          ),
        ]);
        return evaluateS3(
          {
            destination: mapOutcome(destination, (m) => {
              // Per rule: its latency, or 0 when it reports nothing pending (RTC publishes
              // latency only while objects replicate); a rule with neither is unknown.
              const perRule = rules.map((_, i) => {
                const latency = at(m, 'ReplicationLatency', i);
                return latency ?? (at(m, 'OperationsPendingReplication', i) === 0 ? 0 : undefined);
              });
              const lags = everyRule(perRule);
              const pending = everyRule(rules.map((_, i) => at(m, 'OperationsPendingReplication', i)));
              const bytes = everyRule(rules.map((_, i) => at(m, 'BytesPendingReplication', i)));
              return {
                latencySeconds: lags && Math.max(...lags),
                pendingOperations: pending && total(pending),
                pendingBytes: bytes && total(bytes),
                rulesWithoutData: perRule.filter((v) => v === undefined).length,
              };
            }),
            failedOperations: mapOutcome(failed, (m) => total(values(m, 'OperationsFailedReplication'))),
          },
          settings,
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
        const [writerStatus, newestCopy] = await Promise.all([
          w('warehouse status', () =>
            mode === 'serverless'
              ? workgroupStatus(writer.redshift, name)
              : clusterStatus(writer.redshiftProvisioned, name),
          ),
          d('copied snapshots', () =>
            mode === 'serverless'
              ? serverlessNewestCopy(standby.redshift, { name, writerRegion: settings.primaryRegion }, since)
              : copiedClusterNewest(standby.redshiftProvisioned, name, settings.primaryRegion, since),
          ),
        ]);
        return evaluateRedshift({ writer: writerStatus, newestCopy, now }, settings);
      },
    });
  }

  checks.push({
    name: 'emr',
    run: async () => {
      const [p, s] = await Promise.all([
        w('EMR Serverless application', () => emrShape(writer.emr, settings.emrApplicationName)),
        d('EMR Serverless application', () => emrShape(standby.emr, settings.emrApplicationName)),
      ]);
      return evaluateEmr({ writer: p, standby: s }, settings);
    },
  });

  checks.push({
    name: 'catalog',
    run: async () => {
      const [p, s] = await Promise.all([
        w('catalog', () => catalogShape(writer, settings)),
        d('catalog', () => catalogShape(standby, settings)),
      ]);
      return evaluateCatalog({ writer: p, standby: s }, settings);
    },
  });

  checks.push({
    name: 'active-region',
    run: async () => {
      const [p, s] = await Promise.all([
        w('active-region parameter', () => parameter(writer.ssm, settings.activeRegionParameter)),
        d('active-region parameter', () => parameter(standby.ssm, settings.activeRegionParameter)),
      ]);
      return evaluateActiveRegion({ writer: p, standby: s }, settings);
    },
  });

  return checks;
}
