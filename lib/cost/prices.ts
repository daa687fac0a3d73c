/**
 * On-demand list prices (USD) that `npm run cost` multiplies, per region, with where each
 * figure was read and when. AWS's pricing pages render their price tables with JavaScript,
 * and the stored copies searched for this table hold the page text without the figures, so
 * no figure below was read from an AWS page. Each says what it rests on:
 * - `third-party`: the figure appears on the page named in `seen` (not AWS's);
 * - `unconfirmed`: no stored page showed it; it is AWS's list price as last known to the
 *   author. Check it in the AWS Pricing Calculator before relying on it.
 * us-west-2 is given the us-east-1 figure throughout (`sameAs`): AWS usually prices the two
 * alike, which no page read here confirms.
 */
export const PRICES_READ_ON = '2026-12-08';

export type PriceStatus = 'aws-page' | 'third-party' | 'unconfirmed';

export interface Price {
  readonly usd: number;
  /** What the figure is per, e.g. "instance-hour". */
  readonly unit: string;
  /** The AWS page that lists it. */
  readonly page: string;
  readonly status: PriceStatus;
  /** Where the figure was seen, when not on the AWS page. */
  readonly seen?: string;
}

const RDS_PAGE = 'https://aws.amazon.com/rds/postgresql/pricing/';
const CACHE_PAGE = 'https://aws.amazon.com/elasticache/pricing/';
const REDSHIFT_PAGE = 'https://aws.amazon.com/redshift/pricing/';
const EMR_PAGE = 'https://aws.amazon.com/emr/pricing/';
const MSK_PAGE = 'https://aws.amazon.com/msk/pricing/';
const S3_PAGE = 'https://aws.amazon.com/s3/pricing/';
const PRIVATELINK_PAGE = 'https://aws.amazon.com/privatelink/pricing/';
const KMS_PAGE = 'https://aws.amazon.com/kms/pricing/';
const TRANSFER_PAGE = 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer';

const unconfirmed = (usd: number, unit: string, page: string): Price => ({
  usd,
  unit,
  page,
  status: 'unconfirmed',
});
const thirdParty = (usd: number, unit: string, page: string, seen: string): Price => ({
  usd,
  unit,
  page,
  status: 'third-party',
  seen,
});

/** The prices of one region. */
export interface RegionPrices {
  /** RDS for PostgreSQL, Single-AZ, by instance class (Multi-AZ is twice: RDS bills the standby too). */
  readonly rdsInstanceHour: Readonly<Record<string, Price>>;
  readonly rdsGp3GibMonth: Price;
  readonly rdsBackupGibMonth: Price;
  /** ElastiCache node-based, by engine and node type. */
  readonly cacheNodeHour: Readonly<Record<'valkey' | 'redis', Readonly<Record<string, Price>>>>;
  readonly redshiftRpuHour: Price;
  readonly redshiftStorageGibMonth: Price;
  readonly emrVcpuHour: Readonly<Record<'ARM64' | 'X86_64', Price>>;
  readonly emrGbHour: Readonly<Record<'ARM64' | 'X86_64', Price>>;
  readonly mskClusterHour: Price;
  readonly mskPartitionHour: Price;
  readonly mskDataInGib: Price;
  readonly mskDataOutGib: Price;
  readonly mskStorageGibMonth: Price;
  readonly mskReplicatorHour: Price;
  readonly mskReplicatorGib: Price;
  readonly s3StandardGibMonth: Price;
  readonly s3RtcGib: Price;
  /** Data sent to another AWS region (S3 replication, the Replicator, replica and snapshot copies). */
  readonly interRegionGib: Price;
  readonly interfaceEndpointAzHour: Price;
  readonly kmsKeyMonth: Price;
}

const US_EAST_1: RegionPrices = {
  rdsInstanceHour: {
    'db.t4g.medium': thirdParty(
      0.065,
      'instance-hour',
      RDS_PAGE,
      'https://infratally.com/articles/aws-rds-pricing-explained-2026.html',
    ),
    'db.r7g.large': unconfirmed(0.239, 'instance-hour', RDS_PAGE),
    'db.r7g.xlarge': unconfirmed(0.478, 'instance-hour', RDS_PAGE),
  },
  rdsGp3GibMonth: thirdParty(
    0.115,
    'GiB-month',
    RDS_PAGE,
    'https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/',
  ),
  rdsBackupGibMonth: thirdParty(
    0.095,
    'GiB-month',
    RDS_PAGE,
    'https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/',
  ),
  cacheNodeHour: {
    valkey: {
      'cache.t4g.small': unconfirmed(0.0256, 'node-hour', CACHE_PAGE),
      'cache.r7g.large': unconfirmed(0.1752, 'node-hour', CACHE_PAGE),
    },
    redis: {
      'cache.t4g.small': unconfirmed(0.032, 'node-hour', CACHE_PAGE),
      'cache.r7g.large': unconfirmed(0.219, 'node-hour', CACHE_PAGE),
    },
  },
  redshiftRpuHour: unconfirmed(0.375, 'RPU-hour', REDSHIFT_PAGE),
  redshiftStorageGibMonth: unconfirmed(0.024, 'GiB-month', REDSHIFT_PAGE),
  emrVcpuHour: {
    ARM64: unconfirmed(0.042094, 'vCPU-hour', EMR_PAGE),
    X86_64: unconfirmed(0.052624, 'vCPU-hour', EMR_PAGE),
  },
  emrGbHour: {
    ARM64: unconfirmed(0.004628, 'GB-hour', EMR_PAGE),
    X86_64: unconfirmed(0.0057785, 'GB-hour', EMR_PAGE),
  },
  mskClusterHour: unconfirmed(0.75, 'cluster-hour', MSK_PAGE),
  mskPartitionHour: unconfirmed(0.0015, 'partition-hour', MSK_PAGE),
  mskDataInGib: unconfirmed(0.1, 'GiB written', MSK_PAGE),
  mskDataOutGib: unconfirmed(0.05, 'GiB read', MSK_PAGE),
  mskStorageGibMonth: unconfirmed(0.1, 'GiB-month', MSK_PAGE),
  mskReplicatorHour: unconfirmed(0.3, 'Replicator-hour', MSK_PAGE),
  mskReplicatorGib: unconfirmed(0.08, 'GiB replicated', MSK_PAGE),
  s3StandardGibMonth: unconfirmed(0.023, 'GiB-month', S3_PAGE),
  s3RtcGib: unconfirmed(0.015, 'GiB replicated', S3_PAGE),
  interRegionGib: thirdParty(
    0.02,
    'GiB',
    TRANSFER_PAGE,
    'https://awsnegotiations.com/s3-replication-cost-strategy',
  ),
  interfaceEndpointAzHour: thirdParty(
    0.01,
    'endpoint-AZ-hour',
    PRIVATELINK_PAGE,
    'https://awsnegotiations.com/privatelink-cost-analysis.html',
  ),
  kmsKeyMonth: unconfirmed(1, 'key-month', KMS_PAGE),
};

/** Prices by region; a region not listed here has none (the estimate says so, never guesses). */
export const PRICES: Readonly<Record<string, RegionPrices & { readonly sameAs?: string }>> = {
  'us-east-1': US_EAST_1,
  'us-west-2': { ...US_EAST_1, sameAs: 'us-east-1' },
};
