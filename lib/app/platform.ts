import type { App } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../../config';
import { writerRole } from '../../config/topology';
import { RegionDeployment } from './region-deployment';

export interface Platform {
  readonly primary: RegionDeployment;
  readonly dr: RegionDeployment;
}

/**
 * Builds one environment in both regions and encodes the cross-region deploy
 * order as stack dependencies (docs/deploying.md, "Deploy order").
 */
export function buildPlatform(app: App, config: EnvironmentConfig): Platform {
  const primary = new RegionDeployment(app, `${config.name}-primary`, { config, role: 'primary' });
  const dr = new RegionDeployment(app, `${config.name}-dr`, { config, role: 'dr' });
  // Replication runs from the writer to the standby (which one is which follows failover.generation).
  const writer = writerRole(config) === 'primary' ? primary : dr;
  const standby = writer === primary ? dr : primary;
  // S3 replication needs its destination bucket to exist: the standby's storage first.
  writer.storage.addStackDependency(standby.storage, 'replication destination buckets must exist first');
  // The standby's read replica is created from the writer instance.
  standby.database.addStackDependency(writer.database, 'the cross-region read replica needs its source');
  // The other member joins the Global Datastore its home region creates (membership does not move on failover).
  if (config.elasticache.globalDatastore) {
    const [home, joiner] =
      config.elasticache.globalDatastoreHome === 'primary' ? [primary, dr] : [dr, primary];
    joiner.cache.addStackDependency(
      home.cache,
      'the Global Datastore secondary joins the datastore its home region created',
    );
    // The home's AUTH token secret replicates to the other region under that region's database key
    // alias, which must exist when the secret is created (cdk deploy --concurrency would race it).
    home.cache.addStackDependency(
      joiner.foundation,
      'the AUTH token secret replicates under its database key',
    );
  }
  // Snapshot copies (and the writer's replicated backups) are encrypted with the standby region's key.
  writer.warehouse.addStackDependency(standby.foundation, 'snapshot copies use the standby database key');
  writer.database.addStackDependency(
    standby.foundation,
    'replicated backups and the master secret replica use the standby database key',
  );
  // The standby's Replicator reads the writer cluster's ARN, published by the writer's streaming stack.
  if (config.msk.replicator) {
    standby.streaming.addStackDependency(writer.streaming, 'the Replicator reads the source cluster ARN');
  }
  return { primary, dr };
}
