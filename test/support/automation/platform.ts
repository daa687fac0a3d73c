import type { EnvironmentConfig } from '../../../config';
import {
  activeRegionParameterName,
  bucketName,
  cacheReplicationGroupId,
  databaseInstanceIdentifier,
  globalDatastoreId,
  regionOf,
  resourceName,
  warehouseName,
} from '../../../config/naming';
import { GLOBAL_DATASTORE_PREFIXES } from '../../../config/regions';
import { standbyRole, writerRole } from '../../../config/topology';
import { REPLICATED_PURPOSES } from '../../../lib/constructs/data-lake-buckets';
import { type ReadinessInWorld, realReadiness } from './readiness';
import { FakeWorld, type WorldSettings } from './world';

/** PostgreSQL as the control function (contract B) sees it, per region. */
export interface PostgresState {
  inRecovery: boolean;
  readOnly: boolean;
  /** WAL position as a byte count; written as "0/XXXXXXXX". */
  lsn: number;
  /** Replica only: replay paused (pg_wal_replay_pause) or behind; the replica does not advance. */
  replayPaused: boolean;
  markers: string[];
}

export interface PlatformWorld {
  readonly world: FakeWorld;
  readonly writer: string;
  readonly standby: string;
  /** Per region; a replica's lsn follows the writer's unless replayPaused. */
  readonly postgres: Record<string, PostgresState>;
  /** The real readiness function in both regions; its `lags` steer the replication metrics it reads. */
  readonly readiness: ReadinessInWorld;
}

const lsnText = (n: number) => `0/${n.toString(16).toUpperCase()}`;
const lsnValue = (text: string) => {
  const [hi, lo] = text.split('/');
  return Number.parseInt(hi, 16) * 2 ** 32 + Number.parseInt(lo, 16);
};

/**
 * A FakeWorld holding one environment's platform as deployed at its current
 * failover generation: the writer region with the database, cache primary,
 * started Spark application with the two streaming runs and the active-region
 * record; the standby with the read replica, cache secondary, idle warehouse
 * with snapshots copied from the writer, stopped Spark application. The
 * readiness, job submission and PostgreSQL control functions (contracts A and
 * B) answer in both regions from this state.
 */
export function platformWorld(
  config: EnvironmentConfig,
  settings: Partial<WorldSettings> = {},
): PlatformWorld {
  const world = new FakeWorld({ ...settings, accountId: config.account });
  const writer = regionOf(config, writerRole(config));
  const standby = regionOf(config, standbyRole(config));
  const account = config.account;
  const db = (role: 'primary' | 'dr') => databaseInstanceIdentifier(config, role);

  world.rds.add(writer, { DBInstanceIdentifier: db(writerRole(config)), MultiAZ: config.rds.multiAz });
  if (config.rds.crossRegionReplica) {
    world.rds.add(standby, {
      DBInstanceIdentifier: db(standbyRole(config)),
      ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:${writer}:${account}:db:${db(writerRole(config))}`,
    });
  }
  const cache = cacheReplicationGroupId(config);
  if (config.elasticache.globalDatastore) {
    world.elasticache.addGlobal({
      GlobalReplicationGroupId: globalDatastoreId(config, GLOBAL_DATASTORE_PREFIXES),
      Members: [
        { ReplicationGroupId: cache, ReplicationGroupRegion: writer, Role: 'PRIMARY', Status: 'associated' },
        {
          ReplicationGroupId: cache,
          ReplicationGroupRegion: standby,
          Role: 'SECONDARY',
          Status: 'associated',
        },
      ],
    });
  } else {
    for (const region of [writer, standby])
      world.elasticache.addReplicationGroup(region, { ReplicationGroupId: cache });
  }
  const warehouse = warehouseName(config);
  const writerNamespaceArn = `arn:aws:redshift-serverless:${writer}:${account}:namespace/writer-namespace`;
  if (config.redshift.mode === 'serverless') {
    world.redshiftServerless.addNamespace(writer, {
      namespaceName: warehouse,
      namespaceArn: writerNamespaceArn,
    });
    world.redshiftServerless.addNamespace(standby, { namespaceName: warehouse });
    for (const region of [writer, standby])
      world.redshiftServerless.addWorkgroup(region, { workgroupName: warehouse });
    for (let hour = 0; hour < 3; hour++) {
      world.redshiftServerless.addSnapshot(standby, {
        snapshotName: `copied-${warehouse}-${hour}`,
        namespaceName: warehouse,
        namespaceArn: writerNamespaceArn,
        snapshotCreateTime: new Date(world.now().getTime() - (3 - hour) * 3600_000),
      });
    }
  } else {
    for (const region of [writer, standby]) {
      world.redshift.addCluster(region, {
        ClusterIdentifier: warehouse,
        ClusterSubnetGroupName: `${warehouse}-subnets`,
        VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }],
        ClusterParameterGroups: [{ ParameterGroupName: `${warehouse}-params` }],
        IamRoles: [],
        NodeType: 'ra3.xlplus',
        NumberOfNodes: 2,
      });
    }
    world.redshift.addSnapshot(standby, {
      SnapshotIdentifier: `copy:${warehouse}-1`,
      ClusterIdentifier: warehouse,
      SnapshotCreateTime: new Date(world.now().getTime() - 3600_000),
      SourceRegion: writer,
    });
  }
  for (const region of [writer, standby]) world.ssm.put(region, activeRegionParameterName(config), writer);

  const spark = resourceName(config, 'spark');
  const apps: Record<string, string> = {
    [writer]: world.emrServerless.addApplication(writer, { name: spark, state: 'STARTED' }),
    [standby]: world.emrServerless.addApplication(standby, { name: spark, state: 'STOPPED' }),
  };
  for (const job of ['04-stream-sales-to-kafka', '05-streaming-kafka']) {
    world.emrServerless.addJobRun(writer, { applicationId: apps[writer], name: job, state: 'RUNNING' });
  }
  for (const purpose of REPLICATED_PURPOSES) {
    world.s3.addBucket(writer, bucketName(config, writerRole(config), purpose), {
      Role: `arn:aws:iam::${account}:role/replication`,
      Rules: [
        {
          // The rule ID the replication construct gives (lib/constructs/bucket-replication.ts).
          ID: `to-${standbyRole(config)}-${standby}`,
          Status: 'Enabled',
          Destination: { Bucket: `arn:aws:s3:::${bucketName(config, standbyRole(config), purpose)}` },
        },
      ],
    });
    world.s3.addBucket(standby, bucketName(config, standbyRole(config), purpose));
  }
  if (config.msk.replicator) {
    world.kafka.addReplicator(standby, {
      ReplicatorName: resourceName(config, 'msk-replicator'),
      sourceRegion: writer,
      clusterName: resourceName(config, 'msk'),
    });
  }

  const postgres: Record<string, PostgresState> = {
    [writer]: { inRecovery: false, readOnly: false, lsn: 0x3000060, replayPaused: false, markers: [] },
    [standby]: { inRecovery: true, readOnly: false, lsn: 0x3000060, replayPaused: false, markers: [] },
  };
  const platform: PlatformWorld = {
    world,
    writer,
    standby,
    postgres,
    readiness: realReadiness(world, config),
  };
  const other = (region: string) => (region === writer ? standby : writer);
  // A replica replays the writer's WAL unless paused; promotion ends recovery.
  const sync = (region: string) => {
    const pg = postgres[region];
    const instance = world.rds.get(region, db(region === writer ? writerRole(config) : standbyRole(config)));
    if (pg.inRecovery && instance && !instance.ReadReplicaSourceDBInstanceIdentifier) pg.inRecovery = false;
    if (pg.inRecovery && !pg.replayPaused) {
      pg.lsn = postgres[other(region)].lsn;
      pg.markers = [...postgres[other(region)].markers];
    }
    return pg;
  };

  for (const region of [writer, standby]) {
    world.lambda.register(region, resourceName(config, 'submit-job'), async (event) => {
      const request = event as { job?: string; idempotencyKey?: string };
      const existing = world.emrServerless
        .jobRuns(region)
        .find((r) => request.idempotencyKey !== undefined && r.idempotencyKey === request.idempotencyKey);
      const jobRunId =
        existing?.id ??
        world.emrServerless.addJobRun(region, {
          applicationId: apps[region],
          name: request.job,
          state: 'SUBMITTED',
          idempotencyKey: request.idempotencyKey,
        });
      return { ok: true, jobRunId, applicationId: apps[region], region, job: request.job };
    });
    world.lambda.register(region, resourceName(config, 'postgres-control'), (event) => {
      const request = event as { action?: string; targetLsn?: string; markerId?: string };
      const pg = sync(region);
      switch (request.action) {
        case 'status':
          return { ok: true, inRecovery: pg.inRecovery, readOnly: pg.readOnly, lsn: lsnText(pg.lsn) };
        case 'fence': {
          if (pg.inRecovery)
            return { ok: false, error: `The database in ${region} is a replica; fence the writer.` };
          pg.readOnly = true;
          const markerId = world.nextId('marker-');
          pg.markers.push(markerId);
          pg.lsn += 0x60;
          return { ok: true, fenced: true, markerId, lsn: lsnText(pg.lsn) };
        }
        case 'unfence':
          pg.readOnly = false;
          return { ok: true, inRecovery: pg.inRecovery, readOnly: false, lsn: lsnText(pg.lsn) };
        case 'catchUp': {
          const target = lsnValue(String(request.targetLsn ?? '0/0'));
          return {
            ok: true,
            caughtUp: pg.lsn >= target,
            replayLsn: lsnText(pg.lsn),
            targetLsn: lsnText(target),
            bytesBehind: Math.max(0, target - pg.lsn),
            markerSeen: request.markerId !== undefined && pg.markers.includes(request.markerId),
            replayPaused: pg.replayPaused,
          };
        }
        default:
          return {
            ok: false,
            error: `Unknown action ${JSON.stringify(request.action)}; use status, fence, catchUp or unfence.`,
          };
      }
    });
  }
  return platform;
}
