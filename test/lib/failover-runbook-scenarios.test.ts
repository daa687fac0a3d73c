/**
 * The runbooks executed step by step (test/support/automation) on the content
 * CloudFormation receives, against a fake, region-aware AWS: the Python steps
 * run for real against a stand-in boto3.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import type { DescribeKeyResponse } from '@aws-sdk/client-kms';
import type { ListTagsForResourceResponse, TagResourceResponse } from '@aws-sdk/client-redshift-serverless';
import {
  type GetAutomationExecutionResult,
  SSMClient,
  type StartAutomationExecutionResult,
} from '@aws-sdk/client-ssm';
import { loadConfig } from '../../config';
import { bucketName, checkpointBucketName, streamingConsumerGroup } from '../../config/naming';
import { submit } from '../../lambda/job-submission/handler';
import { REPLICATED_PURPOSES } from '../../lib/constructs/data-lake-buckets';
import { deployableContent } from '../../lib/constructs/failover-runbook';
import { failbackDocument } from '../../lib/runbooks/failback';
import { failoverDocument } from '../../lib/runbooks/failover';
import { FENCE_PROGRESS_STEPS, fenceDocument } from '../../lib/runbooks/fence';
import { type AutomationDocument, documentPermissions } from '../../lib/runbooks/step';
import {
  type AutomationContent,
  AwsError,
  type ExecutionResult,
  FakeWorld,
  runAutomation,
  stepOf,
} from '../support/automation';
import { type ReadinessInWorld, realReadiness } from '../support/automation/readiness';
import { answeredByWorld } from '../support/automation/sdk-world';
import { secretsManager } from '../support/automation/secrets';
import { FakeKafkaCluster } from '../support/kafka';

const PRIMARY = 'us-east-1';
const DR = 'us-west-2';
const ACCOUNT = '111111111111';
const RECORD = '/dra/prod/active-region';
const MARKER = '/dra/prod/switch-in-progress';
const FENCED_FOR = '/dra/prod/fenced-for';
const DATASTORE = 'ldgnf-dra-prod-cache';
const topic = (region: string) => `arn:aws:sns:${region}:${ACCOUNT}:alarms`;
const content = (doc: AutomationDocument) => deployableContent(doc) as unknown as AutomationContent;

const prod = loadConfig('prod');
const atGeneration = (generation: number) => ({ ...prod, failover: { ...prod.failover, generation } });

const lsn = (n: number) => `0/${n.toString(16).toUpperCase()}`;
const parseLsn = (s: string) => Number.parseInt(s.split('/')[1], 16);

/** PostgreSQL as the postgres-control functions (contract B) see it: a writer and a streaming replica. */
class Postgres {
  writerLsn = 0x3000000;
  replayedLsn = 0x3000000;
  readOnly = false;
  replayPaused = false;
  /** Bytes the replica replays per catchUp poll. */
  replayPerPoll = 0x40;
  markers: { id: string; lsn: number }[] = [];
  unfenced: string[] = [];
  /** Answer ok: false to these actions (a failure injected by a test). */
  failing = new Set<string>();
  /** Whether the replica has been promoted (RDS says so: no replication source). */
  promoted: () => boolean = () => false;
  constructor(
    readonly writerRegion: string,
    readonly replicaRegion: string,
  ) {}

  handler(region: string) {
    return (event: any) => {
      if (this.failing.has(event.action))
        return { ok: false, error: `${event.action} failed: connection refused` };
      const writer = region === this.writerRegion || (region === this.replicaRegion && this.promoted());
      switch (event.action) {
        case 'status':
          return {
            ok: true,
            inRecovery: !writer,
            readOnly: this.readOnly,
            lsn: lsn(writer ? this.writerLsn : this.replayedLsn),
          };
        case 'fence': {
          if (!writer) return { ok: false, error: 'fence: this database is in recovery (a replica)' };
          this.readOnly = true;
          this.writerLsn += 0x60;
          const marker = { id: `marker-${this.markers.length + 1}`, lsn: this.writerLsn };
          this.markers.push(marker);
          return { ok: true, fenced: true, markerId: marker.id, lsn: lsn(marker.lsn) };
        }
        case 'catchUp': {
          if (writer)
            return { ok: false, error: 'catchUp: this database is not in recovery (not a replica)' };
          if (!this.replayPaused)
            this.replayedLsn = Math.min(this.writerLsn, this.replayedLsn + this.replayPerPoll);
          const target = parseLsn(event.targetLsn);
          const marker = this.markers.find((m) => m.id === event.markerId);
          return {
            ok: true,
            caughtUp: this.replayedLsn >= target,
            replayLsn: lsn(this.replayedLsn),
            targetLsn: event.targetLsn,
            bytesBehind: Math.max(0, target - this.replayedLsn),
            markerSeen: marker !== undefined && this.replayedLsn >= marker.lsn,
            replayPaused: this.replayPaused,
          };
        }
        case 'unfence':
          this.unfenced.push(region);
          if (region === this.replicaRegion) this.readOnly = false;
          return { ok: true };
        default:
          return { ok: false, error: `unknown action ${event.action}` };
      }
    };
  }
}

interface Scenario {
  world: FakeWorld;
  pg: Postgres;
  /** The real readiness function of both regions; its `lags` steer the replication metrics it reads. */
  readiness: ReadinessInWorld;
  submissions: { region: string; key: string }[];
  submitFailures: { left: number };
  tags: Map<string, Record<string, string>>;
  fenceStarts: string[];
  /**
   * The fence runbook started in the old region: seconds after its start until its
   * DisableReplication and FenceDatabase steps succeed (undefined: they never do).
   */
  fence: { seconds?: number };
  apps: Record<string, string>;
  /** Secrets Manager: this generation's master secret in the writer's region, its replica in the standby's. */
  secrets: ReturnType<typeof secretsManager>;
}

/**
 * Both regions of prod, `writer` writing and `standby` replicating: database,
 * Global Datastore, Spark, records, warehouse (copies of the writer's snapshots
 * over two pages, and a newer snapshot of the standby's own namespace),
 * buckets, Replicator, and the Lambda functions the runbooks invoke; the
 * readiness function is the real handler reading this world.
 */
function scenario(writer: string, standby: string, replica: string): Scenario {
  const world = new FakeWorld({ pageSize: 2 });
  const config = writer === PRIMARY ? prod : atGeneration(1);
  const pg = new Postgres(writer, standby);
  const submissions: Scenario['submissions'] = [];
  const submitFailures = { left: 0 };
  const tags = new Map<string, Record<string, string>>();
  const fenceStarts: string[] = [];
  const apps: Record<string, string> = {};

  world.rds.add(writer, { DBInstanceIdentifier: 'dra-prod-postgres', MultiAZ: true });
  world.rds.add(standby, {
    DBInstanceIdentifier: replica,
    ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:${writer}:${ACCOUNT}:db:dra-prod-postgres`,
  });
  pg.promoted = () => !world.rds.get(standby, replica)?.ReadReplicaSourceDBInstanceIdentifier;
  world.elasticache.addGlobal({
    GlobalReplicationGroupId: DATASTORE,
    Members: [
      { ReplicationGroupId: 'dra-prod-cache', ReplicationGroupRegion: writer, Role: 'PRIMARY' },
      { ReplicationGroupId: 'dra-prod-cache', ReplicationGroupRegion: standby, Role: 'SECONDARY' },
    ],
  });
  for (const region of [writer, standby]) {
    world.ssm.put(region, RECORD, writer);
    apps[region] = world.emrServerless.addApplication(region, {
      name: 'dra-prod-spark',
      state: region === writer ? 'STARTED' : 'CREATED',
    });
    world.redshiftServerless.addNamespace(region, { namespaceName: 'dra-prod-warehouse' });
    world.redshiftServerless.addWorkgroup(region, { workgroupName: 'dra-prod-warehouse' });
    world.lambda.register(region, 'dra-prod-postgres-control', pg.handler(region));
    for (const purpose of ['raw', 'refined', 'curated', 'artifacts']) {
      const other = region === writer ? standby : writer;
      world.s3.addBucket(
        region,
        `dra-prod-${purpose}-${ACCOUNT}-${region}`,
        region === writer
          ? {
              Role: `arn:aws:iam::${ACCOUNT}:role/replication`,
              Rules: [
                {
                  // The rule ID the replication construct gives (lib/constructs/bucket-replication.ts).
                  ID: `to-${other === PRIMARY ? 'primary' : 'dr'}-${other}`,
                  Status: 'Enabled',
                  Destination: { Bucket: `arn:aws:s3:::dra-prod-${purpose}-${ACCOUNT}-${other}` },
                },
              ],
            }
          : undefined,
      );
    }
  }
  for (const [name, state] of [
    ['04-stream-sales-to-kafka', 'RUNNING'],
    ['05-streaming-kafka', 'RUNNING'],
    ['nightly-load', 'QUEUED'],
  ] as const)
    world.emrServerless.addJobRun(writer, { applicationId: apps[writer], name, state });
  const writerNamespace = world.redshiftServerless.namespace(writer, 'dra-prod-warehouse')!;
  const standbyNamespace = world.redshiftServerless.namespace(standby, 'dra-prod-warehouse')!;
  const day = (d: number) => new Date(Date.UTC(2025, 11, d));
  // Copies from the writer: the newest (day 30) is on the second page.
  for (const [name, d] of [
    ['copy-26', 26],
    ['copy-28', 28],
    ['copy-27', 27],
    ['copy-30', 30],
  ] as const)
    world.redshiftServerless.addSnapshot(standby, {
      snapshotName: name,
      namespaceName: 'dra-prod-warehouse',
      namespaceArn: writerNamespace.namespaceArn,
      snapshotCreateTime: day(d),
    });
  // The standby's own (older generation) snapshot, newer than every copy: never the one to restore.
  world.redshiftServerless.addSnapshot(standby, {
    snapshotName: 'own-31',
    namespaceName: 'dra-prod-warehouse',
    namespaceArn: standbyNamespace.namespaceArn,
    snapshotCreateTime: day(31),
  });
  // As DescribeReplicator answers: clusters by alias, the source's ARN in KafkaClusters (client-kafka model).
  world.kafka.addReplicator(standby, {
    ReplicatorName: 'dra-prod-msk-replicator',
    sourceRegion: writer,
    clusterName: 'dra-prod-msk',
  });

  for (const region of [writer, standby]) {
    world.lambda.register(region, 'dra-prod-submit-job', (event: any, { region: at }) => {
      if (submitFailures.left > 0) {
        submitFailures.left -= 1;
        throw new Error('submission service unavailable');
      }
      const earlier = submissions.find((s) => s.region === at && s.key === event.idempotencyKey);
      submissions.push({ region: at, key: event.idempotencyKey });
      if (earlier) return { ok: true, jobRunId: `run-for-${event.idempotencyKey}`, job: event.job };
      world.emrServerless.addJobRun(at, { applicationId: apps[at], name: event.job, state: 'RUNNING' });
      return { ok: true, jobRunId: `run-for-${event.idempotencyKey}`, job: event.job };
    });
  }
  world.on(
    'redshift-serverless',
    'ListTagsForResource',
    ({ params }) =>
      ({
        tags: Object.entries(tags.get(params.resourceArn as string) ?? {}).map(([key, value]) => ({
          key,
          value,
        })),
      }) satisfies ListTagsForResourceResponse,
  );
  world.on('redshift-serverless', 'TagResource', ({ params }) => {
    const current = tags.get(params.resourceArn as string) ?? {};
    for (const t of params.tags as { key: string; value: string }[]) current[t.key] = t.value;
    tags.set(params.resourceArn as string, current);
    return {} satisfies TagResourceResponse;
  });
  world.on(
    'kms',
    'DescribeKey',
    ({ region }) =>
      ({
        KeyMetadata: {
          Arn: `arn:aws:kms:${region}:${ACCOUNT}:key/database-${region}`,
          KeyId: `database-${region}`,
        },
      }) satisfies DescribeKeyResponse,
  );
  const fence: Scenario['fence'] = { seconds: 90 };
  const fenceStartedAt = new Map<string, number>();
  world.on('ssm', 'StartAutomationExecution', ({ region, params }) => {
    fenceStarts.push(`${region}:${params.DocumentName}`);
    const id = `exec-fence-${fenceStarts.length}`;
    fenceStartedAt.set(id, world.clock);
    return { AutomationExecutionId: id } satisfies StartAutomationExecutionResult;
  });
  world.on('ssm', 'GetAutomationExecution', ({ params }) => {
    const id = String(params.AutomationExecutionId);
    const started = fenceStartedAt.get(id);
    // An execution the executor runs itself (the fence reading its own parts) answers as it ran.
    const own = world.automationExecutions.get(id);
    if (started === undefined && own)
      return { AutomationExecution: own.describe() } satisfies GetAutomationExecutionResult;
    if (started === undefined)
      throw new AwsError('AutomationExecutionNotFoundException', `There is no execution ${id}.`);
    const done = fence.seconds !== undefined && world.clock - started >= fence.seconds;
    return {
      AutomationExecution: {
        AutomationExecutionId: id,
        DocumentName: 'dra-prod-fence',
        AutomationExecutionStatus: 'InProgress',
        StepExecutions: [
          { StepName: 'CheckNewWriter', StepStatus: 'Success' },
          { StepName: 'SetActiveRegion', StepStatus: 'Success' },
          { StepName: 'DisableReplication', StepStatus: done ? 'Success' : 'InProgress' },
          ...(done ? [{ StepName: 'FenceDatabase', StepStatus: 'Success' as const }] : []),
        ],
      },
    } satisfies GetAutomationExecutionResult;
  });
  // The writer's generation secret, replicated to the standby (metadata included: the replica
  // names the writer's rotation function until it is promoted).
  const secrets = secretsManager(world);
  const generation = writer === PRIMARY ? 0 : 1;
  const rotation = (region: string) =>
    `arn:aws:lambda:${region}:${ACCOUNT}:function:dra-prod-postgres-rotation`;
  for (const region of [writer, standby])
    secrets.add(region, {
      Name: `dra/prod/postgres/master-g${generation}`,
      ...(region === standby ? { PrimaryRegion: writer } : {}),
      RotationEnabled: true,
      RotationLambdaARN: rotation(writer),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  const readiness = realReadiness(world, config);
  return { world, pg, readiness, submissions, submitFailures, tags, fenceStarts, fence, apps, secrets };
}

const realRun = {
  DryRun: false,
  Approvers: [`arn:aws:iam::${ACCOUNT}:role/oncall`],
  AutomationAssumeRole: `arn:aws:iam::${ACCOUNT}:role/runbook`,
};

/** Every PutParameter of the active-region record in `region` fails (a 500); undefined: none does. */
function failRecordWrites(s: Scenario, region: string | undefined): void {
  s.world.on('ssm', 'PutParameter', ({ region: at, params }) => {
    if (at === region && params.Name === RECORD)
      throw new AwsError('InternalServerError', 'We encountered an internal error.', 500);
    const existing = s.world.ssm.value(at, String(params.Name));
    if (existing !== undefined && params.Overwrite !== true)
      throw new AwsError('ParameterAlreadyExists', `The parameter ${String(params.Name)} already exists.`);
    s.world.ssm.put(at, String(params.Name), String(params.Value));
    return { Version: 1, Tier: 'Standard' };
  });
}

/** Generation 1's re-seed is complete: a copy of the writer's warehouse reached us-east-1 within its snapshot interval. */
function freshCopy(s: Scenario) {
  s.world.redshiftServerless.addSnapshot(PRIMARY, {
    snapshotName: 'copy-fresh',
    namespaceName: 'dra-prod-warehouse',
    namespaceArn: s.world.redshiftServerless.namespace(DR, 'dra-prod-warehouse')!.namespaceArn,
    snapshotCreateTime: new Date(s.world.now().getTime() - 3600_000),
  });
}

/** Calls of an operation (either spelling) the world answered, in order. */
const answered = (world: FakeWorld, operation: string) =>
  world.log.filter(
    (c) => c.operation.replace(/_/g, '').toLowerCase() === operation.toLowerCase() && c.outcome === 'ok',
  );
/** Calls of an operation (either spelling), whatever the outcome. */
const calls = (world: FakeWorld, operation: string, region?: string) =>
  world.log.filter(
    (c) =>
      c.operation.replace(/_/g, '').toLowerCase() === operation.toLowerCase() &&
      (region === undefined || c.region === region),
  );

/** The IAM action a call needs (IAM action names are case-insensitive). */
function iamAction(service: string, operation: string): string {
  const op = operation.replace(/_/g, '').toLowerCase();
  const special: Record<string, string> = {
    'lambda:invoke': 'lambda:invokefunction',
    's3:getbucketreplication': 's3:getreplicationconfiguration',
    's3:putbucketreplication': 's3:putreplicationconfiguration',
  };
  return special[`${service}:${op}`] ?? `${service}:${op}`;
}

/**
 * Calls made since `from` that the document's role (the union of its steps'
 * statements) would not allow: action not granted, or granted only in another region.
 */
function notAllowed(world: FakeWorld, from: number, doc: AutomationDocument): string[] {
  const statements = documentPermissions(doc).map((p) => ({
    actions: p.actions.map((a) => a.toLowerCase()),
    region: (p.conditions?.StringEquals?.['aws:RequestedRegion'] as string | undefined) ?? undefined,
    regions: p.resources.map((r) => r.split(':')[3]),
  }));
  return world.log
    .slice(from)
    .filter((c) => {
      const action = iamAction(c.service, c.operation);
      return !statements.some(
        (st) =>
          st.actions.includes(action) &&
          (st.region
            ? st.region === c.region
            : st.regions.some((r) => r === '' || r === '*' || r === c.region || r === undefined)),
      );
    })
    .map((c) => `${iamAction(c.service, c.operation)} in ${c.region}`);
}

/**
 * Replication still pending into us-east-1 when the failback starts, as S3 and the Replicator
 * publish it there (the destination's and the target's region): per rule and for the
 * Replicator, `pending` until `until` (simulated seconds; undefined: never drains), then 0.
 * `undefined` pending: no datapoint at all.
 */
const backlog = (
  s: Scenario,
  s3: { until?: number; pending?: number; stuck?: string },
  kafka: { until?: number; lag?: number },
) => {
  for (const purpose of ['raw', 'refined', 'curated', 'artifacts']) {
    const stuck = s3.stuck === purpose;
    s.world.cloudwatch.set(
      PRIMARY,
      {
        Namespace: 'AWS/S3',
        MetricName: 'OperationsPendingReplication',
        Dimensions: [
          { Name: 'SourceBucket', Value: `dra-prod-${purpose}-${ACCOUNT}-${DR}` },
          { Name: 'DestinationBucket', Value: `dra-prod-${purpose}-${ACCOUNT}-${PRIMARY}` },
          { Name: 'RuleId', Value: `to-primary-${PRIMARY}` },
        ],
      },
      (at) => (stuck || at.getTime() / 1000 < (s3.until ?? 0) ? (s3.pending ?? 120) : 0),
    );
  }
  s.world.cloudwatch.set(
    PRIMARY,
    {
      Namespace: 'AWS/Kafka',
      MetricName: 'MessageLag',
      Dimensions: [{ Name: 'ReplicatorName', Value: 'dra-prod-msk-replicator' }],
    },
    (at) =>
      kafka.lag === undefined
        ? undefined
        : kafka.until === undefined || at.getTime() / 1000 < kafka.until
          ? kafka.lag
          : 0,
  );
};

/** Simulated minutes from the start of the execution to the end of a step (approval is immediate here). */
function minutesUntil(result: ExecutionResult, step: string): number {
  let seconds = 0;
  for (const s of result.steps) {
    seconds += s.seconds;
    if (s.name === step) return seconds / 60;
  }
  throw new Error(`${step} did not run`);
}

describe('failover runbook, executed (prod, generation 0: us-east-1 writes)', () => {
  const failover = content(failoverDocument(prod, topic(DR)));
  const run = (s: Scenario, parameters: Record<string, unknown> = {}) =>
    runAutomation(failover, { region: DR, world: s.world, parameters: { ...realRun, ...parameters } });

  it('healthy: switches everything to us-west-2, restores the newest copy of the writer, and fences us-east-1', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    const result = await run(s);
    expect(result.status).toBe('Success');
    // The gate read the report the readiness handler made from this world.
    const report = JSON.parse(String(stepOf(result, 'CheckReadiness').outputs.Payload));
    expect(report).toMatchObject({ evaluatedFrom: DR, rpo: { complete: true, withinBudget: true } });
    // Every check healthy but the warehouse, whose newest copy here is a day old (budget 2 h).
    expect(report.checks.filter((c: { status: string }) => c.status !== 'healthy')).toEqual([
      expect.objectContaining({ name: 'redshift', status: 'degraded' }),
    ]);
    expect(s.world.functionCalls.some((c) => c.operation === 'GetMetricData' && c.region === DR)).toBe(true);
    expect(s.world.rds.get(DR, 'dra-prod-postgres')).toMatchObject({ DBInstanceStatus: expect.any(String) });
    expect(s.world.rds.get(DR, 'dra-prod-postgres')?.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    // Both sides up: a real Global Datastore failover, not a disassociation.
    expect(stepOf(result, 'StartSwitch').outputs.Cache).toMatch(
      /failover of ldgnf-dra-prod-cache to us-west-2 requested/,
    );
    expect(
      s.world.elasticache.global(DATASTORE)?.Members.find((m) => m.ReplicationGroupRegion === DR)?.Role,
    ).toBe('PRIMARY');
    expect(s.world.ssm.value(DR, RECORD)).toBe(DR);
    expect(s.world.ssm.value(PRIMARY, RECORD)).toBe(DR);
    expect(s.submissions.map((x) => x.key)).toEqual(['failover-g0-us-west-2-04', 'failover-g0-us-west-2-05']);
    const restore = answered(s.world, 'RestoreFromSnapshot');
    expect(restore).toHaveLength(1);
    expect(restore[0].params).toMatchObject({
      namespaceName: 'dra-prod-warehouse',
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: `arn:aws:kms:${DR}:${ACCOUNT}:key/database-${DR}`,
    });
    // By name: snapshotArn is for restoring a provisioned cluster's snapshot (RestoreFromSnapshot model).
    expect(restore[0].params).toMatchObject({ snapshotName: 'copy-30' });
    expect(restore[0].params.snapshotArn).toBeUndefined();
    expect(stepOf(result, 'RestoreWarehouse').outputs.Snapshot).toBe('copy-30');
    expect(s.fenceStarts).toEqual([`${PRIMARY}:dra-prod-fence`]);
    // Every call it made is one its role allows: the role is the sum of the steps.
    const doc = failoverDocument(prod, topic(DR));
    expect(notAllowed(s.world, 0, doc)).toEqual([]);
    // Without the promotion step's statements, the check names the call.
    const withoutPromote = {
      ...doc,
      mainSteps: doc.mainSteps.filter((st) => st.name !== 'StartSwitch' && st.name !== 'WaitForWrites'),
    };
    expect(notAllowed(s.world, 0, withoutPromote)).toContain(`rds:promotereadreplica in ${DR}`);
    // The critical path, in simulated time, within the 15 minutes the docs promise.
    expect(minutesUntil(result, 'ResubmitStreaming')).toBeLessThanOrEqual(15);
  });

  it.each(['refuse', 'hang'] as const)(
    'writer region outage (%s): completes in us-west-2, disassociates the cache, and says to fence us-east-1 later',
    async (mode) => {
      const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
      s.world.outage(PRIMARY, mode);
      const result = await run(s);
      expect(result.status).toBe('Success');
      expect(s.world.rds.get(DR, 'dra-prod-postgres')?.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
      expect(stepOf(result, 'StartSwitch').outputs.Cache).toMatch(
        /disassociated dra-prod-cache in us-west-2/,
      );
      expect(
        s.world.elasticache.replicationGroup(DR, 'dra-prod-cache')?.GlobalReplicationGroupInfo,
      ).toBeUndefined();
      expect(s.world.ssm.value(DR, RECORD)).toBe(DR);
      expect(stepOf(result, 'ActivateThisRegion').outputs.OtherRegionUpdated).toBe(false);
      expect(stepOf(result, 'TryFenceOldRegion').outputs).toMatchObject({
        Started: false,
        Message: expect.stringContaining(
          'aws ssm start-automation-execution --region us-east-1 --document-name dra-prod-fence',
        ),
      });
      expect(s.world.published.some((p) => /re-run|run: aws ssm/.test(p.Message))).toBe(true);
      expect(minutesUntil(result, 'ResubmitStreaming')).toBeLessThanOrEqual(15);
    },
  );

  it('writer region dark, a cache failover that would never finish: disassociates without failing over, and writes resume even when the datastore is stuck', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.settings.cacheFailoverDuringOutage = 'stall'; // accepted, stays modifying forever
    s.world.outage(PRIMARY, 'hang');
    const result = await run(s);
    expect(result.status).toBe('Success');
    expect(calls(s.world, 'FailoverGlobalReplicationGroup')).toHaveLength(0);
    expect(stepOf(result, 'StartSwitch').outputs.Cache).toMatch(
      /us-east-1 does not answer.*not failing over: disassociated dra-prod-cache in us-west-2/,
    );
    expect(stepOf(result, 'WaitForWrites').outputs.CacheWritable).toBe(true);
    expect(s.world.ssm.value(DR, RECORD)).toBe(DR);

    // A datastore an earlier attempt left modifying refuses the disassociation: the database
    // still takes writes, the record flips, and the cache is reported with the fix.
    const stuck = scenario(PRIMARY, DR, 'dra-prod-postgres');
    stuck.world.settings.cacheFailoverDuringOutage = 'stall';
    stuck.world.outage(PRIMARY, 'hang');
    stuck.world.elasticache.global(DATASTORE)!.Status = 'modifying';
    const again = await run(stuck);
    expect(again.status).toBe('Success');
    expect(
      stuck.world.rds.get(DR, 'dra-prod-postgres')?.ReadReplicaSourceDBInstanceIdentifier,
    ).toBeUndefined();
    expect(stuck.world.ssm.value(DR, RECORD)).toBe(DR);
    const wait = stepOf(again, 'WaitForWrites').outputs;
    expect(wait.CacheWritable).toBe(false);
    expect(wait.Cache).toMatch(
      /NOT WRITABLE.*InvalidGlobalReplicationGroupState.*aws elasticache disassociate-global-replication-group/,
    );
    expect(stuck.world.published.some((p) => /NOT WRITABLE/.test(p.Message))).toBe(true);
    expect(minutesUntil(again, 'ResubmitStreaming')).toBeLessThanOrEqual(15);
  });

  it('promotes without asking for a backup, and takes writes while a replica without backups is backing up', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    const result = await run(s);
    const promote = answered(s.world, 'PromoteReadReplica');
    expect(promote).toHaveLength(1);
    expect(promote[0].params).not.toHaveProperty('BackupRetentionPeriod');
    expect(result.status).toBe('Success');

    // A replica deployed before it kept automated backups: RDS backs it up during the promotion.
    const old = scenario(PRIMARY, DR, 'dra-prod-postgres');
    old.world.rds.get(DR, 'dra-prod-postgres')!.BackupRetentionPeriod = 0;
    const slow = await run(old);
    expect(slow.status).toBe('Success');
    expect(stepOf(slow, 'WaitForWrites').outputs.Database).toMatch(
      /dra-prod-postgres backing-up, standalone/,
    );
    expect(minutesUntil(slow, 'ResubmitStreaming')).toBeLessThanOrEqual(15);
  });

  it('deletes the MSK Replicator here that copies from the old writer, once, and never fails the switch over it', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.outage(PRIMARY, 'refuse');
    const result = await run(s);
    expect(result.status).toBe('Success');
    expect(calls(s.world, 'DeleteReplicator', DR)).toHaveLength(1);
    // Requested with the promotion (StartSwitch), confirmed gone after activation (StopReplicator).
    expect(stepOf(result, 'StartSwitch').outputs.Replicator).toBe(
      'deletion of dra-prod-msk-replicator in us-west-2 (copying from us-east-1) requested',
    );
    expect(calls(s.world, 'DeleteReplicator', DR)[0].at).toBeLessThan(
      calls(s.world, 'PromoteReadReplica', DR)[0].at + 60,
    );
    expect(stepOf(result, 'StopReplicator').outputs).toMatchObject({
      Ok: true,
      Result: 'dra-prod-msk-replicator in us-west-2 is gone (or never was): nothing copies from us-east-1',
    });
    expect(
      s.world.published.some((p) => /MSK Replicator: dra-prod-msk-replicator in us-west-2/.test(p.Message)),
    ).toBe(true);
    // A refused deletion is reported, and the switch stands.
    const refused = scenario(PRIMARY, DR, 'dra-prod-postgres');
    refused.world.failAlways(
      'kafka',
      'DeleteReplicator',
      { code: 'AccessDeniedException', message: 'denied' },
      DR,
    );
    const still = await run(refused);
    expect(still.status).toBe('Success');
    expect(stepOf(still, 'StopReplicator').outputs).toMatchObject({
      Ok: false,
      Result: expect.stringMatching(
        /could not stop the Replicator dra-prod-msk-replicator in us-west-2.*AccessDenied/,
      ),
    });
  });

  it('replica backing-up at the start: waits for the backup, then promotes (never while backing-up), within the step budget', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.outage(PRIMARY, 'refuse');
    const replica = s.world.rds.get(DR, 'dra-prod-postgres')!;
    replica.DBInstanceStatus = 'backing-up';
    const backupEnds = s.world.clock + 12 * 60;
    s.world.schedule(12 * 60, () => {
      replica.DBInstanceStatus = 'available';
    });
    const result = await run(s);
    expect(result.status).toBe('Success');
    expect(stepOf(result, 'StartSwitch').outputs.Database).toMatch(
      /backing-up and still a read replica .*requested as soon as the backup completes/,
    );
    // Requested by WaitForWrites once the backup ended, accepted once; a repeat while RDS still
    // shows the old status is refused as under way (InvalidDBInstanceState), never sent before.
    expect(answered(s.world, 'PromoteReadReplica')).toHaveLength(1);
    for (const call of calls(s.world, 'PromoteReadReplica')) {
      expect(call.at).toBeGreaterThanOrEqual(backupEnds);
      expect(call.outcome === 'ok' || call.error === 'InvalidDBInstanceState').toBe(true);
    }
    expect(minutesUntil(result, 'ResubmitStreaming')).toBeLessThanOrEqual(15 + 12);
    expect(replica.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    expect(s.world.ssm.value(DR, RECORD)).toBe(DR);
  });

  it("turns the standby's Spark auto-start back on (an earlier fence turned it off) before starting it", async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    const app = s.world.emrServerless.application(DR, s.apps[DR])!;
    Object.assign(app, { state: 'STOPPED', autoStartConfiguration: { enabled: false } });
    const result = await run(s);
    expect(result.status).toBe('Success');
    expect(app.autoStartConfiguration).toEqual({ enabled: true });
    expect(stepOf(result, 'StartSwitch').outputs.Spark).toMatch(/auto-start turned back on/);
    const order = s.world.log.map((c) => c.operation.replace(/_/g, '').toLowerCase());
    expect(order.indexOf('updateapplication')).toBeLessThan(order.indexOf('startapplication'));
  });

  it.each([
    [
      'a 5xx brownout',
      { code: 'InternalFailure', message: 'We encountered an internal error.', status: 500 },
    ],
    ['throttling', { code: 'Throttling', message: 'Rate exceeded', status: 400 }],
  ])(
    'writer region failing (%s): judged like readiness (failing, not answered), so the cache is disassociated without a failover',
    async (_, error) => {
      const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
      s.world.failAlways('elasticache', 'DescribeReplicationGroups', error, PRIMARY);
      const result = await run(s);
      expect(result.status).toBe('Success');
      expect(calls(s.world, 'FailoverGlobalReplicationGroup')).toHaveLength(0);
      expect(stepOf(result, 'StartSwitch').outputs.Cache).toMatch(
        /us-east-1 is failing \((throttled|server error 500).*\); not failing over: disassociated/,
      );
      // Asked three times before the verdict: one throttled answer is not a brownout.
      expect(calls(s.world, 'DescribeReplicationGroups', PRIMARY)).toHaveLength(3);
    },
  );

  it('a client error from the writer region means it answers: the failover is tried, not a disassociation', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.failAlways(
      'elasticache',
      'DescribeReplicationGroups',
      { code: 'AccessDenied', message: 'not authorized', status: 403 },
      PRIMARY,
    );
    const result = await run(s);
    expect(result.status).toBe('Success');
    expect(answered(s.world, 'FailoverGlobalReplicationGroup')).toHaveLength(1);
  });

  it('reads Global Datastore roles whatever their casing (the model gives none)', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    // A re-run after the cache already failed over, as ElastiCache might spell it.
    const g = s.world.elasticache.global(DATASTORE)!;
    for (const m of g.Members) m.Role = m.ReplicationGroupRegion === DR ? 'primary' : 'secondary';
    for (const region of [PRIMARY, DR]) {
      const rg = s.world.elasticache.replicationGroup(region, 'dra-prod-cache')!;
      rg.GlobalReplicationGroupInfo = {
        GlobalReplicationGroupId: DATASTORE,
        GlobalReplicationGroupMemberRole: region === DR ? 'primary' : 'secondary',
      };
    }
    // Force: with the group here already primary, ElastiCache publishes no replication lag for it
    // (the metric is the secondary's), so the real readiness report has the cache lag unknown and
    // the RPO gate refuses without Force; this test is about reading the roles in StartSwitch.
    const result = await run(s, { Force: true });
    expect(result.status).toBe('Success');
    expect(stepOf(result, 'StartSwitch').outputs.Cache).toMatch(/already the primary/);
    expect(calls(s.world, 'FailoverGlobalReplicationGroup')).toHaveLength(0);
    expect(calls(s.world, 'DisassociateGlobalReplicationGroup')).toHaveLength(0);
    expect(stepOf(result, 'WaitForWrites').outputs.CacheWritable).toBe(true);
  });

  it('single-service outage, the old region up: fenced on the critical path, no record of the old producer reaches the live topics after the fence', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    // Only the writer's PostgreSQL failed: the old region answers, its producer job keeps
    // writing, and the Replicator (identical topic names) copies into us-west-2's topics.
    s.world.kafka.startFlow({ producerJob: '04-stream-sales-to-kafka', regions: [PRIMARY, DR] });
    s.world.advance(120);
    // The writer instance failed; the replica's ReplicaLag (now() - last replayed transaction) grew
    // since. The scheduled runs before kept its lag of 2 s.
    s.world.rds.get(PRIMARY, 'dra-prod-postgres')!.DBInstanceStatus = 'failed';
    s.readiness.lags.rds = 400;
    const started = s.world.clock;
    const result = await run(s);
    expect(result.status).toBe('Success');
    // The gate judged rds by its last lag before its writer failed, not by the grown ReplicaLag.
    expect(stepOf(result, 'GateOnRpo').outputs.Summary).toMatch(
      /rds: lag 2s, .*before its writer side failed; now 400s/,
    );
    const fenced = started + minutesUntil(result, 'StopReplicator') * 60;
    const activated = started + minutesUntil(result, 'ActivateThisRegion') * 60;
    // The fence came right after activation, before anything slow (the warehouse restore ends ~30 min later).
    expect(fenced - activated).toBeLessThanOrEqual(180);
    const ran = result.steps.map((st) => st.name);
    expect(ran.indexOf('TryFenceOldRegion')).toBeLessThan(ran.indexOf('RestoreWarehouse'));
    expect(s.fenceStarts).toEqual([`${PRIMARY}:dra-prod-fence`]);
    const old = s.world.kafka.records(DR).filter((r) => r.producedIn === PRIMARY);
    expect(old.length).toBeGreaterThan(0); // it did copy before the fence
    expect(old.filter((r) => (r.copiedAt ?? 0) > fenced)).toEqual([]);
    // ... while the old producer kept writing in us-east-1 after the fence (until the fence runbook there stops it).
    expect(s.world.kafka.records(PRIMARY).some((r) => r.producedAt > fenced)).toBe(true);
    expect(minutesUntil(result, 'ResubmitStreaming')).toBeLessThanOrEqual(15);
  });

  it('old region up: streaming resumes here only once the fence there has disabled replication and fenced the database, and that wait is counted', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.fence.seconds = 120;
    const started = s.world.clock;
    const result = await run(s);
    expect(result.status).toBe('Success');
    expect(stepOf(result, 'TryFenceOldRegion').outputs).toMatchObject({
      Started: true,
      Fenced: true,
      Fence: `${PRIMARY} fenced`,
    });
    const fenceStart = calls(s.world, 'StartAutomationExecution', PRIMARY)[0].at;
    const firstSubmit = s.world.log.find(
      (c) => c.operation.toLowerCase() === 'invoke' && c.params.FunctionName === 'dra-prod-submit-job',
    );
    expect(firstSubmit!.at - fenceStart).toBeGreaterThanOrEqual(120);
    expect(calls(s.world, 'GetAutomationExecution', PRIMARY).length).toBeGreaterThan(1);
    // The wait is on the clock the 15-minute-style claim is computed from.
    expect(stepOf(result, 'TryFenceOldRegion').seconds).toBeGreaterThanOrEqual(120);
    expect(firstSubmit!.at - started).toBeGreaterThanOrEqual(
      minutesUntil(result, 'TryFenceOldRegion') * 60 - 1,
    );
    expect(s.world.published.find((p) => p.Subject?.includes('failed over'))?.Subject).toBe(
      `dual-region-analytics prod: failed over to ${DR}; ${PRIMARY} fenced`,
    );
    expect(notAllowed(s.world, 0, failoverDocument(prod, topic(DR)))).toEqual([]);
  });

  it('a fence that does not finish is waited for at most 3 minutes, then the switch goes on and says it is not confirmed', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.fence.seconds = undefined;
    const result = await run(s);
    expect(result.status).toBe('Success');
    const step = stepOf(result, 'TryFenceOldRegion');
    expect(step.outputs).toMatchObject({
      Started: true,
      Fenced: false,
      Fence: 'fence of the old region NOT CONFIRMED',
    });
    expect(String(step.outputs.Message)).toMatch(/DisableReplication InProgress, FenceDatabase not run yet/);
    expect(step.seconds).toBeLessThanOrEqual(200);
    expect(s.submissions).toHaveLength(2);
  });

  it('the old region stops answering after the fence started: not waited for, reported as not confirmed', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.on('ssm', 'StartAutomationExecution', ({ region, params }) => {
      s.fenceStarts.push(`${region}:${params.DocumentName}`);
      s.world.outage(PRIMARY, 'hang');
      return { AutomationExecutionId: 'exec-fence-1' } satisfies StartAutomationExecutionResult;
    });
    const result = await run(s);
    expect(result.status).toBe('Success');
    const step = stepOf(result, 'TryFenceOldRegion');
    expect(step.outputs).toMatchObject({ Started: true, Fenced: false });
    expect(String(step.outputs.Message)).toMatch(/stopped answering.*get-automation-execution/);
    expect(step.seconds).toBeLessThanOrEqual(30);
  });

  it('5xx brownout in the old region: the record there and the fence start are retried, so it neither names itself nor stays unfenced', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    const brownout = {
      code: 'InternalServerError',
      message: 'We encountered an internal error.',
      status: 500,
    };
    s.world.failNext('ssm', 'PutParameter', brownout, PRIMARY);
    s.world.failNext(
      'ssm',
      'StartAutomationExecution',
      { ...brownout, code: 'ThrottlingException', status: 400 },
      PRIMARY,
    );
    s.world.failNext('ssm', 'StartAutomationExecution', brownout, PRIMARY);
    const result = await run(s);
    expect(result.status).toBe('Success');
    expect(s.world.ssm.value(PRIMARY, RECORD)).toBe(DR);
    expect(stepOf(result, 'ActivateThisRegion').outputs.OtherRegionUpdated).toBe(true);
    expect(s.fenceStarts).toEqual([`${PRIMARY}:dra-prod-fence`]);
    expect(calls(s.world, 'StartAutomationExecution', PRIMARY)).toHaveLength(3);
    expect(stepOf(result, 'TryFenceOldRegion').outputs).toMatchObject({ Fenced: true });
  });

  it('a brownout that outlasts the retries: the Notify subject says OLD REGION NOT FENCED and the message gives the command', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.failAlways(
      'ssm',
      'StartAutomationExecution',
      { code: 'InternalServerError', message: 'We encountered an internal error.', status: 500 },
      PRIMARY,
    );
    const result = await run(s);
    expect(result.status).toBe('Success');
    // Bounded: 4 attempts, 5 + 10 + 20 s apart.
    expect(calls(s.world, 'StartAutomationExecution', PRIMARY)).toHaveLength(4);
    expect(stepOf(result, 'TryFenceOldRegion').seconds).toBeLessThanOrEqual(90);
    const notify = s.world.published.find((p) => p.Subject?.includes('failed over'))!;
    expect(notify.Subject).toBe(`dual-region-analytics prod: failed over to ${DR}; OLD REGION NOT FENCED`);
    expect(notify.Message).toMatch(
      /OLD REGION NOT FENCED.*run: aws ssm start-automation-execution --region us-east-1 --document-name dra-prod-fence/,
    );
  });

  it('full outage of the old region: the fence start is not retried nor waited for', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.outage(PRIMARY, 'hang');
    const result = await run(s);
    expect(result.status).toBe('Success');
    expect(calls(s.world, 'StartAutomationExecution', PRIMARY)).toHaveLength(1);
    expect(stepOf(result, 'TryFenceOldRegion').seconds).toBeLessThanOrEqual(15);
    expect(stepOf(result, 'TryFenceOldRegion').outputs.Fence).toBe('OLD REGION NOT FENCED');
  });

  it.each([undefined, 'refuse'] as const)(
    "promotes the credential's replica here and moves its rotation to this region's function, right after activation, once (writer region outage: %s)",
    async (mode) => {
      const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
      if (mode) s.world.outage(PRIMARY, mode);
      const result = await run(s);
      expect(result.status).toBe('Success');
      const secret = s.secrets.get(DR, 'dra/prod/postgres/master-g0')!;
      // Standalone: a rotation in us-east-1 (its schedule is still there) can no longer replace
      // the password clients here read with one the promoted database never got.
      expect(secret.PrimaryRegion).toBeUndefined();
      expect(secret.RotationLambdaARN).toBe(
        `arn:aws:lambda:${DR}:${ACCOUNT}:function:dra-prod-postgres-rotation`,
      );
      expect(secret.RotationRules).toEqual({ AutomaticallyAfterDays: 30 });
      const rotate = calls(s.world, 'RotateSecret');
      expect(rotate).toHaveLength(1);
      // Not now: the first rotation waits a full period (Secrets Manager tests the function first).
      expect(rotate[0]).toMatchObject({ region: DR, params: { RotateImmediately: false } });
      expect(calls(s.world, 'StopReplicationToReplica').map((c) => c.region)).toEqual([DR]);
      // Right after activation, with the fence, before anything slow; it never delays writes.
      const ran = result.steps.map((st) => st.name);
      expect(ran.indexOf('PromoteSecret')).toBeGreaterThan(ran.indexOf('ActivateThisRegion'));
      expect(ran.indexOf('PromoteSecret')).toBeLessThan(ran.indexOf('RestoreWarehouse'));
      expect(stepOf(result, 'PromoteSecret').outputs).toMatchObject({ Ok: true });
      expect(
        s.world.published.some((p) => /Credential: promoted dra\/prod\/postgres\/master-g0/.test(p.Message)),
      ).toBe(true);
      expect(notAllowed(s.world, 0, failoverDocument(prod, topic(DR)))).toEqual([]);
      // A re-run finds it standalone and rotating here: neither is asked again.
      expect((await run(s)).status).toBe('Success');
      expect(calls(s.world, 'StopReplicationToReplica')).toHaveLength(1);
      expect(calls(s.world, 'RotateSecret')).toHaveLength(1);
    },
  );

  it('a credential it could not promote never fails the switch: the message says what to run', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.failAlways('secretsmanager', 'StopReplicationToReplica', {
      code: 'InternalServiceError',
      message: 'An error occurred on the server side.',
      status: 500,
    });
    const result = await run(s);
    expect(result.status).toBe('Success');
    expect(s.world.ssm.value(DR, RECORD)).toBe(DR);
    expect(stepOf(result, 'PromoteSecret').outputs.Ok).toBe(false);
    expect(stepOf(result, 'PromoteSecret').outputs.Result).toMatch(
      /aws secretsmanager stop-replication-to-replica --region us-west-2 --secret-id dra\/prod\/postgres\/master-g0.*aws secretsmanager rotate-secret --region us-west-2/,
    );
    expect(s.secrets.get(DR, 'dra/prod/postgres/master-g0')?.PrimaryRegion).toBe(PRIMARY);
  });

  it('fails loudly, naming the state and the fix, when the replica is in a state no promotion passes through', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.rds.get(DR, 'dra-prod-postgres')!.DBInstanceStatus = 'storage-full';
    const result = await run(s);
    expect(result.status).toBe('Failed');
    expect(result.failedStep).toBe('StartSwitch');
    expect(stepOf(result, 'StartSwitch').error).toMatch(
      /dra-prod-postgres is 'storage-full' and still a read replica .*no promotion is under way.*then re-run the runbook/,
    );
    expect(calls(s.world, 'PromoteReadReplica')).toHaveLength(0);
    expect(s.world.ssm.value(DR, RECORD)).toBe(PRIMARY);
  });

  it('by default runs a dry run: the checks and the plan, no change', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    const result = await runAutomation(failover, {
      region: DR,
      world: s.world,
      parameters: { Approvers: realRun.Approvers, AutomationAssumeRole: realRun.AutomationAssumeRole },
    });
    expect(result.status).toBe('Success');
    expect(stepOf(result, 'ReportDryRun').outputs.Plan).toMatch(
      /DRY RUN - nothing was changed.*StartSwitch/s,
    );
    // Reads only: the readiness report, this region's switch marker and active-region record (a resume?).
    expect(s.world.log.map((c) => `${c.service}:${c.operation}`)).toEqual([
      'lambda:Invoke',
      'ssm:get_parameter',
      'ssm:get_parameter',
    ]);
  });

  it('changes nothing when the approval times out', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    const result = await runAutomation(failover, {
      region: DR,
      world: s.world,
      parameters: realRun,
      approve: () => ({ decision: 'TimedOut', afterSeconds: prod.failover.approvalTimeoutMinutes * 60 }),
    });
    expect(result.status).not.toBe('Success');
    expect(calls(s.world, 'PromoteReadReplica')).toHaveLength(0);
    expect(s.world.ssm.value(DR, RECORD)).toBe(PRIMARY);
    // The approvers were told, with each store's lag, budget and source.
    expect(s.world.published[0].Message).toMatch(
      /Per store: rds: lag 2s, budget 120s \(canary: age of the newest rds canary read in us-west-2 \(standby\) at /,
    );
  });

  it('refuses a lag over budget without Force, before anything changes; Force goes on', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    // The replica fell behind while the writer still answered; the scheduled run kept that lag.
    s.readiness.lags.rds = 240;
    await s.readiness.scheduled(DR);
    s.world.outage(PRIMARY, 'refuse');
    const refused = await run(s);
    expect(refused.status).toBe('Failed');
    expect(refused.failedStep).toBe('GateOnRpo');
    expect(stepOf(refused, 'GateOnRpo').error).toMatch(
      /rds lag 240s over its 120s budget\. Per store: rds: lag 240s, budget 120s \(canary: age of the newest rds canary read in us-west-2 \(standby\) at .*; last read at/,
    );
    expect(answered(s.world, 'PromoteReadReplica')).toHaveLength(0);
    expect(s.world.ssm.value(DR, RECORD)).toBe(PRIMARY);
    const forced = await run(s, { Force: true });
    expect(forced.status).toBe('Success');
  });

  it('lets a re-run after the switch through the gate as a resume (the promoted instance has no replica lag), without Force', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.outage(PRIMARY, 'refuse');
    const first = await run(s);
    expect(first.status).toBe('Success');
    // After the switch the instance is no longer a replica: RDS publishes no ReplicaLag for it.
    const again = await run(s);
    expect(again.status).toBe('Success');
    expect(stepOf(again, 'GateOnRpo').outputs).toMatchObject({
      Allowed: true,
      Summary: expect.stringMatching(/^Resume: \/dra\/prod\/.* in us-west-2 already names us-west-2/),
    });
    expect(answered(s.world, 'PromoteReadReplica')).toHaveLength(1);
    // Before any switch the same report is refused.
    const fresh = scenario(PRIMARY, DR, 'dra-prod-postgres');
    fresh.readiness.lags.rds = null;
    expect((await run(fresh)).failedStep).toBe('GateOnRpo');
  });

  /**
   * For each step that changes something: how to make it (and its retries)
   * fail, and what the operator's wait before the re-run lets happen.
   */
  const injections: Record<string, { inject: (s: Scenario) => void; beforeRerun?: (s: Scenario) => void }> = {
    StartSwitch: {
      inject: (s) =>
        s.world.failAlways('emr-serverless', 'StartApplication', {
          code: 'InternalServerException',
          message: 'boom',
        }),
    },
    WaitForWrites: {
      // The promotion outlasts the step's 4 x 9 minutes; the operator re-runs once it is done.
      inject: (s) => {
        s.world.settings.promotionSeconds = 3 * 3600;
      },
      beforeRerun: (s) => s.world.advance(3 * 3600),
    },
    MarkSwitchStarted: {
      inject: (s) =>
        s.world.failAlways('ssm', 'PutParameter', { code: 'InternalServerError', message: 'boom' }, DR),
    },
    ActivateThisRegion: {
      // The marker is written; every write of the active-region record here fails.
      inject: (s) => failRecordWrites(s, DR),
      beforeRerun: (s) => failRecordWrites(s, undefined),
    },
    ResubmitStreaming: {
      inject: (s) => {
        s.submitFailures.left = 100;
      },
    },
    MakeDatabaseMultiAz: {
      inject: (s) =>
        s.world.failAlways('rds', 'ModifyDBInstance', { code: 'InvalidDBInstanceState', message: 'boom' }),
    },
    RestoreWarehouse: {
      inject: (s) =>
        s.world.failAlways('redshift-serverless', 'RestoreFromSnapshot', {
          code: 'ConflictException',
          message: 'boom',
        }),
    },
  };
  const mutating = failoverDocument(prod, topic(DR))
    .mainSteps.filter((st) => st.mutating)
    .map((st) => st.name);

  it('has a failure injection for every mutating step', () => {
    expect(Object.keys(injections).sort()).toEqual([...mutating].sort());
  });

  it.each(mutating)('a failure at %s, then a re-run, completes without a second promotion', async (name) => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.outage(PRIMARY, 'refuse');
    injections[name].inject(s);
    const first = await run(s);
    expect(first.status).toBe('Failed');
    expect(first.steps.find((st) => st.name === name)?.status).toBe('Failed');
    s.world.clearFailures();
    s.submitFailures.left = 0;
    injections[name].beforeRerun?.(s);
    // The readiness handler now reports the half-switched platform (the replica promoted: not a
    // read replica, so no database lag): the gate lets the re-run through as a resume, by the
    // marker. A failure at the marker itself changed nothing, and the re-run is gated as a first run.
    const started = name !== 'MarkSwitchStarted';
    const second = await run(s);
    expect(second.status).toBe('Success');
    if (started) expect(stepOf(second, 'GateOnRpo').outputs.Summary).toMatch(/^Resume: /);
    expect(s.world.ssm.value(DR, MARKER)).toBeUndefined();
    expect(answered(s.world, 'PromoteReadReplica')).toHaveLength(1);
    expect(answered(s.world, 'RestoreFromSnapshot')).toHaveLength(1);
    expect(s.world.rds.get(DR, 'dra-prod-postgres')?.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    expect(s.world.ssm.value(DR, RECORD)).toBe(DR);
    // The streaming jobs run once each in us-west-2, however often they were submitted.
    const streaming = s.world.emrServerless
      .jobRuns(DR)
      .filter((r) => r.name === '04-stream-sales-to-kafka' || r.name === '05-streaming-kafka');
    expect(streaming).toHaveLength(2);
  });

  it('never restores over a namespace this failover already restored (it may hold new writes)', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    expect((await run(s)).status).toBe('Success');
    const again = await run(s);
    expect(again.status).toBe('Success');
    expect(stepOf(again, 'RestoreWarehouse').outputs.Result).toMatch(
      /restored for failover-g0-us-west-2 already/,
    );
    expect(calls(s.world, 'RestoreFromSnapshot')).toHaveLength(1);
  });
});

describe('failover runbook, executed (dev: no Global Datastore, single-AZ)', () => {
  it('switches the database and streaming without touching a cache', async () => {
    const dev = loadConfig('dev');
    const world = new FakeWorld();
    world.rds.add(PRIMARY, { DBInstanceIdentifier: 'dra-dev-postgres' });
    world.rds.add(DR, {
      DBInstanceIdentifier: 'dra-dev-postgres',
      ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:dra-dev-postgres`,
    });
    const secrets = secretsManager(world);
    secrets.add(DR, { Name: 'dra/dev/postgres/master-g0', PrimaryRegion: PRIMARY });
    for (const region of [PRIMARY, DR]) {
      world.ssm.put(region, '/dra/dev/active-region', PRIMARY);
      world.redshiftServerless.addNamespace(region, { namespaceName: 'dra-dev-warehouse' });
      world.redshiftServerless.addWorkgroup(region, { workgroupName: 'dra-dev-warehouse' });
    }
    const app = world.emrServerless.addApplication(DR, { name: 'dra-dev-spark' });
    world.redshiftServerless.addSnapshot(DR, {
      snapshotName: 'copy-1',
      namespaceName: 'dra-dev-warehouse',
      namespaceArn: world.redshiftServerless.namespace(PRIMARY, 'dra-dev-warehouse')!.namespaceArn,
      snapshotCreateTime: new Date('2025-12-31T00:00:00Z'),
    });
    // The data lake replicates to the DR region, as the storage stack deploys it.
    for (const purpose of REPLICATED_PURPOSES) {
      const bucket = (role: 'primary' | 'dr') => bucketName(dev, role, purpose);
      world.s3.addBucket(DR, bucket('dr'));
      world.s3.addBucket(PRIMARY, bucket('primary'), {
        Role: `arn:aws:iam::${ACCOUNT}:role/replication`,
        Rules: [
          { ID: `to-dr-${DR}`, Status: 'Enabled', Destination: { Bucket: `arn:aws:s3:::${bucket('dr')}` } },
        ],
      });
    }
    realReadiness(world, dev, { lags: { rds: 5, s3: 20 } });
    world.lambda.register(DR, 'dra-dev-submit-job', (event: any) => {
      world.emrServerless.addJobRun(DR, { applicationId: app, name: event.job, state: 'RUNNING' });
      return { ok: true, jobRunId: 'run-1' };
    });
    world.on(
      'redshift-serverless',
      'ListTagsForResource',
      () => ({ tags: [] }) satisfies ListTagsForResourceResponse,
    );
    world.on('redshift-serverless', 'TagResource', () => ({}) satisfies TagResourceResponse);
    world.on(
      'kms',
      'DescribeKey',
      ({ region }) =>
        ({
          KeyMetadata: { KeyId: 'k', Arn: `arn:aws:kms:${region}:${ACCOUNT}:key/k` },
        }) satisfies DescribeKeyResponse,
    );
    world.on(
      'ssm',
      'StartAutomationExecution',
      () => ({ AutomationExecutionId: 'e-1' }) satisfies StartAutomationExecutionResult,
    );
    const result = await runAutomation(content(failoverDocument(dev, topic(DR))), {
      region: DR,
      world,
      parameters: realRun,
    });
    expect(result.status).toBe('Success');
    expect(stepOf(result, 'PromoteSecret').outputs.Ok).toBe(true);
    expect(secrets.get(DR, 'dra/dev/postgres/master-g0')?.PrimaryRegion).toBeUndefined();
    expect(stepOf(result, 'StartSwitch').outputs.Cache).toBe('no Global Datastore in this environment');
    expect(calls(world, 'FailoverGlobalReplicationGroup')).toHaveLength(0);
    expect(world.rds.get(DR, 'dra-dev-postgres')?.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
    expect(world.ssm.value(DR, '/dra/dev/active-region')).toBe(DR);
  });
});

describe('failover runbook, executed (prod with a provisioned warehouse)', () => {
  it('restores the newest copy from the writer into a cluster named for this failover, once', async () => {
    const config = { ...prod, redshift: { ...prod.redshift, mode: 'provisioned' as const } };
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.outage(PRIMARY, 'refuse');
    s.world.redshift.addCluster(DR, {
      ClusterIdentifier: 'dra-prod-warehouse',
      ClusterSubnetGroupName: 'subnets',
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-1' }],
      ClusterParameterGroups: [{ ParameterGroupName: 'params' }],
      IamRoles: [{ IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/spectrum` }],
      NodeType: 'ra3.xlplus',
      NumberOfNodes: 2,
    });
    for (const [id, source, d] of [
      ['copy-a', PRIMARY, 28],
      ['copy-b', PRIMARY, 30],
      ['own-c', DR, 31],
    ] as const)
      s.world.redshift.addSnapshot(DR, {
        SnapshotIdentifier: id,
        ClusterIdentifier: 'dra-prod-warehouse',
        SourceRegion: source,
        SnapshotCreateTime: new Date(Date.UTC(2025, 11, d)),
      });
    const doc = content(failoverDocument(config, topic(DR)));
    const first = await runAutomation(doc, { region: DR, world: s.world, parameters: realRun });
    expect(first.status).toBe('Success');
    expect(s.world.redshift.cluster(DR, 'dra-prod-warehouse-g0')).toMatchObject({
      ClusterStatus: 'available',
      MasterPasswordSecretArn: expect.stringMatching(/^arn:aws:secretsmanager:us-west-2:/),
    });
    expect(s.world.redshift.restoredFrom(DR, 'dra-prod-warehouse-g0')).toBe('copy-b');
    expect(answered(s.world, 'RestoreFromClusterSnapshot')[0].params).toMatchObject({
      ManageMasterPassword: true,
    });
    expect(stepOf(first, 'PublishWarehouseEndpoint').outputs.Endpoint).toMatch(/^dra-prod-warehouse-g0\./);
    const again = await runAutomation(doc, { region: DR, world: s.world, parameters: realRun });
    expect(again.status).toBe('Success');
    expect(answered(s.world, 'RestoreFromClusterSnapshot')).toHaveLength(1);
    expect(notAllowed(s.world, 0, failoverDocument(config, topic(DR)))).toEqual([]);
  });
});

describe('fence runbook, executed (us-east-1 back after the failover)', () => {
  it('fences every writer there once us-west-2 has taken over, and refuses before', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    const fence = content(
      fenceDocument(prod, 'primary', topic(PRIMARY), `arn:aws:iam::${ACCOUNT}:role/dra-prod-fence-us-east-1`),
    );
    const early = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(early.status).toBe('Failed');
    expect(stepOf(early, 'CheckNewWriter').error).toMatch(
      /Refusing to fence this region: .* reads us-east-1/,
    );
    expect(s.pg.readOnly).toBe(false);

    s.world.ssm.put(DR, RECORD, DR);
    const result = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(result.status).toBe('Success');
    expect(s.world.ssm.value(PRIMARY, RECORD)).toBe(DR);
    expect(s.pg.readOnly).toBe(true);
    expect(s.world.emrServerless.jobRuns(PRIMARY).map((r) => r.state)).not.toContain('RUNNING');
    expect(s.world.emrServerless.jobRuns(PRIMARY).map((r) => r.state)).not.toContain('QUEUED');
    const rules = s.world.s3.replication(`dra-prod-raw-${ACCOUNT}-${PRIMARY}`)?.Rules ?? [];
    expect(rules[0].Status).toBe('Disabled');
    expect(calls(s.world, 'DeleteReplicator', DR)).toHaveLength(1);
    expect(stepOf(result, 'Report').outputs.Report).toMatch(/SetActiveRegion: done/);
    expect(notAllowed(s.world, 0, fenceDocument(prod, 'primary', topic(PRIMARY), 'arn:role'))).toEqual([]);
  });

  it('stops Spark for good: no run left active, the application stopped with auto-start off, so a StartJobRun cannot restart it', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.ssm.put(DR, RECORD, DR);
    // Cancelling takes longer than one poll: the step waits for it instead of reporting done early.
    s.world.settings.jobCancelSeconds = 90;
    const fence = content(fenceDocument(prod, 'primary', topic(PRIMARY), 'arn:role'));
    const result = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(result.status).toBe('Success');
    expect(stepOf(result, 'StopSpark').outputs).toMatchObject({
      Ok: true,
      Result: expect.stringMatching(/cancelled 3 job run\(s\).*application STOPPED, auto-start off/),
    });
    expect(
      s.world.emrServerless
        .jobRuns(PRIMARY)
        .filter((r) =>
          ['RUNNING', 'PENDING', 'SCHEDULED', 'QUEUED', 'SUBMITTED', 'CANCELLING'].includes(r.state),
        ),
    ).toEqual([]);
    const app = s.world.emrServerless.application(PRIMARY, s.apps[PRIMARY])!;
    expect(app).toMatchObject({ state: 'STOPPED', autoStartConfiguration: { enabled: false } });
    await expect(
      s.world.call(PRIMARY, 'emr-serverless', 'StartJobRun', {
        applicationId: s.apps[PRIMARY],
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/spark-job`,
        name: 'late',
      }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
    expect(app.state).toBe('STOPPED');
  });

  it('says the runs are still cancelling (not done) when they outlast the step, and finishes on a re-run', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.ssm.put(DR, RECORD, DR);
    s.world.settings.jobCancelSeconds = 3600;
    const fence = content(fenceDocument(prod, 'primary', topic(PRIMARY), 'arn:role'));
    const first = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(first.status).toBe('Failed');
    expect(stepOf(first, 'StopSpark').outputs).toMatchObject({
      Ok: false,
      Result: expect.stringMatching(/still active or cancelling: .*CANCELLING.*Re-run the fence runbook/),
    });
    s.world.advance(3600);
    const second = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(second.status).toBe('Success');
    expect(s.world.emrServerless.application(PRIMARY, s.apps[PRIMARY])).toMatchObject({
      state: 'STOPPED',
      autoStartConfiguration: { enabled: false },
    });
  });

  it('reports a part it could not do, fails, and finishes it on a re-run', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.ssm.put(DR, RECORD, DR);
    const fence = content(fenceDocument(prod, 'primary', topic(PRIMARY), 'arn:role'));
    s.world.failAlways('s3', 'PutBucketReplication', { code: 'AccessDenied', message: 'denied' });
    const first = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(first.status).toBe('Failed');
    expect(stepOf(first, 'Report').error).toMatch(/DisableReplication: NOT DONE .*AccessDenied/);
    expect(s.world.published.at(-1)?.Message).toMatch(
      /Not done: DisableReplication\. Re-run: aws ssm start-automation-execution --region us-east-1 --document-name dra-prod-fence/,
    );
    // The other parts were done anyway.
    expect(s.pg.readOnly).toBe(true);
    s.world.clearFailures();
    const second = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(second.status).toBe('Success');
    expect(s.world.s3.replication(`dra-prod-raw-${ACCOUNT}-${PRIMARY}`)?.Rules?.[0].Status).toBe('Disabled');
  });

  it.each([
    [130, /deleted/],
    [300, /is DELETING \(deletion requested; not gone after 150s/],
  ])(
    'lets a Replicator that takes %i s to delete be waited for in one attempt, and still reports',
    async (seconds, said) => {
      const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
      s.world.ssm.put(DR, RECORD, DR);
      s.world.settings.replicatorDeleteSeconds = seconds;
      const fence = content(fenceDocument(prod, 'primary', topic(PRIMARY), 'arn:role'));
      const result = await runAutomation(fence, { region: PRIMARY, world: s.world });
      // One attempt: the step's timeout is above the script's 150 s wait plus its calls.
      expect(stepOf(result, 'StopReplicator')).toMatchObject({
        status: 'Success',
        attempts: 1,
        outputs: { Ok: true, Result: expect.stringMatching(said) },
      });
      expect(stepOf(result, 'Report').status).toBe('Success');
      expect(result.status).toBe('Success');
    },
  );

  it('a part that times out skips nothing: the later parts run, Report names it, and no fenced-for marker is written', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.ssm.put(DR, RECORD, DR);
    // S3 in us-east-1 hangs: each GetBucketReplication waits for its connect timeout, past the step's.
    s.world.failAlways('s3', 'GetBucketReplication', { outage: 'hang' }, PRIMARY);
    const fence = content(fenceDocument(prod, 'primary', topic(PRIMARY), 'arn:role'));
    const result = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(stepOf(result, 'DisableReplication').status).toBe('TimedOut');
    for (const later of ['FenceDatabase', 'SetActiveRegion', 'StopReplicator', 'StopSpark'])
      expect(stepOf(result, later)).toMatchObject({ status: 'Success', outputs: { Ok: true } });
    expect(s.pg.readOnly).toBe(true);
    expect(stepOf(result, 'Report').error).toMatch(/DisableReplication: NOT DONE - \(step TimedOut/);
    expect(s.world.published.at(-1)?.Message).toMatch(/Not done: DisableReplication\./);
    expect(result.status).toBe('Failed');
    expect(s.world.ssm.value(PRIMARY, FENCED_FOR)).toBeUndefined();
  });

  it('stops what writes into the live region first: S3 rules and the database within a minute, Spark last', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.ssm.put(DR, RECORD, DR);
    s.world.settings.jobCancelSeconds = 300;
    const started = s.world.clock;
    const fence = content(fenceDocument(prod, 'primary', topic(PRIMARY), 'arn:role'));
    const result = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(result.status).toBe('Success');
    const ran = result.steps.map((r) => r.name);
    expect(ran.slice(1, 3).sort()).toEqual(['DisableReplication', 'FenceDatabase']);
    expect(ran.indexOf('StopSpark')).toBe(ran.indexOf('Report') - 1);
    const put = calls(s.world, 'PutBucketReplication', PRIMARY);
    expect(put.length).toBeGreaterThan(0);
    expect(Math.max(...put.map((c) => c.at)) - started).toBeLessThanOrEqual(60);
    const cancels = calls(s.world, 'CancelJobRun', PRIMARY);
    expect(Math.min(...cancels.map((c) => c.at))).toBeGreaterThanOrEqual(Math.max(...put.map((c) => c.at)));
  });

  it('writes the fenced-for marker once every part is done, and its progress is readable by GetAutomationExecution', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.ssm.put(DR, RECORD, DR);
    const fence = content(fenceDocument(prod, 'primary', topic(PRIMARY), 'arn:role'));
    const result = await runAutomation(fence, { region: PRIMARY, world: s.world });
    expect(result.status).toBe('Success');
    expect(JSON.parse(s.world.ssm.value(PRIMARY, FENCED_FOR) ?? '{}')).toMatchObject({
      newWriter: DR,
      generation: 0,
      execution: result.executionId,
    });
    expect(s.world.ssm.value(DR, FENCED_FOR)).toBeUndefined();
    // What the failover reads to know the two parts that protect the live region are done.
    const read = await s.world.call(PRIMARY, 'ssm', 'GetAutomationExecution', {
      AutomationExecutionId: result.executionId,
    });
    const steps =
      (
        read as {
          AutomationExecution?: {
            StepExecutions?: { StepName?: string; StepStatus?: string; Outputs?: Record<string, string[]> }[];
          };
        }
      ).AutomationExecution?.StepExecutions ?? [];
    for (const name of FENCE_PROGRESS_STEPS)
      expect(steps.find((x) => x.StepName === name)).toMatchObject({
        StepStatus: 'Success',
        Outputs: { Ok: ['true'] },
      });
  });
});

describe('failback runbook, executed (prod, generation 1: us-west-2 writes, us-east-1 re-seeded)', () => {
  const failback = content(failbackDocument(atGeneration(1), topic(PRIMARY)));
  const setup = () => {
    const s = scenario(DR, PRIMARY, 'dra-prod-postgres-g1');
    freshCopy(s);
    // RDS for PostgreSQL ReplicaLag is now() - pg_last_xact_replay_timestamp(): it grows once writes stop.
    const fencedAt = s.world.clock;
    s.world.cloudwatch.set(
      PRIMARY,
      {
        Namespace: 'AWS/RDS',
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'dra-prod-postgres-g1' }],
      },
      (at) => at.getTime() / 1000 - fencedAt,
    );
    // Writes the replica has not replayed yet when the failback starts.
    s.pg.writerLsn += 0x200;
    // S3 and the Replicator have nothing pending into us-east-1 (the re-seed gate saw them healthy).
    backlog(s, { until: 0 }, { until: 0, lag: 0 });
    return s;
  };

  it('fences the writer, waits for catch-up by position (not ReplicaLag), promotes and unfences', async () => {
    const s = setup();
    const result = await runAutomation(failback, { region: PRIMARY, world: s.world, parameters: realRun });
    expect(result.status).toBe('Success');
    // Every job run that could write in us-west-2 was cancelled, QUEUED included, and its submission refuses.
    expect(
      s.world.emrServerless
        .jobRuns(DR)
        .filter((r) => ['RUNNING', 'QUEUED', 'PENDING', 'SCHEDULED', 'SUBMITTED'].includes(r.state)),
    ).toEqual([]);
    expect(s.world.ssm.value(DR, RECORD)).toBe(PRIMARY);
    expect(s.pg.replayedLsn).toBeGreaterThanOrEqual(s.pg.markers[0].lsn);
    expect(stepOf(result, 'WaitForCatchUp').outputs.ReplayLsn).toBe(lsn(s.pg.markers[0].lsn));
    expect(s.pg.unfenced).toContain(PRIMARY);
    expect(
      s.world.rds.get(PRIMARY, 'dra-prod-postgres-g1')?.ReadReplicaSourceDBInstanceIdentifier,
    ).toBeUndefined();
    expect(
      s.world.elasticache.global(DATASTORE)?.Members.find((m) => m.ReplicationGroupRegion === PRIMARY)?.Role,
    ).toBe('PRIMARY');
    // Metrics are read for the replication drain only: never ReplicaLag, which grows once writes stop.
    const metrics = calls(s.world, 'GetMetricData').flatMap((c) =>
      (c.params.MetricDataQueries as { MetricStat: { Metric: { MetricName: string } } }[]).map(
        (q) => q.MetricStat.Metric.MetricName,
      ),
    );
    expect(new Set(metrics)).toEqual(new Set(['OperationsPendingReplication', 'MessageLag']));
    expect(notAllowed(s.world, 0, failbackDocument(atGeneration(1), topic(PRIMARY)))).toEqual([]);
    // Fencing happens before the promotion.
    const order = s.world.log.map((c) => c.operation.replace(/_/g, '').toLowerCase());
    expect(order.indexOf('canceljobrun')).toBeLessThan(order.indexOf('promotereadreplica'));
  });

  it('snapshots the namespace it restores over (the old writer may hold writes never copied), once, before the restore', async () => {
    const s = setup();
    const result = await runAutomation(failback, { region: PRIMARY, world: s.world, parameters: realRun });
    expect(result.status).toBe('Success');
    const name = 'dra-prod-warehouse-before-failback-g1-us-east-1';
    expect(stepOf(result, 'RestoreWarehouse').outputs.KeptSnapshot).toBe(name);
    const created = answered(s.world, 'CreateSnapshot');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ region: PRIMARY });
    expect(created[0].params).toMatchObject({
      namespaceName: 'dra-prod-warehouse',
      snapshotName: name,
      retentionPeriod: 35,
      tags: expect.arrayContaining([{ key: 'dra:kept-before', value: 'failback-g1-us-east-1' }]),
    });
    // Taken (and AVAILABLE) before the namespace was overwritten.
    const order = s.world.log.map((c) => c.operation.replace(/_/g, '').toLowerCase());
    expect(order.indexOf('createsnapshot')).toBeLessThan(order.indexOf('restorefromsnapshot'));
  });

  const failbackInjections: Record<string, (s: Scenario) => void> = {
    FenceWriter: (s) =>
      s.world.failAlways(
        'emr-serverless',
        'CancelJobRun',
        { code: 'InternalServerException', message: 'boom' },
        DR,
      ),
    FenceDatabase: (s) => s.pg.failing.add('fence'),
    StartSwitch: (s) =>
      s.world.failAlways(
        'emr-serverless',
        'StartApplication',
        { code: 'InternalServerException', message: 'boom' },
        PRIMARY,
      ),
    // The promotion outlasts the step's 4 x 9 minutes; the operator re-runs once it is done.
    WaitForWrites: (s) => {
      s.world.settings.promotionSeconds = 3 * 3600;
    },
    UnfenceDatabase: (s) => s.pg.failing.add('unfence'),
    MarkSwitchStarted: (s) =>
      s.world.failAlways('ssm', 'PutParameter', { code: 'InternalServerError', message: 'boom' }, PRIMARY),
    ActivateThisRegion: (s) => failRecordWrites(s, PRIMARY),
    ResubmitStreaming: (s) => {
      s.submitFailures.left = 100;
    },
    MakeDatabaseMultiAz: (s) =>
      s.world.failAlways('rds', 'ModifyDBInstance', { code: 'InvalidDBInstanceState', message: 'boom' }),
    RestoreWarehouse: (s) =>
      s.world.failAlways('redshift-serverless', 'RestoreFromSnapshot', {
        code: 'ConflictException',
        message: 'boom',
      }),
  };
  const failbackMutating = failbackDocument(atGeneration(1), topic(PRIMARY))
    .mainSteps.filter((st) => st.mutating)
    .map((st) => st.name);

  it('has a failure injection for every mutating step', () => {
    expect(Object.keys(failbackInjections).sort()).toEqual([...failbackMutating].sort());
  });

  it.each(failbackMutating)(
    'a failure at %s, then a re-run, completes with one promotion and nothing lost',
    async (name) => {
      const s = setup();
      failbackInjections[name](s);
      const first = await runAutomation(failback, { region: PRIMARY, world: s.world, parameters: realRun });
      expect(first.status).toBe('Failed');
      expect(first.steps.find((st) => st.name === name)?.status).toBe('Failed');
      s.world.clearFailures();
      s.pg.failing.clear();
      s.submitFailures.left = 0;
      failRecordWrites(s, undefined);
      if (name === 'WaitForWrites') s.world.advance(3 * 3600);
      // The readiness handler now reports the half-switched platform: not every check healthy (the
      // writer fenced, the replica maybe promoted). The re-seed gate lets the re-run through as a resume.
      const second = await runAutomation(failback, { region: PRIMARY, world: s.world, parameters: realRun });
      expect(second.status).toBe('Success');
      expect(answered(s.world, 'PromoteReadReplica')).toHaveLength(1);
      // One snapshot of the overwritten namespace, however many runs it took.
      expect(answered(s.world, 'CreateSnapshot')).toHaveLength(1);
      // The promotion came after the replica replayed the first fence's marker.
      expect(s.pg.replayedLsn).toBeGreaterThanOrEqual(s.pg.markers[0].lsn);
      expect(s.pg.readOnly).toBe(false);
      expect(s.world.ssm.value(PRIMARY, RECORD)).toBe(PRIMARY);
    },
  );

  it('failback with S3 and Replicator backlogs: nothing is promoted, failed over or cut, and this region takes no writes, until both drained here', async () => {
    const s = setup();
    const start = s.world.clock;
    // Both drain after the fence, the Replicator after the promotion would have finished (5.5 min here).
    backlog(s, { until: start + 9 * 60 }, { until: start + 11 * 60, lag: 5000 });
    const result = await runAutomation(failback, { region: PRIMARY, world: s.world, parameters: realRun });
    expect(result.status).toBe('Success');
    expect(stepOf(result, 'WaitForDrain').outputs.Drained).toMatch(
      /S3: nothing pending on the 4 rules into us-east-1 since the fence.*MSK Replicator dra-prod-msk-replicator: MessageLag 0/,
    );
    // The promotion and the Global Datastore failover (irreversible) only once drained.
    const drained = start + minutesUntil(result, 'WaitForDrain') * 60;
    expect(drained - start).toBeGreaterThanOrEqual(11 * 60);
    expect(calls(s.world, 'PromoteReadReplica')[0].at).toBeGreaterThanOrEqual(drained - 1);
    expect(calls(s.world, 'FailoverGlobalReplicationGroup')[0].at).toBeGreaterThanOrEqual(drained - 1);
    // Read where AWS publishes them: the destination's and the Replicator target's region.
    const reads = calls(s.world, 'GetMetricData');
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads.map((c) => c.region))).toEqual(new Set([PRIMARY]));
    // Nothing here takes writes, and nothing cuts replication, before the backlog is here.
    const activated = (start + minutesUntil(result, 'ActivateThisRegion') * 60 - start) / 60;
    expect(activated).toBeGreaterThanOrEqual(11);
    const ran = result.steps.map((st) => st.name);
    expect(ran.indexOf('WaitForDrain')).toBeLessThan(ran.indexOf('StartSwitch'));
    expect(ran.indexOf('WaitForDrain')).toBeLessThan(ran.indexOf('StopReplicator'));
    expect(ran.indexOf('WaitForDrain')).toBeLessThan(ran.indexOf('TryFenceOldRegion'));
    expect(notAllowed(s.world, 0, failbackDocument(atGeneration(1), topic(PRIMARY)))).toEqual([]);
  });

  it('a backlog that does not drain: fails before this region takes writes, naming what is pending; a re-run with Force switches and says what it overrode', async () => {
    const s = setup();
    // One bucket's rule keeps operations pending (something still writes there), and the
    // Replicator publishes no MessageLag at all: neither is proof of a drain.
    backlog(s, { stuck: 'raw', pending: 37 }, {});
    const first = await runAutomation(failback, { region: PRIMARY, world: s.world, parameters: realRun });
    expect(first.status).toBe('Failed');
    expect(first.failedStep).toBe('WaitForDrain');
    const error = stepOf(first, 'WaitForDrain').error;
    expect(error).toMatch(
      /not drained .*dra-prod-raw-111111111111-us-west-2 -> dra-prod-raw-111111111111-us-east-1: 37 operations pending/,
    );
    expect(error).toMatch(/dra-prod-msk-replicator: no MessageLag datapoint in us-east-1 since the fence/);
    expect(error).toMatch(/Force=true/);
    expect(error).toMatch(/Nothing was promoted, failed over or cut yet/);
    // True: nothing irreversible happened (the old code promoted first, then said "nothing was cut").
    expect(calls(s.world, 'PromoteReadReplica')).toHaveLength(0);
    expect(calls(s.world, 'FailoverGlobalReplicationGroup')).toHaveLength(0);
    expect(
      s.world.rds.get(PRIMARY, 'dra-prod-postgres-g1')?.ReadReplicaSourceDBInstanceIdentifier,
    ).toBeDefined();
    expect(s.world.ssm.value(PRIMARY, RECORD)).not.toBe(PRIMARY);
    expect(calls(s.world, 'DeleteReplicator')).toHaveLength(0);
    expect(s.fenceStarts).toEqual([]);
    // Bounded: S3 RTC's 15 minutes plus 5 for the datapoints, not the step's 4 x 9 minutes.
    expect(stepOf(first, 'WaitForDrain').seconds).toBeLessThanOrEqual(25 * 60);

    const forced = await runAutomation(failback, {
      region: PRIMARY,
      world: s.world,
      parameters: { ...realRun, Force: true },
    });
    expect(forced.status).toBe('Success');
    expect(stepOf(forced, 'WaitForDrain').outputs.Drained).toMatch(
      /Force=true overrides the drain: switching without .*dra-prod-raw-111111111111-us-west-2.*37 operations pending.*dra-prod-msk-replicator/,
    );
    expect(s.world.ssm.value(PRIMARY, RECORD)).toBe(PRIMARY);
    expect(answered(s.world, 'PromoteReadReplica')).toHaveLength(1);
  });

  it("promotes generation 1's credential replica in us-east-1 and moves its rotation there", async () => {
    const s = setup();
    const result = await runAutomation(failback, { region: PRIMARY, world: s.world, parameters: realRun });
    expect(result.status).toBe('Success');
    const secret = s.secrets.get(PRIMARY, 'dra/prod/postgres/master-g1')!;
    expect(secret.PrimaryRegion).toBeUndefined();
    expect(secret.RotationLambdaARN).toBe(
      `arn:aws:lambda:${PRIMARY}:${ACCOUNT}:function:dra-prod-postgres-rotation`,
    );
    expect(calls(s.world, 'StopReplicationToReplica').map((c) => c.region)).toEqual([PRIMARY]);
  });

  it('refuses to promote while replay is paused on the replica', async () => {
    const s = setup();
    s.pg.replayPaused = true;
    const result = await runAutomation(failback, { region: PRIMARY, world: s.world, parameters: realRun });
    expect(result.status).toBe('Failed');
    expect(result.failedStep).toBe('WaitForCatchUp');
    expect(stepOf(result, 'WaitForCatchUp').error).toMatch(/Replay is paused .* Nothing was switched/);
    expect(calls(s.world, 'PromoteReadReplica')).toHaveLength(0);
  });
});

/**
 * The streaming jobs across a switch, with the real job submission function (lambda/job-submission)
 * in the new writer's region: its SSM and EMR calls answered by the fake world (which checks them
 * against the SDK models), its Kafka reads by that region's cluster. Each region's cluster holds
 * job 05's consumer group: the old writer's as the job committed it, the new writer's as the MSK
 * Replicator translated it (other offsets: the target's topic numbers records its own way).
 */
describe('streaming jobs across a switch (the real job submission function)', () => {
  const GROUP = streamingConsumerGroup(prod, '05-streaming-kafka');
  const roleOf = (region: string) => (region === PRIMARY ? 'primary' : 'dr');

  const withClusters = (s: Scenario, oldWriter: string, newWriter: string) => {
    const clusters: Record<string, FakeKafkaCluster> = {
      [oldWriter]: new FakeKafkaCluster(oldWriter).addTopic('topicC', 6, 5000n),
      [newWriter]: new FakeKafkaCluster(newWriter).addTopic('topicC', 6, 4800n),
    };
    clusters[oldWriter].commit(GROUP, 'topicC', { 0: 4990, 1: 4985, 2: 4999, 3: 4970, 4: 4991, 5: 4988 });
    // Translated, approximately and at least once: a little behind; partition 5 not yet synced.
    clusters[newWriter].commit(GROUP, 'topicC', { 0: 4780, 1: 4771, 2: 4790, 3: 4752, 4: 4779 });
    const reads: string[] = [];
    const region = newWriter;
    s.world.ssm.put(region, '/dra/prod/msk/bootstrap-servers', `b-1.msk.${region}:9098`);
    const env = {
      DRA_ENVIRONMENT: 'prod',
      AWS_REGION: region,
      APPLICATION_ID: s.apps[region],
      EXECUTION_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/emr-exec`,
      ARTIFACTS_BUCKET: `dra-prod-artifacts-${ACCOUNT}-${region}`,
      JARS: 'jars/a.jar',
      JOB_LOG_GROUP: '/dra/prod/emr-serverless/jobs',
      EXECUTION_TIMEOUT_MINUTES: '720',
      ACTIVE_REGION_PARAMETER: RECORD,
      BOOTSTRAP_SERVERS_PARAMETER: '/dra/prod/msk/bootstrap-servers',
      CHECKPOINT_BUCKET: checkpointBucketName(prod, roleOf(region)),
      COMMIT_GROUPS: JSON.stringify({ '05-streaming-kafka': GROUP }),
      STREAMING_MAX_FAILED_ATTEMPTS_PER_HOUR: String(prod.emr.streaming.maxFailedAttemptsPerHour),
      STREAMING_STARTING_OFFSETS: prod.emr.streaming.startingOffsets,
    };
    s.world.lambda.register(region, 'dra-prod-submit-job', (event: unknown) =>
      submit(event, {
        // Real SDK clients answered by the world, which checks every request and answer against the models.
        emr: answeredByWorld(new EMRServerlessClient({ region }), s.world, {
          service: 'emr-serverless',
          region,
          caller: 'dra-prod-submit-job',
        }),
        ssm: answeredByWorld(new SSMClient({ region }), s.world, {
          service: 'ssm',
          region,
          caller: 'dra-prod-submit-job',
        }),
        env,
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics: new Metrics({ namespace: 'Test', serviceName: 'job-submission' }),
        kafkaAdmin: async (bootstrapServers) => {
          reads.push(bootstrapServers);
          const cluster = Object.values(clusters).find((c) => bootstrapServers === `b-1.msk.${c.name}:9098`);
          if (!cluster) throw new Error(`no cluster answers at ${bootstrapServers}`);
          return cluster.admin();
        },
      }),
    );
    return { clusters, reads };
  };

  /** The entry point arguments of the runs of a job started in a region. */
  const startedWith = (s: Scenario, region: string, job: string) =>
    s.world.emrServerless
      .jobRuns(region)
      .filter((r) => r.name === job && r.jobDriver)
      .map((r) => ({ mode: r.mode, args: r.jobDriver?.sparkSubmit?.entryPointArguments ?? [] }));

  it("failover with the writer's region dark: job 05 resumes from the offsets translated to the new writer's cluster, job 04 resumes by itself", async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.outage(PRIMARY, 'refuse');
    const { clusters, reads } = withClusters(s, PRIMARY, DR);
    clusters[PRIMARY].unreachable = true;
    const result = await runAutomation(content(failoverDocument(prod, topic(DR))), {
      region: DR,
      world: s.world,
      parameters: realRun,
    });
    expect(result.status).toBe('Success');
    // Only the new writer's cluster was read.
    expect(reads).toEqual([`b-1.msk.${DR}:9098`]);
    expect(clusters[PRIMARY].calls).toEqual([]);
    const five = startedWith(s, DR, '05-streaming-kafka');
    expect(five).toHaveLength(1);
    expect(five[0].mode).toBe('STREAMING');
    expect(five[0].args).toContain(
      '--starting_offsets={"topicC":{"0":4780,"1":4771,"2":4790,"3":4752,"4":4779,"5":-2}}',
    );
    expect(five[0].args).toContain(`--commit_group=${GROUP}`);
    expect(five[0].args.find((a) => a.startsWith('--checkpoint_location='))).toMatch(
      new RegExp(
        `^--checkpoint_location=s3://dra-prod-checkpoints-${ACCOUNT}-${DR}/05-streaming-kafka/[0-9a-f]{16}/$`,
      ),
    );
    // Job 04 is not resumed from a group: it reads where its topic ends itself.
    const four = startedWith(s, DR, '04-stream-sales-to-kafka');
    expect(four).toHaveLength(1);
    expect(four[0].mode).toBe('STREAMING');
    expect(four[0].args.some((a) => a.startsWith('--starting_offsets'))).toBe(false);
    expect(stepOf(result, 'ResubmitStreaming').outputs.JobRuns).toMatch(
      /05-streaming-kafka=\S+ \(topicC: 5 of 6 partitions from the group's offsets; 1 with none at earliest \(5\)\)/,
    );
  });

  it("refuses to start job 05 from the top when the new writer's cluster cannot be read: the step fails, a re-run resumes", async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    const { clusters } = withClusters(s, PRIMARY, DR);
    clusters[DR].unreachable = true;
    const doc = content(failoverDocument(prod, topic(DR)));
    const first = await runAutomation(doc, { region: DR, world: s.world, parameters: realRun });
    expect(first.status).toBe('Failed');
    expect(first.failedStep).toBe('ResubmitStreaming');
    expect(stepOf(first, 'ResubmitStreaming').error).toMatch(
      /RESUME_FAILED.*could not be read from the cluster in us-west-2/,
    );
    expect(startedWith(s, DR, '05-streaming-kafka')).toEqual([]);
    clusters[DR].unreachable = false;
    const second = await runAutomation(doc, { region: DR, world: s.world, parameters: realRun });
    expect(second.status).toBe('Success');
    expect(startedWith(s, DR, '05-streaming-kafka')[0].args).toContain(
      '--starting_offsets={"topicC":{"0":4780,"1":4771,"2":4790,"3":4752,"4":4779,"5":-2}}',
    );
  });

  it('failback: job 05 resumes in us-east-1 from the offsets the reverse Replicator translated to its cluster', async () => {
    const s = scenario(DR, PRIMARY, 'dra-prod-postgres-g1');
    freshCopy(s);
    const { clusters, reads } = withClusters(s, DR, PRIMARY);
    backlog(s, { until: 0 }, { until: 0, lag: 0 }); // nothing pending into us-east-1
    const result = await runAutomation(content(failbackDocument(atGeneration(1), topic(PRIMARY))), {
      region: PRIMARY,
      world: s.world,
      parameters: realRun,
    });
    expect(result.status).toBe('Success');
    // The runs in us-west-2 were cancelled first (FenceWriter): nothing commits there any more.
    expect(s.world.emrServerless.jobRuns(DR).filter((r) => r.state === 'RUNNING')).toEqual([]);
    expect(reads).toEqual([`b-1.msk.${PRIMARY}:9098`]);
    expect(clusters[DR].calls).toEqual([]);
    const five = startedWith(s, PRIMARY, '05-streaming-kafka');
    expect(five).toHaveLength(1);
    expect(five[0].args).toContain(
      '--starting_offsets={"topicC":{"0":4780,"1":4771,"2":4790,"3":4752,"4":4779,"5":-2}}',
    );
    expect(five[0].args.find((a) => a.startsWith('--checkpoint_location='))).toContain(
      `s3://dra-prod-checkpoints-${ACCOUNT}-${PRIMARY}/`,
    );
  });
});
