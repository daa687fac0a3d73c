import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { GetParametersCommandOutput } from '@aws-sdk/client-ssm';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ENVIRONMENTS, type EnvironmentConfigInput, loadConfig, validateConfig } from '../../config';
import { dev } from '../../config/dev';
import { prod as prodInput } from '../../config/prod';
import { CANARY_SERVICE } from '../../lambda/canary/metrics';
import { runCanary } from '../../lambda/canary/run';
import { submit } from '../../lambda/job-submission/handler';
import { evaluate } from '../../lambda/readiness/handler';
import { METRICS_NAMESPACE, READINESS_SERVICE } from '../../lambda/readiness/metrics';
import { CHECK_NAMES, readinessSettings } from '../../lib/constructs/readiness';
import {
  clientsIn,
  healthyWorld,
  installFakeAws,
  SETTINGS,
  STANDBY,
  type World,
  WRITER,
} from '../lambda/readiness-fake-aws';
import { atGeneration, sharedPlatform, templateOf } from '../support/app';

const platform = sharedPlatform('prod');
const primary = templateOf(platform.primary.operations);
const dr = templateOf(platform.dr.operations);

describe('operations (prod)', () => {
  const alarms = (t: typeof primary) => Object.values(t.findResources('AWS::CloudWatch::Alarm')) as any[];

  it('runs the readiness check every minute in both regions, outside the VPC, on Node.js 22+', () => {
    for (const t of [primary, dr]) {
      t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
      const fn = (Object.values(t.findResources('AWS::Lambda::Function')) as any[]).find(
        (f) => f.Properties.FunctionName === 'dra-prod-readiness',
      );
      expect(fn.Properties.VpcConfig).toBeUndefined();
      expect(Number(fn.Properties.Runtime.replace(/\D/g, ''))).toBeGreaterThanOrEqual(22);
      // The scheduled run plus the runbooks' evaluate-only invocations.
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(3);
    }
  });

  it('never retries an asynchronous (scheduled) readiness run, and drops one older than a minute', () => {
    for (const t of [primary, dr]) {
      const fnId = Object.entries(t.findResources('AWS::Lambda::Function')).find(
        ([, f]: [string, any]) => f.Properties.FunctionName === 'dra-prod-readiness',
      )?.[0];
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    }
  });

  it('alarms on every check, the estimated RPO and its own errors, M of N, to an encrypted topic', () => {
    const checkAlarms = alarms(dr).filter((a) => a.Properties.MetricName === 'CheckStatus');
    expect(checkAlarms).toHaveLength(CHECK_NAMES.length);
    for (const a of checkAlarms) {
      expect(a.Properties).toMatchObject({
        Threshold: 2,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(a.Properties.AlarmActions).toHaveLength(1);
    }
    const rpo = alarms(dr).find((a) => a.Properties.MetricName === 'EstimatedRpoSeconds');
    expect(rpo.Properties.Threshold).toBe(900);
    const [topic] = Object.values(dr.findResources('AWS::SNS::Topic')) as any[];
    expect(JSON.stringify(topic.Properties.KmsMasterKeyId)).toMatch(/StreamingKey/);
  });

  it("alarms in the standby when the writer's checks gave no verdict for 10 of 10 minutes (a brownout)", () => {
    const find = (t: typeof primary) =>
      alarms(t).filter((a) => a.Properties.MetricName === 'WriterVerdictUnknown');
    expect(find(primary)).toEqual([]);
    const [a] = find(dr);
    expect(a.Properties).toMatchObject({
      EvaluationPeriods: 10,
      DatapointsToAlarm: 10,
      Threshold: 1,
      Statistic: 'Minimum',
      Period: 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(a.Properties.AlarmDescription).toMatch(/HTTP 5xx, a brownout/);
    expect(a.Properties.AlarmDescription).toMatch(/judge by hand .*docs\/runbooks\/failover\.md/);
  });

  it('alarms on a failover recommendation only from the DR region', () => {
    expect(alarms(dr).filter((a) => a.Properties.MetricName === 'FailoverRecommended')).toHaveLength(1);
    expect(alarms(primary).filter((a) => a.Properties.MetricName === 'FailoverRecommended')).toHaveLength(0);
  });

  const metricNames = (t: typeof primary) =>
    alarms(t).map(
      (a) =>
        a.Properties.MetricName ??
        a.Properties.Metrics?.find((m: any) => m.MetricStat)?.MetricStat.Metric.MetricName,
    );

  it("alarms on the data stores' own health, through cdk-monitoring-constructs where it covers them", () => {
    expect(metricNames(primary)).toEqual(
      expect.arrayContaining([
        'CPUUtilization',
        'FreeStorageSpace',
        'DatabaseConnections',
        'DatabaseMemoryUsagePercentage',
        'Evictions',
        'JobSubmissionFailures',
        'MatchedEvents',
      ]),
    );
    const library = alarms(primary).filter((a) => /^dra-prod-primary/.test(a.Properties.AlarmName ?? ''));
    const libraryMetric = (name: string) =>
      library.find((a) => JSON.stringify(a.Properties).includes(`"MetricName":"${name}"`));
    // PostgreSQL (monitorRdsInstance) and the cache node (monitorElastiCacheCluster).
    expect(JSON.stringify(libraryMetric('CPUUtilization')?.Properties)).toContain('dra-prod-postgres');
    expect(libraryMetric('FreeStorageSpace')?.Properties.Threshold).toBe(10 * 1024 ** 3);
    expect(libraryMetric('DatabaseConnections')?.Properties.Threshold).toBe(500);
    expect(JSON.stringify(libraryMetric('Evictions')?.Properties)).toContain('dra-prod-cache-001');
    // readiness: 8 checks + RPO + RPO incomplete + errors + heartbeat (+ recommendation, writer
    // without a verdict and the Replicator's health in the standby);
    // canary: not running + one per store (+ each store's measured lag in the standby);
    // library: RDS 3, cache 1, job submission 2; by hand: cache memory, job submission failures;
    // Spark failures; MSK Serverless throttling 4.
    expect(alarms(primary)).toHaveLength(CHECK_NAMES.length + 4 + (1 + 4) + 6 + 2 + 1 + 4);
    expect(alarms(dr)).toHaveLength(CHECK_NAMES.length + 7 + (1 + 4 + 4) + 6 + 2 + 1 + 4);
  });

  it('alarms on cache memory on every node of the replication group (the primary moves)', () => {
    const memory = alarms(dr).find((a) =>
      a.Properties.Metrics?.some(
        (m: any) => m.MetricStat?.Metric.MetricName === 'DatabaseMemoryUsagePercentage',
      ),
    );
    const nodes = memory.Properties.Metrics.filter((m: any) => m.MetricStat).map(
      (m: any) => m.MetricStat.Metric.Dimensions[0].Value,
    );
    expect(nodes.sort()).toEqual(['dra-prod-cache-001', 'dra-prod-cache-002', 'dra-prod-cache-003']);
    expect(memory.Properties.Metrics.find((m: any) => m.Expression).Expression).toBe('MAX([m0, m1, m2])');
  });

  it('a heartbeat alarm per region fires when the readiness function stops reporting (missing data breaches)', () => {
    for (const t of [primary, dr]) {
      const heartbeat = alarms(t).filter((a) => a.Properties.MetricName === 'Evaluations');
      expect(heartbeat).toHaveLength(1);
      expect(heartbeat[0].Properties).toMatchObject({
        TreatMissingData: 'breaching',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        Statistic: 'Sum',
        Period: 60,
      });
      const incomplete = alarms(t).find((a) => a.Properties.MetricName === 'RpoComplete');
      expect(incomplete.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'LessThanThreshold' });
    }
  });

  it('keeps the logical IDs of the named resources it had before the split (no second resource under one name)', () => {
    for (const id of [
      'SparkJobFailedEC167786',
      'SparkJobFailedLog310183CA',
      'SparkJobFailedLogPolicyResourcePolicy292CF215',
      'Dashboard9E4231ED',
      'ReadinessState26A9DE92',
    ])
      expect(Object.keys(primary.toJSON().Resources)).toContain(id);
    const named = alarms(primary).filter((a) => a.Properties.AlarmName);
    expect(named.length).toBeGreaterThan(0);
    const ids = Object.entries(primary.findResources('AWS::CloudWatch::Alarm'))
      .filter(([, a]: any) => a.Properties.AlarmName)
      .map(([id]) => id);
    // cdk-monitoring-constructs' alarms stay under the stack's Monitoring construct.
    for (const id of ids) expect(id).toMatch(/^Monitoring/);
  });

  it('alarms before MSK Serverless throttles: busiest topic and whole cluster against the documented quotas', () => {
    const byId = (id: string) => {
      const [, alarm] = Object.entries(primary.findResources('AWS::CloudWatch::Alarm')).find(([k]) =>
        k.startsWith(`StreamingAlarms${id}`),
      ) as [string, any];
      return alarm.Properties;
    };
    const topicIngress = byId('MskTopicIngress');
    // 6 partitions x 5 MB/s per partition, alarm at 80%.
    expect(topicIngress).toMatchObject({
      Threshold: 24_000_000,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const expression = topicIngress.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('MAX([t0, t1, t2])');
    const inputs = topicIngress.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat);
    expect(inputs.map((m: any) => m.Metric.Dimensions)).toEqual(
      ['topicA', 'topicB', 'topicC'].map((t) => [
        { Name: 'Cluster Name', Value: 'dra-prod-msk' },
        { Name: 'Topic', Value: t },
      ]),
    );
    for (const m of inputs) expect(m).toMatchObject({ Stat: 'Sum', Period: 60 });
    expect(inputs[0].Metric).toMatchObject({ Namespace: 'AWS/Kafka', MetricName: 'BytesInPerSec' });
    expect(byId('MskTopicEgress').Threshold).toBe(48_000_000);
    const cluster = byId('MskClusterIngress');
    expect(cluster.Threshold).toBe(160_000_000);
    expect(cluster.Metrics.find((m: any) => m.Expression).Expression).toBe('SUM([t0, t1, t2])');
    expect(byId('MskClusterEgress').Threshold).toBe(320_000_000);
  });

  it('uses cdk-monitoring-constructs for the job submission function, on the same topic, M of N, without extra dashboards', () => {
    const metricOf = (a: any) => a.Properties.Metrics?.find((m: any) => m.MetricStat)?.MetricStat.Metric;
    const lambdaAlarms = alarms(primary).filter((a) => metricOf(a)?.Namespace === 'AWS/Lambda');
    expect(lambdaAlarms.map((a) => metricOf(a).MetricName).sort()).toEqual(['Errors', 'Throttles']);
    for (const a of lambdaAlarms) {
      expect(metricOf(a).Dimensions).toEqual([{ Name: 'FunctionName', Value: 'dra-prod-submit-job' }]);
      expect(a.Properties).toMatchObject({ EvaluationPeriods: 5, DatapointsToAlarm: 3, Threshold: 0 });
      expect(JSON.stringify(a.Properties.AlarmActions)).toMatch(/ReadinessAlarmTopic/);
    }
    primary.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    dr.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  it('alarms on failed Spark job runs, from EMR Serverless events kept in an encrypted log group', () => {
    const [ruleId, rule] = Object.entries(primary.findResources('AWS::Events::Rule')).find(([, r]: any) =>
      JSON.stringify(r.Properties.EventPattern ?? {}).includes('aws.emr-serverless'),
    ) as [string, any];
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.emr-serverless'],
      'detail-type': ['EMR Serverless Job Run State Change'],
      detail: { state: ['FAILED'] },
    });
    expect(JSON.stringify(rule.Properties.Targets[0].Arn)).toContain(
      'log-group:/dra/prod/emr-serverless/failed-job-runs',
    );
    const alarm = alarms(primary).find((a) => a.Properties.MetricName === 'MatchedEvents');
    expect(alarm.Properties.Namespace).toBe('AWS/Events');
    expect(alarm.Properties.Dimensions).toEqual([{ Name: 'RuleName', Value: { Ref: ruleId } }]);
    expect(rule.Properties.Name).toBe('dra-prod-spark-job-failed');
    primary.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/dra/prod/emr-serverless/failed-job-runs',
      KmsKeyId: Match.anyValue(),
    });
    const [policy] = Object.values(primary.findResources('AWS::Logs::ResourcePolicy')) as any[];
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('events.amazonaws.com');
    // No custom-resource Lambda writes the policy: the stack's functions are readiness and the canary.
    expect(
      (Object.values(primary.findResources('AWS::Lambda::Function')) as any[]).map(
        (f) => f.Properties.FunctionName,
      ),
    ).toEqual(['dra-prod-readiness', 'dra-prod-canary']);
    expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  it('alarms on Redshift health and disk only where there is a provisioned cluster', () => {
    expect(metricNames(primary)).not.toContain('HealthStatus');
    const provisioned = sharedPlatform({
      ...structuredClone(prodInput),
      redshift: { ...prodInput.redshift, mode: 'provisioned' },
    });
    const ops = templateOf(provisioned.primary.operations);
    const health = alarms(ops).find((a) => a.Properties.MetricName === 'HealthStatus');
    expect(health.Properties).toMatchObject({
      Namespace: 'AWS/Redshift',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      Dimensions: [{ Name: 'ClusterIdentifier', Value: 'dra-prod-warehouse' }],
    });
    const libraryMetrics = alarms(ops).flatMap((a) =>
      (a.Properties.Metrics ?? [])
        .filter((m: any) => m.MetricStat)
        .map((m: any) => m.MetricStat.Metric.MetricName),
    );
    expect(libraryMetrics).toEqual(expect.arrayContaining(['PercentageDiskSpaceUsed', 'CPUUtilization']));
  });

  it('has one dashboard per environment, in the primary region, showing both regions', () => {
    primary.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    dr.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    const body = JSON.stringify(
      (Object.values(primary.findResources('AWS::CloudWatch::Dashboard'))[0] as any).Properties.DashboardBody,
    );
    expect(body).toContain('us-east-1');
    expect(body).toContain('us-west-2');
    expect(body).toContain('EstimatedRpoSeconds');
    expect(body).toContain('StoreLagSeconds');
    expect(body).toContain('RpoComplete');
  });

  it('reads both regions with named resources where the API allows, and writes only its state parameter', () => {
    const policy = (Object.values(dr.findResources('AWS::IAM::Policy')) as any[]).find((p) =>
      JSON.stringify(p).includes('ReadinessCheck'),
    );
    const statements = policy.Properties.PolicyDocument.Statement;
    for (const action of statements.flatMap((s: any) => [s.Action].flat()))
      expect(action).not.toMatch(/:\*$/);
    const put = statements.find((s: any) => s.Action === 'ssm:PutParameter');
    expect(put.Resource).toBe('arn:aws:ssm:us-west-2:111111111111:parameter/dra/prod/readiness/state');
    const rds = statements.find((s: any) => s.Action === 'rds:DescribeDBInstances');
    expect(rds.Resource).toEqual([
      'arn:aws:rds:us-east-1:111111111111:db:dra-prod-postgres',
      'arn:aws:rds:us-west-2:111111111111:db:dra-prod-postgres',
    ]);
    const unscoped = statements.find((s: any) => [s.Action].flat().includes('cloudwatch:GetMetricData'));
    expect(unscoped.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] },
    });
  });

  it('deploys after every other stack of its region', () => {
    for (const stack of [
      platform.dr.storage,
      platform.dr.database,
      platform.dr.streaming,
      platform.dr.processing,
    ]) {
      expect(platform.dr.operations.dependencies).toContain(stack);
    }
  });
});

describe('the replication canary (prod)', () => {
  const fnOf = (t: Template) =>
    (Object.entries(t.findResources('AWS::Lambda::Function')) as [string, any][]).find(
      ([, f]) => f.Properties.FunctionName === 'dra-prod-canary',
    ) as [string, any];

  it('runs every minute in both regions, in the VPC, never retried; the writer writes and the standby reads', () => {
    for (const [t, side] of [
      [primary, 'writer'],
      [dr, 'standby'],
    ] as const) {
      const [id, fn] = fnOf(t);
      expect(fn.Properties.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
      const settings = JSON.parse(fn.Properties.Environment.Variables.CANARY_SETTINGS);
      expect(settings).toMatchObject({
        side,
        stateParameter: '/dra/prod/canary/state',
        rds: { functionName: 'dra-prod-postgres-control' },
        s3: { key: 'canary/heartbeat.json' },
        msk: { topic: 'dra-canary', groupId: 'dra-canary-reader' },
        elasticache: { endpointParameter: '/dra/prod/cache/endpoint', key: 'dra:canary' },
      });
      expect(settings.s3.bucket).toBe(
        `dra-prod-raw-111111111111-${side === 'writer' ? 'us-east-1' : 'us-west-2'}`,
      );
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: id },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
      const rules = Object.values(t.findResources('AWS::Events::Rule')) as any[];
      expect(
        rules.some(
          (r) =>
            r.Properties.ScheduleExpression === 'rate(1 minute)' &&
            JSON.stringify(r.Properties.Targets).includes(id),
        ),
      ).toBe(true);
    }
  });

  it("may only write the canary's own key and state on the writer's side, and only read them on the standby's", () => {
    const statements = (t: Template) =>
      (Object.values(t.findResources('AWS::IAM::Policy')) as any[])
        .filter((p) => JSON.stringify(p.Properties.Roles).includes('CanaryFunction'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = (t: Template) => statements(t).flatMap((s: any) => [s.Action].flat());
    expect(actions(primary)).toEqual(expect.arrayContaining(['s3:PutObject', 'kafka-cluster:WriteData']));
    expect(actions(primary)).not.toContain('s3:GetObject');
    expect(actions(dr)).toEqual(expect.arrayContaining(['s3:GetObject', 'kafka-cluster:ReadData']));
    expect(actions(dr)).not.toContain('s3:PutObject');
    const put = statements(primary).find((s: any) => s.Action === 's3:PutObject');
    expect(put.Resource).toBe('arn:aws:s3:::dra-prod-raw-111111111111-us-east-1/canary/heartbeat.json');
    const invoke = statements(dr).find((s: any) => s.Action === 'lambda:InvokeFunction');
    expect(invoke.Resource).toBe('arn:aws:lambda:us-west-2:111111111111:function:dra-prod-postgres-control');
  });
});

describe('readiness settings come from config', () => {
  it('name every resource the checks need, and skip what an environment does not have', () => {
    const s = readinessSettings(validateConfig(structuredClone(dev), 'dev'), 'dr');
    expect(s).toMatchObject({
      primaryRegion: 'us-east-1',
      drRegion: 'us-west-2',
      database: { source: 'dra-dev-postgres', replica: 'dra-dev-postgres' },
      globalDatastoreId: undefined,
      replicatorName: undefined,
      warehouse: { mode: 'serverless', name: 'dra-dev-warehouse' },
      stateParameter: '/dra/dev/readiness/state',
      consecutiveFailuresToRecommend: 3,
    });
    expect(s.replication[0]).toEqual({
      sourceBucket: 'dra-dev-raw-111111111111-us-east-1',
      destinationBucket: 'dra-dev-raw-111111111111-us-west-2',
      ruleId: 'to-dr-us-west-2',
    });
    expect(s.budgets.redshiftSnapshotAgeSeconds).toBe(7200);
    // Every node of the replication group (1 + replicas), whichever is primary now.
    expect(s.cacheNodeIds).toEqual(['dra-dev-cache-001', 'dra-dev-cache-002']);
    expect(readinessSettings(loadConfig('prod'), 'dr').cacheNodeIds).toEqual([
      'dra-prod-cache-001',
      'dra-prod-cache-002',
      'dra-prod-cache-003',
    ]);
  });
});

/**
 * The alarms and the dashboard must query exactly what the handler publishes:
 * this runs the real handler core, parses the EMF lines it prints, and checks
 * that every readiness metric an alarm or a widget asks for (namespace, name,
 * and the full dimension set with its values) was published, in every
 * environment, both regions, and both kinds of failover generation.
 */
type Identity = string;
const identity = (namespace: string, name: string, dims: Record<string, string>): Identity =>
  `${namespace} ${name} ${Object.keys(dims)
    .sort()
    .map((k) => `${k}=${dims[k]}`)
    .join(',')}`;

let world: World = healthyWorld(new Date('2026-11-24T12:00:00Z'));
const fake = installFakeAws(() => world);
afterAll(() => fake.restore());

/** Everything the handlers publish for an environment: readiness over a healthy run and a writer outage, the canary on both sides. */
async function published(environment: string): Promise<Set<Identity>> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const writer = clientsIn(WRITER);
    const standby = clientsIn(STANDBY);
    for (const outage of [false, true]) {
      world = healthyWorld(new Date('2026-11-24T12:00:00Z'));
      if (outage) world.mode[WRITER] = 'refuse';
      for (let i = 0; i < 3; i++) {
        world.now = new Date(world.now.getTime() + 60_000);
        await evaluate({
          settings: { ...SETTINGS, environment },
          primary: writer,
          dr: standby,
          local: standby,
          region: STANDBY,
          now: () => world.now,
          logger: new Logger({ logLevel: 'SILENT' }),
          metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: READINESS_SERVICE }),
        });
      }
    }
    // The canary, as each side runs it, with every store it can have (the EMF says which it published).
    world = healthyWorld(new Date('2026-11-24T12:00:00Z'));
    // Powertools' own warnings go to its `logger` option (stderr by default, past the stdout spy).
    const warnings: string[] = [];
    const keep = (...content: unknown[]) => void warnings.push(content.map(String).join(' '));
    const powertoolsLog = { debug: () => undefined, info: () => undefined, warn: keep, error: keep };
    for (const side of ['writer', 'standby'] as const) {
      const metrics = new Metrics({
        namespace: METRICS_NAMESPACE,
        serviceName: CANARY_SERVICE,
        logger: powertoolsLog,
      });
      const ok = {
        write: async () => undefined,
        read: async () => ({ writtenAt: new Date(world.now.getTime() - 30_000) }),
      };
      await runCanary({
        settings: {
          environment,
          side,
          region: side === 'writer' ? WRITER : STANDBY,
          activeRegionParameter: SETTINGS.activeRegionParameter,
          stateParameter: '/dra/x/canary/state',
          storeTimeoutMs: 100,
        },
        probes: { rds: ok, elasticache: ok, msk: ok, s3: ok },
        ssm: (side === 'writer' ? writer : standby).ssm,
        now: () => world.now,
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics,
      });
      metrics.publishStoredMetrics();
    }
    // The canary publishes single metrics only, so the handler's publishStoredMetrics finds none
    // stored; anything else Powertools says (an invalid dimension or metric) is a defect.
    expect(warnings.filter((w) => !w.startsWith('No application metrics to publish'))).toEqual([]);
  } finally {
    spy.mockRestore();
  }
  return emfIdentities(lines);
}

/** The (namespace, metric, dimension set) of every EMF line printed. */
function emfIdentities(lines: string[]): Set<Identity> {
  const found = new Set<Identity>();
  for (const line of lines.join('').split('\n')) {
    if (!line.includes('"_aws"')) continue;
    const emf = JSON.parse(line);
    for (const directive of emf._aws.CloudWatchMetrics) {
      for (const dimensionSet of directive.Dimensions as string[][]) {
        const dims = Object.fromEntries(dimensionSet.map((d) => [d, String(emf[d])]));
        for (const m of directive.Metrics as { Name: string }[])
          found.add(identity(directive.Namespace, m.Name, dims));
      }
    }
  }
  return found;
}

/** The readiness metrics an operations template queries (alarms and dashboard widgets). */
function queried(template: Template): Set<Identity> {
  const out = new Set<Identity>();
  const isReadiness = (ns: string, dims: Record<string, string>) =>
    ns === METRICS_NAMESPACE && (dims.service === READINESS_SERVICE || dims.service === CANARY_SERVICE);
  const dimsOf = (list: { Name: string; Value: string }[] = []) =>
    Object.fromEntries(list.map((d) => [d.Name, d.Value]));
  for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[]) {
    const p = alarm.Properties;
    const metrics = p.MetricName
      ? [{ Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions }]
      : (p.Metrics ?? []).filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric);
    for (const m of metrics) {
      const dims = dimsOf(m.Dimensions);
      if (isReadiness(m.Namespace, dims)) out.add(identity(m.Namespace, m.MetricName, dims));
    }
  }
  for (const dashboard of Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as any[]) {
    const body = dashboard.Properties.DashboardBody;
    const text =
      typeof body === 'string'
        ? body
        : body['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'REGION')).join('');
    for (const widget of JSON.parse(text).widgets) {
      for (const row of widget.properties?.metrics ?? []) {
        const [namespace, name, ...rest] = row.filter((x: unknown) => typeof x === 'string');
        const dims: Record<string, string> = {};
        for (let i = 0; i + 1 < rest.length; i += 2) dims[rest[i]] = rest[i + 1];
        if (isReadiness(namespace, dims)) out.add(identity(namespace, name, dims));
      }
    }
  }
  return out;
}

// The shared platforms: staging and prod at each generation are synthesized for the other
// specs of failover.test.ts anyway, so only dev is built here.
const cases: [string, string, EnvironmentConfigInput | string][] = [
  ...Object.keys(ENVIRONMENTS).map((env): [string, string, string] => [`${env}, generation 0`, env, env]),
  ['prod, generation 1 (the DR region writes)', 'prod', atGeneration(1)],
];

describe.each(cases)('EMF versus alarms: %s', (_, environment, input) => {
  it('every readiness and canary alarm and dashboard widget queries a metric the handlers publish', async () => {
    const emitted = await published(environment);
    const shared = sharedPlatform(input);
    const templates = [templateOf(shared.primary.operations), templateOf(shared.dr.operations)];
    const asked = new Set(templates.flatMap((t) => [...queried(t)]));
    const stores = shared.primary.operations.canary.stores;
    // Readiness: every check; the RPO, its completeness, the heartbeat, the recommendation, the
    // writer without a verdict; each store's lag; the Replicator's health where there is one.
    // Canary: its runs, and per store its result and its measured lag.
    const replicator = shared.config.msk.replicator ? 1 : 0;
    expect(asked.size).toBe(8 + 5 + 4 + replicator + 1 + 2 * stores.length);
    expect([...asked].filter((q) => !emitted.has(q))).toEqual([]);
    // And the alarms that matter are there: one per check, in both regions; each store's canary
    // in both regions; each store's measured lag where the standby reads it.
    for (const t of templates) {
      expect([...queried(t)].filter((q) => q.includes(' CheckStatus ')).length).toBe(8);
      const alarmed = alarmedMetrics(t);
      for (const store of stores)
        expect(alarmed).toContain(
          identity(METRICS_NAMESPACE, 'CanaryResult', { service: 'canary', environment, store }),
        );
      expect(alarmed).toContain(
        identity(METRICS_NAMESPACE, 'CanaryRuns', { service: 'canary', environment }),
      );
    }
    const standbyTemplate = templates[shared.config.failover.generation % 2 === 0 ? 1 : 0];
    for (const store of stores)
      expect(alarmedMetrics(standbyTemplate)).toContain(
        identity(METRICS_NAMESPACE, 'CanaryLagSeconds', { service: 'canary', environment, store }),
      );
  });
});

/** The canary and readiness metrics the template's alarms (not its dashboard) query. */
function alarmedMetrics(template: Template): Set<Identity> {
  const out = new Set<Identity>();
  for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[]) {
    const p = alarm.Properties;
    if (p.Namespace !== METRICS_NAMESPACE || !p.MetricName) continue;
    const dims = Object.fromEntries((p.Dimensions ?? []).map((d: any) => [d.Name, d.Value]));
    out.add(identity(p.Namespace, p.MetricName, dims));
  }
  return out;
}

it('EMF: the handler publishes CheckStatus with {service, environment, check} even when every check is unknown', async () => {
  const emitted = await published('prod');
  expect(emitted).toContain(
    identity(METRICS_NAMESPACE, 'CheckStatus', { service: 'readiness', environment: 'prod', check: 'rds' }),
  );
  expect(emitted).toContain(
    identity(METRICS_NAMESPACE, 'RpoComplete', { service: 'readiness', environment: 'prod' }),
  );
});

it('EMF: a failed job submission publishes JobSubmissionFailures with exactly the dimensions its alarm queries', async () => {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'job-submission' });
    const region = 'us-east-1';
    const result = await submit(
      { job: '01-example-console', idempotencyKey: 'k' },
      {
        emr: {
          send: async () => {
            throw Object.assign(new Error('service unavailable'), { name: 'InternalServerException' });
          },
        } as never,
        ssm: {
          send: async () =>
            ({
              $metadata: {},
              Parameters: [
                { Name: '/dra/dev/active-region', Value: region, Type: 'String' },
                { Name: '/dra/dev/msk/bootstrap-servers', Value: 'boot:9098', Type: 'String' },
              ],
            }) satisfies GetParametersCommandOutput,
        } as never,
        env: {
          DRA_ENVIRONMENT: 'dev',
          AWS_REGION: region,
          APPLICATION_ID: 'app',
          EXECUTION_ROLE_ARN: 'arn:aws:iam::111111111111:role/emr-exec',
          ARTIFACTS_BUCKET: 'bucket',
          JARS: 'jars/a.jar',
          JOB_LOG_GROUP: '/dra/dev/emr-serverless/jobs',
          EXECUTION_TIMEOUT_MINUTES: '60',
          ACTIVE_REGION_PARAMETER: '/dra/dev/active-region',
          BOOTSTRAP_SERVERS_PARAMETER: '/dra/dev/msk/bootstrap-servers',
          CHECKPOINT_BUCKET: 'checkpoints',
          COMMIT_GROUPS: '{}',
          STREAMING_MAX_FAILED_ATTEMPTS_PER_HOUR: '5',
          STREAMING_STARTING_OFFSETS: 'earliest',
        },
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics,
        kafkaAdmin: async () => {
          throw new Error('no resume in this test');
        },
      },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'SUBMISSION_FAILED' } });
    metrics.publishStoredMetrics();
  } finally {
    spy.mockRestore();
  }
  const emitted = [...emfIdentities(lines)].filter((q) => q.includes(' JobSubmissionFailures '));
  const alarm = (Object.values(primary.findResources('AWS::CloudWatch::Alarm')) as any[])
    .map((a) => a.Properties)
    .find((p) => p.MetricName === 'JobSubmissionFailures');
  expect(alarm).toBeDefined();
  const dims = Object.fromEntries(
    (alarm.Dimensions as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]),
  );
  expect(emitted).toEqual([identity(alarm.Namespace, 'JobSubmissionFailures', dims)]);
  // The job is still in the record, as metadata.
  expect(lines.join('')).toContain('"job":"01-example-console"');
});
