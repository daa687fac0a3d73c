import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { EnvironmentConfig, RegionRole } from './schema';
import { atGeneration, databaseGeneration, databaseOrigin } from './topology';

/**
 * Deterministic physical names. Anything one region needs from the other is
 * derived here from config, never through CloudFormation exports, so that a
 * failover or failback (changing which region writes) never meets "Some
 * exports have changed!" (aws-cdk #30771).
 *
 * Roles name the regions' home roles and never move; which one writes is
 * `failover.generation` (config/topology.ts), so a switch updates the same stacks.
 *
 * Scheme (docs/platform.md, "Naming scheme"):
 *   stacks        {env}-{role}-{concern}                    dev-primary-foundation
 *   RDS instance  dra-{env}-postgres[-g{N}]                 dra-prod-postgres-g1
 *   buckets       dra-{env}-{purpose}-{account}-{region}    dra-dev-raw-111111111111-us-east-1
 *   Kafka groups  dra-{env}-{job}                           dra-dev-05-streaming-kafka
 *   KMS aliases   alias/dra/{env}/{purpose}                 alias/dra/dev/data
 *   SSM params    /dra/{env}/{path}                         /dra/dev/active-region
 *   other names   dra-{env}-{purpose}                       dra-dev-msk (same in both regions)
 */
export const NAME_PREFIX = 'dra';

export type Concern =
  | 'foundation'
  | 'storage'
  | 'catalog'
  | 'streaming'
  | 'processing'
  | 'warehouse'
  | 'cache'
  | 'database'
  | 'operations';

export function regionOf(config: EnvironmentConfig, role: RegionRole): string {
  return config.regions[role].region;
}

/**
 * The ARN partition of a region (aws, aws-cn, aws-us-gov), from aws-cdk-lib's region-info.
 * Used for ARNs of resources in the *other* region, which a stack cannot build with
 * Stack.formatArn (that names its own region); config validation refuses unknown regions.
 */
export function partitionOf(region: string): string {
  return RegionInfo.get(region).partition ?? 'aws';
}

/** An ARN in a role's region, in that region's partition. `service` and `resource` as in formatArn. */
export function regionalArn(
  config: EnvironmentConfig,
  role: RegionRole,
  service: string,
  resource: string,
): string {
  const region = regionOf(config, role);
  return `arn:${partitionOf(region)}:${service}:${region}:${config.account}:${resource}`;
}

export function stackName(config: EnvironmentConfig, role: RegionRole, concern: Concern): string {
  return `${config.name}-${role}-${concern}`;
}

/** Name shared by both regions for a regional resource (e.g. the MSK cluster). */
export function resourceName(config: EnvironmentConfig, purpose: string): string {
  return `${NAME_PREFIX}-${config.name}-${purpose}`;
}

export type BucketPurpose =
  | 'raw'
  | 'refined'
  | 'curated'
  | 'artifacts'
  | 'athena-results'
  | 'access-logs'
  | 'checkpoints';

export function bucketName(config: EnvironmentConfig, role: RegionRole, purpose: BucketPurpose): string {
  return `${NAME_PREFIX}-${config.name}-${purpose}-${config.account}-${regionOf(config, role)}`;
}

export function bucketArn(config: EnvironmentConfig, role: RegionRole, purpose: BucketPurpose): string {
  return `arn:${partitionOf(regionOf(config, role))}:s3:::${bucketName(config, role, purpose)}`;
}

/**
 * Where streaming jobs keep their Spark checkpoints in a region: a bucket of that region that is
 * never replicated, so a job resumed in the other region never reads this cluster's offsets.
 */
export function checkpointBucketName(config: EnvironmentConfig, role: RegionRole): string {
  return bucketName(config, role, 'checkpoints');
}

/**
 * The Kafka consumer group a streaming job commits its processed offsets to: the same id in both
 * regions, as AWS recommends for active-passive MSK Replicator setups, so the Replicator's
 * translated offsets land in the group the resumed job reads.
 */
export function streamingConsumerGroup(config: EnvironmentConfig, job: string): string {
  return resourceName(config, job);
}

export type KeyPurpose = 'data' | 'logs' | 'database' | 'streaming';

export function keyAliasName(config: EnvironmentConfig, purpose: KeyPurpose): string {
  return `alias/${NAME_PREFIX}/${config.name}/${purpose}`;
}

/** The alias ARN of a key in the given role's region; usable where AWS accepts an alias ARN. */
export function keyAliasArn(config: EnvironmentConfig, role: RegionRole, purpose: KeyPurpose): string {
  return regionalArn(config, role, 'kms', keyAliasName(config, purpose));
}

export function parameterName(config: EnvironmentConfig, path: string): string {
  return `/${NAME_PREFIX}/${config.name}/${path}`;
}

/** The SSM parameter, present in both regions, naming the region where work runs now. */
export function activeRegionParameterName(config: EnvironmentConfig): string {
  return parameterName(config, 'active-region');
}

/**
 * The SSM parameter the fence runbook writes in the region it fenced, once every part is done:
 * JSON `{ newWriter, generation, execution, at }` (generation: the one the fence document was
 * deployed with, i.e. the one before the switch it fenced for). The deploy guard requires it
 * in the standby region before a deploy of generation > 0 re-seeds that region.
 */
export function fencedForParameterName(config: EnvironmentConfig): string {
  return parameterName(config, 'fenced-for');
}

/**
 * RDS instance identifier in a region. Generation 0 is `dra-{env}-postgres` in
 * both regions; a re-seeded replica gets a `-g{N}` suffix so CloudFormation can
 * create it next to the old writer it replaces (custom-named resources cannot be
 * replaced under the same name), and keeps it when it is promoted.
 */
export function databaseInstanceIdentifier(config: EnvironmentConfig, role: RegionRole): string {
  const created = databaseGeneration(config, role);
  return resourceName(config, created === 0 ? 'postgres' : `postgres-g${created}`);
}

/**
 * The ARN of the writer this role's instance was created as a replica of, as its template has
 * said since creation (undefined for the original writer).
 */
export function databaseSourceArn(config: EnvironmentConfig, role: RegionRole): string | undefined {
  const origin = databaseOrigin(config, role);
  if (origin.kind === 'original') return undefined;
  return databaseInstanceArn(atGeneration(config, origin.createdIn), origin.sourceRole);
}

export function databaseInstanceArn(config: EnvironmentConfig, role: RegionRole): string {
  return regionalArn(config, role, 'rds', `db:${databaseInstanceIdentifier(config, role)}`);
}

/** ElastiCache replication group id, identical in both regions. */
export function cacheReplicationGroupId(config: EnvironmentConfig): string {
  return resourceName(config, 'cache');
}

/** The first node of the cache replication group: where ElastiCache publishes per-node metrics. */
export function cacheNodeId(config: EnvironmentConfig): string {
  return `${cacheReplicationGroupId(config)}-001`;
}

/**
 * The Global Datastore's full id: the documented prefix of the region that created it
 * (`elasticache.globalDatastoreHome`) plus our suffix. The id keeps that prefix after a failover
 * moves the primary role (ElastiCache guide, "Using global datastores (CLI)").
 */
export function globalDatastoreId(
  config: EnvironmentConfig,
  prefixes: Readonly<Record<string, string>>,
): string {
  return `${prefixes[regionOf(config, config.elasticache.globalDatastoreHome)]}-${cacheReplicationGroupId(config)}`;
}

/** Whether the two cache groups replicate through a Global Datastore now (not dissolved by a failover). */
export function globalDatastoreJoined(config: EnvironmentConfig): boolean {
  return config.elasticache.globalDatastore && config.elasticache.globalDatastoreMembership === 'joined';
}

/** Redshift Serverless namespace and workgroup name (or provisioned cluster id), identical in both regions. */
export function warehouseName(config: EnvironmentConfig): string {
  return resourceName(config, 'warehouse');
}

/** Secrets Manager names, identical in both regions (replicas keep the name). */
export function secretName(config: EnvironmentConfig, purpose: string): string {
  return `${NAME_PREFIX}/${config.name}/${purpose}`;
}

/**
 * The PostgreSQL master credential of failover generation `generation`: a
 * Secrets Manager secret created in that generation's writer region and
 * replicated to the standby, so it is readable in both regions before any
 * outage. A new generation's deploy creates its own (a promoted replica secret
 * is standalone and not CloudFormation's, so the name cannot be reused).
 */
export function databaseSecretName(
  config: EnvironmentConfig,
  generation = config.failover.generation,
): string {
  return secretName(config, `postgres/master-g${generation}`);
}

/**
 * The PostgreSQL single-user rotation function, deployed in both regions so
 * that the failover runbook can move the promoted credential's rotation to the
 * new writer's region (RotateSecret with this function there).
 */
export function databaseRotationFunctionName(config: EnvironmentConfig): string {
  return resourceName(config, 'postgres-rotation');
}
