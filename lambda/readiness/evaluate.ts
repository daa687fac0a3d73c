import { type CanaryJudgement, canaryBudget } from './canary';
import type { StoreName } from './metrics';
import type { FailureCause, Outcome } from './outcome';
import { storeBudget, storeRpo } from './rpo';
import type { ReadinessSettings } from './settings';
import { isFailed, MSK_FAILED, RDS_FAILED, RDS_FIXED_IN_PLACE, REDSHIFT_FAILED } from './statuses';
import type { CheckResult, CheckStatus, StandbyEvidence, WriterEvidence } from './types';

/**
 * Pure evaluation of what the adapters fetched. Each check keeps what it
 * learned about the writer's region apart from what it read in the standby's
 * own region: a writer call that fails never discards the standby's readings
 * (the replica's lag, pending replication), which are what an operator needs
 * during an outage. "The writer's region does not answer while the standby's
 * answers" fails a data-store check; any other error is "unknown".
 */
interface Part {
  readonly status: CheckStatus;
  readonly detail: string;
}
const RANK: Record<CheckStatus, number> = { healthy: 0, degraded: 1, unknown: 2, failed: 3 };

function combine(parts: readonly Part[]): Part {
  const status = parts.reduce<CheckStatus>((w, p) => (RANK[p.status] > RANK[w] ? p.status : w), 'healthy');
  return { status, detail: parts.map((p) => p.detail).join('; ') };
}

export function standbyOf(...outcomes: readonly Outcome<unknown>[]): StandbyEvidence {
  if (outcomes.some((o) => o.ok)) return 'answered';
  if (outcomes.some((o) => !o.ok && o.kind === 'unreachable')) return 'unreachable';
  return 'unknown';
}

interface WriterJudgement {
  readonly evidence: WriterEvidence;
  readonly part: Part;
}

/**
 * The writer's part of a check. Not answering is a failure of a data-store
 * check only while the standby answered the same check (otherwise it may be
 * this function's own network); for a comparison check it only means nothing
 * could be compared.
 */
function writerPart<T>(
  o: Outcome<T>,
  judge: (value: T) => WriterJudgement,
  ctx: { what: string; region: string; standby: StandbyEvidence; dataStore: boolean },
): WriterJudgement & { answered: boolean; cause?: FailureCause } {
  if (o.ok) return { ...judge(o.value), answered: true };
  if (o.kind === 'unreachable') {
    const detail = `writer's region ${ctx.region} does not answer (${ctx.what}: ${o.reason})`;
    const status: CheckStatus =
      ctx.standby !== 'answered' ? 'unknown' : ctx.dataStore ? 'failed' : 'degraded';
    return { evidence: 'unreachable', answered: false, cause: o.cause, part: { status, detail } };
  }
  return {
    evidence: 'unknown',
    answered: false,
    cause: o.cause,
    part: { status: 'unknown', detail: `${ctx.what} in ${ctx.region} not checked: ${o.reason}` },
  };
}

/**
 * The canary's say on a store check: a failed canary write while the control plane
 * reports the store healthy turns the writer's evidence to `failed` (a data-plane
 * failure, counted like a single-service outage on the write path, and `lastKnown`
 * keeps the lag from before it); the standby's measured lag is judged against the
 * store's budget plus the canary interval; a canary that is not running degrades the
 * check (never a silent pass).
 */
function applyCanary(
  store: StoreName,
  writer: WriterJudgement & { answered: boolean; cause?: FailureCause },
  canary: CanaryJudgement | undefined,
  s: ReadinessSettings,
): { writer: WriterJudgement & { answered: boolean; cause?: FailureCause }; parts: Part[] } {
  if (!canary || !s.canaryStores?.includes(store)) return { writer, parts: [] };
  const parts: Part[] = [];
  let w = writer;
  if (canary.dataPlaneFailure && writer.evidence === 'healthy')
    w = {
      ...writer,
      evidence: 'failed',
      part: {
        status: 'failed',
        detail: `data-plane failure in ${s.primaryRegion}: ${canary.dataPlaneFailure}, while its control plane reports it healthy (${writer.part.detail})`,
      },
    };
  else if (canary.dataPlaneFailure)
    parts.push({ status: 'healthy', detail: `canary: ${canary.dataPlaneFailure}` });
  if (canary.measured) {
    const budget = canaryBudget(storeBudget(store, s));
    const lag = canary.measured.lagSeconds;
    parts.push({
      status: lag <= budget ? 'healthy' : 'degraded',
      detail: `canary lag ${lag}s (budget ${budget}s, read at ${canary.measured.measuredAt})`,
    });
  } else parts.push({ status: 'degraded', detail: `no canary lag: ${canary.notMeasured ?? 'not read'}` });
  if (canary.writerNote) parts.push({ status: 'healthy', detail: `canary: ${canary.writerNote}` });
  return { writer: w, parts };
}

const notRead = (what: string, region: string, o: Outcome<unknown>): Part => ({
  status: 'unknown',
  detail: `${what} in ${region} not read: ${o.ok ? 'no value' : o.reason}`,
});

function lagPart(
  o: Outcome<number | undefined>,
  what: string,
  budget: number,
  region: string,
): { part: Part; lag?: number } {
  if (!o.ok) return { part: notRead(what, region, o) };
  if (o.value === undefined)
    return { part: { status: 'unknown', detail: `no ${what} datapoint in the last 5 minutes` } };
  const lag = o.value;
  return {
    lag,
    part: {
      status: lag <= budget ? 'healthy' : 'degraded',
      detail: `${what} ${lag}s (budget ${budget}s)`,
    },
  };
}

/** A status that is neither the healthy one nor a failure: serving, or being worked on. */
const operational = (who: string, status: string): Part => ({
  status: 'healthy',
  detail: `${who} is ${status} (operational, not a failure)`,
});

export interface RdsObservation {
  /** The writer instance's status in the writer's region; undefined = not found. */
  readonly writer: Outcome<string | undefined>;
  /** The standby's read replica: status and the source it replicates from. */
  readonly replica: Outcome<{ status: string; source?: string } | undefined>;
  /** Latest ReplicaLag in seconds, in the standby's region. */
  readonly lag: Outcome<number | undefined>;
  /** What the canary says about PostgreSQL (absent when no canary runs). */
  readonly canary?: CanaryJudgement;
}

export function evaluateRds(o: RdsObservation, s: ReadinessSettings): CheckResult {
  const budget = s.budgets.rdsReplicaLagSeconds;
  const ids = s.database ?? { source: '?', replica: '?' };
  const standby = standbyOf(o.replica, o.lag);
  const control = writerPart(
    o.writer,
    (status): WriterJudgement => {
      if (status === undefined)
        return {
          evidence: 'unknown',
          part: { status: 'failed', detail: `writer instance ${ids.source} not found in ${s.primaryRegion}` },
        };
      if (isFailed(RDS_FAILED, status))
        return { evidence: 'failed', part: { status: 'failed', detail: `writer instance is ${status}` } };
      const fix = RDS_FIXED_IN_PLACE.get(status);
      // The writer's region answered and the fix is in place (statuses.ts): reported, not counted.
      if (fix)
        return {
          evidence: 'healthy',
          part: {
            status: 'failed',
            detail: `writer instance is ${status}: fix it in place (${fix}); failing over is not recommended for this`,
          },
        };
      if (status === 'available')
        return { evidence: 'healthy', part: { status: 'healthy', detail: 'writer available' } };
      return { evidence: 'healthy', part: operational('writer instance', status) };
    },
    { what: 'DescribeDBInstances', region: s.primaryRegion, standby, dataStore: true },
  );
  const { writer, parts: canaryParts } = applyCanary('rds', control, o.canary, s);
  let replica: Part;
  if (!o.replica.ok) replica = notRead('replica', s.drRegion, o.replica);
  else if (!o.replica.value)
    replica = {
      status: 'failed',
      detail: `standby read replica ${ids.replica} does not exist in ${s.drRegion}`,
    };
  else if (!o.replica.value.source)
    replica = { status: 'failed', detail: 'standby instance is not a read replica (already promoted?)' };
  else if (isFailed(RDS_FAILED, o.replica.value.status) || RDS_FIXED_IN_PLACE.has(o.replica.value.status))
    replica = { status: 'failed', detail: `standby replica is ${o.replica.value.status}` };
  else if (o.replica.value.status !== 'available')
    replica = { status: 'degraded', detail: `standby replica is ${o.replica.value.status}` };
  else replica = { status: 'healthy', detail: 'replica available' };
  const lag = lagPart(o.lag, 'ReplicaLag', budget, s.drRegion);
  const rpo = storeRpo('rds', s, lag.lag, o.canary?.measured);
  return {
    name: 'rds',
    ...combine([writer.part, replica, lag.part, ...canaryParts]),
    value: rpo.lagSeconds ?? undefined,
    threshold: rpo.budgetSeconds,
    unit: 'Seconds',
    writer: writer.evidence,
    ...(writer.cause ? { writerCause: writer.cause } : {}),
    writerAnswered: writer.answered,
    standby,
    rpo,
  };
}

export interface CacheObservation {
  /** The Global Datastore as the writer's region describes it; undefined = not found. */
  readonly writer: Outcome<{ status?: string; primaryMember?: string } | undefined>;
  /** The standby's own replication group: its status and Global Datastore role. */
  readonly standby: Outcome<{ status?: string; role?: string } | undefined>;
  readonly lag: Outcome<number | undefined>;
  readonly canary?: CanaryJudgement;
}

export function evaluateCache(o: CacheObservation, s: ReadinessSettings): CheckResult {
  const budget = s.budgets.cacheReplicationLagSeconds;
  const standby = standbyOf(o.standby, o.lag);
  const control = writerPart(
    o.writer,
    (g): WriterJudgement => {
      if (!g)
        return {
          evidence: 'unknown',
          part: { status: 'failed', detail: `Global Datastore ${s.globalDatastoreId} not found` },
        };
      // No Global Datastore or member status is a terminal failure (statuses.ts, CACHE_FAILED).
      if (g.primaryMember !== 'associated')
        return {
          evidence: 'healthy',
          part: { status: 'degraded', detail: `primary member is ${g.primaryMember ?? 'missing'}` },
        };
      if (g.status !== 'available')
        return { evidence: 'healthy', part: operational('Global Datastore', g.status ?? 'unknown') };
      return { evidence: 'healthy', part: { status: 'healthy', detail: 'Global Datastore available' } };
    },
    { what: 'DescribeGlobalReplicationGroups', region: s.primaryRegion, standby, dataStore: true },
  );
  const { writer, parts: canaryParts } = applyCanary('elasticache', control, o.canary, s);
  let member: Part;
  if (!o.standby.ok) member = notRead('replication group', s.drRegion, o.standby);
  else if (!o.standby.value)
    member = { status: 'failed', detail: `standby replication group not found in ${s.drRegion}` };
  else if (o.standby.value.role !== 'SECONDARY')
    member = {
      status: 'failed',
      detail: `standby replication group is not a Global Datastore secondary (role ${o.standby.value.role ?? 'none'})`,
    };
  else if (o.standby.value.status !== 'available')
    member = { status: 'degraded', detail: `standby replication group is ${o.standby.value.status}` };
  else member = { status: 'healthy', detail: 'standby secondary available' };
  const lag = lagPart(o.lag, 'GlobalDatastoreReplicationLag', budget, s.drRegion);
  const rpo = storeRpo('elasticache', s, lag.lag, o.canary?.measured);
  return {
    name: 'elasticache',
    ...combine([writer.part, member, lag.part, ...canaryParts]),
    value: rpo.lagSeconds ?? undefined,
    threshold: rpo.budgetSeconds,
    unit: 'Seconds',
    writer: writer.evidence,
    ...(writer.cause ? { writerCause: writer.cause } : {}),
    writerAnswered: writer.answered,
    standby,
    rpo,
  };
}

export interface MskObservation {
  /** Cluster state in the writer's region; undefined = no cluster recorded or found. */
  readonly writer: Outcome<string | undefined>;
  readonly standbyCluster: Outcome<string | undefined>;
  /** Absent when no Replicator is configured. */
  readonly replicator?: Outcome<string | undefined>;
  /** ReplicationLatency in seconds (already converted from milliseconds). */
  readonly latency?: Outcome<number | undefined>;
  /** MessageLag per minute over the last minutes, newest first (absent when not read). */
  readonly messageLag?: Outcome<number[]>;
  /** KafkaClusterPingSuccessCount per ClusterAlias: the latest value of each series found. */
  readonly ping?: Outcome<{ label: string; value: number | undefined }[]>;
  readonly canary?: CanaryJudgement;
}

export function evaluateMsk(o: MskObservation, s: ReadinessSettings): CheckResult {
  const budget = s.budgets.mskReplicationLatencySeconds;
  const standbyReads = [o.standbyCluster, ...(o.replicator ? [o.replicator] : [])];
  const standby = standbyOf(...standbyReads, ...(o.latency ? [o.latency] : []));
  const control = writerPart(
    o.writer,
    (state): WriterJudgement => {
      if (state === undefined)
        return { evidence: 'unknown', part: { status: 'failed', detail: 'writer cluster not found' } };
      if (isFailed(MSK_FAILED, state))
        return { evidence: 'failed', part: { status: 'failed', detail: `writer cluster is ${state}` } };
      if (state === 'ACTIVE')
        return { evidence: 'healthy', part: { status: 'healthy', detail: 'writer cluster ACTIVE' } };
      return { evidence: 'healthy', part: operational('writer cluster', state) };
    },
    { what: 'DescribeClusterV2', region: s.primaryRegion, standby, dataStore: true },
  );
  const { writer, parts: canaryParts } = applyCanary('msk', control, o.canary, s);
  const parts: Part[] = [writer.part];
  const c = o.standbyCluster;
  if (!c.ok) parts.push(notRead('standby cluster', s.drRegion, c));
  else if (c.value === undefined) parts.push({ status: 'failed', detail: 'standby cluster not found' });
  else if (isFailed(MSK_FAILED, c.value))
    parts.push({ status: 'failed', detail: `standby cluster is ${c.value}` });
  else if (c.value !== 'ACTIVE') parts.push({ status: 'degraded', detail: `standby cluster is ${c.value}` });
  let lag: number | undefined;
  let healthy: boolean | null = null;
  if (!o.replicator || !o.latency) {
    parts.push({ status: 'healthy', detail: 'no Replicator configured (standby topics start empty)' });
  } else {
    const r = o.replicator;
    if (!r.ok) parts.push(notRead('Replicator', s.drRegion, r));
    else if (r.value === undefined || r.value === 'FAILED')
      parts.push({ status: 'failed', detail: `Replicator is ${r.value ?? 'missing'}` });
    else if (r.value !== 'RUNNING') parts.push({ status: 'degraded', detail: `Replicator is ${r.value}` });
    const l = lagPart(o.latency, 'ReplicationLatency', budget, s.drRegion);
    const h = replicatorHealth(o, l.lag);
    healthy = h.healthy;
    if (h.healthy === false) {
      // Its latency is not a lag any more: unknown, so the RPO is incomplete.
      parts.push({ status: 'failed', detail: h.detail ?? 'Replicator unhealthy' });
      parts.push({
        status: 'unknown',
        detail: 'ReplicationLatency not used while the Replicator is unhealthy',
      });
    } else {
      parts.push(l.part);
      lag = l.lag;
      if (h.detail) parts.push({ status: 'healthy', detail: h.detail });
    }
  }
  parts.push(...canaryParts);
  // A Replicator that lost access may have lost it for one topic only (MSK developer guide,
  // msk-replicator-metrics-ref: a topic's ReplicationLatency at 0 while it receives data), so
  // the canary topic still replicating does not vouch for the others: no figure then.
  const rpo = o.replicator ? storeRpo('msk', s, lag, o.canary?.measured, healthy !== false) : undefined;
  return {
    name: 'msk',
    ...combine(parts),
    value: rpo ? (rpo.lagSeconds ?? undefined) : lag,
    threshold: rpo?.budgetSeconds ?? budget,
    unit: 'Seconds',
    writer: writer.evidence,
    ...(writer.cause ? { writerCause: writer.cause } : {}),
    writerAnswered: writer.answered,
    standby,
    rpo,
    ...(o.replicator ? { replicatorHealthy: healthy } : {}),
  };
}

/**
 * The Replicator's own health, from the metrics AWS documents for it (MSK developer guide,
 * "Monitor replication", https://docs.aws.amazon.com/msk/latest/developerguide/msk-replicator-monitor.html,
 * and its metrics reference): KafkaClusterPingSuccessCount per ClusterAlias is 1 while
 * its connection to that cluster is healthy, and "0 or no datapoint" means it is not;
 * a ReplicationLatency that drops to 0 while the topics still receive data means it has
 * lost access (MessageLag, the messages it is behind the source, then grows). Read in
 * the standby (target) region. null: not read (no verdict either way).
 */
function replicatorHealth(
  o: MskObservation,
  latency: number | undefined,
): { healthy: boolean | null; detail?: string } {
  const verdicts: boolean[] = [];
  const details: string[] = [];
  if (o.ping?.ok) {
    const bad = o.ping.value.filter((p) => p.value === undefined || p.value < 1);
    if (o.ping.value.length === 0) {
      verdicts.push(false);
      details.push('KafkaClusterPingSuccessCount has no datapoint: the Replicator reaches no cluster');
    } else if (bad.length > 0) {
      verdicts.push(false);
      details.push(
        `KafkaClusterPingSuccessCount ${bad.map((p) => `${p.value ?? 'missing'} for ${p.label}`).join(', ')}: the Replicator cannot reach that cluster`,
      );
    } else verdicts.push(true);
  }
  if (o.messageLag?.ok) {
    const values = o.messageLag.value;
    const growing = values.length >= 2 && values[0] > values[values.length - 1] && values[0] > 0;
    if (latency === 0 && growing) {
      verdicts.push(false);
      details.push(
        `ReplicationLatency is 0 while MessageLag grows (${values[values.length - 1]} to ${values[0]} messages): the Replicator has lost access to the source`,
      );
    } else verdicts.push(true);
  }
  if (verdicts.length === 0) return { healthy: null };
  if (verdicts.includes(false)) return { healthy: false, detail: details.join('; ') };
  return { healthy: true, detail: 'Replicator reaches both clusters' };
}

export interface S3Observation {
  /**
   * Read in the destination (standby) region, over every replication rule: the worst
   * per-rule lag (its latency, or 0 when it has nothing pending), undefined unless
   * every rule had a datapoint; totals of pending operations and bytes, undefined
   * unless every rule reported them (a missing datapoint is never summed as 0).
   */
  readonly destination: Outcome<{
    latencySeconds?: number;
    pendingOperations?: number;
    pendingBytes?: number;
    /** Rules with neither a latency nor a "nothing pending" datapoint. */
    rulesWithoutData?: number;
  }>;
  /** OperationsFailedReplication (sum), read in the source (writer) region. */
  readonly failedOperations: Outcome<number | undefined>;
  readonly canary?: CanaryJudgement;
}

export function evaluateS3(o: S3Observation, s: ReadinessSettings): CheckResult {
  const budget = s.budgets.s3ReplicationLatencySeconds;
  const standby = standbyOf(o.destination);
  const control = writerPart(
    o.failedOperations,
    (failed): WriterJudgement =>
      (failed ?? 0) > 0
        ? // A replication problem, not the writer's region failing.
          {
            evidence: 'healthy',
            part: { status: 'failed', detail: `${failed} replication operations failed` },
          }
        : { evidence: 'healthy', part: { status: 'healthy', detail: 'no failed replication operations' } },
    { what: 'OperationsFailedReplication', region: s.primaryRegion, standby, dataStore: true },
  );
  const { writer, parts: canaryParts } = applyCanary('s3', control, o.canary, s);
  let lag: number | undefined;
  let part: Part;
  if (!o.destination.ok) part = notRead('replication metrics', s.drRegion, o.destination);
  else {
    const d = o.destination.value;
    // Already per rule (checks.ts): a rule with no latency but nothing pending is 0 behind.
    lag = d.latencySeconds;
    const pending = `${d.pendingOperations ?? '?'} operations / ${d.pendingBytes ?? '?'} bytes pending`;
    const missing = d.rulesWithoutData
      ? `${d.rulesWithoutData} of ${s.replication.length} replication rules have no latency or pending datapoint`
      : 'no replication latency datapoint';
    part =
      lag === undefined
        ? { status: 'unknown', detail: `${missing}; ${pending}` }
        : {
            status: lag <= budget ? 'healthy' : 'degraded',
            detail: `replication latency ${lag}s (budget ${budget}s); ${pending}`,
          };
  }
  const rpo = storeRpo('s3', s, lag, o.canary?.measured);
  return {
    name: 's3',
    ...combine([writer.part, part, ...canaryParts]),
    value: rpo.lagSeconds ?? undefined,
    threshold: rpo.budgetSeconds,
    unit: 'Seconds',
    writer: writer.evidence,
    ...(writer.cause ? { writerCause: writer.cause } : {}),
    writerAnswered: writer.answered,
    standby,
    rpo,
  };
}

export interface RedshiftObservation {
  /** The writer's workgroup or cluster status; "missing" when not found. */
  readonly writer: Outcome<string>;
  /** Newest available snapshot copied to the standby; undefined = none. */
  readonly newestCopy: Outcome<Date | undefined>;
  readonly now: Date;
}

/**
 * The warehouse is its own tier: its data is as old as the newest snapshot
 * copied to the standby, measured against the snapshot interval, not against
 * the streaming RPO budget.
 */
export function evaluateRedshift(o: RedshiftObservation, s: ReadinessSettings): CheckResult {
  const budget = s.budgets.redshiftSnapshotAgeSeconds;
  const standby = standbyOf(o.newestCopy);
  const writer = writerPart(
    o.writer,
    (status): WriterJudgement => {
      if (status === 'missing')
        return { evidence: 'unknown', part: { status: 'failed', detail: 'writer warehouse is missing' } };
      if (isFailed(REDSHIFT_FAILED, status))
        return { evidence: 'failed', part: { status: 'failed', detail: `writer warehouse is ${status}` } };
      if (status.toLowerCase() === 'available')
        return { evidence: 'healthy', part: { status: 'healthy', detail: 'writer warehouse available' } };
      return { evidence: 'healthy', part: operational('writer warehouse', status) };
    },
    { what: 'warehouse status', region: s.primaryRegion, standby, dataStore: true },
  );
  let age: number | undefined;
  let part: Part;
  if (!o.newestCopy.ok) part = notRead('copied snapshots', s.drRegion, o.newestCopy);
  else if (!o.newestCopy.value)
    part = { status: 'failed', detail: `no snapshot has been copied to ${s.drRegion} in 7 days` };
  else {
    age = Math.round((o.now.getTime() - o.newestCopy.value.getTime()) / 1000);
    part = {
      status: age <= budget ? 'healthy' : 'degraded',
      detail: `newest copied snapshot is ${age}s old (budget ${budget}s)`,
    };
  }
  return {
    name: 'redshift',
    ...combine([writer.part, part]),
    value: age,
    threshold: budget,
    unit: 'Seconds',
    writer: writer.evidence,
    writerAnswered: writer.answered,
    standby,
    warehouse: {
      ageSeconds: age ?? null,
      budgetSeconds: budget,
      source: `newest available ${s.warehouse?.mode === 'provisioned' ? 'cluster' : 'Serverless'} snapshot copied to ${s.drRegion} (standby)`,
      withinBudget: age === undefined ? null : age <= budget,
    },
  };
}

/** A comparison check (EMR, catalog, active region): the writer not answering means nothing to compare. */
function compare<T>(
  name: string,
  o: { writer: Outcome<T>; standby: Outcome<T> },
  s: ReadinessSettings,
  what: string,
  judge: (writer: T, standby: T) => Part,
  standbyMissing?: (standby: T) => Part | undefined,
  extra: Partial<CheckResult> = {},
): CheckResult {
  const standby = standbyOf(o.standby);
  const writer = writerPart(
    o.writer,
    () => ({ evidence: 'healthy', part: { status: 'healthy', detail: '' } }),
    {
      what,
      region: s.primaryRegion,
      standby,
      dataStore: false,
    },
  );
  let part: Part;
  if (!o.standby.ok) part = notRead(what, s.drRegion, o.standby);
  else if (standbyMissing?.(o.standby.value)) part = standbyMissing(o.standby.value) as Part;
  else if (!o.writer.ok) part = { ...writer.part, detail: `${writer.part.detail}; nothing compared` };
  else part = judge(o.writer.value, o.standby.value);
  return {
    name,
    ...part,
    ...extra,
    writer: writer.evidence,
    writerAnswered: writer.answered,
    standby,
  };
}

export interface EmrShape {
  readonly releaseLabel: string;
  readonly architecture: string;
  readonly maximumCapacity: string;
  readonly subnetCount: number;
}

export function evaluateEmr(
  o: { writer: Outcome<EmrShape | undefined>; standby: Outcome<EmrShape | undefined> },
  s: ReadinessSettings,
): CheckResult {
  return compare(
    'emr',
    o,
    s,
    'EMR Serverless application',
    (w, d) => {
      if (!d) return { status: 'failed', detail: 'standby EMR Serverless application does not exist' };
      if (!w) return { status: 'degraded', detail: "writer's application not found; cannot compare" };
      const diffs = (Object.keys(d) as (keyof EmrShape)[]).filter((k) => d[k] !== w[k]);
      if (diffs.length > 0)
        return {
          status: 'degraded',
          detail: `standby application differs from the writer's in ${diffs.map((k) => `${k} (${d[k]} vs ${w[k]})`).join(', ')}`,
        };
      return {
        status: 'healthy',
        detail: `standby application matches the writer's (${d.releaseLabel}, ${d.architecture})`,
      };
    },
    (d) =>
      d ? undefined : { status: 'failed', detail: 'standby EMR Serverless application does not exist' },
    { unit: 'None' },
  );
}

/** Catalog and workgroups, each reduced to a comparable signature per name. */
export interface CatalogShape {
  readonly tables: Readonly<Record<string, string>>;
  readonly workgroups: Readonly<Record<string, string>>;
}

export function evaluateCatalog(
  o: { writer: Outcome<CatalogShape>; standby: Outcome<CatalogShape> },
  s: ReadinessSettings,
): CheckResult {
  let drifts: number | undefined;
  const result = compare('catalog', o, s, 'Glue tables and Athena workgroups', (w, d) => {
    const drift: string[] = [];
    for (const kind of ['tables', 'workgroups'] as const) {
      const names = new Set([...Object.keys(w[kind]), ...Object.keys(d[kind])]);
      for (const name of names) {
        if (w[kind][name] !== d[kind][name]) {
          drift.push(
            `${kind === 'tables' ? 'table' : 'workgroup'} ${name}: ${d[kind][name] === undefined ? 'missing in the standby' : w[kind][name] === undefined ? 'only in the standby' : 'differs'}`,
          );
        }
      }
    }
    drifts = drift.length;
    if (drift.length > 0) return { status: 'degraded', detail: drift.slice(0, 5).join('; ') };
    return { status: 'healthy', detail: "standby catalog and workgroups match the writer's" };
  });
  return { ...result, unit: 'Count', threshold: 0, value: drifts };
}

export function evaluateActiveRegion(
  o: { writer: Outcome<string | undefined>; standby: Outcome<string | undefined> },
  s: ReadinessSettings,
): CheckResult {
  return compare(
    'active-region',
    o,
    s,
    'active-region parameter',
    (w, d) =>
      w !== d
        ? {
            status: 'failed',
            detail: `active-region parameters disagree: writer's region says ${w ?? '(unset)'}, standby says ${d ?? '(unset)'}`,
          }
        : { status: 'healthy', detail: `both regions say ${d}` },
    undefined,
    { unit: 'None' },
  );
}
