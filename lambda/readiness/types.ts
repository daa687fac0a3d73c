import type { StoreName } from './metrics';
import type { FailureCause } from './outcome';

export type { StoreName } from './metrics';
export type { Budgets } from './settings';

/** Outcome of one readiness check. "unknown" means it could not tell (timeout, API error), never "failed". */
export type CheckStatus = 'healthy' | 'degraded' | 'failed' | 'unknown';

/**
 * What a check learned about the writer's region:
 * - healthy: it answered and nothing it reported is a terminal failure (maintenance included);
 * - failed: it answered with a terminal failed status (lambda/readiness/statuses.ts);
 * - unreachable: it did not answer (connection refused, DNS, network or per-call timeout);
 * - unknown: it answered with an error (throttling, 5xx, access denied), or what it
 *   answered says nothing about its health (the resource was not found).
 */
export type WriterEvidence = 'healthy' | 'failed' | 'unreachable' | 'unknown';

/** Whether the standby's own APIs answered this check. */
export type StandbyEvidence = 'answered' | 'unreachable' | 'unknown';

/** Contract A: one replicated store's lag, read where AWS publishes it. */
export interface StoreRpo {
  readonly store: StoreName;
  /** Writes the standby may be missing; null = could not be read. */
  readonly lagSeconds: number | null;
  readonly budgetSeconds: number;
  /** Metric, region and role, e.g. "AWS/RDS ReplicaLag in us-west-2 (standby)". */
  readonly source: string;
  /** null when lagSeconds is null. */
  readonly withinBudget: boolean | null;
  /**
   * The last lag read while the writer's side of this store's check answered and
   * was not failing, and when (kept in the decision state): during an outage, what
   * was replicated before it. null when never read; absent only before the decision is made.
   */
  readonly lastKnown?: { readonly lagSeconds: number; readonly at: string } | null;
  /** The service's own figure (CloudWatch), whether or not `lagSeconds` is it. */
  readonly cloudWatch?: {
    readonly lagSeconds: number | null;
    readonly budgetSeconds: number;
    readonly source: string;
  };
  /**
   * The canary's figure: the age of the newest canary read in the standby, when it
   * read it. Its budget is the store's plus the canary interval (a canary written
   * every 60 s is up to 60 s old with no replication lag at all). null: no canary
   * figure (`why` says why not).
   */
  readonly canary?: {
    readonly lagSeconds: number;
    readonly budgetSeconds: number;
    readonly measuredAt: string;
    readonly newestWrittenAt: string;
  } | null;
}

export interface WarehouseAge {
  readonly ageSeconds: number | null;
  readonly budgetSeconds: number;
  readonly source: string;
  readonly withinBudget: boolean | null;
}

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  /** Measured value (a lag, an age, a count), when there is one. */
  readonly value?: number;
  readonly threshold?: number;
  readonly unit?: 'Seconds' | 'Count' | 'Bytes' | 'None';
  readonly detail: string;
  /** What the check learned about the writer's region (absent when it did not ask). */
  readonly writer?: WriterEvidence;
  /** With `writer: 'unknown'` or `'unreachable'`: why (outcome.ts); the brownout rule counts `server`. */
  readonly writerCause?: FailureCause;
  /** Whether any call to the writer's region got an answer (reachability, whatever the answer). */
  readonly writerAnswered?: boolean;
  /** Whether the standby's own calls answered. */
  readonly standby?: StandbyEvidence;
  /** The lag of the store this check reads, for the streaming RPO. */
  readonly rpo?: StoreRpo;
  /** The warehouse tier (redshift check only). */
  readonly warehouse?: WarehouseAge;
  /**
   * msk only, with a Replicator: false when it has lost a cluster (KafkaClusterPingSuccessCount
   * 0 or missing) or its latency reads 0 while its MessageLag grows; null when not read.
   */
  readonly replicatorHealthy?: boolean | null;
}

/** The write path: a failure of one of these in the writer's region stops the platform taking writes. */
export const WRITE_PATH = new Set(['rds', 'msk', 'elasticache']);

export interface Decision {
  readonly failoverRecommended: boolean;
  readonly reason: string;
  readonly consecutiveFailures: number;
  readonly required: number;
  /** Consecutive brownout evaluations (5xx from two or more write-path services). */
  readonly consecutiveBrownouts?: number;
  /** Brownout evaluations that recommend a failover. */
  readonly brownoutRequired?: number;
}

/** Contract A: the report the readiness function returns (docs/readiness.md). */
export interface ReadinessReport {
  readonly environment: string;
  readonly evaluatedFrom: string;
  readonly checkedAt: string;
  readonly checks: readonly CheckResult[];
  readonly rpo: {
    readonly stores: readonly StoreRpo[];
    readonly estimatedSeconds: number | null;
    readonly complete: boolean;
    readonly withinBudget: boolean | null;
  };
  readonly warehouse: WarehouseAge;
  readonly writerRegion: { readonly region: string; readonly reachable: boolean | null };
  readonly decision: Decision;
  readonly estimatedRpoSeconds?: number;
  readonly rpoComplete: boolean;
  readonly overall: 'healthy' | 'degraded' | 'failed' | 'unknown';
}

/** Everything but the decision: what this evaluation saw. */
export type Assessment = Omit<ReadinessReport, 'decision'> & {
  /** The standby's own calls of the write-path checks (rds, msk, elasticache) answered (at least one, and none failed to connect). */
  readonly standbyAnswered: boolean;
};
