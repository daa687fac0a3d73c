import { EMR_7_9_JARS } from './jars';
import type { EnvironmentConfigInput } from './schema';

/** Development: small, cheap, destroyable; DR exists but replicates only what is free to replicate. */
export const dev: EnvironmentConfigInput = {
  name: 'dev',
  tier: 'dev',
  account: '111111111111',
  regions: {
    primary: {
      region: 'us-east-1',
      vpcCidr: '10.10.0.0/16',
      // Three zones: a Redshift Serverless workgroup needs subnets in at least three (config/limits.ts).
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    },
    dr: {
      region: 'us-west-2',
      vpcCidr: '10.20.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
    },
  },
  tags: { project: 'dual-region-analytics', environment: 'dev', 'cost-center': 'data-platform' },
  removal: { allowDestroy: true },
  storage: { reverseReplication: false, noncurrentVersionExpirationDays: 7, athenaResultsExpirationDays: 7 },
  athena: {
    analystBytesScannedCutoffPerQuery: 1_000_000_000,
    jobsBytesScannedCutoffPerQuery: 10_000_000_000,
  },
  msk: { topicPartitions: 6, allowTopicDeletion: true, replicator: false },
  emr: { releaseLabel: 'emr-7.9.0', architecture: 'ARM64', idleTimeoutMinutes: 15, jars: [...EMR_7_9_JARS] },
  redshift: {
    mode: 'serverless',
    baseRpu: 8,
    maxRpu: 16,
    dailyRpuHoursLimit: 16,
    snapshotCopyRetentionDays: 1,
  },
  elasticache: {
    mode: 'node-based',
    nodeType: 'cache.t4g.small',
    replicasPerNodeGroup: 1,
    globalDatastore: false,
  },
  rds: {
    engineVersion: '17.6',
    instanceClass: 'db.t4g.medium',
    multiAz: false,
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    backupRetentionDays: 7,
    crossRegionReplica: true,
  },
  failover: { rpoBudgetSeconds: 900, consecutiveFailuresToRecommend: 3, automaticFailover: false },
};
