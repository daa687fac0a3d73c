/**
 * Static facts about AWS Regions and Availability Zones, so that synth never
 * performs a context lookup and a bad choice is caught before deploy.
 *
 * AZ *names* (us-east-1a) map to physical zones (AZ IDs, use1-az1) differently
 * per account; the letters listed here are the names that exist in a region for
 * accounts created today. Add a letter when AWS opens a zone.
 */
export const REGION_AZ_LETTERS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['a', 'b', 'c', 'd', 'e', 'f'],
  'us-east-2': ['a', 'b', 'c'],
  'us-west-1': ['a', 'b', 'c'],
  'us-west-2': ['a', 'b', 'c', 'd'],
  'ca-central-1': ['a', 'b', 'd'],
  'ca-west-1': ['a', 'b', 'c'],
  'mx-central-1': ['a', 'b', 'c'],
  'sa-east-1': ['a', 'b', 'c'],
  'eu-west-1': ['a', 'b', 'c'],
  'eu-west-2': ['a', 'b', 'c'],
  'eu-west-3': ['a', 'b', 'c'],
  'eu-central-1': ['a', 'b', 'c'],
  'eu-central-2': ['a', 'b', 'c'],
  'eu-north-1': ['a', 'b', 'c'],
  'eu-south-1': ['a', 'b', 'c'],
  'eu-south-2': ['a', 'b', 'c'],
  'af-south-1': ['a', 'b', 'c'],
  'il-central-1': ['a', 'b', 'c'],
  'me-south-1': ['a', 'b', 'c'],
  'me-central-1': ['a', 'b', 'c'],
  'ap-east-1': ['a', 'b', 'c'],
  'ap-south-1': ['a', 'b', 'c'],
  'ap-south-2': ['a', 'b', 'c'],
  'ap-northeast-1': ['a', 'c', 'd'],
  'ap-northeast-2': ['a', 'b', 'c', 'd'],
  'ap-northeast-3': ['a', 'b', 'c'],
  'ap-southeast-1': ['a', 'b', 'c'],
  'ap-southeast-2': ['a', 'b', 'c'],
  'ap-southeast-3': ['a', 'b', 'c'],
  'ap-southeast-4': ['a', 'b', 'c'],
  'ap-southeast-5': ['a', 'b', 'c'],
  'ap-southeast-7': ['a', 'b', 'c'],
};

export const KNOWN_REGIONS: readonly string[] = Object.keys(REGION_AZ_LETTERS);

/** The Availability Zone names that exist in `region` (empty for an unknown region). */
export function availabilityZonesOf(region: string): string[] {
  return (REGION_AZ_LETTERS[region] ?? []).map((letter) => `${region}${letter}`);
}

/**
 * Availability Zones in which MSK Serverless cannot place a cluster's subnets.
 * This is the one place that list lives; the streaming config validation reads it.
 *
 * - `us-east-1e`: rejected by the MSK console when creating a Serverless
 *   cluster (seed post "Serverless Analytics on AWS"); it is the name of the
 *   constrained zone use1-az3 for most accounts.
 *
 * Name-based on purpose: config names AZs, and the error must name what the
 * user wrote. If your account maps use1-az3 to another letter, add that name here.
 */
export const MSK_SERVERLESS_UNSUPPORTED_AZS: readonly string[] = ['us-east-1e'];

/**
 * Regions where MSK Serverless is offered (MSK developer guide, "What is MSK
 * Serverless?"). Both regions of an environment must be in it.
 */
export const MSK_SERVERLESS_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
];

/**
 * The prefix ElastiCache puts in front of a Global Datastore ID created in each
 * region (ElastiCache guide, "Using global datastores (CLI)"). With it the DR
 * stack can name the Global Datastore from config, without a cross-region read.
 */
export const GLOBAL_DATASTORE_PREFIXES: Readonly<Record<string, string>> = {
  'us-east-2': 'fpkhr',
  'us-east-1': 'ldgnf',
  'us-west-1': 'virxk',
  'us-west-2': 'sgaui',
  'ca-central-1': 'bxodz',
  'ap-south-1': 'erpgt',
  'ap-northeast-1': 'quwsw',
  'ap-northeast-2': 'lfqnh',
  'ap-northeast-3': 'nlapn',
  'ap-southeast-1': 'vlqxn',
  'ap-southeast-2': 'vbgxd',
  'eu-central-1': 'iudkw',
  'eu-west-1': 'gxeiz',
  'eu-west-2': 'okuqm',
  'eu-west-3': 'fgjhi',
  'sa-east-1': 'juxlw',
  'ap-east-1': 'knjmp',
};
