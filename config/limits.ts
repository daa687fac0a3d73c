/**
 * AWS limits the config schema enforces, each with the AWS page it comes from,
 * so that a configuration AWS would refuse at deploy time fails at synth with
 * the page to read. Where CloudFormation's own resource schemas carry the limit
 * (name lengths and patterns), test/config/aws-limits.test.ts checks these
 * constants against the schemas shipped with aws-cdk-lib's template validator,
 * so a drift shows up as a failing test rather than a failed deploy. Loading
 * that validator at every synth would cost seconds; these few numbers do not.
 */

/** AWS pages cited by config rules (each shown beside its rule in docs/aws-limits.md). */
export const AWS_PAGES = {
  redshiftServerlessConsiderations:
    'https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-usage-considerations.html',
  redshiftServerlessCapacity: 'https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html',
  redshiftEnableSnapshotCopy:
    'https://docs.aws.amazon.com/redshift/latest/APIReference/API_EnableSnapshotCopy.html',
  redshiftServerlessNamespace:
    'https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateNamespace.html',
  rdsStorageAutoscaling: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html',
  rdsCreateDbInstance: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html',
  rdsNamingConstraints:
    'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints',
  rdsTag: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Tag.html',
  globalDatastorePrerequisites:
    'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html',
  elasticacheCreateReplicationGroup:
    'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html',
  emrServerlessReleases:
    'https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/release-versions.html',
  emrServerlessStreaming:
    'https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/jobs-spark-streaming-getting-started.html',
  emrServerlessJobResiliency:
    'https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/jobs-resiliency.html',
  tagLimits: 'https://docs.aws.amazon.com/tag-editor/latest/userguide/reference.html',
  s3BucketNaming: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html',
  lambdaCreateFunction: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html',
  ssmCreateDocument:
    'https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html',
  mskServerlessCluster: 'https://docs.aws.amazon.com/msk/latest/developerguide/serverless.html',
} as const;

// --- Redshift Serverless -------------------------------------------------------

/**
 * Subnets (and distinct Availability Zones) a Redshift Serverless workgroup needs:
 * "at least three subnets, and they must span across three Availability Zones";
 * US West (N. California) needs three subnets in only two zones (one zone holding
 * two subnets), which this VPC layout (one subnet per zone) does not build.
 */
export const REDSHIFT_SERVERLESS_MIN_AZS = 3;
export const REDSHIFT_SERVERLESS_TWO_AZ_REGIONS: readonly string[] = ['us-west-1'];

/** Base capacity: 4, or 8 to 512 in steps of 8; up to 1024 (steps of 32 above 512) in these regions only. */
export const REDSHIFT_SERVERLESS_MAX_BASE_RPU = 512;
export const REDSHIFT_SERVERLESS_EXTENDED_MAX_BASE_RPU = 1024;
export const REDSHIFT_SERVERLESS_1024_RPU_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
];

/** Whether `rpu` is an allowed Redshift Serverless base capacity in `region` (serverless-capacity page). */
export function isAllowedBaseRpu(rpu: number, region: string): boolean {
  if (rpu === 4) return true;
  if (rpu >= 8 && rpu <= REDSHIFT_SERVERLESS_MAX_BASE_RPU) return rpu % 8 === 0;
  if (rpu > REDSHIFT_SERVERLESS_MAX_BASE_RPU && rpu <= REDSHIFT_SERVERLESS_EXTENDED_MAX_BASE_RPU) {
    return REDSHIFT_SERVERLESS_1024_RPU_REGIONS.includes(region) && rpu % 32 === 0;
  }
  return false;
}

/** Provisioned cross-region snapshot copy: RetentionPeriod "at least 1 and no more than 35" (EnableSnapshotCopy). */
export const REDSHIFT_PROVISIONED_COPY_RETENTION = { min: 1, max: 35 } as const;
/**
 * Serverless snapshot copy and scheduled-snapshot retention: the API reference gives
 * no range. 1 to 3653 days (ten years, the provisioned manual-snapshot range) is
 * kept; **unverified** for Serverless (docs/unverified.md).
 */
export const REDSHIFT_SERVERLESS_COPY_RETENTION = { min: 1, max: 3653 } as const;

// --- RDS -----------------------------------------------------------------------

/** "Set the maximum storage threshold to be at least 10% more than the current allocated storage." */
export const RDS_MAX_STORAGE_HEADROOM_PERCENT = 10;

/** The smallest maximum storage threshold RDS accepts for `allocatedGiB` (whole GiB, at least 10% more). */
export function minimumMaxAllocatedStorage(allocatedGiB: number): number {
  // Integer arithmetic: 100 * 1.1 is 110.00000000000001 in floating point.
  return Math.ceil((allocatedGiB * (100 + RDS_MAX_STORAGE_HEADROOM_PERCENT)) / 100);
}

/** BackupRetentionPeriod: 0 to 35; "can't be set to 0 if the DB instance is a source to read replicas". */
export const RDS_BACKUP_RETENTION = { min: 0, max: 35 } as const;

// --- ElastiCache Global Datastore ----------------------------------------------

/**
 * Node families a Global Datastore supports, "in size large and above"; previous
 * generations (M4, R4) and T-family nodes are not supported.
 */
export const GLOBAL_DATASTORE_FAMILIES: readonly string[] = [
  'm5',
  'm6g',
  'm7g',
  'r5',
  'r6g',
  'r6gd',
  'r7g',
  'c7gn',
];
/** Sizes below `large` (Global Datastore needs large or above). */
export const GLOBAL_DATASTORE_TOO_SMALL_SIZES: readonly string[] = ['nano', 'micro', 'small', 'medium'];

// --- EMR Serverless ------------------------------------------------------------

/**
 * EMR Serverless 7.x releases listed on the release-versions page (7.0.0 to
 * 7.14.0 at the time of writing). Add a label when AWS lists a new one.
 */
export const EMR_SERVERLESS_7_RELEASES: readonly string[] = Array.from(
  { length: 15 },
  (_, minor) => `emr-7.${minor}.0`,
);

/**
 * Streaming jobs (`mode: STREAMING`) need an application on release 7.1.0 or later (EMR
 * Serverless user guide, "Getting started streaming jobs").
 */
export const EMR_SERVERLESS_STREAMING_MIN_MINOR = 1;
/**
 * STREAMING retry policy `maxFailedAttemptsPerHour`: 5 by default, 1 to 10, 1 meaning no retry;
 * past it EMR Serverless stops retrying (EMR Serverless user guide, "Job resiliency").
 */
export const EMR_STREAMING_FAILED_ATTEMPTS_PER_HOUR = { min: 1, max: 10, default: 5 } as const;

// --- MSK -------------------------------------------------------------------------

/**
 * The platform's own cap on partitions per topic (msk.topicPartitions), also enforced by the
 * topics custom resource (lambda/kafka-topics). Not an AWS figure.
 */
export const TOPIC_PARTITIONS_MAX = 2000;

// --- Tags ----------------------------------------------------------------------

/** Tag key 1 to 128, value 0 to 256 Unicode characters; 50 user tags per resource. */
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const TAGS_PER_RESOURCE_MAX = 50;
/** Letters, digits, spaces and `_ . : / = + - @` (the set every tagging service accepts). */
export const TAG_CHARACTERS = /^[\p{L}\p{N}\p{Z}_.:/=+\-@]*$/u;
/** Prefixes AWS reserves: `aws:` everywhere (any case); RDS also refuses `rds:` (API_Tag). */
export const RESERVED_TAG_PREFIXES: readonly { prefix: string; page: string }[] = [
  { prefix: 'aws:', page: AWS_PAGES.tagLimits },
  { prefix: 'rds:', page: AWS_PAGES.rdsTag },
];

// --- Names -----------------------------------------------------------------------

/** A physical-name limit of one AWS resource type, as CloudFormation's resource schema states it. */
export interface NameLimit {
  /** What the name names, for the message. */
  readonly what: string;
  /** CloudFormation resource type and property carrying the name (checked against the schema in tests). */
  readonly resourceType: string;
  readonly property: string;
  readonly maxLength: number;
  /** The characters AWS accepts, for the message. */
  readonly allowed: RegExp;
  readonly page: string;
}

export const NAME_LIMITS = {
  bucket: {
    what: 'S3 bucket name',
    resourceType: 'AWS::S3::Bucket',
    property: 'BucketName',
    maxLength: 63,
    allowed: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    page: AWS_PAGES.s3BucketNaming,
  },
  rdsInstance: {
    what: 'RDS DB instance identifier',
    resourceType: 'AWS::RDS::DBInstance',
    property: 'DBInstanceIdentifier',
    maxLength: 63,
    allowed: /^[a-zA-Z](?:-?[a-zA-Z0-9])*$/,
    page: AWS_PAGES.rdsNamingConstraints,
  },
  cacheReplicationGroup: {
    what: 'ElastiCache replication group id',
    resourceType: 'AWS::ElastiCache::ReplicationGroup',
    property: 'ReplicationGroupId',
    // Not in the CloudFormation schema: "from 1 to 40 alphanumeric characters or hyphens" (API reference).
    maxLength: 40,
    allowed: /^[a-zA-Z](?:-?[a-zA-Z0-9])*$/,
    page: AWS_PAGES.elasticacheCreateReplicationGroup,
  },
  redshiftServerless: {
    what: 'Redshift Serverless namespace and workgroup name',
    resourceType: 'AWS::RedshiftServerless::Workgroup',
    property: 'WorkgroupName',
    maxLength: 64,
    allowed: /^[a-z0-9-]{3,}$/,
    page: AWS_PAGES.redshiftServerlessNamespace,
  },
  lambdaFunction: {
    what: 'Lambda function name',
    resourceType: 'AWS::Lambda::Function',
    property: 'FunctionName',
    maxLength: 64,
    allowed: /^[a-zA-Z0-9_-]+$/,
    page: AWS_PAGES.lambdaCreateFunction,
  },
  ssmDocument: {
    what: 'SSM Automation document name',
    resourceType: 'AWS::SSM::Document',
    property: 'Name',
    maxLength: 128,
    allowed: /^[a-zA-Z0-9_.-]{3,}$/,
    page: AWS_PAGES.ssmCreateDocument,
  },
  mskCluster: {
    what: 'MSK Serverless cluster name',
    resourceType: 'AWS::MSK::ServerlessCluster',
    property: 'ClusterName',
    maxLength: 64,
    allowed: /^[a-zA-Z0-9-]+$/,
    page: AWS_PAGES.mskServerlessCluster,
  },
} as const satisfies Record<string, NameLimit>;
