/**
 * The statuses that mean a resource is broken and will not recover by itself.
 * Everything else (maintenance, scaling, backups, reboots, configuration
 * changes) keeps serving or comes back, and never counts toward a failover.
 */

/**
 * RDS DB instance statuses (RDS user guide, "Viewing Amazon RDS DB instance
 * status", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status):
 * `failed` ("RDS can't recover it"), the `inaccessible-encryption-credentials`
 * (KMS key disabled or deleted), the `incompatible-*` states (RDS cannot start
 * the instance) and `restore-error`. Not failures:
 * `storage-optimization` (after a storage change, autoscaling included; can
 * last 24 h while serving: re:Post knowledge center
 * rds-stuck-in-storage-optimization), `modifying`, `backing-up`,
 * `maintenance`, `configuring-*`, `rebooting`, `upgrading`, `renaming`,
 * `resetting-master-credentials`, `starting`, `stopping`/`stopped` (a person
 * did that).
 */
export const RDS_FAILED = new Set([
  'failed',
  'inaccessible-encryption-credentials',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-parameters',
  'incompatible-restore',
  'restore-error',
]);

/**
 * RDS statuses that stop the writer but are fixed in place, not by failing over
 * (same page): `storage-full` (scale up the storage by modifying the instance),
 * `insufficient-capacity` (try another instance class or Availability Zone, or
 * again later), `inaccessible-encryption-credentials-recoverable` (the KMS key
 * cannot be reached; once the key is enabled, starting or rebooting the
 * instance recovers it). Reported as failed with the fix, never counted toward
 * a failover recommendation.
 */
export const RDS_FIXED_IN_PLACE: ReadonlyMap<string, string> = new Map([
  ['storage-full', 'scale up its allocated storage (modify the instance)'],
  ['insufficient-capacity', 'modify it to another instance class or Availability Zone, or retry later'],
  [
    'inaccessible-encryption-credentials-recoverable',
    'enable its KMS key, then start or reboot the instance',
  ],
]);

/**
 * MSK cluster states (MSK developer guide, "Understand MSK Provisioned cluster
 * states", https://docs.aws.amazon.com/msk/latest/developerguide/msk-cluster-states.html):
 * only `FAILED` ("cannot use the cluster to produce or consume data"). HEALING,
 * MAINTENANCE, REBOOTING_BROKER and UPDATING keep producing and consuming;
 * CREATING and DELETING are someone's deploy. The page documents Provisioned
 * clusters; that Serverless reports the same states is unverified.
 */
export const MSK_FAILED = new Set(['FAILED']);

/**
 * Provisioned Redshift cluster statuses (Redshift API reference, `Cluster.ClusterStatus`,
 * https://docs.aws.amazon.com/redshift/latest/APIReference/API_Cluster.html):
 * `hardware-failure`, `incompatible-hsm`, `incompatible-network`,
 * `incompatible-parameters`, `incompatible-restore`, `storage-full`. Not
 * failures: `modifying`, `resizing`, `rebooting`, `renaming`, `rotating-keys`,
 * `updating-hsm`, `paused` (a person did that). Redshift Serverless workgroups
 * report only CREATING, AVAILABLE, MODIFYING, DELETING (API reference,
 * `Workgroup.status`): none is a failure.
 */
export const REDSHIFT_FAILED = new Set([
  'hardware-failure',
  'incompatible-hsm',
  'incompatible-network',
  'incompatible-parameters',
  'incompatible-restore',
  'storage-full',
]);

/**
 * ElastiCache: the check reads the Global Datastore and its members
 * (DescribeGlobalReplicationGroups), whose documented statuses (creating,
 * available, modifying, primary-only, deleting; members associated,
 * associating, disassociating...) describe configuration work, not a broken
 * cache. Node statuses such as `incompatible-parameters` (ElastiCache user
 * guide, "Viewing ElastiCache Node Status", Nodes.viewing.html) are not read.
 * So no cache status counts as failed: only "the writer's region does not
 * answer" does.
 */
export const CACHE_FAILED = new Set<string>();

export const isFailed = (set: ReadonlySet<string>, status: string | undefined): boolean =>
  status !== undefined && set.has(status);

/**
 * A Global Datastore member's role (`GlobalReplicationGroupMember.Role`,
 * `GlobalReplicationGroupInfo.GlobalReplicationGroupMemberRole`): the model types both as
 * plain strings and its docs write them "primary or secondary" while AWS's examples print
 * `PRIMARY`/`SECONDARY`; no casing is promised, so it is compared without one (the runbooks'
 * Python does the same: role_of in lib/runbooks/steps/dra_common.py).
 */
export const isCacheRole = (role: string | undefined, expected: 'primary' | 'secondary'): boolean =>
  role?.toLowerCase() === expected;
