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
  return { primary, dr };
}
