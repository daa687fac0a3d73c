import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { type BucketPurpose, bucketName } from '../../config/naming';
import { acknowledge } from '../compliance/acknowledge';
import { dataRemovalPolicy } from '../shared/removal-policy';

/** The lake's layers: bronze (raw), silver (refined), gold (curated). */
export const LAKE_LAYERS = ['raw', 'refined', 'curated'] as const;
export type LakeLayer = (typeof LAKE_LAYERS)[number];

/**
 * Buckets that replicate to the other region. Athena results, access logs and streaming
 * checkpoints are regional by nature.
 */
export const REPLICATED_PURPOSES = [
  'raw',
  'refined',
  'curated',
  'artifacts',
] as const satisfies readonly BucketPurpose[];
export type ReplicatedPurpose = (typeof REPLICATED_PURPOSES)[number];

/** The replicated bucket the canary writes to (lambda/canary), and its key there. */
export const CANARY_BUCKET = 'raw' satisfies ReplicatedPurpose;
export const CANARY_PREFIX = 'canary/';
export const CANARY_KEY = `${CANARY_PREFIX}heartbeat.json`;

/** The rules that ask every bucket to replicate. */
export const BUCKET_REPLICATION_RULES = [
  'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled',
  'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
];

export interface DataLakeBucketsProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  /** Encrypts every bucket except the access-log bucket (see below). */
  readonly dataKey: kms.IKey;
}

/**
 * The region's buckets: lake layers, artifacts (Spark scripts, jars, sample
 * data), Athena results, and the server-access-log bucket they all log to.
 * Names are deterministic (config/naming.ts) so the other region can name them.
 */
export class DataLakeBuckets extends Construct {
  readonly raw: s3.Bucket;
  readonly refined: s3.Bucket;
  readonly curated: s3.Bucket;
  readonly artifacts: s3.Bucket;
  readonly athenaResults: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  /** Spark checkpoints of the streaming jobs run in this region (config/naming.ts checkpointBucketName). */
  readonly checkpoints: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataLakeBucketsProps) {
    super(scope, id);
    const { config, role, dataKey } = props;
    const removalPolicy = dataRemovalPolicy(config, 'retain');
    const autoDeleteObjects = removalPolicy === RemovalPolicy.DESTROY;

    // S3 server access logging can only deliver to a bucket encrypted with SSE-S3, not SSE-KMS.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      bucketName: bucketName(config, role, 'access-logs'),
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      autoDeleteObjects,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(365),
          noncurrentVersionExpiration: Duration.days(30),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    acknowledge(
      this.accessLogs,
      [
        'AwsSolutions::AwsSolutions-S1',
        'HIPAA.Security::HIPAA.Security-S3BucketLoggingEnabled',
        'NIST.800.53.R5::NIST.800.53.R5-S3BucketLoggingEnabled',
      ],
      'This is the server-access-log target; logging it to itself would loop.',
    );
    acknowledge(
      this.accessLogs,
      [
        'HIPAA.Security::HIPAA.Security-S3DefaultEncryptionKMS',
        'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS',
      ],
      'S3 server access logging only delivers to SSE-S3 buckets; SSE-KMS is not supported for the target.',
    );
    this.acknowledgeRegionalOnly(
      this.accessLogs,
      'Access logs describe requests to this region; the DR region keeps its own.',
    );

    const lake = (constructId: string, purpose: BucketPurpose, lifecycleRules: s3.LifecycleRule[]) =>
      new s3.Bucket(this, constructId, {
        bucketName: bucketName(config, role, purpose),
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: dataKey,
        bucketKeyEnabled: true,
        enforceSSL: true,
        versioned: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${purpose}/`,
        removalPolicy,
        autoDeleteObjects,
        lifecycleRules: [
          { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
          ...lifecycleRules,
        ],
      });
    const noncurrent: s3.LifecycleRule = {
      id: 'expire-noncurrent-versions',
      noncurrentVersionExpiration: Duration.days(config.storage.noncurrentVersionExpirationDays),
    };
    // The canary's object is rewritten every minute: its old versions (about 1,440 a day) go
    // after a day instead of the lake's noncurrent retention, and the object itself after a
    // day without a write (lifecycle rules act per prefix: S3 user guide, "Lifecycle
    // configuration elements", intro-lifecycle-rules.html). The same rule in both regions
    // expires the replicas too (replication does not carry lifecycle expirations).
    const canary: s3.LifecycleRule = {
      id: 'expire-canary',
      prefix: CANARY_PREFIX,
      expiration: Duration.days(1),
      noncurrentVersionExpiration: Duration.days(1),
    };
    this.raw = lake('Raw', CANARY_BUCKET, [noncurrent, canary]);
    this.refined = lake('Refined', 'refined', [noncurrent]);
    this.curated = lake('Curated', 'curated', [noncurrent]);
    this.artifacts = lake('Artifacts', 'artifacts', [noncurrent]);
    this.athenaResults = lake('AthenaResults', 'athena-results', [
      {
        id: 'expire-query-results',
        expiration: Duration.days(config.storage.athenaResultsExpirationDays),
        noncurrentVersionExpiration: Duration.days(1),
      },
    ]);
    this.acknowledgeRegionalOnly(
      this.athenaResults,
      'Query results are a cache; the DR region produces its own.',
    );
    // A checkpoint names this region's cluster offsets, which mean nothing to the other region's
    // cluster; a streaming job resumed there starts from its consumer group's translated offsets
    // instead (docs/spark-jobs.md). A replication rule's filter selects the objects it applies to by
    // one prefix and tags (S3 API reference, ReplicationRuleFilter); none leaves a prefix out, hence
    // a bucket of its own outside the replicated set rather than a prefix of the artifacts bucket.
    this.checkpoints = lake('Checkpoints', 'checkpoints', [
      // Spark deletes checkpoint files it no longer needs; their old versions are of no use.
      { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(1) },
    ]);
    this.acknowledgeRegionalOnly(
      this.checkpoints,
      "Streaming checkpoints name this region's Kafka offsets; replicated, a resumed job would read offsets the other cluster does not have.",
    );

    // Object and replication events (e.g. OperationFailedReplication) go to EventBridge. Set on the
    // L1 because the L2 flag deploys a custom-resource Lambda to do what CloudFormation does natively.
    for (const bucket of [
      this.accessLogs,
      this.raw,
      this.refined,
      this.curated,
      this.artifacts,
      this.athenaResults,
      this.checkpoints,
    ]) {
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
    }
  }

  /** The bucket of a replicated purpose. */
  bucketFor(purpose: ReplicatedPurpose): s3.Bucket {
    return { raw: this.raw, refined: this.refined, curated: this.curated, artifacts: this.artifacts }[
      purpose
    ];
  }

  private acknowledgeRegionalOnly(bucket: s3.Bucket, reason: string): void {
    acknowledge(bucket, BUCKET_REPLICATION_RULES, reason);
  }
}
