import {
  DescribeReplicationGroupsCommand,
  type DescribeReplicationGroupsCommandOutput,
} from '@aws-sdk/client-elasticache';
import {
  GetApplicationCommand,
  type GetApplicationCommandOutput,
  ListApplicationsCommand,
  type ListApplicationsCommandOutput,
} from '@aws-sdk/client-emr-serverless';
import { GetTablesCommand, type GetTablesCommandOutput } from '@aws-sdk/client-glue';
import { ListReplicatorsCommand, type ListReplicatorsCommandOutput } from '@aws-sdk/client-kafka';
import {
  DBInstanceNotFoundFault,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandInput,
  type DescribeDBInstancesCommandOutput,
} from '@aws-sdk/client-rds';
import {
  DescribeClusterSnapshotsCommand,
  type DescribeClusterSnapshotsCommandOutput,
} from '@aws-sdk/client-redshift';
import {
  ListSnapshotsCommand,
  type ListSnapshotsCommandOutput,
  type Snapshot,
} from '@aws-sdk/client-redshift-serverless';
import { buildChecks } from '../../lambda/readiness/checks';
import { parseState } from '../../lambda/readiness/decide';
import { CallTimeout, classifyError } from '../../lambda/readiness/outcome';
import { assess, runChecks } from '../../lambda/readiness/report';
import type { ReadinessSettings } from '../../lambda/readiness/settings';
import type { CheckResult } from '../../lambda/readiness/types';
import {
  clientsIn,
  ERRORS,
  healthyWorld,
  installFakeAws,
  regionOfClient,
  SETTINGS,
  STANDBY,
  type World,
  WRITER,
} from './readiness-fake-aws';

const NOW = new Date('2026-11-24T12:00:00Z');
let world: World = healthyWorld(NOW);
const fake = installFakeAws(() => world);
afterAll(() => fake.restore());
beforeEach(() => {
  world = healthyWorld(NOW);
  fake.reset();
});

const run = async (settings: ReadinessSettings = SETTINGS) => {
  const results = await runChecks(
    buildChecks(settings, clientsIn(WRITER), clientsIn(STANDBY), NOW),
    settings.checkTimeoutMs * 2 + 100,
  );
  return Object.fromEntries(results.map((r) => [r.name, r])) as Record<string, CheckResult>;
};
/** A mocked `send` that answers by the region of the client it was called on. */
const byRegion =
  <I, O>(answer: (region: string, input: I) => O) =>
  async (input: I, getClient: () => { config: unknown }) =>
    answer(await regionOfClient(getClient), input);
const notFound = () => new DBInstanceNotFoundFault({ message: 'nf', $metadata: { httpStatusCode: 404 } });

describe('error classification (AWS SDK v3 shapes)', () => {
  it.each([
    [
      'refused (renamed TimeoutError by the HTTP handler)',
      ERRORS.refuse('rds.us-east-1.amazonaws.com'),
      'unreachable',
      'network',
    ],
    ['DNS failure', ERRORS.dns('rds.us-east-1.amazonaws.com'), 'unreachable', 'network'],
    [
      'socket timeout',
      Object.assign(new Error('socket hang up'), { code: 'ETIMEDOUT' }),
      'unreachable',
      'timeout',
    ],
    [
      "the SDK's own request timeout",
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
      'unreachable',
      'timeout',
    ],
    ['our per-call timeout', new CallTimeout('no answer within 40 ms'), 'unreachable', 'timeout'],
    ['throttling', ERRORS.throttle(), 'unknown', 'throttled'],
    [
      '429 without a known name',
      Object.assign(new Error('x'), { name: 'Foo', $metadata: { httpStatusCode: 429 } }),
      'unknown',
      'throttled',
    ],
    [
      'a throttling name on a 503 (S3 SlowDown): throttling, not a server error',
      Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }),
      'unknown',
      'throttled',
    ],
    ['5xx', ERRORS['5xx'](), 'unknown', 'server'],
    [
      'access denied',
      Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }),
      'unknown',
      'client',
    ],
    [
      'a TimeoutError that carries an HTTP status (the server answered)',
      Object.assign(new Error('t'), { name: 'TimeoutError', $metadata: { httpStatusCode: 504 } }),
      'unknown',
      'server',
    ],
    ['not an Error at all', 'boom', 'unknown', 'client'],
  ])('%s -> %s (%s)', (_, error, kind, cause) => {
    expect(classifyError(error)).toMatchObject({ kind, cause });
  });
  it('says what happened in the reason', () => {
    expect(classifyError(ERRORS.throttle()).reason).toBe('throttled (ThrottlingException: Rate exceeded)');
    expect(classifyError(ERRORS['5xx']()).reason).toMatch(/^server error 503/);
  });
});

describe('decision state validation', () => {
  it('accepts the documented shape and nothing else', () => {
    expect(
      parseState('{"consecutivePrimaryFailures":2,"lastEvaluatedAt":"2026-11-24T12:00:00.000Z"}'),
    ).toEqual({
      state: { consecutivePrimaryFailures: 2, lastEvaluatedAt: '2026-11-24T12:00:00.000Z' },
    });
    expect(parseState(undefined)).toEqual({ state: { consecutivePrimaryFailures: 0 } });
    expect(parseState('reset').problem).toBe('not JSON: "reset"');
    // JSON.parse('1e999') is Infinity.
    expect(parseState('1e999').problem).toBe('not an object: "1e999"');
    expect(parseState('{"consecutivePrimaryFailures":-3}').problem).toMatch(/got -3$/);
    const known = '{"rds":{"lagSeconds":4,"at":"2026-11-24T11:59:00.000Z"}}';
    expect(parseState(`{"consecutivePrimaryFailures":1,"lastKnownLag":${known}}`)).toEqual({
      state: { consecutivePrimaryFailures: 1, lastKnownLag: JSON.parse(known) },
    });
    expect(
      parseState('{"consecutivePrimaryFailures":1,"lastKnownLag":{"rds":{"lagSeconds":"4","at":"x"}}}')
        .problem,
    ).toMatch(/^lastKnownLag\.rds must be \{"lagSeconds": 0\.\.1000000000, "at": <ISO date>\}/);
  });
});

describe('checks: writer evidence apart from standby readings', () => {
  it('reports every check healthy in a healthy world, with measured values and thresholds', async () => {
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
    expect(r.rds).toMatchObject({
      value: 2,
      threshold: 60,
      unit: 'Seconds',
      writer: 'healthy',
      standby: 'answered',
    });
    // ReplicationLatency is published in milliseconds.
    expect(r.msk).toMatchObject({ value: 1.5 });
    expect(r.redshift).toMatchObject({ value: 1800, threshold: 7200 });
  });

  it('RDS: degraded above the lag budget; failed when the replica is missing or promoted', async () => {
    world.rdsLag = 120;
    expect((await run()).rds).toMatchObject({ status: 'degraded', value: 120 });
    fake.stubs.rds.on(DescribeDBInstancesCommand).callsFake(
      byRegion((region) => {
        if (region === STANDBY) throw notFound();
        return {
          $metadata: {},
          DBInstances: [{ DBInstanceIdentifier: 'dra-prod-postgres', DBInstanceStatus: 'available' }],
        } satisfies DescribeDBInstancesCommandOutput;
      }),
    );
    expect((await run()).rds).toMatchObject({
      status: 'failed',
      writer: 'healthy',
      detail: expect.stringContaining('standby read replica dra-prod-postgres does not exist in us-west-2'),
    });
    fake.stubs.rds.on(DescribeDBInstancesCommand).resolves({
      $metadata: {},
      DBInstances: [{ DBInstanceIdentifier: 'dra-prod-postgres', DBInstanceStatus: 'available' }],
    } satisfies DescribeDBInstancesCommandOutput);
    expect((await run()).rds.detail).toContain('not a read replica (already promoted?)');
  });

  it('RDS: after a re-seed, looks up the writer and the replica under their own identifiers', async () => {
    const reseeded = {
      ...SETTINGS,
      database: { source: 'dra-prod-postgres', replica: 'dra-prod-postgres-g1' },
    };
    fake.stubs.rds.on(DescribeDBInstancesCommand).callsFake(
      byRegion((region, input: DescribeDBInstancesCommandInput) => {
        const id = input.DBInstanceIdentifier;
        if (region === WRITER && id === 'dra-prod-postgres')
          return {
            $metadata: {},
            DBInstances: [{ DBInstanceIdentifier: id, DBInstanceStatus: 'available' }],
          } satisfies DescribeDBInstancesCommandOutput;
        if (region === STANDBY && id === 'dra-prod-postgres-g1')
          return {
            $metadata: {},
            DBInstances: [
              {
                DBInstanceIdentifier: id,
                DBInstanceStatus: 'available',
                ReadReplicaSourceDBInstanceIdentifier: 'arn:x',
              },
            ],
          } satisfies DescribeDBInstancesCommandOutput;
        throw notFound();
      }),
    );
    const r = await run(reseeded);
    expect(r.rds.standby).toBe('answered');
    // The fake publishes ReplicaLag for dra-prod-postgres only: the g1 replica has no datapoint yet.
    expect(r.rds).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('no ReplicaLag datapoint'),
    });
  });

  it('a throttled writer call leaves the standby readings intact and the check unknown', async () => {
    world.serviceMode[WRITER] = { rds: 'throttle' };
    expect((await run()).rds).toMatchObject({
      status: 'unknown',
      writer: 'unknown',
      standby: 'answered',
      value: 2,
      rpo: { lagSeconds: 2, withinBudget: true },
      detail: expect.stringContaining('throttled (ThrottlingException'),
    });
  });

  it('ElastiCache: degraded above budget; failed when the standby group is not a secondary', async () => {
    world.cacheLag = 9;
    expect((await run()).elasticache).toMatchObject({ status: 'degraded', value: 9 });
    fake.stubs.elasticache.on(DescribeReplicationGroupsCommand).resolves({
      $metadata: {},
      ReplicationGroups: [
        {
          ReplicationGroupId: 'dra-prod-cache',
          Status: 'available',
          GlobalReplicationGroupInfo: { GlobalReplicationGroupMemberRole: 'PRIMARY' },
        },
      ],
    } satisfies DescribeReplicationGroupsCommandOutput);
    expect((await run()).elasticache).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('not a Global Datastore secondary (role PRIMARY)'),
    });
  });

  it('ElastiCache: reads the lag on every standby node (the primary moves on an in-region failover)', async () => {
    world.cachePrimaryNode = 'dra-prod-cache-002';
    world.cacheLag = 3;
    expect((await run()).elasticache).toMatchObject({ status: 'healthy', value: 3, rpo: { lagSeconds: 3 } });
  });

  it('MSK: degraded on high latency, failed when the Replicator stopped', async () => {
    world.mskLatencyMs = 90_000;
    expect((await run()).msk).toMatchObject({ status: 'degraded', value: 90 });
    fake.stubs.kafka.on(ListReplicatorsCommand).resolves({
      $metadata: {},
      Replicators: [{ ReplicatorName: SETTINGS.replicatorName, ReplicatorState: 'FAILED' }],
    } satisfies ListReplicatorsCommandOutput);
    expect((await run()).msk).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('Replicator is FAILED'),
    });
  });

  it('MSK: an absent Replicator is no store in the RPO', async () => {
    const r = await run({ ...SETTINGS, replicatorName: undefined });
    expect(r.msk).toMatchObject({ status: 'healthy', rpo: undefined });
  });

  it('S3: degraded beyond the RTC budget; failed on failed operations (read in the source region)', async () => {
    world.s3Latency = 1200;
    expect((await run()).s3).toMatchObject({ status: 'degraded', value: 1200, threshold: 900 });
    world.s3Latency = 30;
    world.s3Failed = 3;
    expect((await run()).s3).toMatchObject({
      status: 'failed',
      writer: 'healthy',
      detail: expect.stringContaining('3 replication operations failed'),
    });
  });

  it('S3: the lag is unknown unless every replication rule returned a datapoint (a missing one is never 0)', async () => {
    const twoRules = {
      ...SETTINGS,
      replication: [
        ...SETTINGS.replication,
        { sourceBucket: 'src2', destinationBucket: 'dst2', ruleId: 'r2' },
      ],
    };
    // The fake publishes for destination "dst" only: the second rule has no datapoint.
    const r = await run(twoRules);
    expect(r.s3).toMatchObject({
      status: 'unknown',
      value: undefined,
      rpo: { lagSeconds: null, withinBudget: null },
      detail: expect.stringContaining('1 of 2 replication rules have no latency or pending datapoint'),
    });
    expect(r.s3.detail).toContain('? operations / ? bytes pending');
    // Nothing pending on the one rule and no latency: 0 behind, but still unknown with the other silent.
    world.s3Latency = undefined;
    world.s3Pending = 0;
    expect((await run(twoRules)).s3.rpo?.lagSeconds).toBeNull();
    expect((await run()).s3.rpo?.lagSeconds).toBe(0);
  });

  it('Redshift: a copy still in progress does not count; none copied is failed', async () => {
    fake.stubs.redshift.on(ListSnapshotsCommand).resolves({
      $metadata: {},
      snapshots: [
        {
          namespaceName: 'dra-prod-warehouse',
          status: 'AVAILABLE',
          snapshotCreateTime: new Date(NOW.getTime() - 3 * 3600_000),
        },
        {
          namespaceName: 'dra-prod-warehouse',
          status: 'COPYING',
          snapshotCreateTime: new Date(NOW.getTime() - 600_000),
        },
      ],
    } satisfies ListSnapshotsCommandOutput);
    expect((await run()).redshift).toMatchObject({ status: 'degraded', value: 10800 });
    fake.stubs.redshift
      .on(ListSnapshotsCommand)
      .resolves({ $metadata: {}, snapshots: [] } satisfies ListSnapshotsCommandOutput);
    expect((await run()).redshift).toMatchObject({
      status: 'failed',
      warehouse: { ageSeconds: null, withinBudget: null },
    });
  });

  it('Redshift Serverless: lists only the namespace, across every page (the newest copy may be on any)', async () => {
    const ago = (hours: number) => new Date(NOW.getTime() - hours * 3600_000);
    const snap = (hours: number) =>
      ({
        namespaceName: 'dra-prod-warehouse',
        status: 'AVAILABLE',
        snapshotCreateTime: ago(hours),
      }) satisfies Snapshot;
    fake.stubs.redshift
      .on(ListSnapshotsCommand, { nextToken: undefined })
      .resolves({ $metadata: {}, snapshots: [snap(5)], nextToken: 'p2' } satisfies ListSnapshotsCommandOutput)
      .on(ListSnapshotsCommand, { nextToken: 'p2' })
      .resolves({ $metadata: {}, snapshots: [snap(1)] } satisfies ListSnapshotsCommandOutput);
    expect((await run()).redshift).toMatchObject({ status: 'healthy', value: 3600 });
    const inputs = fake.stubs.redshift.commandCalls(ListSnapshotsCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => [i.namespaceName, i.nextToken])).toEqual([
      ['dra-prod-warehouse', undefined],
      ['dra-prod-warehouse', 'p2'],
    ]);
  });

  it('Redshift provisioned: counts only available snapshots copied from the writer region, across pages', async () => {
    const provisioned = {
      ...SETTINGS,
      warehouse: { mode: 'provisioned' as const, name: 'dra-prod-warehouse' },
    };
    const ago = (hours: number) => new Date(NOW.getTime() - hours * 3600_000);
    fake.stubs.redshiftProvisioned
      .on(DescribeClusterSnapshotsCommand, { Marker: undefined })
      .resolves({
        $metadata: {},
        Snapshots: [
          { Status: 'available', SourceRegion: undefined, SnapshotCreateTime: ago(0.1) },
          { Status: 'creating', SourceRegion: WRITER, SnapshotCreateTime: ago(0.2) },
          { Status: 'available', SourceRegion: WRITER, SnapshotCreateTime: ago(5) },
        ],
        Marker: 'next',
      } satisfies DescribeClusterSnapshotsCommandOutput)
      .on(DescribeClusterSnapshotsCommand, { Marker: 'next' })
      .resolves({
        $metadata: {},
        Snapshots: [{ Status: 'available', SourceRegion: WRITER, SnapshotCreateTime: ago(1) }],
      } satisfies DescribeClusterSnapshotsCommandOutput);
    expect((await run(provisioned)).redshift).toMatchObject({ status: 'healthy', value: 3600 });
  });

  it('EMR: degraded when the standby application differs', async () => {
    fake.stubs.emr.on(GetApplicationCommand).callsFake(
      byRegion(
        (region) =>
          ({
            $metadata: {},
            application: {
              applicationId: 'app',
              arn: `arn:aws:emr-serverless:${region}:111111111111:/applications/app`,
              type: 'Spark',
              state: 'CREATED',
              createdAt: NOW,
              updatedAt: NOW,
              releaseLabel: region === STANDBY ? 'emr-7.8.0' : 'emr-7.9.0',
              architecture: 'ARM64',
              networkConfiguration: { subnetIds: ['a', 'b', 'c'] },
            },
          }) satisfies GetApplicationCommandOutput,
      ),
    );
    expect((await run()).emr).toMatchObject({
      status: 'degraded',
      detail: expect.stringContaining('releaseLabel (emr-7.8.0 vs emr-7.9.0)'),
    });
  });

  it('EMR: finds the application on a later page of ListApplications (it follows nextToken)', async () => {
    const pages: Record<string, ListApplicationsCommandOutput> = {
      first: {
        $metadata: {},
        applications: [
          {
            id: 'other',
            name: 'someone-else',
            arn: 'arn:aws:emr-serverless:us-east-1:111111111111:/applications/other',
            releaseLabel: 'emr-7.9.0',
            type: 'Spark',
            state: 'CREATED',
            createdAt: NOW,
            updatedAt: NOW,
          },
        ],
        nextToken: 'page-2',
      },
      'page-2': {
        $metadata: {},
        applications: [
          {
            id: 'app',
            name: SETTINGS.emrApplicationName,
            arn: 'arn:aws:emr-serverless:us-east-1:111111111111:/applications/app',
            releaseLabel: 'emr-7.9.0',
            type: 'Spark',
            state: 'CREATED',
            createdAt: NOW,
            updatedAt: NOW,
          },
        ],
      },
    };
    fake.stubs.emr
      .on(ListApplicationsCommand)
      .callsFake(async (input: { nextToken?: string }) => pages[input.nextToken ?? 'first']);
    const r = await run();
    expect(r.emr).toMatchObject({ status: 'healthy', writer: 'healthy', standby: 'answered' });
    // Both regions asked for the second page.
    expect(
      fake.stubs.emr.commandCalls(ListApplicationsCommand).map((c: any) => c.args[0].input.nextToken),
    ).toEqual([undefined, undefined, 'page-2', 'page-2']);
  });

  it("catalog: drift is reported; with the writer's region down there is nothing to compare (degraded, not failed)", async () => {
    fake.stubs.glue.on(GetTablesCommand).callsFake(
      byRegion(
        (region) =>
          ({
            $metadata: {},
            TableList:
              region === STANDBY ? [] : [{ Name: 'refined_sales', StorageDescriptor: { Columns: [] } }],
          }) satisfies GetTablesCommandOutput,
      ),
    );
    expect((await run()).catalog).toMatchObject({
      status: 'degraded',
      value: 1,
      detail: 'table tickit_demo.refined_sales: missing in the standby',
    });
    world.mode[WRITER] = 'refuse';
    const r = await run();
    expect(r.catalog).toMatchObject({
      status: 'degraded',
      writer: 'unreachable',
      detail: expect.stringContaining('nothing compared'),
    });
    expect(r['active-region']).toMatchObject({ status: 'degraded', writer: 'unreachable' });
  });

  it('active region: failed when the two regions disagree', async () => {
    world.params[STANDBY][SETTINGS.activeRegionParameter] = STANDBY;
    expect((await run())['active-region']).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining("writer's region says us-east-1, standby says us-west-2"),
    });
  });
});

describe('report', () => {
  it('a check that never returned still lists its store, with a null lag: the RPO is incomplete', () => {
    const a = assess(SETTINGS, STANDBY, NOW, [
      { name: 'rds', status: 'unknown', detail: 'could not check: timed out' },
    ]);
    expect(a.rpo.stores.map((s) => [s.store, s.lagSeconds])).toEqual([
      ['rds', null],
      ['elasticache', null],
      ['msk', null],
      ['s3', null],
    ]);
    expect(a).toMatchObject({
      rpoComplete: false,
      rpo: { complete: false, estimatedSeconds: null, withinBudget: null },
      writerRegion: { reachable: null },
    });
    expect(a.estimatedRpoSeconds).toBeUndefined();
  });
});

describe('concurrency and timeouts', () => {
  const slow = (name: string, ms: number) => ({
    name,
    run: () =>
      new Promise<CheckResult>((resolve) =>
        // Unref'd: a check left running after its test must not hold the test worker open.
        setTimeout(() => resolve({ name, status: 'healthy', detail: '' }), ms).unref(),
      ),
  });

  it('runs checks concurrently: every check has started before any finishes', async () => {
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
    const results = await runChecks([slow('stuck', 1000), slow('ok', 10)], 100);
    expect(results.find((r) => r.name === 'stuck')).toMatchObject({
      status: 'unknown',
      detail: 'could not check: timed out after 100 ms',
    });
    expect(results.find((r) => r.name === 'ok')?.status).toBe('healthy');
  });
});
