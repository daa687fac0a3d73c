import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { GlueClient } from '@aws-sdk/client-glue';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { RDSClient } from '@aws-sdk/client-rds';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { EnvironmentConfig } from '../../../config';
import { regionOf, resourceName } from '../../../config/naming';
import { standbyRole, writerRole } from '../../../config/topology';
import type { CanaryState } from '../../../lambda/canary/state';
import type { RegionClients } from '../../../lambda/readiness/checks';
import type { ReadinessReport } from '../../../lambda/readiness/report';
import { replicatedStores } from '../../../lambda/readiness/rpo';
import type { ReadinessSettings } from '../../../lambda/readiness/settings';
import { readinessSettings } from '../../../lib/constructs/readiness';
import { answeredByWorld } from './sdk-world';
import type { FakeWorld } from './world';

/**
 * The real readiness handler (lambda/readiness/handler.ts, its `evaluate`) as
 * the world's `{env}-readiness` function in both regions, its SDK v3 calls
 * answered by the world (sdk-world.ts) and checked against the AWS models, so
 * that the runbooks' gates read reports made from the world's state, not
 * canned ones (issue 21).
 *
 * The world also gets what the function reads that a runbook scenario does
 * not seed (the MSK clusters and their ARN parameters, the Glue databases and
 * Athena workgroups, the decision-state parameter with each store's last known
 * lag as the scheduled runs before the scenario left it), and a model of the
 * replication metrics AWS publishes, driven by `lags`:
 * - RDS `ReplicaLag` (standby region, the replica's identifier) while the
 *   instance is a read replica; while the writer's region is out it grows by
 *   the outage's length (PostgreSQL's ReplicaLag is now() minus the last
 *   replayed transaction: RDS user guide, USER_PostgreSQL.Replication.ReadReplicas.Monitor);
 * - ElastiCache `GlobalDatastoreReplicationLag` (standby, each node of its
 *   group) while that group is a Global Datastore secondary;
 * - MSK `ReplicationLatency` (standby, the Replicator, milliseconds) while a
 *   RUNNING Replicator of that name is there;
 * - S3 `ReplicationLatency`, `OperationsPendingReplication`,
 *   `BytesPendingReplication` (destination region) and
 *   `OperationsFailedReplication` (source region) for every enabled rule of
 *   the buckets' replication configurations, with the rule's own ID
 *   (S3 user guide, repl-metrics).
 * What AWS publishes for ElastiCache, MSK and S3 while the writer's region is
 * dark is not documented: the model publishes nothing for them then (the gate
 * falls back to each store's last known lag, kept by the scheduled runs).
 */
export interface Lags {
  rds: number | null;
  elasticache: number | null;
  msk: number | null;
  s3: number | null;
}

export const HEALTHY_LAGS: Lags = { rds: 2, elasticache: 0.4, msk: 3, s3: 30 };

export interface ReadinessInWorld {
  /** The lag each store's metric shows now, in seconds (null: no datapoint); change it to steer a scenario. */
  readonly lags: Lags;
  /** The function's settings in each region, as its construct derives them from config. */
  readonly settings: Record<string, ReadinessSettings>;
  /** A scheduled run in `region` (EventBridge, every minute): evaluates and advances the decision state. */
  scheduled(region: string): Promise<ReadinessReport>;
}

/** Powertools Metrics stand-in: the handler's EMF lines would print to stdout (the metrics are tested elsewhere). */
const quietMetrics = {
  singleMetric: () => ({ addDimensions: () => undefined, addMetric: () => undefined }),
} as unknown as Metrics;
const quietLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
} as unknown as Logger;

/**
 * The world of the evaluation under way: the SDK clients are built once per region for a test
 * file (building twenty per scenario cost more than the evaluation) and each call finds its
 * evaluation's world here, however evaluations interleave.
 */
const evaluating = new AsyncLocalStorage<FakeWorld>();
const currentWorld = () => {
  const world = evaluating.getStore();
  if (!world) throw new Error('A readiness client was called outside an evaluation in the fake world.');
  return world;
};
const sharedClients = new Map<string, RegionClients>();

function clientsIn(region: string, caller: string, timeoutMs: number): RegionClients {
  const key = `${region}|${caller}|${timeoutMs}`;
  const known = sharedClients.get(key);
  if (known) return known;
  const via = <C extends Parameters<typeof answeredByWorld>[0]>(client: C, service: string) =>
    answeredByWorld(client, currentWorld, {
      service,
      region,
      caller,
      connectionTimeoutMs: Math.min(timeoutMs, 3000),
    });
  const clients: RegionClients = {
    rds: via(new RDSClient({ region }), 'rds'),
    elasticache: via(new ElastiCacheClient({ region }), 'elasticache'),
    kafka: via(new KafkaClient({ region }), 'kafka'),
    cloudwatch: via(new CloudWatchClient({ region }), 'cloudwatch'),
    redshift: via(new RedshiftServerlessClient({ region }), 'redshift-serverless'),
    redshiftProvisioned: via(new RedshiftClient({ region }), 'redshift'),
    emr: via(new EMRServerlessClient({ region }), 'emr-serverless'),
    glue: via(new GlueClient({ region }), 'glue'),
    athena: via(new AthenaClient({ region }), 'athena'),
    ssm: via(new SSMClient({ region }), 'ssm'),
  };
  sharedClients.set(key, clients);
  return clients;
}

export function realReadiness(
  world: FakeWorld,
  config: EnvironmentConfig,
  options: { lags?: Partial<Lags> } = {},
): ReadinessInWorld {
  const writer = regionOf(config, writerRole(config));
  const standby = regionOf(config, standbyRole(config));
  const name = resourceName(config, 'readiness');
  const lags: Lags = { ...HEALTHY_LAGS, ...options.lags };
  const settings: Record<string, ReadinessSettings> = {
    [writer]: readinessSettings(config, writerRole(config)),
    [standby]: readinessSettings(config, standbyRole(config)),
  };
  const s = settings[standby];

  seedWhatReadinessReads(world, config, s, [writer, standby], lags);
  publishReplicationMetrics(world, s, lags);

  const evaluations: Record<string, (event: unknown) => Promise<ReadinessReport>> = {};
  for (const region of [writer, standby]) {
    const own = settings[region];
    evaluations[region] = async (event) => {
      runCanaries(world, s, lags);
      // Loaded on first use: the handler brings every SDK client it uses and Powertools.
      const { evaluate, evaluateOptions } = await import('../../../lambda/readiness/handler');
      const primary = clientsIn(own.primaryRegion, name, own.checkTimeoutMs);
      const dr = clientsIn(own.drRegion, name, own.checkTimeoutMs);
      return evaluating.run(world, () =>
        evaluate(
          {
            settings: own,
            primary,
            dr,
            local: region === own.primaryRegion ? primary : dr,
            region,
            now: () => world.now(),
            logger: quietLogger,
            metrics: quietMetrics,
          },
          evaluateOptions(event),
        ),
      );
    };
    world.lambda.register(region, name, (event) => evaluations[region](event));
  }
  return { lags, settings, scheduled: (region) => evaluations[region]({}) };
}

function seedWhatReadinessReads(
  world: FakeWorld,
  config: EnvironmentConfig,
  s: ReadinessSettings,
  regions: string[],
  lags: Lags,
): void {
  for (const region of regions) {
    if (world.ssm.value(region, s.mskClusterArnParameter) === undefined) {
      const cluster = world.kafka.addCluster(region, { ClusterName: resourceName(config, 'msk') });
      world.ssm.put(region, s.mskClusterArnParameter, cluster.ClusterArn);
    }
    // As the scheduled runs (every minute) before the scenario left it: each store's lag known.
    if (world.ssm.value(region, s.stateParameter) === undefined) {
      const at = world.now().toISOString();
      const lastKnownLag = Object.fromEntries(
        replicatedStores(s).flatMap((store) =>
          lags[store] === null ? [] : [[store, { lagSeconds: lags[store], at }]],
        ),
      );
      world.ssm.put(
        region,
        s.stateParameter,
        JSON.stringify({ consecutivePrimaryFailures: 0, lastEvaluatedAt: at, lastKnownLag }),
      );
    }
    for (const database of s.databases)
      if (!world.glue.database(region, database)) world.glue.addDatabase(region, database);
    for (const workgroup of s.workgroups)
      if (!world.athena.workGroup(region, workgroup))
        world.athena.addWorkGroup(region, {
          Name: workgroup,
          Configuration: { EnforceWorkGroupConfiguration: true, PublishCloudWatchMetricsEnabled: true },
        });
  }
}

/**
 * The canary functions' last runs (lib/constructs/canary.ts, every minute in both regions), as
 * they leave their state parameters: the writer's wrote every store it canaries; the standby's
 * read the newest canary that reached it, as old as the store's lag, or, with the writer's region
 * dark, as old as the outage plus that lag (nothing newer is written). A region in an outage runs
 * nothing, so its parameter keeps its last run (and the evaluation cannot read it anyway).
 */
function runCanaries(world: FakeWorld, s: ReadinessSettings, lags: Lags): void {
  const parameter = s.canaryStateParameter;
  const stores = s.canaryStores ?? [];
  if (!parameter || stores.length === 0) return;
  const writer = s.primaryRegion;
  const standby = s.drRegion;
  const now = world.now();
  const at = now.toISOString();
  if (world.outageOf(writer) === undefined) {
    const state: CanaryState = {
      side: 'writer',
      region: writer,
      ranAt: at,
      stores: Object.fromEntries(stores.map((store) => [store, { outcome: 'ok', at }])),
    };
    world.ssm.put(writer, parameter, JSON.stringify(state));
  }
  if (world.outageOf(standby) === undefined) {
    const since = world.outageSince(writer);
    const state: CanaryState = {
      side: 'standby',
      region: standby,
      ranAt: at,
      stores: Object.fromEntries(
        stores.map((store) => {
          const lag = lags[store];
          if (lag === null) return [store, { outcome: 'missing', at, detail: 'no canary has reached it' }];
          const newest = (since === undefined ? now.getTime() / 1000 : since) - lag;
          return [
            store,
            {
              outcome: 'ok',
              at,
              newestWrittenAt: new Date(newest * 1000).toISOString(),
              lagSeconds: now.getTime() / 1000 - newest,
            },
          ];
        }),
      ),
    };
    world.ssm.put(standby, parameter, JSON.stringify(state));
  }
}

function publishReplicationMetrics(world: FakeWorld, s: ReadinessSettings, lags: Lags): void {
  const writer = s.primaryRegion;
  const standby = s.drRegion;
  const writerUp = () => world.outageOf(writer) === undefined;
  const at = (value: number | null) => (value === null ? undefined : value);

  if (s.database) {
    const replica = s.database.replica;
    world.cloudwatch.set(
      standby,
      {
        Namespace: 'AWS/RDS',
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: replica }],
      },
      (time) => {
        const instance = world.rds.get(standby, replica);
        if (!instance?.ReadReplicaSourceDBInstanceIdentifier || lags.rds === null) return undefined;
        const since = world.outageSince(writer);
        return since === undefined ? lags.rds : lags.rds + Math.max(0, time.getTime() / 1000 - since);
      },
    );
  }
  if (s.globalDatastoreId) {
    for (const node of s.cacheNodeIds)
      world.cloudwatch.set(
        standby,
        {
          Namespace: 'AWS/ElastiCache',
          MetricName: 'GlobalDatastoreReplicationLag',
          Dimensions: [{ Name: 'CacheClusterId', Value: node }],
        },
        () => {
          const group = world.elasticache.replicationGroup(standby, s.cacheReplicationGroupId);
          // The model gives the role no casing; AWS publishes the lag for the secondary, however spelt.
          const role = group?.GlobalReplicationGroupInfo?.GlobalReplicationGroupMemberRole ?? '';
          const secondary = role.toUpperCase() === 'SECONDARY';
          return secondary && writerUp() ? at(lags.elasticache) : undefined;
        },
      );
  }
  if (s.replicatorName) {
    const replicatorName = s.replicatorName;
    world.cloudwatch.set(
      standby,
      {
        Namespace: 'AWS/Kafka',
        MetricName: 'ReplicationLatency',
        Dimensions: [{ Name: 'ReplicatorName', Value: replicatorName }],
      },
      () => {
        const running = world.kafka
          .replicators(standby)
          .some((r) => r.ReplicatorName === replicatorName && r.ReplicatorState === 'RUNNING');
        return running && writerUp() && lags.msk !== null ? lags.msk * 1000 : undefined;
      },
    );
    const running = () =>
      world.kafka
        .replicators(standby)
        .some((r) => r.ReplicatorName === replicatorName && r.ReplicatorState === 'RUNNING');
    // MessageLag (messages behind the source) and KafkaClusterPingSuccessCount per ClusterAlias
    // (1 while the connection is healthy), both in the target region (MSK developer guide,
    // msk-replicator-monitor.html). With the writer's region dark the model publishes neither.
    world.cloudwatch.set(
      standby,
      {
        Namespace: 'AWS/Kafka',
        MetricName: 'MessageLag',
        Dimensions: [{ Name: 'ReplicatorName', Value: replicatorName }],
      },
      () => (running() && writerUp() ? 0 : undefined),
    );
    for (const alias of ['source', 'target'])
      world.cloudwatch.set(
        standby,
        {
          Namespace: 'AWS/Kafka',
          MetricName: 'KafkaClusterPingSuccessCount',
          Dimensions: [
            { Name: 'ClusterAlias', Value: alias },
            { Name: 'ReplicatorName', Value: replicatorName },
          ],
        },
        () => (running() && writerUp() ? 1 : undefined),
      );
  }
  for (const { bucket, region, replication } of world.s3.buckets()) {
    for (const rule of replication?.Rules ?? []) {
      const destination = (rule.Destination?.Bucket ?? '').replace(/^arn:aws[a-z-]*:s3:::/, '');
      const home = world.s3.regionOf(destination);
      if (!rule.ID || !home) continue;
      const ruleId = rule.ID;
      const dims = [
        { Name: 'SourceBucket', Value: bucket },
        { Name: 'DestinationBucket', Value: destination },
        { Name: 'RuleId', Value: ruleId },
      ];
      const enabled = () =>
        world.s3.replication(bucket)?.Rules?.some((r) => r.ID === ruleId && r.Status === 'Enabled') ===
          true && world.outageOf(region) === undefined;
      const metric = (MetricName: string) => ({ Namespace: 'AWS/S3', MetricName, Dimensions: dims });
      world.cloudwatch.set(home, metric('ReplicationLatency'), () => (enabled() ? at(lags.s3) : undefined));
      world.cloudwatch.set(home, metric('OperationsPendingReplication'), () => (enabled() ? 0 : undefined));
      world.cloudwatch.set(home, metric('BytesPendingReplication'), () => (enabled() ? 0 : undefined));
      world.cloudwatch.set(region, metric('OperationsFailedReplication'), () => (enabled() ? 0 : undefined));
    }
  }
}
