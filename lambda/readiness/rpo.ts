import { CANARY_INTERVAL_SECONDS, canaryBudget } from './canary';
import type { StoreName } from './metrics';
import type { ReadinessSettings } from './settings';
import type { StoreRpo } from './types';

/**
 * Where each store's lag is read (contract A `source`). Each metric is read in
 * the region AWS publishes it:
 * - RDS ReplicaLag: the replica's region. For PostgreSQL it is the time since
 *   the last replayed transaction, so it keeps growing when the writer stops
 *   (RDS user guide, USER_PostgreSQL.Replication.ReadReplicas.Monitor): during
 *   an outage it still says how old the standby's newest write is.
 * - ElastiCache GlobalDatastoreReplicationLag: read in the standby's region; the
 *   publishing region is unverified (ElastiCache metrics list does not say).
 * - MSK Replicator ReplicationLatency: the target cluster's region, in
 *   milliseconds (MSK developer guide, msk-replicator-metrics-ref).
 * - S3 ReplicationLatency / OperationsPendingReplication: the destination
 *   bucket's region (S3 user guide, "Using S3 Replication metrics").
 */
export function storeSource(store: StoreName, settings: ReadinessSettings): string {
  const standby = settings.drRegion;
  switch (store) {
    case 'rds':
      return `AWS/RDS ReplicaLag in ${standby} (standby)`;
    case 'elasticache':
      return `AWS/ElastiCache GlobalDatastoreReplicationLag in ${standby} (standby; publishing region unverified)`;
    case 'msk':
      return `AWS/Kafka ReplicationLatency in ${standby} (standby, Replicator target)`;
    case 's3':
      return `AWS/S3 ReplicationLatency and OperationsPendingReplication in ${standby} (standby, destination)`;
  }
}

export function storeBudget(store: StoreName, settings: ReadinessSettings): number {
  const b = settings.budgets;
  return {
    rds: b.rdsReplicaLagSeconds,
    elasticache: b.cacheReplicationLagSeconds,
    msk: b.mskReplicationLatencySeconds,
    s3: b.s3ReplicationLatencySeconds,
  }[store];
}

/** The stores this environment replicates (the others are not part of its RPO). */
export function replicatedStores(settings: ReadinessSettings): StoreName[] {
  const stores: StoreName[] = [];
  if (settings.database) stores.push('rds');
  if (settings.globalDatastoreId) stores.push('elasticache');
  if (settings.replicatorName) stores.push('msk');
  if (settings.replication.length > 0) stores.push('s3');
  return stores;
}

/**
 * One store's RPO entry. `lagSeconds` is the canary's figure when there is one (the age of
 * the newest canary the standby read: what has surely been replicated) and the service's
 * own CloudWatch figure otherwise; both are kept in the entry so either can be read.
 * `useCanary: false` keeps the canary figure out of `lagSeconds` (msk, when the Replicator
 * is unhealthy: the canary topic replicating says nothing about the other topics).
 */
export function storeRpo(
  store: StoreName,
  settings: ReadinessSettings,
  lag: number | undefined,
  canary?: { lagSeconds: number; measuredAt: string; newestWrittenAt: string },
  useCanary = true,
): StoreRpo {
  const budgetSeconds = storeBudget(store, settings);
  const cloudWatch = lag === undefined || !Number.isFinite(lag) ? null : lag;
  const canaryFigure = canary ? { ...canary, budgetSeconds: canaryBudget(budgetSeconds) } : null;
  const chosen = useCanary && canaryFigure ? canaryFigure : undefined;
  const lagSeconds = chosen ? chosen.lagSeconds : cloudWatch;
  const budget = chosen ? chosen.budgetSeconds : budgetSeconds;
  return {
    store,
    lagSeconds,
    budgetSeconds: budget,
    source: chosen ? canarySource(store, settings, chosen.measuredAt) : storeSource(store, settings),
    withinBudget: lagSeconds === null ? null : lagSeconds <= budget,
    cloudWatch: { lagSeconds: cloudWatch, budgetSeconds, source: storeSource(store, settings) },
    ...(settings.canaryStores?.includes(store) ? { canary: canaryFigure } : {}),
  };
}

export function canarySource(store: StoreName, settings: ReadinessSettings, measuredAt: string): string {
  return `canary: age of the newest ${store} canary read in ${settings.drRegion} (standby) at ${measuredAt}, written every ${CANARY_INTERVAL_SECONDS} s in ${settings.primaryRegion} (budget: the store's plus ${CANARY_INTERVAL_SECONDS} s)`;
}
