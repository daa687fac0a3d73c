import { validateConfig } from '../../config';
import { globalDatastoreId, globalDatastoreJoined } from '../../config/naming';
import { GLOBAL_DATASTORE_PREFIXES } from '../../config/regions';
import { staging } from '../../config/staging';
import { sharedPlatform, templateOf } from '../support/app';

/** The Global Datastore is named after the region that created it, which need not be the primary. */
describe('a Global Datastore created in the DR region', () => {
  const input = structuredClone(staging);
  input.elasticache = { ...input.elasticache, globalDatastoreHome: 'dr' };
  const platform = sharedPlatform(input);

  it('carries the DR region’s documented prefix', () => {
    expect(globalDatastoreId(platform.config, GLOBAL_DATASTORE_PREFIXES)).toBe(
      `${GLOBAL_DATASTORE_PREFIXES['us-west-2']}-dra-staging-cache`,
    );
  });

  it('is created by the DR stack and joined by the primary, which deploys after it', () => {
    templateOf(platform.dr.cache).resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 1);
    templateOf(platform.primary.cache).resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 0);
    templateOf(platform.primary.cache).hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      GlobalReplicationGroupId: globalDatastoreId(platform.config, GLOBAL_DATASTORE_PREFIXES),
    });
    expect(platform.primary.cache.dependencies).toContain(platform.dr.cache);
    expect(platform.dr.cache.dependencies).not.toContain(platform.primary.cache);
  });
});

describe('a Global Datastore dissolved by a failover', () => {
  const joined = validateConfig(structuredClone(staging), 'staging');
  const dissolvedInput = structuredClone(staging);
  dissolvedInput.elasticache = { ...dissolvedInput.elasticache, globalDatastoreMembership: 'dissolved' };
  const dissolved = validateConfig(dissolvedInput, 'staging');

  it('defaults to joined, and is not replicating once dissolved', () => {
    expect(joined.elasticache.globalDatastoreMembership).toBe('joined');
    expect(globalDatastoreJoined(joined)).toBe(true);
    expect(globalDatastoreJoined(dissolved)).toBe(false);
  });

  it('leaves both cache templates as they were created, so a deploy does not touch the standalone groups', () => {
    const before = sharedPlatform(structuredClone(staging));
    const after = sharedPlatform(dissolvedInput);
    for (const role of ['primary', 'dr'] as const) {
      expect(templateOf(after[role].cache).findResources('AWS::ElastiCache::ReplicationGroup')).toEqual(
        templateOf(before[role].cache).findResources('AWS::ElastiCache::ReplicationGroup'),
      );
    }
  });
});
