import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { type EvaluateOptions, evaluate, evaluateOptions } from '../../lambda/readiness/handler';
import type { ReadinessReport } from '../../lambda/readiness/report';
import type { ReadinessSettings } from '../../lambda/readiness/settings';
import {
  clientsIn,
  healthyWorld,
  installFakeAws,
  type Mode,
  SETTINGS,
  STANDBY,
  type World,
  WRITER,
} from './readiness-fake-aws';

/**
 * The real handler core (`evaluate`) over sequences of evaluations, one a
 * minute, against a region-aware fake of AWS. Each scenario asserts, at every
 * evaluation, the recommendation, every store's lag and rpoComplete.
 */
const T0 = new Date('2026-11-24T12:00:00Z');
let world: World = healthyWorld(T0);
const fake = installFakeAws(() => world);
afterAll(() => fake.restore());

const writer = clientsIn(WRITER);
const standby = clientsIn(STANDBY);
let stdout: jest.SpyInstance;
beforeEach(() => {
  world = healthyWorld(T0);
  // EMF lines go to stdout; keep the test output readable.
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());

const logger = new Logger({ logLevel: 'SILENT' });

/** Runs one evaluation per step; `step(world, i)` changes the world before evaluation i. */
async function scenario(
  steps: number,
  step: (w: World, i: number) => void = () => {},
  settings: ReadinessSettings = SETTINGS,
  options: EvaluateOptions = {},
): Promise<ReadinessReport[]> {
  const reports: ReadinessReport[] = [];
  for (let i = 0; i < steps; i++) {
    world.now = new Date(T0.getTime() + i * 60_000);
    step(world, i);
    reports.push(
      await evaluate(
        {
          settings,
          primary: writer,
          dr: standby,
          local: standby,
          region: STANDBY,
          now: () => world.now,
          logger,
          metrics: new Metrics({ namespace: 'Test', serviceName: 'readiness' }),
        },
        options,
      ),
    );
  }
  return reports;
}

type Lags = Record<'rds' | 'elasticache' | 'msk' | 's3', number | null>;
const lags = (r: ReadinessReport) =>
  Object.fromEntries(r.rpo.stores.map((s) => [s.store, s.lagSeconds])) as Lags;
const recommended = (rs: ReadinessReport[]) => rs.map((r) => r.decision.failoverRecommended);
const counts = (rs: ReadinessReport[]) => rs.map((r) => r.decision.consecutiveFailures);
const HEALTHY_LAGS: Lags = { rds: 2, elasticache: 0.5, msk: 1.5, s3: 30 };

/** The writer's region goes dark at evaluation 0: the replica's lag keeps growing, replication stops. */
const outage = (mode: Mode) => (w: World, i: number) => {
  w.mode[WRITER] = mode;
  w.rdsLag = 2 + 60 * (i + 1);
  w.cacheLag = undefined;
  w.mskLatencyMs = undefined;
  w.s3Latency = undefined;
  w.s3Pending = 12;
};
const OUTAGE_LAGS = (i: number): Lags => ({ rds: 2 + 60 * (i + 1), elasticache: null, msk: null, s3: null });

describe('healthy', () => {
  it('never recommends; every store lag is read where AWS publishes it; the RPO is complete', async () => {
    const rs = await scenario(4);
    for (const r of rs) {
      expect(r.decision).toMatchObject({ failoverRecommended: false, consecutiveFailures: 0, required: 3 });
      expect(lags(r)).toEqual(HEALTHY_LAGS);
      expect(r).toMatchObject({
        rpoComplete: true,
        estimatedRpoSeconds: 30,
        overall: 'healthy',
        writerRegion: { region: WRITER, reachable: true },
        rpo: { complete: true, estimatedSeconds: 30, withinBudget: true },
        warehouse: { ageSeconds: 1800, budgetSeconds: 7200, withinBudget: true },
      });
    }
    expect(rs[0].rpo.stores.find((s) => s.store === 's3')?.source).toBe(
      'AWS/S3 ReplicationLatency and OperationsPendingReplication in us-west-2 (standby, destination)',
    );
    // S3 failures are read in the source (writer) region, latency in the destination's.
    const s3Reads = fake.calls.filter((c) => c.command === 'GetMetricDataCommand').map((c) => c.region);
    expect(new Set(s3Reads)).toEqual(new Set([WRITER, STANDBY]));
  });

  it('with nothing replicating, no S3 latency datapoint and nothing pending means an S3 lag of 0', async () => {
    const rs = await scenario(1, (w) => {
      w.s3Latency = undefined;
      w.s3Pending = 0;
    });
    expect(lags(rs[0])).toEqual({ ...HEALTHY_LAGS, s3: 0 });
    expect(rs[0].rpoComplete).toBe(true);
  });
});

describe("full outage of the writer's region", () => {
  it.each([
    ['refused connections', 'refuse'],
    ['DNS failures', 'dns'],
    ['calls that never answer (per-call timeout)', 'hang'],
  ] as const)(
    '%s: recommended at the third evaluation, with the standby-side RPO all along',
    async (_, mode) => {
      const rs = await scenario(4, outage(mode));
      expect(recommended(rs)).toEqual([false, false, true, true]);
      expect(counts(rs)).toEqual([1, 2, 3, 4]);
      rs.forEach((r, i) => {
        expect(lags(r)).toEqual(OUTAGE_LAGS(i));
        expect(r.rpoComplete).toBe(false);
        expect(r.estimatedRpoSeconds).toBe(2 + 60 * (i + 1));
        expect(r.writerRegion).toEqual({ region: WRITER, reachable: false });
      });
      expect(rs[2].decision.reason).toMatch(
        /^failover recommended: 3 consecutive failing evaluations .*writer's region us-east-1 does not answer/,
      );
      const rds = rs[0].checks.find((c) => c.name === 'rds');
      expect(rds).toMatchObject({ status: 'failed', writer: 'unreachable', standby: 'answered', value: 62 });
      // The warehouse is its own tier: still reported from the standby.
      expect(rs[0].warehouse).toMatchObject({ ageSeconds: 1800, withinBudget: true });
    },
  );

  it("a slow catalog or EMR call in the standby does not freeze the decision (only the write path's standby calls count)", async () => {
    const rs = await scenario(3, (w, i) => {
      outage('refuse')(w, i);
      w.serviceMode[STANDBY] = { glue: 'hang', emr: 'hang' };
    });
    expect(recommended(rs)).toEqual([false, false, true]);
    expect(rs[0].checks.find((c) => c.name === 'catalog')?.standby).toBe('unreachable');
  });

  it('is never recommended from the writer region itself', async () => {
    const rs = await scenario(4, outage('refuse'), { ...SETTINGS, role: 'primary' });
    expect(recommended(rs)).toEqual([false, false, false, false]);
    expect(rs[3].decision.reason).toMatch(/never recommends its own failover/);
  });
});

describe("a single service down in the writer's region", () => {
  it('a writer database in a terminal failed status counts like an outage, and the reason names it', async () => {
    const rs = await scenario(3, (w, i) => {
      w.rdsWriterStatus = 'failed';
      w.rdsLag = 2 + 60 * (i + 1);
    });
    expect(recommended(rs)).toEqual([false, false, true]);
    rs.forEach((r, i) => {
      expect(lags(r)).toEqual({ ...HEALTHY_LAGS, rds: 2 + 60 * (i + 1) });
      expect(r.rpoComplete).toBe(true);
      expect(r.writerRegion.reachable).toBe(true);
    });
    expect(rs[2].decision.reason).toMatch(
      /single-service outage in the writer's region: rds \(writer instance is failed/,
    );
  });

  it.each(['storage-full', 'insufficient-capacity', 'inaccessible-encryption-credentials-recoverable'])(
    'a writer database that is %s is reported with its in-place fix, never counted toward failing over',
    async (status) => {
      const rs = await scenario(4, (w) => {
        w.rdsWriterStatus = status;
      });
      expect(recommended(rs)).toEqual([false, false, false, false]);
      expect(counts(rs)).toEqual([0, 0, 0, 0]);
      expect(rs[3].checks.find((c) => c.name === 'rds')).toMatchObject({
        status: 'failed',
        detail: expect.stringMatching(new RegExp(`writer instance is ${status}: fix it in place`)),
      });
      expect(rs[3].overall).toBe('failed');
    },
  );

  it("the writer's RDS endpoint refusing while the rest of the region answers counts too", async () => {
    const rs = await scenario(3, (w) => {
      w.serviceMode[WRITER] = { rds: 'refuse' };
    });
    expect(recommended(rs)).toEqual([false, false, true]);
    for (const r of rs) {
      expect(lags(r)).toEqual(HEALTHY_LAGS);
      expect(r.rpoComplete).toBe(true);
    }
  });

  it('a failed warehouse, or server errors from one service, do not count (reported, not recommended)', async () => {
    // A provisioned cluster: a Serverless workgroup has no failed status (WorkgroupStatus).
    const provisioned = {
      ...SETTINGS,
      warehouse: { mode: 'provisioned' as const, name: 'dra-prod-warehouse' },
    };
    const rs = await scenario(
      4,
      (w, i) => {
        w.clusterStatus = 'hardware-failure';
        if (i >= 2) w.serviceMode[WRITER] = { rds: '5xx', kafka: '5xx' };
      },
      provisioned,
    );
    expect(recommended(rs)).toEqual([false, false, false, false]);
    expect(counts(rs)).toEqual([0, 0, 0, 0]);
    expect(rs[0].checks.find((c) => c.name === 'redshift')).toMatchObject({
      status: 'failed',
      // Evidence against the writer, but the warehouse is not on the write path.
      writer: 'failed',
    });
    for (const r of rs) expect(lags(r)).toEqual(HEALTHY_LAGS);
  });
});

describe('throttling storm', () => {
  it('every API in both regions throttles for ten minutes: the count never moves, the RPO is unknown', async () => {
    const rs = await scenario(10, (w) => {
      w.mode[WRITER] = 'throttle';
      w.mode[STANDBY] = 'throttle';
      // The state parameter still answers (it is what makes the count survive).
      w.serviceMode[STANDBY] = { ssm: 'up' };
    });
    expect(recommended(rs).some(Boolean)).toBe(false);
    expect(counts(rs)).toEqual(Array(10).fill(0));
    for (const r of rs) {
      expect(lags(r)).toEqual({ rds: null, elasticache: null, msk: null, s3: null });
      expect(r).toMatchObject({ rpoComplete: false, writerRegion: { reachable: null } });
      expect(r.estimatedRpoSeconds).toBeUndefined();
    }
  });

  it("throttling in the writer's region between failing evaluations neither counts nor resets", async () => {
    const rs = await scenario(5, (w, i) => {
      w.mode[WRITER] = i % 2 === 0 ? 'refuse' : 'throttle';
    });
    expect(counts(rs)).toEqual([1, 1, 2, 2, 3]);
    expect(recommended(rs)).toEqual([false, false, false, false, true]);
    // The standby's readings survive every failed writer call.
    for (const r of rs) expect([lags(r), r.rpoComplete]).toEqual([HEALTHY_LAGS, true]);
  });
});

describe('flapping', () => {
  it('a writer that is unreachable two minutes out of three never adds up to a recommendation', async () => {
    const rs = await scenario(9, (w, i) => {
      w.mode[WRITER] = i % 3 === 2 ? 'up' : 'refuse';
    });
    expect(counts(rs)).toEqual([1, 2, 0, 1, 2, 0, 1, 2, 0]);
    expect(recommended(rs).some(Boolean)).toBe(false);
    rs.forEach((r, i) => {
      expect([lags(r), r.rpoComplete]).toEqual([HEALTHY_LAGS, true]);
      expect(r.writerRegion.reachable).toBe(i % 3 === 2);
    });
  });
});

describe('maintenance and scaling states', () => {
  it('storage-optimization, modifying, backing-up, MSK UPDATING/MAINTENANCE/HEALING never count', async () => {
    const rds = [
      'storage-optimization',
      'modifying',
      'backing-up',
      'maintenance',
      'configuring-log-exports',
      'upgrading',
    ];
    const msk = [
      'UPDATING',
      'MAINTENANCE',
      'HEALING',
      'REBOOTING_BROKER',
      'UPDATING',
      'MAINTENANCE',
    ] as const;
    const rs = await scenario(6, (w, i) => {
      w.rdsWriterStatus = rds[i];
      w.mskState[WRITER] = msk[i];
      w.warehouseStatus = 'MODIFYING';
      w.rdsReplicaStatus = i === 0 ? 'storage-optimization' : 'available';
    });
    expect(recommended(rs).some(Boolean)).toBe(false);
    expect(counts(rs)).toEqual([0, 0, 0, 0, 0, 0]);
    rs.forEach((r, i) => {
      expect(lags(r)).toEqual(HEALTHY_LAGS);
      expect(r.rpoComplete).toBe(true);
      expect(r.checks.find((c) => c.name === 'rds')).toMatchObject({
        status: i === 0 ? 'degraded' : 'healthy',
        writer: 'healthy',
        detail: expect.stringContaining(`writer instance is ${rds[i]} (operational, not a failure)`),
      });
    });
  });
});

describe('the standby region impaired', () => {
  it.each(['refuse', '5xx'] as const)(
    'standby APIs %s while the writer answers: no recommendation, RPO unknown',
    async (mode) => {
      const rs = await scenario(4, (w) => {
        w.mode[STANDBY] = mode;
        w.serviceMode[STANDBY] = { ssm: 'up' };
      });
      expect(recommended(rs).some(Boolean)).toBe(false);
      expect(counts(rs)).toEqual([0, 0, 0, 0]);
      for (const r of rs) {
        expect(lags(r)).toEqual({ rds: null, elasticache: null, msk: null, s3: null });
        expect(r).toMatchObject({ rpoComplete: false, writerRegion: { reachable: true } });
      }
    },
  );

  it('neither region answering (our own network) is unknown, never a writer failure', async () => {
    const rs = await scenario(4, (w) => {
      w.mode[WRITER] = 'refuse';
      w.mode[STANDBY] = 'refuse';
      w.serviceMode[STANDBY] = { ssm: 'up' };
    });
    expect(counts(rs)).toEqual([0, 0, 0, 0]);
    expect(recommended(rs).some(Boolean)).toBe(false);
    for (const r of rs) {
      expect(r.writerRegion.reachable).toBeNull();
      expect(r.rpoComplete).toBe(false);
      expect(r.decision.reason).toMatch(/standby's own region is not answering well/);
    }
  });
  it.each([
    ['GetParameter', GetParameterCommand],
    ['PutParameter', PutParameterCommand],
  ])(
    'a state %s call that never answers is abandoned: the report still comes back in time',
    async (_, command) => {
      fake.stubs.ssm
        .on(command as never, { Name: SETTINGS.stateParameter } as never)
        .callsFake(() => new Promise(() => {}));
      try {
        const started = Date.now();
        const rs = await scenario(1);
        expect(Date.now() - started).toBeLessThan(1500);
        expect(rs[0].decision).toMatchObject({ failoverRecommended: false, consecutiveFailures: 0 });
      } finally {
        fake.reset();
      }
    },
    3000,
  );

  it('the state parameter unreadable: the report still comes back, the stored count is left alone', async () => {
    world.params[STANDBY][SETTINGS.stateParameter] = JSON.stringify({
      consecutivePrimaryFailures: 2,
      lastEvaluatedAt: '2026-11-24T11:59:00.000Z',
    });
    const error = jest.spyOn(logger, 'error');
    const rs = await scenario(2, (w) => {
      w.serviceMode[STANDBY] = { ssm: '5xx' };
    });
    expect(recommended(rs)).toEqual([false, false]);
    for (const r of rs) expect([lags(r), r.rpoComplete]).toEqual([HEALTHY_LAGS, true]);
    expect(error.mock.calls[0][0]).toMatch(
      /Could not read the decision state parameter .*\(server error 503/,
    );
    expect(JSON.parse(world.params[STANDBY][SETTINGS.stateParameter]).consecutivePrimaryFailures).toBe(2);
    error.mockRestore();
  });
});

describe('corrupt decision state', () => {
  it.each([
    'reset',
    '1e999',
    '{"consecutivePrimaryFailures":-3}',
    '{"consecutivePrimaryFailures":2.5}',
    '{"consecutivePrimaryFailures":99999999}',
    '[]',
    'null',
    '{"consecutivePrimaryFailures":2,"lastEvaluatedAt":"yesterday"}',
    '{"consecutivePrimaryFailures":2,"lastKnownLag":[]}',
    '{"consecutivePrimaryFailures":2,"lastKnownLag":{"dynamo":{"lagSeconds":1,"at":"2026-11-24T11:00:00Z"}}}',
    '{"consecutivePrimaryFailures":2,"lastKnownLag":{"rds":{"lagSeconds":-1,"at":"2026-11-24T11:00:00Z"}}}',
    '{"consecutivePrimaryFailures":2,"lastKnownLag":{"rds":{"lagSeconds":1e12,"at":"2026-11-24T11:00:00Z"}}}',
    '{"consecutivePrimaryFailures":2,"lastKnownLag":{"rds":{"lagSeconds":3,"at":"soon"}}}',
  ])('%s: reset with a warning, no recommendation in a healthy world, state rewritten', async (raw) => {
    const warn = jest.spyOn(logger, 'warn');
    world.params[STANDBY][SETTINGS.stateParameter] = raw;
    const rs = await scenario(2);
    expect(recommended(rs)).toEqual([false, false]);
    expect(counts(rs)).toEqual([0, 0]);
    for (const r of rs) expect(lags(r)).toEqual(HEALTHY_LAGS);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(
      /Decision state parameter \/dra\/prod\/readiness\/state is invalid/,
    );
    const at = '2026-11-24T12:01:00.000Z';
    expect(JSON.parse(world.params[STANDBY][SETTINGS.stateParameter])).toEqual({
      consecutivePrimaryFailures: 0,
      lastEvaluatedAt: at,
      lastKnownLag: {
        rds: { lagSeconds: 2, at },
        elasticache: { lagSeconds: 0.5, at },
        msk: { lagSeconds: 1.5, at },
        s3: { lagSeconds: 30, at },
      },
    });
    warn.mockRestore();
  });

  it('a corrupt state during an outage starts the count from 0: recommended three minutes later', async () => {
    world.params[STANDBY][SETTINGS.stateParameter] = '1e999';
    const rs = await scenario(3, outage('refuse'));
    expect(counts(rs)).toEqual([1, 2, 3]);
    expect(recommended(rs)).toEqual([false, false, true]);
  });

  it('a count left by a run long ago is not "consecutive": it restarts', async () => {
    world.params[STANDBY][SETTINGS.stateParameter] = JSON.stringify({
      consecutivePrimaryFailures: 2,
      lastEvaluatedAt: '2026-11-24T10:00:00.000Z',
    });
    const rs = await scenario(1, outage('refuse'));
    expect(counts(rs)).toEqual([1]);
    expect(rs[0].decision.reason).toMatch(/previous count was stale/);
  });
});

describe("evaluate only (the runbooks' CheckReadiness step)", () => {
  it('reports without advancing the count, writing the state or publishing FailoverRecommended', async () => {
    world.params[STANDBY][SETTINGS.stateParameter] = JSON.stringify({
      consecutivePrimaryFailures: 2,
      lastEvaluatedAt: new Date(T0.getTime() - 60_000).toISOString(),
    });
    const stored = world.params[STANDBY][SETTINGS.stateParameter];
    const rs = await scenario(3, outage('refuse'), SETTINGS, { evaluateOnly: true });
    // Each run says what this evaluation concludes from the stored count, and stores nothing.
    expect(counts(rs)).toEqual([3, 3, 3]);
    expect(recommended(rs)).toEqual([true, true, true]);
    expect(rs[0].decision.reason).toMatch(/evaluate only: the decision state was not advanced/);
    expect(world.params[STANDBY][SETTINGS.stateParameter]).toBe(stored);
    const emf = stdout.mock.calls.map((c) => String(c[0])).join('');
    expect(emf).toContain('"CheckStatus"');
    expect(emf).not.toContain('FailoverRecommended');
    expect(emf).not.toContain('WriterConsecutiveFailures');
  });

  it('a scheduled EventBridge event, or any other payload, is a normal evaluation', () => {
    expect(evaluateOptions({ evaluateOnly: true })).toEqual({ evaluateOnly: true });
    for (const event of [
      { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
      { evaluateOnly: 'yes' },
      undefined,
      null,
    ])
      expect(evaluateOptions(event)).toEqual({ evaluateOnly: false });
  });

  it('a normal run afterwards still counts from the stored state', async () => {
    const rs = await scenario(2, outage('refuse'));
    expect(counts(rs)).toEqual([1, 2]);
    expect(JSON.parse(world.params[STANDBY][SETTINGS.stateParameter])).toMatchObject({
      consecutivePrimaryFailures: 2,
    });
  });
});

describe('last known lag per store (RPO during an outage)', () => {
  it('keeps the lags read while the writer answered, with their time, through the outage', async () => {
    const at = (i: number) => new Date(T0.getTime() + i * 60_000).toISOString();
    const rs = await scenario(5, (w, i) => {
      if (i >= 2) outage('refuse')(w, i - 2);
      else w.rdsLag = 3 + i;
    });
    const lastKnown = (r: ReadinessReport) =>
      Object.fromEntries(r.rpo.stores.map((s) => [s.store, s.lastKnown]));
    expect(lastKnown(rs[1])).toEqual({
      rds: { lagSeconds: 4, at: at(1) },
      elasticache: { lagSeconds: 0.5, at: at(1) },
      msk: { lagSeconds: 1.5, at: at(1) },
      s3: { lagSeconds: 30, at: at(1) },
    });
    for (const [k, r] of rs.slice(2).entries()) {
      // The report keeps the lag as read now (RDS ReplicaLag still readable in the standby)...
      expect(lags(r)).toEqual(OUTAGE_LAGS(k));
      // ...and what was replicated before the outage.
      expect(lastKnown(r)).toEqual(lastKnown(rs[1]));
    }
    expect(recommended(rs)).toEqual([false, false, false, false, true]);
    expect(JSON.parse(world.params[STANDBY][SETTINGS.stateParameter]).lastKnownLag.rds).toEqual({
      lagSeconds: 4,
      at: at(1),
    });
  });

  it('a writer instance that failed (its region still answering) keeps the lag read before: the grown ReplicaLag is not what was replicated', async () => {
    const at = (i: number) => new Date(T0.getTime() + i * 60_000).toISOString();
    // A single-service outage: DescribeDBInstances answers "failed" while ReplicaLag
    // (now() - last replayed transaction) grows; the runbooks' RPO gate reads lastKnown then.
    const rs = await scenario(4, (w, i) => {
      if (i >= 2) {
        w.rdsWriterStatus = 'failed';
        w.rdsLag = 60 * i;
      }
    });
    const rds = (i: number) => rs[i].rpo.stores.find((s) => s.store === 'rds');
    expect(rds(1)?.lastKnown).toEqual({ lagSeconds: 2, at: at(1) });
    for (const i of [2, 3]) {
      expect(rs[i].checks.find((c) => c.name === 'rds')).toMatchObject({
        writer: 'failed',
        writerAnswered: true,
      });
      expect(rds(i)).toMatchObject({ lagSeconds: 60 * i, lastKnown: { lagSeconds: 2, at: at(1) } });
    }
  });

  it('a store never read while the writer answered has lastKnown null', async () => {
    const rs = await scenario(1, outage('refuse'));
    for (const s of rs[0].rpo.stores) expect(s.lastKnown).toBeNull();
  });
});

describe('brownout: the writer region answering with server errors', () => {
  const emitted = (name: string) =>
    stdout.mock.calls
      .map((c) => String(c[0]))
      .join('')
      .split('\n')
      .filter((l) => l.includes(`"${name}"`))
      .map((l) => JSON.parse(l)[name]);

  it('5xx from every write-path service: its own count, recommended at the tenth evaluation, saying it is a brownout', async () => {
    const rs = await scenario(11, (w) => {
      w.mode[WRITER] = '5xx';
    });
    expect(recommended(rs)).toEqual([...Array(9).fill(false), true, true]);
    expect(rs.map((r) => r.decision.consecutiveBrownouts)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // Not a hard failure: that count stays where it was.
    expect(counts(rs)).toEqual(Array(11).fill(0));
    expect(rs[9].decision.reason).toMatch(
      /^failover recommended: brownout, 10 consecutive evaluations with server errors from two or more write-path services \(threshold 10\); brownout in the writer's region us-east-1: rds, elasticache, msk answer with server errors/,
    );
    for (const r of rs) {
      expect(lags(r)).toEqual(HEALTHY_LAGS);
      // It answers (with errors): never taken for a region that does not answer.
      expect(r.writerRegion.reachable).not.toBe(false);
    }
    // The WriterVerdictUnknown alarm still sees each minute without a plain verdict.
    expect(emitted('WriterVerdictUnknown')).toEqual(Array(11).fill(1));
  });

  it('two services are enough; one is not (5xx from RDS alone is unknown for as long as it lasts)', async () => {
    const two = await scenario(10, (w) => {
      w.serviceMode[WRITER] = { rds: '5xx', elasticache: '5xx' };
    });
    expect(recommended(two)[9]).toBe(true);
    world = healthyWorld(T0);
    const one = await scenario(12, (w) => {
      w.serviceMode[WRITER] = { rds: '5xx' };
    });
    expect(recommended(one).some(Boolean)).toBe(false);
    expect(one.map((r) => r.decision.consecutiveBrownouts)).toEqual(Array(12).fill(0));
  });

  it('a healthy evaluation resets the brownout count; a throttled one keeps it', async () => {
    const rs = await scenario(14, (w, i) => {
      w.mode[WRITER] = i === 4 ? 'up' : i === 7 ? 'throttle' : '5xx';
    });
    expect(rs.map((r) => r.decision.consecutiveBrownouts)).toEqual([
      1, 2, 3, 4, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(recommended(rs).some(Boolean)).toBe(false);
  });

  it('a throttling storm in the writer region alone never recommends, however long it lasts', async () => {
    const rs = await scenario(15, (w) => {
      w.mode[WRITER] = 'throttle';
    });
    expect(recommended(rs).some(Boolean)).toBe(false);
    expect(counts(rs)).toEqual(Array(15).fill(0));
    expect(rs.map((r) => r.decision.consecutiveBrownouts)).toEqual(Array(15).fill(0));
    expect(rs[14].decision.reason).toMatch(/health unknown this time/);
    for (const r of rs) expect([lags(r), r.rpoComplete]).toEqual([HEALTHY_LAGS, true]);
    expect(emitted('WriterVerdictUnknown')).toEqual(Array(15).fill(1));
  });

  it('publishes WriterVerdictUnknown 0 while there is a verdict', async () => {
    await scenario(1);
    expect(emitted('WriterVerdictUnknown')).toEqual([0]);
  });
});

/** The canary running in both regions: the readiness settings that read it, and its states. */
const CANARY = '/dra/prod/canary/state';
const WITH_CANARY: ReadinessSettings = {
  ...SETTINGS,
  canaryStateParameter: CANARY,
  canaryStores: ['rds', 'elasticache', 'msk', 's3'],
};
type Store = 'rds' | 'elasticache' | 'msk' | 's3';
interface CanaryWorld {
  /** The writer's write outcome per store this minute (default ok). */
  writes?: Partial<Record<Store, { outcome: string; detail?: string }>>;
  /** When the newest canary the standby read was written, seconds before now, per store. */
  ages: Record<Store, number>;
}
/** Writes both canary states as the two canary functions would have a few seconds before now. */
function canaries(w: World, c: CanaryWorld): void {
  const at = new Date(w.now.getTime() - 5000).toISOString();
  const stores: Store[] = ['rds', 'elasticache', 'msk', 's3'];
  w.params[WRITER][CANARY] = JSON.stringify({
    side: 'writer',
    region: WRITER,
    ranAt: at,
    stores: Object.fromEntries(stores.map((s) => [s, { outcome: 'ok', at, ...c.writes?.[s] }])),
  });
  w.params[STANDBY][CANARY] = JSON.stringify({
    side: 'standby',
    region: STANDBY,
    ranAt: at,
    stores: Object.fromEntries(
      stores.map((s) => [
        s,
        {
          outcome: 'ok',
          at,
          newestWrittenAt: new Date(Date.parse(at) - c.ages[s] * 1000).toISOString(),
          lagSeconds: c.ages[s],
        },
      ]),
    ),
  });
}
const FRESH: Record<Store, number> = { rds: 20, elasticache: 35, msk: 40, s3: 50 };

describe('canaries: the lag measured from the data', () => {
  it('is the lag of every store when present, with the CloudWatch figure beside it and the budget plus the interval', async () => {
    const rs = await scenario(2, (w) => canaries(w, { ages: FRESH }), WITH_CANARY);
    for (const r of rs) {
      expect(lags(r)).toEqual(FRESH);
      expect(r).toMatchObject({ rpoComplete: true, overall: 'healthy', rpo: { withinBudget: true } });
    }
    const cache = rs[0].rpo.stores.find((s) => s.store === 'elasticache');
    expect(cache).toMatchObject({
      lagSeconds: 35,
      // The cache's 5 s budget plus the 60 s a canary written every minute may be old.
      budgetSeconds: 65,
      withinBudget: true,
      source: expect.stringMatching(
        /^canary: age of the newest elasticache canary read in us-west-2 \(standby\)/,
      ),
      cloudWatch: {
        lagSeconds: 0.5,
        budgetSeconds: 5,
        source: expect.stringMatching(/GlobalDatastoreReplicationLag/),
      },
      canary: {
        lagSeconds: 35,
        budgetSeconds: 65,
        newestWrittenAt: expect.any(String),
        measuredAt: expect.any(String),
      },
    });
  });

  it('a canary that is not running is said (the check degraded) and the CloudWatch figure is used: never a silent pass', async () => {
    const rs = await scenario(
      1,
      (w) => {
        canaries(w, { ages: FRESH });
        const stale = JSON.parse(w.params[STANDBY][CANARY]);
        w.params[STANDBY][CANARY] = JSON.stringify({ ...stale, ranAt: '2026-11-24T11:00:00.000Z' });
      },
      WITH_CANARY,
    );
    expect(lags(rs[0])).toEqual(HEALTHY_LAGS);
    const rds = rs[0].checks.find((c) => c.name === 'rds');
    expect(rds).toMatchObject({
      status: 'degraded',
      detail: expect.stringMatching(
        /no canary lag: the standby's canary in us-west-2 last ran at 2026-11-24T11:00:00.000Z \(3600 s ago\): it is not running/,
      ),
    });
    expect(rs[0].rpo.stores.find((s) => s.store === 'rds')?.canary).toBeNull();
  });

  it("the canary's growing age during an outage is the lag now; lastKnown keeps what was replicated before", async () => {
    const rs = await scenario(
      5,
      (w, i) => {
        if (i < 2) canaries(w, { ages: FRESH });
        else {
          outage('refuse')(w, i - 2);
          // The standby's canary keeps reading; nothing newer arrives.
          canaries(w, {
            ages: {
              rds: 20 + 60 * (i - 1),
              elasticache: 35 + 60 * (i - 1),
              msk: 40 + 60 * (i - 1),
              s3: 50 + 60 * (i - 1),
            },
          });
        }
      },
      WITH_CANARY,
    );
    expect(recommended(rs)).toEqual([false, false, false, false, true]);
    expect(lags(rs[4])).toEqual({ rds: 200, elasticache: 215, msk: 220, s3: 230 });
    for (const s of rs[4].rpo.stores) expect(s.lastKnown?.lagSeconds).toBe(FRESH[s.store as Store]);
    expect(rs[4].rpoComplete).toBe(true);
  });
});

describe('data-plane outages: the control plane says healthy, the canary cannot write', () => {
  const refused = {
    outcome: 'unreachable',
    detail:
      'postgres-control heartbeat: Connecting to dra-prod-postgres failed: connect ECONNREFUSED 10.50.1.9:5432',
  };

  it('the database refusing connections while RDS reports it available: rds failed (data plane), recommended at the third evaluation', async () => {
    const rs = await scenario(
      4,
      (w, i) => {
        // The heartbeat stops replicating: the replica's newest beat ages a minute an evaluation.
        canaries(w, {
          writes: i >= 1 ? { rds: refused } : {},
          ages: { ...FRESH, rds: i >= 1 ? 20 + 60 * i : 20 },
        });
      },
      WITH_CANARY,
    );
    expect(rs.map((r) => r.checks.find((c) => c.name === 'rds')?.writer)).toEqual([
      'healthy',
      'failed',
      'failed',
      'failed',
    ]);
    expect(counts(rs)).toEqual([0, 1, 2, 3]);
    expect(recommended(rs)).toEqual([false, false, false, true]);
    const rds = rs[3].checks.find((c) => c.name === 'rds');
    expect(rds).toMatchObject({
      status: 'failed',
      writerAnswered: true,
      detail: expect.stringMatching(
        /^data-plane failure in us-east-1: the canary write at .* was not answered \(postgres-control heartbeat: .*ECONNREFUSED.*\), while its control plane reports it healthy \(writer available\)/,
      ),
    });
    expect(rs[3].decision.reason).toMatch(
      /single-service outage in the writer's region: rds \(data-plane failure/,
    );
    // The gate reads lastKnown: the lag from before the failure, not the growing one.
    const store = rs[3].rpo.stores.find((s) => s.store === 'rds');
    expect(store).toMatchObject({ lagSeconds: 200, lastKnown: { lagSeconds: 20 } });
    expect(rs[3].writerRegion.reachable).toBe(true);
  });

  it('the cache timing out while its Global Datastore reports available: elasticache failed, recommended at the third evaluation', async () => {
    const timedOut = {
      outcome: 'unreachable',
      detail: 'elasticache canary write: no answer within 10000 ms',
    };
    const rs = await scenario(
      3,
      (w) => canaries(w, { writes: { elasticache: timedOut }, ages: FRESH }),
      WITH_CANARY,
    );
    expect(recommended(rs)).toEqual([false, false, true]);
    expect(rs[2].checks.find((c) => c.name === 'elasticache')).toMatchObject({
      status: 'failed',
      writer: 'failed',
      detail: expect.stringMatching(
        /data-plane failure .* not answered \(elasticache canary write: no answer within 10000 ms\)/,
      ),
    });
  });

  it('a canary that reaches none of its stores (its own network) is reported, never counted', async () => {
    const everything = { rds: refused, elasticache: refused, msk: refused, s3: refused };
    const rs = await scenario(4, (w) => canaries(w, { writes: everything, ages: FRESH }), WITH_CANARY);
    expect(recommended(rs).some(Boolean)).toBe(false);
    expect(counts(rs)).toEqual([0, 0, 0, 0]);
    expect(rs[0].checks.find((c) => c.name === 'rds')?.detail).toMatch(
      /reached none of its stores .* not counted/,
    );
  });

  it('a denied canary write (its own permissions) is never evidence', async () => {
    const rs = await scenario(
      4,
      (w) =>
        canaries(w, {
          writes: { msk: { outcome: 'denied', detail: 'TOPIC_AUTHORIZATION_FAILED' } },
          ages: FRESH,
        }),
      WITH_CANARY,
    );
    expect(recommended(rs).some(Boolean)).toBe(false);
    expect(rs[0].checks.find((c) => c.name === 'msk')).toMatchObject({
      writer: 'healthy',
      detail: expect.stringMatching(/canary failed \(denied\)/),
    });
  });

  it('an S3 canary write failing is reported (the s3 check failed, lastKnown kept) but S3 is not on the write path', async () => {
    const rs = await scenario(
      4,
      (w) =>
        canaries(w, {
          writes: { s3: { outcome: 'rejected', detail: 'KMS.DisabledException' } },
          ages: FRESH,
        }),
      WITH_CANARY,
    );
    expect(recommended(rs).some(Boolean)).toBe(false);
    expect(rs[3].checks.find((c) => c.name === 's3')).toMatchObject({ status: 'failed', writer: 'failed' });
  });
});

describe('the MSK Replicator, judged by its own metrics', () => {
  it('ReplicationLatency 0 while MessageLag grows: the msk lag is unknown, the RPO incomplete, ReplicatorHealthy 0; no failover', async () => {
    const rs = await scenario(3, (w, i) => {
      w.mskLatencyMs = 0;
      w.mskMessageLag = [300 + 100 * i, 200 + 100 * i, 100 + 100 * i];
    });
    for (const [i, r] of rs.entries()) {
      expect(lags(r)).toEqual({ ...HEALTHY_LAGS, msk: null });
      expect(r.rpoComplete).toBe(false);
      expect(r.checks.find((c) => c.name === 'msk')).toMatchObject({
        status: 'failed',
        replicatorHealthy: false,
        detail:
          i > 0
            ? expect.any(String)
            : expect.stringMatching(
                /ReplicationLatency is 0 while MessageLag grows \(100 to 300 messages\): the Replicator has lost access/,
              ),
      });
    }
    expect(recommended(rs).some(Boolean)).toBe(false);
    const healthy = stdout.mock.calls
      .map((c) => String(c[0]))
      .join('')
      .split('\n')
      .filter((l) => l.includes('"ReplicatorHealthy"'))
      .map((l) => JSON.parse(l).ReplicatorHealthy);
    expect(healthy).toEqual([0, 0, 0]);
  });

  it('a latency of 0 with a flat message lag is just a quiet Replicator (lag 0)', async () => {
    const rs = await scenario(1, (w) => {
      w.mskLatencyMs = 0;
      w.mskMessageLag = [0, 0, 0];
    });
    expect(lags(rs[0]).msk).toBe(0);
    expect(rs[0].checks.find((c) => c.name === 'msk')?.replicatorHealthy).toBe(true);
  });

  it.each([
    ['a ping of 0 for one cluster', { source: 0, target: 1 }, /KafkaClusterPingSuccessCount 0 for source/],
    [
      'no ping datapoint for one cluster',
      { source: undefined, target: 1 },
      /KafkaClusterPingSuccessCount missing for source/,
    ],
    ['no ping series at all', {}, /has no datapoint: the Replicator reaches no cluster/],
  ])(
    '%s: unhealthy, msk lag unknown even with a canary (one topic replicating says nothing of the others)',
    async (_, ping, why) => {
      const rs = await scenario(
        1,
        (w) => {
          w.mskPing = ping;
          canaries(w, { ages: FRESH });
        },
        WITH_CANARY,
      );
      const msk = rs[0].rpo.stores.find((s) => s.store === 'msk');
      expect(msk).toMatchObject({ lagSeconds: null, canary: { lagSeconds: 40 } });
      expect(rs[0].rpoComplete).toBe(false);
      expect(rs[0].checks.find((c) => c.name === 'msk')?.detail).toMatch(why);
    },
  );
});
