import type { App } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config';
import { RegionDeployment } from './region-deployment';

export interface Platform {
  readonly primary: RegionDeployment;
  readonly dr: RegionDeployment;
}

/**
 * Builds one environment in both regions and encodes the cross-region deploy
 * order as stack dependencies (see README, "Deploy order").
 */
export function buildPlatform(app: App, config: EnvironmentConfig): Platform {
  const primary = new RegionDeployment(app, `${config.name}-primary`, { config, role: 'primary' });
  const dr = new RegionDeployment(app, `${config.name}-dr`, { config, role: 'dr' });
  // S3 replication needs its destination bucket to exist: DR storage first.
  primary.storage.addStackDependency(dr.storage, 'replication destination buckets must exist first');
  // The DR read replica is created from the primary instance.
  dr.database.addStackDependency(primary.database, 'the cross-region read replica needs its source');
  // The DR member joins a Global Datastore the primary region creates.
  if (config.elasticache.globalDatastore) {
    dr.cache.addStackDependency(primary.cache, 'the Global Datastore secondary joins the primary');
  }
  // Snapshot copies (and the primary database's replicated backups) are encrypted with the DR region's key.
  primary.warehouse.addStackDependency(dr.foundation, 'snapshot copies use the DR database key');
  primary.database.addStackDependency(dr.foundation, 'replicated backups use the DR database key');
  // The DR Replicator reads the primary cluster's ARN, published by the primary streaming stack.
  if (config.msk.replicator) {
    dr.streaming.addStackDependency(primary.streaming, 'the Replicator reads the primary cluster ARN');
  }
  return { primary, dr };
}
