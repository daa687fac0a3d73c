import { sharedPlatform, templateOf } from '../support/app';

/**
 * Logical IDs of stateful resources are API: a changed ID makes CloudFormation
 * replace the resource (a new key, an empty bucket, a new database). This file
 * fails on any such change; update it only when the replacement is intended.
 */
describe('pinned logical IDs of stateful resources', () => {
  const platform = sharedPlatform('prod');

  const idsOf = (stack: Parameters<typeof templateOf>[0], type: string) =>
    Object.keys(templateOf(stack).findResources(type)).sort();

  it.each(['primary', 'dr'] as const)('KMS keys (%s)', (role) => {
    expect(idsOf(platform[role].foundation, 'AWS::KMS::Key')).toEqual([
      'KeysDataKey8F3FE3A4',
      'KeysDatabaseKey04BE644A',
      'KeysLogsKeyD24E82DB',
      'KeysStreamingKey5AE920F0',
    ]);
  });

  it.each(['primary', 'dr'] as const)('buckets (%s)', (role) => {
    expect(idsOf(platform[role].storage, 'AWS::S3::Bucket')).toEqual(PINNED_BUCKETS);
  });

  it.each([
    ['database', 'AWS::RDS::DBInstance', 'PostgresInstance'],
    ['cache', 'AWS::ElastiCache::ReplicationGroup', 'CacheReplicationGroup'],
    ['warehouse', 'AWS::RedshiftServerless::Namespace', 'WarehouseNamespace'],
    ['warehouse', 'AWS::RedshiftServerless::Workgroup', 'WarehouseWorkgroup'],
    ['streaming', 'AWS::MSK::ServerlessCluster', 'MskCluster'],
  ] as const)('%s %s', (stack, type, prefix) => {
    for (const role of ['primary', 'dr'] as const) {
      const ids = idsOf(platform[role][stack], type);
      expect(ids).toHaveLength(1);
      expect(ids[0]).toBe(PINNED_DATA_STORES[prefix]);
    }
  });

  it.each(['primary', 'dr'] as const)('Glue databases (%s)', (role) => {
    expect(idsOf(platform[role].catalog, 'AWS::Glue::Database')).toEqual(PINNED_DATABASES);
  });
});

const PINNED_BUCKETS = [
  'BucketsAccessLogsA5F88218',
  'BucketsArtifactsB9EE6400',
  'BucketsAthenaResultsDAB4D203',
  'BucketsCheckpoints180497C2',
  'BucketsCurated3112A365',
  'BucketsRaw686CB728',
  'BucketsRefinedBFCA21E7',
];
const PINNED_DATABASES = [
  'GlueDatabasesalesA7014B94',
  'GlueDatabasetickitdemo6E788B26',
  'GlueDatabasetickitraw905BA849',
];

const PINNED_DATA_STORES: Record<string, string> = {
  PostgresInstance: 'PostgresInstanceA83EBC1B',
  CacheReplicationGroup: 'CacheReplicationGroupBFE59FF3',
  WarehouseNamespace: 'WarehouseNamespace78ED5B58',
  WarehouseWorkgroup: 'WarehouseWorkgroup507BB996',
  MskCluster: 'MskCluster46ECFC4D',
};
