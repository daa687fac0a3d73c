import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { AthenaClient, GetWorkGroupCommand } from '@aws-sdk/client-athena';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeGlobalReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
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
import { buildChecks, type ReadinessSettings, type RegionClients } from '../../lambda/readiness/checks';
import { decide, INITIAL_STATE } from '../../lambda/readiness/decide';
import { evaluate } from '../../lambda/readiness/handler';
import { buildReport, runChecks } from '../../lambda/readiness/report';
import type { CheckResult } from '../../lambda/readiness/types';

const NOW = new Date('2026-11-24T12:00:00Z');
const SETTINGS: ReadinessSettings = {
  environment: 'prod',
  role: 'dr',
  primaryRegion: 'us-east-1',
  drRegion: 'us-west-2',
  database: { source: 'dra-prod-postgres', replica: 'dra-prod-postgres' },
  globalDatastoreId: 'ldgnf-dra-prod-cache',
  cacheNodeId: 'dra-prod-cache-001',
  mskClusterArnParameter: '/dra/prod/msk/cluster-arn',
  replicatorName: 'dra-prod-msk-replicator',
  replication: [{ sourceBucket: 'src', destinationBucket: 'dst', ruleId: 'to-dr' }],
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
  checkTimeoutMs: 2000,
  consecutiveFailuresToRecommend: 3,
  stateParameter: '/dra/prod/readiness/state',
};

/**
 * Two regions need two sets of clients; aws-sdk-client-mock patches a class for
 * every instance, so each mock answers by the client's region.
 */
const mocks = {
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
const clients = (region: string): RegionClients => ({
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
});
const primary = clients('us-east-1');
const dr = clients('us-west-2');

/** Answers per region: the mocked `send` receives the client as `this`. */
function byRegion<T>(
  stub: AwsClientStub<any>,
  command: any,
  answer: (region: string, input: any) => T | Promise<T>,
) {
  stub
    .on(command)
    .callsFake(async (input: any, getClient: () => any) => answer(await getClient().config.region(), input));
}

/** A fully healthy world; tests then break one thing. */
function healthyWorld(overrides: { metrics?: Record<string, number | undefined> } = {}) {
  for (const m of Object.values(mocks)) m.reset();
  const metric: Record<string, number | undefined> = {
    lag: 2,
    latency: 1500,
    latency0: 30,
    pending0: 0,
    bytes0: 0,
    failed0: 0,
    ...overrides.metrics,
  };
  mocks.cloudwatch.on(GetMetricDataCommand).callsFake(async (input) => ({
    MetricDataResults: input.MetricDataQueries.map((q: { Id: string }) => ({
      Id: q.Id,
      Values: metric[q.Id] === undefined ? [] : [metric[q.Id]],
    })),
  }));
  byRegion(mocks.rds, DescribeDBInstancesCommand, (region) => ({
    DBInstances: [
      region === 'us-east-1'
        ? { DBInstanceStatus: 'available' }
        : {
            DBInstanceStatus: 'available',
            ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:dra-prod-postgres',
          },
    ],
  }));
  mocks.elasticache.on(DescribeGlobalReplicationGroupsCommand).resolves({
    GlobalReplicationGroups: [
      {
        Status: 'available',
        Members: [
          { Role: 'PRIMARY', ReplicationGroupRegion: 'us-east-1', Status: 'associated' },
          { Role: 'SECONDARY', ReplicationGroupRegion: 'us-west-2', Status: 'associated' },
        ],
      },
    ],
  });
  byRegion(mocks.ssm, GetParameterCommand, (region, input) => {
    if (input.Name === SETTINGS.mskClusterArnParameter)
      return { Parameter: { Value: `arn:aws:kafka:${region}:111111111111:cluster/dra-prod-msk/x` } };
    if (input.Name === SETTINGS.activeRegionParameter) return { Parameter: { Value: 'us-east-1' } };
    const error = new Error('not found');
    error.name = 'ParameterNotFound';
    throw error;
  });
  mocks.ssm.on(PutParameterCommand).resolves({});
  mocks.kafka.on(DescribeClusterV2Command).resolves({ ClusterInfo: { State: 'ACTIVE' } });
  mocks.kafka
    .on(ListReplicatorsCommand)
    .resolves({ Replicators: [{ ReplicatorName: 'dra-prod-msk-replicator', ReplicatorState: 'RUNNING' }] });
  mocks.redshift.on(ListSnapshotsCommand).resolves({
    snapshots: [
      {
        namespaceName: 'dra-prod-warehouse',
        status: 'AVAILABLE',
        snapshotCreateTime: new Date(NOW.getTime() - 1800_000),
      },
    ],
  });
  mocks.redshift.on(GetWorkgroupCommand).resolves({ workgroup: { status: 'AVAILABLE' } as any });
  mocks.redshiftProvisioned
    .on(DescribeClustersCommand)
    .resolves({ Clusters: [{ ClusterStatus: 'available' }] });
  mocks.emr
    .on(ListApplicationsCommand)
    .resolves({ applications: [{ id: 'app', name: 'dra-prod-spark', state: 'CREATED' } as any] });
  mocks.emr.on(GetApplicationCommand).resolves({
    application: {
      releaseLabel: 'emr-7.9.0',
      architecture: 'ARM64',
      maximumCapacity: { cpu: '200 vCPU', memory: '800 GB' },
      networkConfiguration: { subnetIds: ['a', 'b', 'c'] },
    } as any,
  });
  mocks.glue.on(GetTablesCommand).resolves({
    TableList: [
      {
        Name: 'refined_tickit_public_sales',
        TableType: 'EXTERNAL_TABLE',
        StorageDescriptor: { Columns: [{ Name: 'salesid', Type: 'int' }] },
      },
    ],
  });
  mocks.athena.on(GetWorkGroupCommand).resolves({
    WorkGroup: {
      Name: 'dra-prod-analysts',
      State: 'ENABLED',
      Configuration: { BytesScannedCutoffPerQuery: 100 },
    },
  });
}

const run = async (settings: ReadinessSettings = SETTINGS) => {
  const results = await runChecks(buildChecks(settings, primary, dr, NOW), settings.checkTimeoutMs);
  return Object.fromEntries(results.map((r) => [r.name, r])) as Record<string, CheckResult>;
};
const throwing = (name: string) => Object.assign(new Error(`${name} happened`), { name });

afterAll(() => {
  for (const m of Object.values(mocks)) m.restore();
});

describe('readiness checks: healthy, degraded, failed, unknown', () => {
  it('reports every check healthy in a healthy world, with measured values and thresholds', async () => {
    healthyWorld();
    const r = await run();
    expect(
      Object.values(r)
        .map((c) => `${c.name}:${c.status}`)
        .sort(),
    ).toEqual(
      ['active-region', 'catalog', 'elasticache', 'emr', 'msk', 'rds', 'redshift', 's3'].map(
        (n) => `${n}:healthy`,
      ),
    );
    expect(r.rds).toMatchObject({ value: 2, threshold: 60, unit: 'Seconds' });
    expect(r.msk).toMatchObject({ value: 1.5 });
    expect(r.redshift).toMatchObject({ value: 1800, threshold: 7200 });
  });

  describe('RDS', () => {
    it('is degraded when replica lag exceeds the budget', async () => {
      healthyWorld({ metrics: { lag: 120 } });
      expect((await run()).rds).toMatchObject({ status: 'degraded', value: 120 });
    });
    it('is failed when the replica is missing, and counts against the primary when the source is down', async () => {
      healthyWorld();
      byRegion(mocks.rds, DescribeDBInstancesCommand, (region) => {
        if (region === 'us-west-2') throw throwing('DBInstanceNotFoundFault');
        return { DBInstances: [{ DBInstanceStatus: 'available' }] };
      });
      expect((await run()).rds).toMatchObject({ status: 'failed', detail: 'DR read replica does not exist' });
      byRegion(mocks.rds, DescribeDBInstancesCommand, () => ({
        DBInstances: [{ DBInstanceStatus: 'storage-full' }],
      }));
      expect((await run()).rds).toMatchObject({
        status: 'failed',
        primaryFault: true,
        detail: 'primary instance is storage-full',
      });
    });
    it('after a re-seed, looks up the writer and the replica under their own identifiers', async () => {
      healthyWorld();
      const reseeded = {
        ...SETTINGS,
        database: { source: 'dra-prod-postgres', replica: 'dra-prod-postgres-g1' },
      };
      byRegion(mocks.rds, DescribeDBInstancesCommand, (region, input) => {
        if (region === 'us-east-1' && input.DBInstanceIdentifier === 'dra-prod-postgres')
          return { DBInstances: [{ DBInstanceStatus: 'available' }] };
        if (region === 'us-west-2' && input.DBInstanceIdentifier === 'dra-prod-postgres-g1')
          return {
            DBInstances: [
              {
                DBInstanceStatus: 'available',
                ReadReplicaSourceDBInstanceIdentifier:
                  'arn:aws:rds:us-east-1:111111111111:db:dra-prod-postgres',
              },
            ],
          };
        throw throwing('DBInstanceNotFoundFault');
      });
      expect((await run(reseeded)).rds.status).toBe('healthy');
      // Before the re-seed deploy the new replica does not exist yet: failed, not healthy.
      expect(
        (
          await run({
            ...reseeded,
            database: { source: 'dra-prod-postgres', replica: 'dra-prod-postgres-g2' },
          })
        ).rds,
      ).toMatchObject({ status: 'failed', detail: 'DR read replica does not exist' });
    });
    it('is unknown on throttling, not failed', async () => {
      healthyWorld();
      mocks.rds.on(DescribeDBInstancesCommand).rejects(throwing('ThrottlingException'));
      expect((await run()).rds).toMatchObject({
        status: 'unknown',
        detail: expect.stringContaining('ThrottlingException'),
      });
    });
  });

  describe('ElastiCache', () => {
    it('is degraded above the lag budget, failed when the secondary left, unknown on API error', async () => {
      healthyWorld({ metrics: { lag: 9 } });
      expect((await run()).elasticache).toMatchObject({ status: 'degraded', value: 9 });
      healthyWorld();
      mocks.elasticache.on(DescribeGlobalReplicationGroupsCommand).resolves({
        GlobalReplicationGroups: [
          { Status: 'available', Members: [{ Role: 'PRIMARY', Status: 'associated' }] },
        ],
      });
      expect((await run()).elasticache).toMatchObject({
        status: 'failed',
        detail: 'secondary member is missing',
      });
      mocks.elasticache.on(DescribeGlobalReplicationGroupsCommand).rejects(throwing('InternalError'));
      expect((await run()).elasticache.status).toBe('unknown');
    });
  });

  describe('MSK', () => {
    it('is degraded on high replication latency, failed when the Replicator stopped, unknown on error', async () => {
      healthyWorld({ metrics: { latency: 90_000 } });
      expect((await run()).msk).toMatchObject({ status: 'degraded', value: 90 });
      healthyWorld();
      mocks.kafka.on(ListReplicatorsCommand).resolves({
        Replicators: [{ ReplicatorName: 'dra-prod-msk-replicator', ReplicatorState: 'FAILED' }],
      });
      expect((await run()).msk).toMatchObject({ status: 'failed', detail: 'Replicator is FAILED' });
      mocks.kafka.on(DescribeClusterV2Command).rejects(throwing('ServiceUnavailableException'));
      expect((await run()).msk.status).toBe('unknown');
    });
    it('blames the primary when its cluster is not active', async () => {
      healthyWorld();
      byRegion(mocks.kafka, DescribeClusterV2Command, (region) => ({
        ClusterInfo: { State: region === 'us-east-1' ? 'HEALING' : 'ACTIVE' },
      }));
      expect((await run()).msk).toMatchObject({ status: 'failed', primaryFault: true });
    });
  });

  describe('S3', () => {
    it('is degraded beyond the RTC budget, failed on failed operations, unknown without metrics', async () => {
      healthyWorld({ metrics: { latency0: 1200 } });
      expect((await run()).s3).toMatchObject({ status: 'degraded', value: 1200, threshold: 900 });
      healthyWorld({ metrics: { failed0: 3 } });
      expect((await run()).s3).toMatchObject({
        status: 'failed',
        detail: expect.stringContaining('3 replication operations failed'),
      });
      healthyWorld({ metrics: { latency0: undefined } });
      expect((await run()).s3.status).toBe('unknown');
    });
  });

  describe('Redshift', () => {
    it('is degraded when the newest copied snapshot is too old and failed when none exists', async () => {
      healthyWorld();
      mocks.redshift.on(ListSnapshotsCommand).resolves({
        snapshots: [
          {
            namespaceName: 'dra-prod-warehouse',
            status: 'AVAILABLE',
            snapshotCreateTime: new Date(NOW.getTime() - 3 * 3600_000),
          },
          // A newer copy still in progress cannot be restored: it does not count.
          {
            namespaceName: 'dra-prod-warehouse',
            status: 'COPYING',
            snapshotCreateTime: new Date(NOW.getTime() - 600_000),
          },
        ],
      });
      expect((await run()).redshift).toMatchObject({ status: 'degraded', value: 10800 });
      mocks.redshift.on(ListSnapshotsCommand).resolves({ snapshots: [] });
      expect((await run()).redshift.status).toBe('failed');
      mocks.redshift.on(ListSnapshotsCommand).rejects(throwing('ThrottlingException'));
      expect((await run()).redshift.status).toBe('unknown');
    });

    it("fails when the writer's warehouse itself is not available, whatever the snapshot age", async () => {
      healthyWorld();
      byRegion(mocks.redshift, GetWorkgroupCommand, (region) => ({
        workgroup: { status: region === 'us-east-1' ? 'MODIFYING' : 'AVAILABLE' } as any,
      }));
      expect((await run()).redshift).toMatchObject({
        status: 'failed',
        value: 1800,
        detail: 'primary warehouse is MODIFYING; newest copied snapshot is 1800s old',
      });
      mocks.redshift.on(GetWorkgroupCommand).rejects(throwing('ResourceNotFoundException'));
      expect((await run()).redshift.detail).toMatch(/^primary warehouse is missing/);
      mocks.redshift.on(GetWorkgroupCommand).rejects(throwing('ThrottlingException'));
      expect((await run()).redshift.status).toBe('unknown');
      const provisioned = {
        ...SETTINGS,
        warehouse: { mode: 'provisioned' as const, name: 'dra-prod-warehouse' },
      };
      mocks.redshiftProvisioned.on(DescribeClusterSnapshotsCommand).resolves({
        Snapshots: [
          {
            Status: 'available',
            SourceRegion: 'us-east-1',
            SnapshotCreateTime: new Date(NOW.getTime() - 600_000),
          },
        ],
      });
      mocks.redshiftProvisioned
        .on(DescribeClustersCommand)
        .resolves({ Clusters: [{ ClusterStatus: 'paused' }] });
      expect((await run(provisioned)).redshift).toMatchObject({
        status: 'failed',
        detail: expect.stringMatching(/^primary warehouse is paused/),
      });
    });

    it('for a provisioned cluster, counts only available snapshots copied from the writer region, across pages', async () => {
      healthyWorld();
      const provisioned = {
        ...SETTINGS,
        warehouse: { mode: 'provisioned' as const, name: 'dra-prod-warehouse' },
      };
      const ago = (hours: number) => new Date(NOW.getTime() - hours * 3600_000);
      mocks.redshiftProvisioned
        .on(DescribeClusterSnapshotsCommand, { Marker: undefined })
        .resolves({
          Snapshots: [
            // The standby's own cluster snapshots itself: not a copy, must not count.
            { Status: 'available', SourceRegion: undefined, SnapshotCreateTime: ago(0.1) },
            { Status: 'creating', SourceRegion: 'us-east-1', SnapshotCreateTime: ago(0.2) },
            { Status: 'available', SourceRegion: 'us-east-1', SnapshotCreateTime: ago(5) },
          ],
          Marker: 'next',
        })
        .on(DescribeClusterSnapshotsCommand, { Marker: 'next' })
        .resolves({
          Snapshots: [{ Status: 'available', SourceRegion: 'us-east-1', SnapshotCreateTime: ago(1) }],
        });
      expect((await run(provisioned)).redshift).toMatchObject({ status: 'healthy', value: 3600 });
      expect(
        mocks.redshiftProvisioned.commandCalls(DescribeClusterSnapshotsCommand)[0].args[0].input,
      ).toMatchObject({
        ClusterIdentifier: 'dra-prod-warehouse',
      });
      mocks.redshiftProvisioned.on(DescribeClusterSnapshotsCommand).resolves({ Snapshots: [] });
      expect((await run(provisioned)).redshift.status).toBe('failed');
      mocks.redshiftProvisioned.on(DescribeClusterSnapshotsCommand).rejects(throwing('ThrottlingException'));
      expect((await run(provisioned)).redshift.status).toBe('unknown');
    });
  });

  describe('EMR Serverless', () => {
    it('is degraded when the DR application differs, failed when it is missing', async () => {
      healthyWorld();
      byRegion(mocks.emr, GetApplicationCommand, (region) => ({
        application: {
          releaseLabel: region === 'us-west-2' ? 'emr-7.8.0' : 'emr-7.9.0',
          architecture: 'ARM64',
          networkConfiguration: { subnetIds: ['a', 'b', 'c'] },
        },
      }));
      expect((await run()).emr).toMatchObject({
        status: 'degraded',
        detail: expect.stringContaining('releaseLabel (emr-7.8.0 vs emr-7.9.0)'),
      });
      byRegion(mocks.emr, ListApplicationsCommand, (region) => ({
        applications: region === 'us-west-2' ? [] : [{ id: 'app', name: 'dra-prod-spark', state: 'CREATED' }],
      }));
      expect((await run()).emr.status).toBe('failed');
    });
  });

  describe('Glue and Athena', () => {
    it('reports drift when a DR table differs or is missing', async () => {
      healthyWorld();
      byRegion(mocks.glue, GetTablesCommand, (region) => ({
        TableList:
          region === 'us-west-2'
            ? []
            : [{ Name: 'refined_tickit_public_sales', StorageDescriptor: { Columns: [] } }],
      }));
      expect((await run()).catalog).toMatchObject({
        status: 'degraded',
        value: 1,
        detail: 'table tickit_demo.refined_tickit_public_sales: missing in DR',
      });
    });
  });

  describe('active region', () => {
    it('fails when the two regions disagree', async () => {
      healthyWorld();
      byRegion(mocks.ssm, GetParameterCommand, (region, input) => {
        if (input.Name === SETTINGS.activeRegionParameter) return { Parameter: { Value: region } };
        return { Parameter: { Value: `arn:aws:kafka:${region}:1:cluster/x/y` } };
      });
      expect((await run())['active-region']).toMatchObject({
        status: 'failed',
        detail: expect.stringContaining('primary says us-east-1, DR says us-west-2'),
      });
    });
  });
});

describe('report', () => {
  it('estimates RPO as the worst known lag and says when the estimate is incomplete', () => {
    const report = buildReport('prod', 'us-west-2', NOW, [
      { name: 'rds', status: 'healthy', value: 4, lag: true, detail: '' },
      { name: 's3', status: 'degraded', value: 950, lag: true, detail: '' },
      { name: 'msk', status: 'unknown', lag: true, detail: '' },
      { name: 'emr', status: 'healthy', detail: '' },
    ]);
    expect(report).toMatchObject({ estimatedRpoSeconds: 950, rpoComplete: false, overall: 'unknown' });
  });
});

describe('concurrency and timeouts', () => {
  const slow = (name: string, ms: number): { name: string; run: () => Promise<CheckResult> } => ({
    name,
    run: () =>
      new Promise((resolve) => setTimeout(() => resolve({ name, status: 'healthy', detail: '' }), ms)),
  });

  it('runs checks concurrently: every check has started before any finishes (timing is in npm run bench)', async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gated = (name: string) => ({
      name,
      run: async (): Promise<CheckResult> => {
        started.push(name);
        await gate;
        return { name, status: 'healthy', detail: '' };
      },
    });
    const running = runChecks(['a', 'b', 'c', 'd'].map(gated), 1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    release();
    expect((await running).map((r) => r.status)).toEqual(['healthy', 'healthy', 'healthy', 'healthy']);
  });

  it('turns a check that outlives its timeout into unknown, without waiting for it', async () => {
    const results = await runChecks([slow('stuck', 5000), slow('ok', 10)], 100);
    expect(results.find((r) => r.name === 'stuck')).toMatchObject({
      status: 'unknown',
      detail: 'could not check: timed out after 100 ms',
    });
    expect(results.find((r) => r.name === 'ok')?.status).toBe('healthy');
  });
});

describe('failover decision: no false recommendations', () => {
  const report = (statuses: Record<string, CheckResult['status']>) =>
    buildReport(
      'prod',
      'us-west-2',
      NOW,
      Object.entries(statuses).map(([name, status]) => ({
        name,
        status,
        detail: name,
        primaryFault: status === 'failed' && name !== 's3',
      })),
    );
  const sequence = (reports: ReturnType<typeof report>[], role: 'dr' | 'primary' = 'dr') => {
    let state = INITIAL_STATE;
    return reports.map((r) => {
      const d = decide(state, r, { required: 3, evaluatingRole: role });
      state = d.state;
      return d;
    });
  };
  const failedPrimary = report({ rds: 'failed', msk: 'failed', elasticache: 'healthy' });
  const healthy = report({ rds: 'healthy', msk: 'healthy', elasticache: 'healthy' });
  const throttled = report({ rds: 'unknown', msk: 'unknown', elasticache: 'unknown' });

  it('recommends failover only after N consecutive failed evaluations, seen from DR', () => {
    const d = sequence([failedPrimary, failedPrimary, failedPrimary]);
    expect(d.map((x) => x.failoverRecommended)).toEqual([false, false, true]);
    expect(d[2].reason).toMatch(/failover recommended: 3 consecutive failed evaluations/);
  });

  it('never recommends on flapping', () => {
    const d = sequence([
      failedPrimary,
      failedPrimary,
      healthy,
      failedPrimary,
      failedPrimary,
      healthy,
      failedPrimary,
    ]);
    expect(d.some((x) => x.failoverRecommended)).toBe(false);
  });

  it('treats throttling and timeouts as unknown: no count, no reset', () => {
    const d = sequence([throttled, throttled, throttled, throttled]);
    expect(d.every((x) => !x.failoverRecommended && x.state.consecutivePrimaryFailures === 0)).toBe(true);
    const mixed = sequence([failedPrimary, throttled, failedPrimary, throttled]);
    expect(mixed.map((x) => x.state.consecutivePrimaryFailures)).toEqual([1, 1, 2, 2]);
    expect(mixed.some((x) => x.failoverRecommended)).toBe(false);
  });

  it('does not count a replication problem (not the primary failing) toward failover', () => {
    const d = sequence([report({ s3: 'failed' }), report({ s3: 'failed' }), report({ s3: 'failed' })]);
    expect(d.some((x) => x.failoverRecommended)).toBe(false);
  });

  it('never recommends from the primary region itself', () => {
    const d = sequence([failedPrimary, failedPrimary, failedPrimary, failedPrimary], 'primary');
    expect(d.some((x) => x.failoverRecommended)).toBe(false);
    expect(d[3].reason).toMatch(/never recommends its own failover/);
  });
});

describe('evaluation (handler core)', () => {
  it('runs, reports, keeps the decision state in SSM and never fails over by itself', async () => {
    healthyWorld();
    byRegion(mocks.ssm, GetParameterCommand, (region, input) => {
      if (input.Name === SETTINGS.stateParameter)
        return { Parameter: { Value: JSON.stringify({ consecutivePrimaryFailures: 2 }) } };
      if (input.Name === SETTINGS.activeRegionParameter) return { Parameter: { Value: 'us-east-1' } };
      return { Parameter: { Value: `arn:aws:kafka:${region}:1:cluster/x/y` } };
    });
    byRegion(mocks.kafka, DescribeClusterV2Command, (region) => ({
      ClusterInfo: { State: region === 'us-east-1' ? 'FAILED' : 'ACTIVE' },
    }));
    const result = await evaluate({
      settings: SETTINGS,
      primary,
      dr,
      local: dr,
      region: 'us-west-2',
      now: () => NOW,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    });
    expect(result).toMatchObject({
      failoverRecommended: true,
      evaluatedFrom: 'us-west-2',
      estimatedRpoSeconds: 1800,
    });
    const put = mocks.ssm.commandCalls(PutParameterCommand)[0].args[0].input;
    expect(put).toMatchObject({ Name: '/dra/prod/readiness/state', Overwrite: true });
    expect(JSON.parse(put.Value as string).consecutivePrimaryFailures).toBe(3);
  });
});
