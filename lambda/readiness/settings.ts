import type { StoreName } from './metrics';

/**
 * What the readiness function knows about the environment: set by its
 * construct (lib/constructs/readiness.ts) as JSON in READINESS_SETTINGS. Roles
 * are replication roles of the current failover generation: "primary" is the
 * writer's region, "dr" the standby's.
 */
export interface Budgets {
  readonly rdsReplicaLagSeconds: number;
  readonly cacheReplicationLagSeconds: number;
  readonly mskReplicationLatencySeconds: number;
  readonly s3ReplicationLatencySeconds: number;
  readonly redshiftSnapshotAgeSeconds: number;
}

export interface ReadinessSettings {
  readonly environment: string;
  /** "dr" when this function runs in the standby (the only region that recommends failover). */
  readonly role: 'primary' | 'dr';
  /** The writer's region. */
  readonly primaryRegion: string;
  /** The standby's region. */
  readonly drRegion: string;
  /** RDS instance identifiers of the writer ("source") and its replica; they differ after a re-seed. */
  readonly database?: { readonly source: string; readonly replica: string };
  readonly globalDatastoreId?: string;
  /** The cache replication group, same id in both regions (its standby member is read in the standby). */
  readonly cacheReplicationGroupId: string;
  /**
   * Every node of the standby's replication group (`{id}-001` .. `{id}-00{replicas+1}`):
   * the cache check reads GlobalDatastoreReplicationLag on each and takes the maximum,
   * because it is published for the secondary region's primary node, which moves on an
   * in-region failover.
   */
  readonly cacheNodeIds: readonly string[];
  readonly mskClusterArnParameter: string;
  readonly replicatorName?: string;
  readonly replication: readonly { sourceBucket: string; destinationBucket: string; ruleId: string }[];
  /** The warehouse whose snapshots must reach the standby: a Serverless namespace or a provisioned cluster. */
  readonly warehouse?: { readonly mode: 'serverless' | 'provisioned'; readonly name: string };
  readonly emrApplicationName: string;
  readonly databases: readonly string[];
  readonly workgroups: readonly string[];
  readonly activeRegionParameter: string;
  readonly budgets: Budgets;
  /**
   * Time allowed to each call group of a check (the writer's calls, the
   * standby's calls); a writer call still unanswered then counts as "the
   * writer's region does not answer". The whole check is abandoned at twice this.
   */
  readonly checkTimeoutMs: number;
  readonly consecutiveFailuresToRecommend: number;
  /**
   * Consecutive brownout evaluations (HTTP 5xx, not throttling, from two or more
   * write-path services of the writer's region) before recommending failover; more
   * than `consecutiveFailuresToRecommend`.
   */
  readonly brownoutEvaluationsToRecommend: number;
  readonly stateParameter: string;
  /**
   * The canary's state parameter, the same name in both regions (lambda/canary/state.ts):
   * the writer's says whether its canary writes went through, the standby's when the
   * newest canary it read was written. Absent: no canary runs (readiness then uses the
   * CloudWatch figures only).
   */
  readonly canaryStateParameter?: string;
  /** The stores the canary writes and reads (a subset of the replicated ones). */
  readonly canaryStores?: readonly StoreName[];
}
