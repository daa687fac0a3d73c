import { type AwsLimitRule, allResourcesOfType, type LimitFinding } from './rule';

/**
 * Values a Global Datastore member takes from the primary: "When calling this operation and
 * passing in a --global-replication-group-id value, ElastiCache will infer the values from the
 * primary replication group ... Do not pass in values for these parameters" (ElastiCache user
 * guide, "Using global datastores (CLI)"). Passing one fails the creation with
 * `InvalidParameterCombination: Cannot use the given parameters when creating new replication
 * group in an existing global replication group` (hashicorp/terraform-provider-aws #24854,
 * umotif-public/terraform-aws-elasticache-redis #31).
 */
export const INFERRED_FROM_PRIMARY: readonly string[] = [
  'PrimaryClusterId',
  'AutomaticFailoverEnabled',
  'NumNodeGroups',
  'CacheParameterGroupName',
  'CacheNodeType',
  'Engine',
  'EngineVersion',
  'CacheSecurityGroupNames',
  'TransitEncryptionEnabled',
  'TransitEncryptionMode',
  'AtRestEncryptionEnabled',
  'SnapshotArns',
  'SnapshotName',
];

/**
 * What a member may carry. A member refuses ModifyReplicationGroup ("Cluster [...] is part of a
 * global cluster [...]. Request rejected": hashicorp/terraform-provider-aws #27875,
 * crossplane-contrib/provider-upjet-aws #1595), so every property here is one a later template
 * never changes through that call: create-only identity (the group and datastore ids, the
 * subnet group, the KMS key), properties ModifyReplicationGroup does not take at all
 * (NumCacheClusters changes through Increase/DecreaseReplicaCount, Tags through the tagging
 * API: the ModifyReplicationGroup request in the ElastiCache API reference has neither), and
 * three that the construct keeps constant by building them from names only (the description,
 * the security group's id, the AUTH token's dynamic reference).
 */
export const MEMBER_PROPERTIES: readonly string[] = [
  'ReplicationGroupId',
  'GlobalReplicationGroupId',
  'CacheSubnetGroupName',
  'KmsKeyId',
  'NumCacheClusters',
  'Tags',
  'ReplicationGroupDescription',
  'SecurityGroupIds',
  'AuthToken',
];

/**
 * Settings a member takes at creation with a value fixed in code, never from config, so that no
 * deploy ever changes them: Multi-AZ, and automatic backups kept the 15 days the HIPAA and NIST
 * packs ask for (the member is the datastore's copy in the other region, and after a failover
 * its primary). A change of one of these values in code would fail the deploy of every
 * existing member: the rule holds the construct to these values.
 */
export const MEMBER_PINNED = {
  MultiAZEnabled: true,
  SnapshotRetentionLimit: 15,
} as const;

export const elasticacheGlobalMember: AwsLimitRule = {
  id: 'elasticache-global-member-properties',
  summary:
    'A Global Datastore member passes none of the values inferred from the primary, and nothing a later deploy could change with ModifyReplicationGroup',
  page: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/Redis-Global-Clusters-CLI.html',
  check(stacks) {
    const findings: LimitFinding[] = [];
    for (const { stack, logicalId, properties } of allResourcesOfType(
      stacks,
      'AWS::ElastiCache::ReplicationGroup',
    )) {
      if (properties.GlobalReplicationGroupId === undefined) continue;
      for (const [property, value] of Object.entries(properties)) {
        if (MEMBER_PROPERTIES.includes(property)) continue;
        if (property in MEMBER_PINNED) {
          const pinned = MEMBER_PINNED[property as keyof typeof MEMBER_PINNED];
          if (JSON.stringify(value) === JSON.stringify(pinned)) continue;
          findings.push({
            stack,
            logicalId,
            path: `Properties.${property}`,
            value,
            problem: `A Global Datastore member refuses ModifyReplicationGroup ("is part of a global cluster"), so this setting is pinned to ${JSON.stringify(pinned)} for every member; any other value would one day have to change.`,
            fix: `Set it to ${JSON.stringify(pinned)} (lib/constructs/cache.ts, globalDatastoreMember).`,
          });
          continue;
        }
        const inferred = INFERRED_FROM_PRIMARY.includes(property);
        findings.push({
          stack,
          logicalId,
          path: `Properties.${property}`,
          value,
          problem: inferred
            ? 'A Global Datastore member infers this from the primary; passing it fails the creation ("Cannot use the given parameters when creating new replication group in an existing global replication group").'
            : 'A Global Datastore member refuses ModifyReplicationGroup ("is part of a global cluster"), so a later change of this property would fail the deploy; the member carries only properties that never change.',
          fix: inferred
            ? 'Leave it off the member (lib/constructs/cache.ts, globalDatastoreMember); it follows the primary.'
            : 'Leave it off the member; change such settings on the datastore from the primary with ModifyGlobalReplicationGroup, or re-create the member (docs/aws-limits.md, "Global Datastore member").',
        });
      }
    }
    return findings;
  },
};
