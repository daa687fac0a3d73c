import { z } from 'zod';
import { cidrsOverlap, parseCidr } from './cidr';
import {
  AWS_PAGES,
  EMR_SERVERLESS_7_RELEASES,
  EMR_SERVERLESS_STREAMING_MIN_MINOR,
  EMR_STREAMING_FAILED_ATTEMPTS_PER_HOUR,
  GLOBAL_DATASTORE_FAMILIES,
  GLOBAL_DATASTORE_TOO_SMALL_SIZES,
  isAllowedBaseRpu,
  minimumMaxAllocatedStorage,
  REDSHIFT_PROVISIONED_COPY_RETENTION,
  REDSHIFT_SERVERLESS_1024_RPU_REGIONS,
  REDSHIFT_SERVERLESS_COPY_RETENTION,
  REDSHIFT_SERVERLESS_MIN_AZS,
  REDSHIFT_SERVERLESS_TWO_AZ_REGIONS,
  RESERVED_TAG_PREFIXES,
  TAG_CHARACTERS,
  TAG_KEY_MAX,
  TAG_VALUE_MAX,
  TAGS_PER_RESOURCE_MAX,
  TOPIC_PARTITIONS_MAX,
} from './limits';
import {
  availabilityZonesOf,
  GLOBAL_DATASTORE_PREFIXES,
  KNOWN_REGIONS,
  MSK_SERVERLESS_REGIONS,
  MSK_SERVERLESS_UNSUPPORTED_AZS,
} from './regions';

/**
 * The schema every environment file in config/ must satisfy. Objects are strict:
 * an unknown key is an error, so a typo never silently falls back to a default.
 */

/** Smallest VPC we accept: a /22 still leaves /25 subnets in up to 6 AZs. */
export const SMALLEST_VPC_PREFIX = 22;
/** Largest VPC AWS allows. */
export const LARGEST_VPC_PREFIX = 16;

/** Accounts that mark a config as not yet filled in; preflight refuses them. */
export const PLACEHOLDER_ACCOUNTS: readonly string[] = ['000000000000', '111111111111', '123456789012'];

/**
 * Whether an account id is a placeholder rather than a real account: one of
 * {@link PLACEHOLDER_ACCOUNTS}, or twelve times the same digit. Preflight and
 * `npm run submit` refuse it before calling AWS.
 */
export function placeholderAccount(account: string): boolean {
  return PLACEHOLDER_ACCOUNTS.includes(account) || /^(\d)\1{11}$/.test(account);
}

const regionDeployment = z.strictObject({
  /** AWS Region code, e.g. us-east-1. */
  region: z.string(),
  /** IPv4 CIDR of this region's VPC, /16 to /22; must not overlap the other region's. */
  vpcCidr: z.string(),
  /** Availability Zone names (at least 2) the VPC's private subnets use. No lookups. */
  availabilityZones: z.array(z.string()).min(2, 'needs at least 2 Availability Zones for Multi-AZ services'),
});

const storage = z.strictObject({
  /** Also replicate DR buckets back to the primary, so failback needs no rebuild. Enable only after both regions exist. */
  reverseReplication: z.boolean().default(false),
  /** Days before noncurrent object versions in lake buckets expire. */
  noncurrentVersionExpirationDays: z.number().int().min(1).default(90),
  /** Days before Athena query results expire. */
  athenaResultsExpirationDays: z.number().int().min(1).default(30),
});

const athena = z.strictObject({
  /** Per-query bytes-scanned cutoff of the analyst workgroup (bytes, at least 10 MB). */
  analystBytesScannedCutoffPerQuery: z.number().int().min(10_000_000),
  /** Per-query bytes-scanned cutoff of the jobs/services workgroup (bytes, at least 10 MB). */
  jobsBytesScannedCutoffPerQuery: z.number().int().min(10_000_000),
});

const msk = z.strictObject({
  /** Partitions of topicA, topicB and topicC. */
  topicPartitions: z.number().int().min(1).max(TOPIC_PARTITIONS_MAX).default(6),
  /** Whether the topics' custom resource may delete topics that hold data when removed. */
  allowTopicDeletion: z.boolean().default(false),
  /** MSK Replicator from the primary cluster to the DR cluster. */
  replicator: z.boolean(),
});

const emr = z.strictObject({
  /** EMR Serverless release label, a 7.x release AWS lists (config/limits.ts); the jars must match it. */
  releaseLabel: z.string().regex(/^emr-7\.\d+\.\d+$/, 'must be an EMR 7.x release label like emr-7.9.0'),
  architecture: z.enum(['ARM64', 'X86_64']).default('ARM64'),
  /** Minutes of idleness before the application stops. */
  idleTimeoutMinutes: z.number().int().min(1).max(10080).default(15),
  maximumCapacity: z
    .strictObject({
      cpu: z.string().regex(/^\d+ vCPU$/, 'must look like "200 vCPU"'),
      memory: z.string().regex(/^\d+ GB$/, 'must look like "800 GB"'),
      disk: z.string().regex(/^\d+ GB$/, 'must look like "1000 GB"'),
    })
    .default({ cpu: '32 vCPU', memory: '128 GB', disk: '500 GB' }),
  /** Jars under s3://<artifacts>/jars/, matched to the release label (docs/spark-jobs.md, "Spark jars"). */
  jars: z.array(z.string().regex(/^jars\/[\w.-]+\.jar$/, 'must be an S3 key like jars/name-1.0.jar')).min(1),
  /** Job execution timeout in minutes (batch jobs; streaming jobs run without one). */
  jobExecutionTimeoutMinutes: z.number().int().min(5).max(1440).default(720),
  /** Streaming jobs (mode STREAMING, docs/spark-jobs.md, "Streaming jobs across restarts, failover and failback"). */
  streaming: z
    .strictObject({
      /**
       * Failed attempts per hour after which EMR Serverless stops retrying a streaming job
       * (its retry policy; 1 means no retry).
       * @default 5
       */
      maxFailedAttemptsPerHour: z
        .number()
        .int()
        .min(EMR_STREAMING_FAILED_ATTEMPTS_PER_HOUR.min)
        .max(EMR_STREAMING_FAILED_ATTEMPTS_PER_HOUR.max)
        .default(EMR_STREAMING_FAILED_ATTEMPTS_PER_HOUR.default),
      /**
       * Where a streaming job starts reading a partition it has no progress for: a fresh start,
       * or a resume (--resume-from-group) on a partition its consumer group has no offset for.
       * `earliest` reprocesses what the topic retains; `latest` skips it.
       * @default 'earliest'
       */
      startingOffsets: z.enum(['earliest', 'latest']).default('earliest'),
    })
    .default({
      maxFailedAttemptsPerHour: EMR_STREAMING_FAILED_ATTEMPTS_PER_HOUR.default,
      startingOffsets: 'earliest',
    }),
});

const redshift = z.strictObject({
  mode: z.enum(['serverless', 'provisioned']).default('serverless'),
  /** Serverless base capacity in RPUs: 4, or 8 to 1024 in steps of 8. */
  baseRpu: z.number().int().default(8),
  /** Serverless maximum capacity in RPUs (at least the base). */
  maxRpu: z.number().int().default(64),
  /** Serverless usage limit, RPU-hours per day, with a breach that deactivates the workgroup. */
  dailyRpuHoursLimit: z.number().int().min(1).default(64),
  /** Provisioned RA3 node type and count (mode: provisioned only). */
  nodeType: z.enum(['ra3.large', 'ra3.xlplus', 'ra3.4xlarge', 'ra3.16xlarge']).default('ra3.xlplus'),
  numberOfNodes: z.number().int().min(1).max(128).default(2),
  /** Hours between snapshots: the warehouse RPO. */
  snapshotIntervalHours: z.number().int().min(1).max(24).default(1),
  /** Days the DR region keeps copied snapshots (serverless: 1 to 3653; provisioned: 1 to 35). */
  snapshotCopyRetentionDays: z
    .number()
    .int()
    .min(REDSHIFT_SERVERLESS_COPY_RETENTION.min)
    .max(REDSHIFT_SERVERLESS_COPY_RETENTION.max)
    .default(7),
});

const elasticache = z.strictObject({
  mode: z.enum(['node-based', 'serverless']).default('node-based'),
  engine: z.enum(['valkey', 'redis']).default('valkey'),
  nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a node type like cache.r7g.large'),
  /** Replicas per shard (at least 1 for Multi-AZ automatic failover). */
  replicasPerNodeGroup: z.number().int().min(0).max(5).default(1),
  /** Global Datastore across the two regions (node-based only). */
  globalDatastore: z.boolean(),
  /**
   * The region role whose replication group created the Global Datastore: its ID carries that
   * region's prefix, and the other region's group joins it. Fixed for the life of the datastore
   * (a secondary is created as one and cannot be turned into the creator by a deploy).
   * @default 'primary'
   */
  globalDatastoreHome: z.enum(['primary', 'dr']).default('primary'),
  /**
   * 'joined': the other region's group is a secondary member. 'dissolved': a failover
   * disassociated it (the runbook does so when the datastore cannot fail over during an outage);
   * both groups are standalone, the readiness check and the runbooks treat them so, and their
   * templates stay as created. Re-forming is manual (docs/runbooks/failback.md).
   * @default 'joined'
   */
  globalDatastoreMembership: z.enum(['joined', 'dissolved']).default('joined'),
  /** Days of automatic cache snapshots kept (15 or more satisfies HIPAA/NIST backup retention). */
  snapshotRetentionDays: z.number().int().min(15).max(35).default(15),
});

const rds = z.strictObject({
  /** PostgreSQL major.minor, e.g. 17.6. */
  engineVersion: z.string().regex(/^1[4-9]\.\d+$/, 'must be a PostgreSQL version like 17.6'),
  instanceClass: z
    .string()
    .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an instance class like db.r7g.large'),
  multiAz: z.boolean(),
  allocatedStorageGiB: z.number().int().min(20).max(65536).default(100),
  maxAllocatedStorageGiB: z.number().int().min(20).max(65536).default(500),
  /**
   * Days of automated backups, 1 to 35. AWS allows 0 (no backups), but a source of
   * read replicas and of backup replication cannot have 0, and the compliance packs refuse it.
   */
  backupRetentionDays: z
    .number()
    .int()
    .min(
      1,
      `must be at least 1: 0 turns automated backups off, which a read replica's source cannot do (${AWS_PAGES.rdsCreateDbInstance})`,
    )
    .max(
      35,
      `must be at most 35, the longest automated backup retention RDS allows (${AWS_PAGES.rdsCreateDbInstance})`,
    )
    .default(7),
  /** Cross-region read replica plus automated backup replication in the DR region. */
  crossRegionReplica: z.boolean(),
});

const failover = z.strictObject({
  /**
   * How many times the writer has moved between the regions (failovers plus
   * failbacks). Even: the primary region takes writes and the DR region is the
   * standby; odd: the other way round. Stack names keep the regions' home roles;
   * this number decides replication directions and database identifiers, so
   * raising it by one and redeploying is how the old writer is re-seeded as the
   * new standby (docs/runbooks/failback.md).
   */
  generation: z.number().int().min(0).max(999).default(0),
  /** The estimated RPO above which the failover runbook refuses to run unless forced (seconds). */
  rpoBudgetSeconds: z.number().int().min(1).default(900),
  /**
   * How long the failover and failback runbooks wait at their approval step
   * before the execution ends as timed out (minutes; aws:approve allows at most 30 days).
   */
  approvalTimeoutMinutes: z.number().int().min(1).max(43200).default(60),
  /** Consecutive failed evaluations of the primary, seen from the DR region, before recommending failover. */
  consecutiveFailuresToRecommend: z.number().int().min(2).default(3),
  /**
   * Consecutive brownout evaluations (HTTP 5xx, not throttling, from two or more
   * write-path services of the writer's region, seen from the standby) before
   * recommending failover; more than consecutiveFailuresToRecommend, since the region
   * still answers. Throttling alone never recommends.
   */
  brownoutEvaluationsToRecommend: z.number().int().min(3).default(10),
  /** Whether the readiness Lambda may start the failover runbook itself (not implemented: validation refuses true). */
  automaticFailover: z.boolean().default(false),
  /** Per-check lag budgets in seconds: above budget a check is "degraded". */
  budgets: z
    .strictObject({
      rdsReplicaLagSeconds: z.number().positive().default(60),
      cacheReplicationLagSeconds: z.number().positive().default(5),
      mskReplicationLatencySeconds: z.number().positive().default(60),
      s3ReplicationLatencySeconds: z.number().positive().default(900),
      /** Newest snapshot copied to DR may be this old (default: interval plus an hour for the copy). */
      redshiftSnapshotAgeSeconds: z.number().positive().optional(),
    })
    .default({
      rdsReplicaLagSeconds: 60,
      cacheReplicationLagSeconds: 5,
      mskReplicationLatencySeconds: 60,
      s3ReplicationLatencySeconds: 900,
    }),
  /** Each check's own timeout; a check that runs out is "unknown", never "failed". */
  checkTimeoutMs: z.number().int().min(500).max(20000).default(5000),
  /** Email addresses subscribed to the alarm topic. */
  alarmEmails: z.array(z.email()).default([]),
});

/**
 * What `npm run cost` assumes about use: the platform's fixed cost follows from the rest of
 * the config, its use-based cost from these. Defaults describe a small, steady workload.
 */
const cost = z.strictObject({
  /** Spark vCPU-hours a day on EMR Serverless in the writer's region (memory: 4 GB per vCPU, its default). */
  sparkVcpuHoursPerDay: z.number().min(0).max(100_000).default(16),
  /** Hours a day the warehouse runs queries at its base capacity (Serverless bills only then). */
  warehouseActiveHoursPerDay: z.number().min(0).max(24).default(2),
  /** Data the warehouse holds (GiB); its snapshot copies in the standby hold as much. */
  warehouseDataGiB: z.number().min(0).default(50),
  /** Data in the replicated lake buckets (GiB); the standby holds a replica of it. */
  lakeDataGiB: z.number().min(0).default(100),
  /** New or changed lake data a day (GiB): what S3 replication copies. */
  lakeWritesGiBPerDay: z.number().min(0).default(1),
  /** Data written to the topics a day (GiB). */
  streamingGiBPerDay: z.number().min(0).default(1),
  /** Times each written byte is read back (consumers per topic). */
  streamingReadsPerWrite: z.number().min(0).default(2),
  /** Days MSK keeps a message (MSK Serverless topics default to 7). */
  streamingRetentionDays: z.number().min(0).default(7),
  /** Hours a failover drill keeps the DR region writing before the failback. */
  drillHours: z.number().min(0).max(720).default(4),
  /** Days an old writer is kept after a re-seed before npm run retire-old-writer deletes it. */
  oldWriterRetentionDays: z.number().min(0).max(365).default(1),
});

/**
 * The environment schema without the physical-name rule, which needs the naming
 * functions (`config/names.ts`); `config/index.ts` adds it as
 * `environmentConfigSchema`, so this file imports nothing that imports it.
 */
export const baseEnvironmentConfigSchema = z
  .strictObject({
    /**
     * Environment name; also the prefix of every stack name and physical name. Its
     * real limit is the longest name it ends up in (bucket names hold the account and
     * region too); the rule below checks each one.
     */
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{1,23}$/,
        'must be 2-24 lowercase letters, digits or dashes, starting with a letter',
      ),
    /** The deployment tier; prod rules (no destroy, Multi-AZ) follow the tier, not the name. */
    tier: z.enum(['dev', 'staging', 'prod']),
    /** The AWS account both regions deploy to. */
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    regions: z.strictObject({ primary: regionDeployment, dr: regionDeployment }),
    /** Tags on every resource. */
    tags: z.record(z.string(), z.string()),
    removal: z.strictObject({
      /** Destroy stateful data (buckets emptied, databases without snapshot) on stack removal. Never in prod. */
      allowDestroy: z.boolean(),
    }),
    storage,
    athena,
    msk,
    emr,
    redshift,
    elasticache,
    rds,
    failover,
    /** Assumptions of `npm run cost` (docs/cost.md); every key has a default. */
    cost: cost.default(cost.parse({})),
  })
  .superRefine((cfg, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });

    for (const role of ['primary', 'dr'] as const) {
      const { region, vpcCidr, availabilityZones } = cfg.regions[role];
      const at = ['regions', role];
      if (!KNOWN_REGIONS.includes(region)) {
        issue([...at, 'region'], `"${region}" is not an AWS Region. Use one of: ${KNOWN_REGIONS.join(', ')}`);
      } else {
        const valid = availabilityZonesOf(region);
        availabilityZones.forEach((az, i) => {
          if (!valid.includes(az)) {
            issue(
              [...at, 'availabilityZones', i],
              `"${az}" is not an Availability Zone of ${region}. Use names from: ${valid.join(', ')}`,
            );
          } else if (MSK_SERVERLESS_UNSUPPORTED_AZS.includes(az)) {
            const usable = valid.filter((z) => !MSK_SERVERLESS_UNSUPPORTED_AZS.includes(z));
            issue(
              [...at, 'availabilityZones', i],
              `"${az}" is not supported by MSK Serverless (listed in config/regions.ts). Use one of: ${usable.join(', ')}`,
            );
          }
        });
        const dupes = availabilityZones.filter((az, i) => availabilityZones.indexOf(az) !== i);
        if (dupes.length > 0) {
          issue([...at, 'availabilityZones'], `lists "${dupes[0]}" twice; each zone once`);
        }
      }
      const cidr = parseCidr(vpcCidr);
      if (typeof cidr === 'string') {
        issue([...at, 'vpcCidr'], `"${vpcCidr}" ${cidr}`);
      } else if (cidr.prefix > SMALLEST_VPC_PREFIX || cidr.prefix < LARGEST_VPC_PREFIX) {
        issue(
          [...at, 'vpcCidr'],
          `"${vpcCidr}" is /${cidr.prefix}; use a prefix from /${LARGEST_VPC_PREFIX} to /${SMALLEST_VPC_PREFIX} (e.g. 10.20.0.0/16)`,
        );
      }
    }

    if (cfg.regions.primary.region === cfg.regions.dr.region) {
      issue(
        ['regions', 'dr', 'region'],
        `"${cfg.regions.dr.region}" is also the primary region; the DR region must be a different region`,
      );
    }
    const a = parseCidr(cfg.regions.primary.vpcCidr);
    const b = parseCidr(cfg.regions.dr.vpcCidr);
    if (typeof a !== 'string' && typeof b !== 'string' && cidrsOverlap(a, b)) {
      issue(
        ['regions', 'dr', 'vpcCidr'],
        `"${cfg.regions.dr.vpcCidr}" overlaps the primary VPC ${cfg.regions.primary.vpcCidr}; pick a disjoint block so the regions can be peered or routed later`,
      );
    }

    for (const role of ['primary', 'dr'] as const) {
      const { region } = cfg.regions[role];
      if (KNOWN_REGIONS.includes(region) && !MSK_SERVERLESS_REGIONS.includes(region)) {
        issue(
          ['regions', role, 'region'],
          `"${region}" does not offer MSK Serverless; use one of: ${MSK_SERVERLESS_REGIONS.join(', ')}`,
        );
      }
    }

    const { redshift, elasticache, rds } = cfg;
    if (redshift.mode === 'serverless') {
      checkRedshiftServerless(cfg, issue);
    } else if (redshift.snapshotCopyRetentionDays > REDSHIFT_PROVISIONED_COPY_RETENTION.max) {
      issue(
        ['redshift', 'snapshotCopyRetentionDays'],
        `${redshift.snapshotCopyRetentionDays} is above ${REDSHIFT_PROVISIONED_COPY_RETENTION.max}: a provisioned cluster keeps copied automated snapshots 1 to ${REDSHIFT_PROVISIONED_COPY_RETENTION.max} days. Set it to ${REDSHIFT_PROVISIONED_COPY_RETENTION.max} or less (${AWS_PAGES.redshiftEnableSnapshotCopy})`,
      );
    }
    if (redshift.maxRpu < redshift.baseRpu || redshift.maxRpu % 8 !== 0) {
      issue(
        ['redshift', 'maxRpu'],
        `${redshift.maxRpu} must be a multiple of 8 and at least baseRpu (${redshift.baseRpu})`,
      );
    }
    if (elasticache.mode === 'serverless' && elasticache.globalDatastore) {
      issue(
        ['elasticache', 'globalDatastore'],
        'is true but mode is "serverless"; Global Datastore needs node-based clusters. Set mode to "node-based" or globalDatastore to false',
      );
    }
    if (elasticache.globalDatastore) {
      for (const role of ['primary', 'dr'] as const) {
        const { region } = cfg.regions[role];
        if (KNOWN_REGIONS.includes(region) && !GLOBAL_DATASTORE_PREFIXES[region]) {
          issue(
            ['elasticache', 'globalDatastore'],
            `is true but ${region} (${role}) has no documented Global Datastore ID prefix in config/regions.ts; add it from the ElastiCache guide or set globalDatastore to false`,
          );
        }
      }
    }
    if (cfg.tier === 'prod' && !elasticache.globalDatastore && elasticache.mode === 'node-based') {
      issue(
        ['elasticache', 'globalDatastore'],
        'is false in a prod-tier environment; the DR cache would start empty. Set it to true',
      );
    }
    if (cfg.tier === 'prod' && !rds.crossRegionReplica) {
      issue(
        ['rds', 'crossRegionReplica'],
        'is false in a prod-tier environment; the DR region would have no database. Set it to true',
      );
    }
    if (elasticache.mode === 'node-based' && elasticache.replicasPerNodeGroup < 1 && cfg.tier !== 'dev') {
      issue(
        ['elasticache', 'replicasPerNodeGroup'],
        `is ${elasticache.replicasPerNodeGroup}; Multi-AZ automatic failover needs at least 1 replica outside dev`,
      );
    }
    if (elasticache.globalDatastore && elasticache.replicasPerNodeGroup < 1) {
      issue(
        ['elasticache', 'replicasPerNodeGroup'],
        `is ${elasticache.replicasPerNodeGroup}; with globalDatastore the member joins Multi-AZ (pinned, since a member takes no ModifyReplicationGroup), which needs at least 1 replica. Set it to 1 or more`,
      );
    }
    if (cfg.tier === 'prod' && !rds.multiAz) {
      issue(['rds', 'multiAz'], 'is false in a prod-tier environment; set it to true');
    }
    const smallestMax = minimumMaxAllocatedStorage(rds.allocatedStorageGiB);
    if (rds.maxAllocatedStorageGiB < smallestMax) {
      issue(
        ['rds', 'maxAllocatedStorageGiB'],
        `${rds.maxAllocatedStorageGiB} is less than 10% above allocatedStorageGiB (${rds.allocatedStorageGiB}); RDS refuses it ("Invalid max storage size"). Set it to at least ${smallestMax} (${AWS_PAGES.rdsStorageAutoscaling})`,
      );
    }
    if (elasticache.mode === 'node-based' && elasticache.globalDatastore) {
      checkGlobalDatastoreNodeType(elasticache.nodeType, issue);
    }
    if (
      !EMR_SERVERLESS_7_RELEASES.includes(cfg.emr.releaseLabel) &&
      /^emr-7\.\d+\.\d+$/.test(cfg.emr.releaseLabel)
    ) {
      issue(
        ['emr', 'releaseLabel'],
        `"${cfg.emr.releaseLabel}" is not an EMR Serverless release; use one of ${EMR_SERVERLESS_7_RELEASES.join(', ')} (${AWS_PAGES.emrServerlessReleases}), and change emr.jars with it`,
      );
    }
    const minor = /^emr-7\.(\d+)\.\d+$/.exec(cfg.emr.releaseLabel)?.[1];
    if (minor !== undefined && Number(minor) < EMR_SERVERLESS_STREAMING_MIN_MINOR) {
      const oldest = `emr-7.${EMR_SERVERLESS_STREAMING_MIN_MINOR}.0`;
      issue(
        ['emr', 'releaseLabel'],
        `"${cfg.emr.releaseLabel}" cannot run the platform's streaming jobs: mode STREAMING needs ${oldest} or later. Use ${oldest} or later and change emr.jars with it (${AWS_PAGES.emrServerlessStreaming})`,
      );
    }
    checkTags(cfg.tags, issue);

    if (cfg.failover.generation > 0 && !rds.crossRegionReplica) {
      issue(
        ['failover', 'generation'],
        `is ${cfg.failover.generation}, but rds.crossRegionReplica is false: after a failover the writer is the promoted replica, so there must be one; set rds.crossRegionReplica to true`,
      );
    }

    if (cfg.failover.brownoutEvaluationsToRecommend <= cfg.failover.consecutiveFailuresToRecommend) {
      issue(
        ['failover', 'brownoutEvaluationsToRecommend'],
        `is ${cfg.failover.brownoutEvaluationsToRecommend}, but a brownout (the writer's region still answering, with server errors) must take longer to recommend a failover than a hard failure; set it above failover.consecutiveFailuresToRecommend (${cfg.failover.consecutiveFailuresToRecommend})`,
      );
    }

    if (cfg.failover.automaticFailover) {
      issue(
        ['failover', 'automaticFailover'],
        'is true, but the readiness check does not start the failover runbook by itself in this version; set it to false and run the runbook by hand (docs/runbooks/failover.md)',
      );
    }

    if (cfg.tier === 'prod' && cfg.removal.allowDestroy) {
      issue(
        ['removal', 'allowDestroy'],
        'is true in a prod-tier environment; prod data is never destroyed, set it to false',
      );
    }
  });

export type Issue = (path: (string | number)[], message: string) => void;

/** Workgroup subnets and base capacity, per region (Redshift Serverless considerations and capacity pages). */
function checkRedshiftServerless(cfg: EnvironmentConfig, issue: Issue): void {
  for (const role of ['primary', 'dr'] as const) {
    const { region, availabilityZones } = cfg.regions[role];
    const zones = new Set(availabilityZones).size;
    if (REDSHIFT_SERVERLESS_TWO_AZ_REGIONS.includes(region)) {
      issue(
        ['regions', role, 'region'],
        `"${region}" needs three Redshift Serverless subnets in two Availability Zones, and this VPC builds one subnet per zone. Pick another region, or set redshift.mode to "provisioned" (${AWS_PAGES.redshiftServerlessConsiderations})`,
      );
    } else if (zones < REDSHIFT_SERVERLESS_MIN_AZS) {
      const more = availabilityZonesOf(region).filter(
        (az) => !availabilityZones.includes(az) && !MSK_SERVERLESS_UNSUPPORTED_AZS.includes(az),
      );
      issue(
        ['regions', role, 'availabilityZones'],
        `${JSON.stringify(availabilityZones)} has ${zones} Availability Zone${zones === 1 ? '' : 's'}; a Redshift Serverless workgroup needs subnets in at least ${REDSHIFT_SERVERLESS_MIN_AZS}. Add ${more.slice(0, REDSHIFT_SERVERLESS_MIN_AZS - zones).join(', ') || 'a zone of this region'} (${AWS_PAGES.redshiftServerlessConsiderations})`,
      );
    }
  }
  const { baseRpu } = cfg.redshift;
  const refusing = (['primary', 'dr'] as const)
    .map((role) => cfg.regions[role].region)
    .filter((region) => KNOWN_REGIONS.includes(region) && !isAllowedBaseRpu(baseRpu, region));
  if (refusing.length === 0) return;
  const anywhere = REDSHIFT_SERVERLESS_1024_RPU_REGIONS.some((region) => isAllowedBaseRpu(baseRpu, region));
  issue(
    ['redshift', 'baseRpu'],
    anywhere
      ? `${baseRpu} is above 512, which ${refusing.join(' and ')} does not offer (only ${REDSHIFT_SERVERLESS_1024_RPU_REGIONS.join(', ')}); use 512 or less (${AWS_PAGES.redshiftServerlessCapacity})`
      : `${baseRpu} is not allowed; use 4, 8 to 512 in steps of 8, or 512 to 1024 in steps of 32 where both regions offer it (${REDSHIFT_SERVERLESS_1024_RPU_REGIONS.join(', ')}) (${AWS_PAGES.redshiftServerlessCapacity})`,
  );
}

/** Global Datastore node families and sizes (ElastiCache "Prerequisites and limitations"). */
function checkGlobalDatastoreNodeType(nodeType: string, issue: Issue): void {
  const [, family = '', size = ''] = nodeType.split('.');
  if (GLOBAL_DATASTORE_FAMILIES.includes(family) && !GLOBAL_DATASTORE_TOO_SMALL_SIZES.includes(size)) return;
  issue(
    ['elasticache', 'nodeType'],
    `"${nodeType}" cannot join a Global Datastore, which takes ${GLOBAL_DATASTORE_FAMILIES.map((f) => f.toUpperCase()).join(', ')} nodes of size large or above. Use e.g. cache.r7g.large, or set elasticache.globalDatastore to false (${AWS_PAGES.globalDatastorePrerequisites})`,
  );
}

/** Tag keys and values every service accepts (Tag Editor quotas; RDS also refuses "rds:"). */
function checkTags(tags: Record<string, string>, issue: Issue): void {
  const entries = Object.entries(tags);
  // region-stack.ts adds dra:role to every resource.
  if (entries.length > TAGS_PER_RESOURCE_MAX - 1) {
    issue(
      ['tags'],
      `has ${entries.length} tags; AWS allows ${TAGS_PER_RESOURCE_MAX} per resource and the app adds "dra:role". Keep at most ${TAGS_PER_RESOURCE_MAX - 1} (${AWS_PAGES.tagLimits})`,
    );
  }
  for (const [key, value] of entries) {
    const at = ['tags', key];
    const problems: string[] = [];
    if (key.length === 0 || key.length > TAG_KEY_MAX)
      problems.push(`the key must be 1 to ${TAG_KEY_MAX} characters (it has ${key.length})`);
    if (value.length > TAG_VALUE_MAX)
      problems.push(`the value must be at most ${TAG_VALUE_MAX} characters (it has ${value.length})`);
    for (const [what, text] of [
      ['key', key],
      ['value', value],
    ] as const) {
      if (!TAG_CHARACTERS.test(text)) {
        problems.push(`the ${what} may hold only letters, digits, spaces and _ . : / = + - @`);
      }
      const reserved = RESERVED_TAG_PREFIXES.find((r) => text.toLowerCase().startsWith(r.prefix));
      if (reserved)
        problems.push(`the ${what} starts with "${reserved.prefix}", which AWS reserves (${reserved.page})`);
    }
    if (key === 'dra:role') problems.push('the app sets "dra:role" itself');
    if (problems.length > 0) {
      issue(
        at,
        `${JSON.stringify(key)}: ${JSON.stringify(value)} is refused: ${problems.join('; ')}. Rename or shorten it (${AWS_PAGES.tagLimits})`,
      );
    }
  }
}

/** The validated configuration of one environment, as passed to every stack and construct. */
export type EnvironmentConfig = z.output<typeof baseEnvironmentConfigSchema>;
/** What an environment file writes (defaults may be omitted). */
export type EnvironmentConfigInput = z.input<typeof baseEnvironmentConfigSchema>;
/** A region's role in an environment; which physical region plays it is config. */
export type RegionRole = 'primary' | 'dr';
export type RegionDeploymentConfig = EnvironmentConfig['regions']['primary'];
