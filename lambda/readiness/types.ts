/** Outcome of one readiness check. "unknown" means it could not tell (timeout, API error), never "failed". */
export type CheckStatus = 'healthy' | 'degraded' | 'failed' | 'unknown';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  /** Measured value (a lag, an age, a count), when there is one. */
  readonly value?: number;
  readonly threshold?: number;
  readonly unit?: 'Seconds' | 'Count' | 'Bytes' | 'None';
  readonly detail: string;
  /** This check's value is a replication lag that bounds the data lost on failover. */
  readonly lag?: boolean;
  /** A "failed" status here means the primary region itself is unhealthy. */
  readonly primaryFault?: boolean;
}

export interface Budgets {
  readonly rdsReplicaLagSeconds: number;
  readonly cacheReplicationLagSeconds: number;
  readonly mskReplicationLatencySeconds: number;
  readonly s3ReplicationLatencySeconds: number;
  readonly redshiftSnapshotAgeSeconds: number;
}
