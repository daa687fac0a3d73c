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
import { type CanaryObservation, judgeCanary } from './canary';
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
import type { StoreName } from './metrics';
import { attempt, type Outcome } from './outcome';
import type { NamedCheck } from './report';
import type { ReadinessSettings } from './settings';

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

/** A metric math or SEARCH expression; each time series it finds comes back under its id. */
interface ExpressionQuery {
  id: string;
  expression: string;
}

/**
 * Datapoints of the last five minutes, newest first, of every series each query returned
 * (a SEARCH expression returns one per matching metric, each under the query's id with
 * its own label: CloudWatch API reference, GetMetricData and MetricDataResult,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html).
 */
async function metricSeries(
  cw: CloudWatchClient,
  now: Date,
  queries: MetricQuery[],
  expressions: ExpressionQuery[] = [],
): Promise<Record<string, { label: string; values: number[] }[]>> {
  const MetricDataQueries: MetricDataQuery[] = [
    ...queries.map((q) => ({
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
    })),
    ...expressions.map((e) => ({ Id: e.id, Expression: e.expression })),
  ];
  const out = await cw.send(
    new GetMetricDataCommand({
      MetricDataQueries,
      StartTime: new Date(now.getTime() - 5 * 60_000),
      EndTime: now,
      ScanBy: 'TimestampDescending',
    }),
  );
  const series: Record<string, { label: string; values: number[] }[]> = {};
  for (const r of out.MetricDataResults ?? []) {
    const id = r.Id ?? '';
    const list = series[id] ?? [];
    list.push({ label: r.Label ?? id, values: r.Values ?? [] });
    series[id] = list;
  }
  return series;
}

/** Latest datapoint of each query in the last five minutes (undefined when there is none). */
async function latestMetric(
  cw: CloudWatchClient,
  now: Date,
  queries: MetricQuery[],
): Promise<Record<string, number | undefined>> {
  const series = await metricSeries(cw, now, queries);
  return Object.fromEntries(queries.map((q) => [q.id, series[q.id]?.[0]?.values[0]]));
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
  // Followed across pages: the application may be on any (EMR Serverless API reference,
  // ListApplications: nextToken, https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_ListApplications.html).
  let summary: { id?: string } | undefined;
  let token: string | undefined;
  do {
    const page = await emr.send(new ListApplicationsCommand({ nextToken: token }));
    summary = page.applications?.find((a) => a.name === name && a.state !== 'TERMINATED');
    token = summary ? undefined : page.nextToken;
  } while (token);
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
  namespace: string,
  since: Date,
): Promise<Date | undefined> {
  // Filtered by namespace and followed across pages: the newest copy may be on any page
  // (Redshift Serverless API reference, ListSnapshots: namespaceName, nextToken,
  // https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_ListSnapshots.html).
  let newest: number | undefined;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListSnapshotsCommand({
        namespaceName: namespace,
        startTime: since,
        maxResults: 100,
        nextToken: token,
      }),
    );
    for (const s of page.snapshots ?? []) {
      // Only finished copies count: one still COPYING cannot be restored yet.
      if (s.namespaceName === namespace && s.status === 'AVAILABLE' && s.snapshotCreateTime)
        newest = Math.max(newest ?? 0, s.snapshotCreateTime.getTime());
    }
    token = page.nextToken;
  } while (token);
  return newest === undefined ? undefined : new Date(newest);
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

/** Newest available snapshot of the cluster in this region that was copied from the source region. */
async function copiedClusterNewest(
  client: RedshiftClient,
  cluster: string,
  sourceRegion: string,
  since: Date,
): Promise<Date | undefined> {
  let newest: number | undefined;
  let marker: string | undefined;
  do {
    const page = await client.send(
      new DescribeClusterSnapshotsCommand({ ClusterIdentifier: cluster, StartTime: since, Marker: marker }),
    );
    for (const s of page.Snapshots ?? []) {
      if (s.Status === 'available' && s.SourceRegion === sourceRegion && s.SnapshotCreateTime)
        newest = Math.max(newest ?? 0, s.SnapshotCreateTime.getTime());
    }
    marker = page.Marker;
  } while (marker);
  return newest === undefined ? undefined : new Date(newest);
}

/**
 * Every KafkaClusterPingSuccessCount series of the Replicator, the minimum of each minute.
 * No metric schema (`{Namespace,Dim,...}`): AWS does not document the metric's full dimension
 * set, and a schema that names a wrong one finds nothing; the schema is optional and property
 * names (Namespace, MetricName, dimension names) filter exactly in the search term (CloudWatch
 * user guide, search-expression-syntax.html).
 */
export const pingSearch = (replicatorName: string): string =>
  `SEARCH('Namespace="AWS/Kafka" MetricName="KafkaClusterPingSuccessCount" ReplicatorName="${replicatorName}"', 'Minimum', 60)`;

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
  // Both canary states, read once per evaluation and shared by the store checks: the
  // writer's (did its writes go through) and the standby's (its measured lags).
  const canaryParameter = settings.canaryStateParameter;
  let canaryRead: Promise<CanaryObservation> | undefined;
  const canary = async (store: StoreName) => {
    if (!canaryParameter || !settings.canaryStores?.includes(store)) return undefined;
    canaryRead ??= Promise.all([
      w('canary state', () => parameter(writer.ssm, canaryParameter)),
      d('canary state', () => parameter(standby.ssm, canaryParameter)),
    ]).then(([writerState, standbyState]) => ({ writer: writerState, standby: standbyState }));
    return judgeCanary(store, await canaryRead, settings, now);
  };

  if (settings.database) {
    const { source, replica } = settings.database;
    checks.push({
      name: 'rds',
      run: async () => {
        const [writerStatus, replicaOut, lagOut, canaryJudgement] = await Promise.all([
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
          canary('rds'),
        ]);
        return evaluateRds(
          {
            writer: writerStatus,
            replica: replicaOut,
            lag: mapOutcome(lagOut, (m) => m.lag),
            canary: canaryJudgement,
          },
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
        const [globalOut, memberOut, lagOut, canaryJudgement] = await Promise.all([
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
          canary('elasticache'),
        ]);
        const worst = (m: Record<string, number | undefined>) => {
          const lags = settings.cacheNodeIds
            .map((_, i) => m[`lag${i}`])
            .filter((v): v is number => v !== undefined);
          return lags.length > 0 ? Math.max(...lags) : undefined;
        };
        return evaluateCache(
          { writer: globalOut, standby: memberOut, lag: mapOutcome(lagOut, worst), canary: canaryJudgement },
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
      const [writerState, standbyState, replicator, metrics, canaryJudgement] = await Promise.all([
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
          ? d('Replicator metrics', () =>
              metricSeries(
                standby.cloudwatch,
                now,
                [
                  {
                    id: 'latency',
                    namespace: 'AWS/Kafka',
                    metric: 'ReplicationLatency',
                    dimensions: { ReplicatorName: name },
                    stat: 'Maximum',
                  },
                  {
                    id: 'messageLag',
                    namespace: 'AWS/Kafka',
                    metric: 'MessageLag',
                    dimensions: { ReplicatorName: name },
                    stat: 'Maximum',
                  },
                ],
                // One series per ClusterAlias (source, target); the alias values are not documented,
                // so every series of this Replicator is found by a SEARCH (CloudWatch user guide,
                // "CloudWatch search expression syntax", search-expression-syntax.html).
                [{ id: 'ping', expression: pingSearch(name) }],
              ),
            )
          : undefined,
        canary('msk'),
      ]);
      return evaluateMsk(
        {
          writer: writerState,
          standbyCluster: standbyState,
          replicator,
          // Published in milliseconds (MSK developer guide, msk-replicator-metrics-ref).
          latency:
            metrics &&
            mapOutcome(metrics, (m) => {
              const v = m.latency?.[0]?.values[0];
              return v === undefined ? undefined : v / 1000;
            }),
          messageLag: metrics && mapOutcome(metrics, (m) => m.messageLag?.[0]?.values ?? []),
          ping:
            metrics &&
            mapOutcome(metrics, (m) => (m.ping ?? []).map((p) => ({ label: p.label, value: p.values[0] }))),
          canary: canaryJudgement,
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
        const [destination, failed, canaryJudgement] = await Promise.all([
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
          canary('s3'),
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
            canary: canaryJudgement,
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
              ? serverlessNewestCopy(standby.redshift, name, since)
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
