/**
 * What the canary function of one region knows, set by its construct
 * (lib/constructs/canary.ts) as JSON in CANARY_SETTINGS. Its side follows the
 * failover generation, as the readiness function's roles do: the writer's region
 * writes, the standby's reads; every store it touches is in its own region.
 */
export interface CanarySettings {
  readonly environment: string;
  readonly side: 'writer' | 'standby';
  /** This function's region. */
  readonly region: string;
  /** The writer writes only while this region's active-region record names this region. */
  readonly activeRegionParameter: string;
  /** Where this run's result is kept, in this region (read by the readiness function). */
  readonly stateParameter: string;
  /** Time allowed to each store's write or read. */
  readonly storeTimeoutMs: number;
  /** PostgreSQL: this region's postgres-control function (heartbeat / lastBeat). */
  readonly rds?: { readonly functionName: string };
  /** S3: the replicated bucket of this region and the canary's key under `canary/`. */
  readonly s3?: { readonly bucket: string; readonly key: string };
  /** Kafka: the bootstrap servers parameter of this region's cluster, the canary topic, the reader's group. */
  readonly msk?: {
    readonly bootstrapServersParameter: string;
    readonly topic: string;
    readonly groupId: string;
  };
  /** Cache: this region's endpoint parameter (host:port), the AUTH token secret, the canary key. */
  readonly elasticache?: {
    readonly endpointParameter: string;
    readonly authSecretName: string;
    readonly key: string;
  };
}
