/**
 * The runbooks executed step by step (test/support/automation) on the content
 * CloudFormation receives, against a fake, region-aware AWS: the Python steps
 * run for real against a stand-in boto3.
 */
import { loadConfig } from '../../config';
import { deployableContent } from '../../lib/constructs/failover-runbook';
import { failbackDocument } from '../../lib/runbooks/failback';
import { failoverDocument } from '../../lib/runbooks/failover';
import { fenceDocument } from '../../lib/runbooks/fence';
import { type AutomationDocument, documentPermissions } from '../../lib/runbooks/step';
import {
  type AutomationContent,
  type ExecutionResult,
  FakeWorld,
  runAutomation,
  stepOf,
} from '../support/automation';
import { sampleReadinessReport } from '../support/readiness-report';

const PRIMARY = 'us-east-1';
const DR = 'us-west-2';
const ACCOUNT = '111111111111';
const RECORD = '/dra/prod/active-region';
const DATASTORE = 'ldgnf-dra-prod-cache';
const topic = (region: string) => `arn:aws:sns:${region}:${ACCOUNT}:alarms`;
const content = (doc: AutomationDocument) => deployableContent(doc) as unknown as AutomationContent;

const prod = loadConfig('prod');
const atGeneration = (generation: number) => ({ ...prod, failover: { ...prod.failover, generation } });

const report = sampleReadinessReport;

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
  readiness: { value: unknown };
  submissions: { region: string; key: string }[];
  submitFailures: { left: number };
  tags: Map<string, Record<string, string>>;
  fenceStarts: string[];
  apps: Record<string, string>;
}

/**
 * Both regions of prod, `writer` writing and `standby` replicating: database,
 * Global Datastore, Spark, records, warehouse (copies of the writer's snapshots
 * over two pages, and a newer snapshot of the standby's own namespace),
 * buckets, Replicator, and the Lambda functions the runbooks invoke.
 */
function scenario(writer: string, standby: string, replica: string): Scenario {
  const world = new FakeWorld({ pageSize: 2 });
  const pg = new Postgres(writer, standby);
  const readiness = { value: report({ rds: 2, elasticache: 0.4, msk: 3, s3: 30 }) as unknown };
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
                  ID: `to-${other}`,
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

  world.lambda.register(standby, 'dra-prod-readiness', () => readiness.value);
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
  world.on('redshift-serverless', 'ListTagsForResource', ({ params }) => ({
    tags: Object.entries(tags.get(params.resourceArn as string) ?? {}).map(([key, value]) => ({
      key,
      value,
    })),
  }));
  world.on('redshift-serverless', 'TagResource', ({ params }) => {
    const current = tags.get(params.resourceArn as string) ?? {};
    for (const t of params.tags as { key: string; value: string }[]) current[t.key] = t.value;
    tags.set(params.resourceArn as string, current);
    return {};
  });
  world.on('kms', 'DescribeKey', ({ region, params }) => ({
    KeyMetadata: { Arn: `arn:aws:kms:${region}:${ACCOUNT}:key/database-${region}`, KeyId: params.KeyId },
  }));
  world.on('ssm', 'StartAutomationExecution', ({ region, params }) => {
    fenceStarts.push(`${region}:${params.DocumentName}`);
    return { AutomationExecutionId: `exec-fence-${fenceStarts.length}` };
  });
  return { world, pg, readiness, submissions, submitFailures, tags, fenceStarts, apps };
}

const realRun = {
  DryRun: false,
  Approvers: [`arn:aws:iam::${ACCOUNT}:role/oncall`],
  AutomationAssumeRole: `arn:aws:iam::${ACCOUNT}:role/runbook`,
};

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
    expect(String(restore[0].params.snapshotArn)).toMatch(/snapshot/);
    expect(stepOf(result, 'RestoreWarehouse').outputs.Snapshot).toBe('copy-30');
    expect(s.fenceStarts).toEqual([`${PRIMARY}:dra-prod-fence`]);
    // Every call it made is one its role allows: the role is the sum of the steps.
    const doc = failoverDocument(prod, topic(DR));
    expect(notAllowed(s.world, 0, doc)).toEqual([]);
    // Without the promotion step's statements, the check names the call.
    const withoutPromote = { ...doc, mainSteps: doc.mainSteps.filter((st) => st.name !== 'StartSwitch') };
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
    expect(stepOf(result, 'StopReplicator').outputs).toMatchObject({
      Ok: true,
      Result: 'dra-prod-msk-replicator in us-west-2 (from us-east-1) deleted',
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
    // Reads only: the readiness report and this region's active-region record (is this a resume?).
    expect(s.world.log.map((c) => `${c.service}:${c.operation}`)).toEqual([
      'lambda:Invoke',
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
      /Per store: rds: lag 2s, budget 60s \(rds lag read in us-west-2 \(standby\)\)/,
    );
  });

  it('refuses a lag over budget without Force, before anything changes; Force goes on', async () => {
    const s = scenario(PRIMARY, DR, 'dra-prod-postgres');
    s.world.outage(PRIMARY, 'refuse');
    s.readiness.value = report({ rds: 240, elasticache: 0.4, msk: 3, s3: null });
    const refused = await run(s);
    expect(refused.status).toBe('Failed');
    expect(refused.failedStep).toBe('GateOnRpo');
    expect(stepOf(refused, 'GateOnRpo').error).toMatch(/rds lag 240s over its 60s budget, s3 lag unknown/);
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
    // After the switch: "not a read replica", so the database lag is unknown.
    s.readiness.value = report({ rds: null, elasticache: 0.4, msk: 3, s3: 30 });
    const again = await run(s);
    expect(again.status).toBe('Success');
    expect(stepOf(again, 'GateOnRpo').outputs).toMatchObject({
      Allowed: true,
      Summary: expect.stringMatching(/^Resume: \/dra\/prod\/.* in us-west-2 already names us-west-2/),
    });
    expect(answered(s.world, 'PromoteReadReplica')).toHaveLength(1);
    // Before any switch the same report is refused.
    const fresh = scenario(PRIMARY, DR, 'dra-prod-postgres');
    fresh.readiness.value = report({ rds: null, elasticache: 0.4, msk: 3, s3: 30 });
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
    ActivateThisRegion: {
      inject: (s) =>
        s.world.failAlways('ssm', 'PutParameter', { code: 'InternalServerError', message: 'boom' }, DR),
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
    const second = await run(s);
    expect(second.status).toBe('Success');
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
    world.lambda.register(DR, 'dra-dev-readiness', () => report({ rds: 5, s3: 20 }));
    world.lambda.register(DR, 'dra-dev-submit-job', (event: any) => {
      world.emrServerless.addJobRun(DR, { applicationId: app, name: event.job, state: 'RUNNING' });
      return { ok: true, jobRunId: 'run-1' };
    });
    world.on('redshift-serverless', 'ListTagsForResource', () => ({ tags: [] }));
    world.on('redshift-serverless', 'TagResource', () => ({}));
    world.on('kms', 'DescribeKey', ({ region }) => ({
      KeyMetadata: { KeyId: 'k', Arn: `arn:aws:kms:${region}:${ACCOUNT}:key/k` },
    }));
    world.on('ssm', 'StartAutomationExecution', () => ({ AutomationExecutionId: 'e-1' }));
    const result = await runAutomation(content(failoverDocument(dev, topic(DR))), {
      region: DR,
      world,
      parameters: realRun,
    });
    expect(result.status).toBe('Success');
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
    const rules = (s.world.s3.replication(`dra-prod-raw-${ACCOUNT}-${PRIMARY}`) as any).Rules;
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
    expect((s.world.s3.replication(`dra-prod-raw-${ACCOUNT}-${PRIMARY}`) as any).Rules[0].Status).toBe(
      'Disabled',
    );
  });
});

describe('failback runbook, executed (prod, generation 1: us-west-2 writes, us-east-1 re-seeded)', () => {
  const failback = content(failbackDocument(atGeneration(1), topic(PRIMARY)));
  const setup = () => {
    const s = scenario(DR, PRIMARY, 'dra-prod-postgres-g1');
    s.readiness.value = {
      ...report({ rds: 2, elasticache: 0.4, msk: 3, s3: 30 }),
      checks: [{ name: 'rds', status: 'healthy' }],
    };
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
    expect(calls(s.world, 'GetMetricData')).toHaveLength(0);
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
    UnfenceDatabase: (s) => s.pg.failing.add('unfence'),
    ActivateThisRegion: (s) =>
      s.world.failAlways('ssm', 'PutParameter', { code: 'InternalServerError', message: 'boom' }, PRIMARY),
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
