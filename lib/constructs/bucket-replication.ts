import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { bucketArn, keyAliasArn, keyAliasName, regionalArn, regionOf } from '../../config/naming';
import { otherRole } from '../../config/topology';
import { acknowledge, acknowledgeDefaultPolicy } from '../compliance/acknowledge';
import { type DataLakeBuckets, REPLICATED_PURPOSES } from './data-lake-buckets';

/** S3 Replication Time Control: 99.99% of objects within 15 minutes (the S3 SLA). */
export const RTC_MINUTES = 15;

export interface BucketReplicationProps {
  readonly config: EnvironmentConfig;
  /** The role of the region whose buckets are the replication source. */
  readonly role: RegionRole;
  readonly buckets: DataLakeBuckets;
  /** The key that encrypts the source buckets. */
  readonly sourceKey: kms.IKey;
}

/**
 * Cross-Region Replication of the lake and artifacts buckets to their twins in
 * the other region, with Replication Time Control and replication metrics,
 * delete markers replicated, replicas encrypted with the other region's data key.
 *
 * The destination bucket and key are named from config (config/naming.ts), never
 * referenced across regions. The destination must exist first: the primary's
 * storage stack depends on the DR's (lib/platform.ts).
 */
export class BucketReplication extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BucketReplicationProps) {
    super(scope, id);
    const { config, role, buckets, sourceKey } = props;
    const target = otherRole(role);
    const targetRegion = regionOf(config, target);
    const sourceRegion = regionOf(config, role);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: `S3 replication ${sourceRegion} -> ${targetRegion} for ${config.name}`,
    });

    const sources = REPLICATED_PURPOSES.map((purpose) => buckets.bucketFor(purpose));
    const destinations = REPLICATED_PURPOSES.map((purpose) => bucketArn(config, target, purpose));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadReplicationConfiguration',
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: sources.map((b) => b.bucketArn),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSourceObjectVersions',
        actions: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
        ],
        resources: sources.map((b) => b.arnForObjects('*')),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteReplicas',
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: destinations.map((arn) => `${arn}/*`),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptSourceObjects',
        actions: ['kms:Decrypt'],
        resources: [sourceKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${sourceRegion}.amazonaws.com` } },
      }),
    );
    // The other region's key ARN is not derivable; its alias is. Scope to keys carrying that alias.
    const targetKeys = regionalArn(config, target, 'kms', 'key/*');
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptReplicasWithTargetDataKey',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [targetKeys],
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': keyAliasName(config, 'data') },
          StringEquals: { 'kms:ViaService': `s3.${targetRegion}.amazonaws.com` },
        },
      }),
    );

    const policy = this.role.node.findChild('DefaultPolicy');
    acknowledgeDefaultPolicy(this.role, 'S3 replication');
    acknowledge(
      policy,
      [
        ...sources.map((b) => `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.logicalIdOf(b)}.Arn>/*]`),
        ...destinations.map((arn) => `AwsSolutions::AwsSolutions-IAM5[Resource::${arn}/*]`),
      ],
      'Replication acts on every object version of the listed buckets; object keys are data, unknown at deploy time.',
    );
    acknowledge(
      policy,
      [`AwsSolutions::AwsSolutions-IAM5[Resource::${targetKeys}]`],
      "Key ids of the other region cannot be derived without a cross-region reference; the condition kms:ResourceAliases limits this to that region's data key.",
    );

    for (const purpose of REPLICATED_PURPOSES) {
      const bucket = buckets.bucketFor(purpose);
      const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
      cfnBucket.replicationConfiguration = {
        role: this.role.roleArn,
        rules: [
          {
            id: `to-${target}-${targetRegion}`,
            status: 'Enabled',
            priority: 1,
            filter: { prefix: '' },
            deleteMarkerReplication: { status: 'Enabled' },
            sourceSelectionCriteria: {
              sseKmsEncryptedObjects: { status: 'Enabled' },
              replicaModifications: { status: 'Enabled' },
            },
            destination: {
              bucket: bucketArn(config, target, purpose),
              encryptionConfiguration: { replicaKmsKeyId: keyAliasArn(config, target, 'data') },
              replicationTime: { status: 'Enabled', time: { minutes: RTC_MINUTES } },
              metrics: { status: 'Enabled', eventThreshold: { minutes: RTC_MINUTES } },
            },
          },
        ],
      };
    }
  }

  private logicalIdOf(bucket: s3.Bucket): string {
    return bucket.stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  }
}
