import { EMR_7_9_JARS } from './jars';
import type { EnvironmentConfigInput } from './schema';

/** Production: Multi-AZ everywhere, full DR, data always retained or snapshotted. */
export const prod: EnvironmentConfigInput = {
  name: 'prod',
  tier: 'prod',
  account: '111111111111',
  regions: {
    primary: {
      region: 'us-east-1',
      vpcCidr: '10.50.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    },
    dr: {
      region: 'us-west-2',
      vpcCidr: '10.60.0.0/16',
      availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
    },
  },
  tags: { project: 'dual-region-analytics', environment: 'prod', 'cost-center': 'data-platform' },
  removal: { allowDestroy: false },
  storage: {
    reverseReplication: false,
    noncurrentVersionExpirationDays: 90,
    athenaResultsExpirationDays: 30,
  },
  athena: {
    analystBytesScannedCutoffPerQuery: 100_000_000_000,
    jobsBytesScannedCutoffPerQuery: 1_000_000_000_000,
  },
  msk: { topicPartitions: 6, allowTopicDeletion: false, replicator: true },
  emr: {
    releaseLabel: 'emr-7.9.0',
    architecture: 'ARM64',
    idleTimeoutMinutes: 30,
    maximumCapacity: { cpu: '200 vCPU', memory: '800 GB', disk: '2000 GB' },
    jars: [...EMR_7_9_JARS],
  },
  redshift: {
    mode: 'serverless',
    baseRpu: 32,
    maxRpu: 256,
    dailyRpuHoursLimit: 400,
    snapshotCopyRetentionDays: 14,
  },
  elasticache: {
    mode: 'node-based',
    nodeType: 'cache.r7g.large',
    replicasPerNodeGroup: 2,
    globalDatastore: true,
  },
  rds: {
    engineVersion: '17.6',
    instanceClass: 'db.r7g.xlarge',
    multiAz: true,
    allocatedStorageGiB: 200,
    maxAllocatedStorageGiB: 2000,
    backupRetentionDays: 14,
    crossRegionReplica: true,
  },
  failover: { rpoBudgetSeconds: 900, consecutiveFailuresToRecommend: 3, automaticFailover: false },
};
