import type { Budgets, CheckResult } from './types';

/**
 * Pure evaluation of what the adapters fetched. Each function takes plain data
 * (undefined where a resource was not found) and returns a CheckResult.
 */
const lagStatus = (value: number, budget: number) => (value <= budget ? 'healthy' : 'degraded');

export interface RdsObservation {
  /** The primary (source) instance status, as seen from its region. */
  readonly sourceStatus?: string;
  /** The DR replica: status and the source it replicates from. */
  readonly replica?: { status: string; source?: string };
  /** Latest ReplicaLag datapoint in seconds. */
  readonly lagSeconds?: number;
}

export function evaluateRds(o: RdsObservation, budgets: Budgets): CheckResult {
  const base = { name: 'rds', threshold: budgets.rdsReplicaLagSeconds, unit: 'Seconds' as const, lag: true };
  if (o.sourceStatus !== undefined && o.sourceStatus !== 'available') {
    return { ...base, status: 'failed', primaryFault: true, detail: `primary instance is ${o.sourceStatus}` };
  }
  if (!o.replica) return { ...base, status: 'failed', detail: 'DR read replica does not exist' };
  if (!o.replica.source)
    return { ...base, status: 'failed', detail: 'DR instance is not a read replica (already promoted?)' };
  if (o.replica.status !== 'available')
    return { ...base, status: 'failed', detail: `DR replica is ${o.replica.status}` };
  if (o.lagSeconds === undefined)
    return { ...base, status: 'unknown', detail: 'no ReplicaLag datapoint in the last 5 minutes' };
  return {
    ...base,
    status: lagStatus(o.lagSeconds, budgets.rdsReplicaLagSeconds),
    value: o.lagSeconds,
    detail: `replica lag ${o.lagSeconds}s`,
    primaryFault: true,
  };
}

export interface CacheObservation {
  readonly globalStatus?: string;
  readonly members: readonly { role: string; region: string; status: string }[];
  readonly lagSeconds?: number;
}

export function evaluateCache(o: CacheObservation, budgets: Budgets): CheckResult {
  const base = {
    name: 'elasticache',
    threshold: budgets.cacheReplicationLagSeconds,
    unit: 'Seconds' as const,
    lag: true,
  };
  if (!o.globalStatus) return { ...base, status: 'failed', detail: 'Global Datastore not found' };
  const primary = o.members.find((m) => m.role === 'PRIMARY');
  if (primary?.status !== 'associated') {
    return {
      ...base,
      status: 'failed',
      primaryFault: true,
      detail: `primary member is ${primary?.status ?? 'missing'}`,
    };
  }
  const secondary = o.members.find((m) => m.role === 'SECONDARY');
  if (secondary?.status !== 'associated') {
    return { ...base, status: 'failed', detail: `secondary member is ${secondary?.status ?? 'missing'}` };
  }
  if (o.globalStatus !== 'available')
    return { ...base, status: 'degraded', detail: `Global Datastore is ${o.globalStatus}` };
  if (o.lagSeconds === undefined)
    return { ...base, status: 'unknown', detail: 'no GlobalDatastoreReplicationLag datapoint' };
  return {
    ...base,
    status: lagStatus(o.lagSeconds, budgets.cacheReplicationLagSeconds),
    value: o.lagSeconds,
    detail: `replication lag ${o.lagSeconds}s`,
  };
}

export interface MskObservation {
  readonly primaryState?: string;
  readonly drState?: string;
  /** undefined when the Replicator is not configured. */
  readonly replicatorState?: string;
  readonly replicatorConfigured: boolean;
  readonly latencySeconds?: number;
}

export function evaluateMsk(o: MskObservation, budgets: Budgets): CheckResult {
  const base = {
    name: 'msk',
    threshold: budgets.mskReplicationLatencySeconds,
    unit: 'Seconds' as const,
    lag: o.replicatorConfigured,
  };
  if (o.primaryState !== 'ACTIVE')
    return {
      ...base,
      status: 'failed',
      primaryFault: true,
      detail: `primary cluster is ${o.primaryState ?? 'missing'}`,
    };
  if (o.drState !== 'ACTIVE')
    return { ...base, status: 'failed', detail: `DR cluster is ${o.drState ?? 'missing'}` };
  if (!o.replicatorConfigured)
    return {
      ...base,
      status: 'healthy',
      detail: 'both clusters active; no Replicator configured (DR topics start empty)',
    };
  if (o.replicatorState !== 'RUNNING')
    return { ...base, status: 'failed', detail: `Replicator is ${o.replicatorState ?? 'missing'}` };
  if (o.latencySeconds === undefined)
    return { ...base, status: 'unknown', detail: 'no ReplicationLatency datapoint' };
  return {
    ...base,
    status: lagStatus(o.latencySeconds, budgets.mskReplicationLatencySeconds),
    value: o.latencySeconds,
    detail: `replication latency ${o.latencySeconds}s`,
  };
}

export interface S3Observation {
  /** Worst ReplicationLatency across the replicated buckets, seconds. */
  readonly latencySeconds?: number;
  readonly pendingOperations?: number;
  readonly pendingBytes?: number;
  readonly failedOperations?: number;
}

export function evaluateS3(o: S3Observation, budgets: Budgets): CheckResult {
  const base = {
    name: 's3',
    threshold: budgets.s3ReplicationLatencySeconds,
    unit: 'Seconds' as const,
    lag: true,
  };
  if (o.latencySeconds === undefined)
    return {
      ...base,
      status: 'unknown',
      detail: 'no replication metrics yet (RTC metrics appear after the first replicated object)',
    };
  const pending = `${o.pendingOperations ?? 0} operations / ${o.pendingBytes ?? 0} bytes pending`;
  if ((o.failedOperations ?? 0) > 0) {
    return {
      ...base,
      status: 'failed',
      value: o.latencySeconds,
      detail: `${o.failedOperations} replication operations failed; ${pending}`,
    };
  }
  return {
    ...base,
    status: lagStatus(o.latencySeconds, budgets.s3ReplicationLatencySeconds),
    value: o.latencySeconds,
    detail: `latency ${o.latencySeconds}s; ${pending}`,
  };
}

/**
 * The warehouse: the writer's workgroup or cluster must be available (its own
 * health), and the newest snapshot copied to the standby bounds the data lost.
 */
export function evaluateRedshift(
  o: { newestCopiedSnapshot?: Date; now: Date; writerStatus?: string },
  budgets: Budgets,
): CheckResult {
  const base = {
    name: 'redshift',
    threshold: budgets.redshiftSnapshotAgeSeconds,
    unit: 'Seconds' as const,
    lag: true,
  };
  const writerDown =
    o.writerStatus !== undefined && o.writerStatus.toLowerCase() !== 'available'
      ? `primary warehouse is ${o.writerStatus}; `
      : '';
  if (!o.newestCopiedSnapshot)
    return { ...base, status: 'failed', detail: `${writerDown}no snapshot has been copied to the DR region` };
  const age = Math.round((o.now.getTime() - o.newestCopiedSnapshot.getTime()) / 1000);
  return {
    ...base,
    status: writerDown ? 'failed' : lagStatus(age, budgets.redshiftSnapshotAgeSeconds),
    value: age,
    detail: `${writerDown}newest copied snapshot is ${age}s old`,
  };
}

export interface EmrShape {
  readonly releaseLabel: string;
  readonly architecture: string;
  readonly maximumCapacity: string;
  readonly subnetCount: number;
}

export function evaluateEmr(o: { primary?: EmrShape; dr?: EmrShape }): CheckResult {
  const base = { name: 'emr', unit: 'None' as const };
  if (!o.dr) return { ...base, status: 'failed', detail: 'DR EMR Serverless application does not exist' };
  if (!o.primary)
    return { ...base, status: 'degraded', detail: 'primary application not found; cannot compare' };
  const diffs = (Object.keys(o.dr) as (keyof EmrShape)[]).filter((k) => o.dr?.[k] !== o.primary?.[k]);
  if (diffs.length > 0) {
    return {
      ...base,
      status: 'degraded',
      detail: `DR application differs from primary in ${diffs.map((k) => `${k} (${o.dr?.[k]} vs ${o.primary?.[k]})`).join(', ')}`,
    };
  }
  return {
    ...base,
    status: 'healthy',
    detail: `DR application matches primary (${o.dr.releaseLabel}, ${o.dr.architecture})`,
  };
}

/** Catalog and workgroups, each reduced to a comparable signature per name. */
export interface CatalogShape {
  readonly tables: Readonly<Record<string, string>>;
  readonly workgroups: Readonly<Record<string, string>>;
}

export function evaluateCatalog(o: { primary: CatalogShape; dr: CatalogShape }): CheckResult {
  const base = { name: 'catalog', unit: 'Count' as const, threshold: 0 };
  const drift: string[] = [];
  for (const kind of ['tables', 'workgroups'] as const) {
    const names = new Set([...Object.keys(o.primary[kind]), ...Object.keys(o.dr[kind])]);
    for (const name of names) {
      if (o.primary[kind][name] !== o.dr[kind][name]) {
        drift.push(
          `${kind === 'tables' ? 'table' : 'workgroup'} ${name}: ${o.dr[kind][name] === undefined ? 'missing in DR' : o.primary[kind][name] === undefined ? 'only in DR' : 'differs'}`,
        );
      }
    }
  }
  if (drift.length > 0)
    return { ...base, status: 'degraded', value: drift.length, detail: drift.slice(0, 5).join('; ') };
  return { ...base, status: 'healthy', value: 0, detail: 'DR catalog and workgroups match the primary' };
}

export function evaluateActiveRegion(o: { primaryValue?: string; drValue?: string }): CheckResult {
  const base = { name: 'active-region', unit: 'None' as const };
  if (o.primaryValue === undefined && o.drValue === undefined)
    return { ...base, status: 'unknown', detail: 'could not read either parameter' };
  if (o.primaryValue !== o.drValue) {
    return {
      ...base,
      status: 'failed',
      detail: `active-region parameters disagree: primary says ${o.primaryValue ?? '(unreadable)'}, DR says ${o.drValue ?? '(unreadable)'}`,
    };
  }
  return { ...base, status: 'healthy', detail: `both regions say ${o.drValue}` };
}
