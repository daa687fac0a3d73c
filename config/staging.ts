import { EMR_7_9_JARS } from './jars';
import type { EnvironmentConfigInput } from './schema';

/** Staging: production-shaped (Multi-AZ, full DR) at smaller sizes; data retained. */
export const staging: EnvironmentConfigInput = {
  name: 'staging',
  tier: 'staging',
  account: '111111111111',
  regions: {
    primary: {
      region: 'us-east-1',
      vpcCidr: '10.30.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    },
    dr: {
      region: 'us-west-2',
      vpcCidr: '10.40.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
    },
  },
  tags: { project: 'dual-region-analytics', environment: 'staging', 'cost-center': 'data-platform' },
  removal: { allowDestroy: false },
  storage: {
    reverseReplication: false,
    noncurrentVersionExpirationDays: 30,
    athenaResultsExpirationDays: 14,
  },
  athena: {
    analystBytesScannedCutoffPerQuery: 10_000_000_000,
    jobsBytesScannedCutoffPerQuery: 100_000_000_000,
  },
  msk: { topicPartitions: 6, allowTopicDeletion: false, replicator: true },
  emr: { releaseLabel: 'emr-7.9.0', architecture: 'ARM64', idleTimeoutMinutes: 15, jars: [...EMR_7_9_JARS] },
  redshift: {
    mode: 'serverless',
    baseRpu: 8,
    maxRpu: 64,
    dailyRpuHoursLimit: 48,
    snapshotCopyRetentionDays: 7,
  },
  elasticache: {
    mode: 'node-based',
    nodeType: 'cache.r7g.large',
    replicasPerNodeGroup: 1,
    globalDatastore: true,
  },
  rds: {
    engineVersion: '17.6',
    instanceClass: 'db.r7g.large',
    multiAz: true,
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 500,
    backupRetentionDays: 7,
    crossRegionReplica: true,
  },
  failover: { rpoBudgetSeconds: 900, consecutiveFailuresToRecommend: 3, automaticFailover: false },
};
