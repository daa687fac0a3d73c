/**
 * Metric names and dimensions the readiness function publishes (EMF) and the
 * alarms and dashboard query. One place, imported by the handler and by the
 * constructs, so the two cannot drift (the "EMF versus alarms" tests in test/lib/operations.spec.ts prove it).
 */

import { METRICS_NAMESPACE } from '../metrics-namespace';

export { METRICS_NAMESPACE };

/** Powertools `serviceName`, published as the `service` dimension. */
export const READINESS_SERVICE = 'readiness';

export const CHECK_NAMES = [
  'rds',
  'elasticache',
  'msk',
  's3',
  'redshift',
  'emr',
  'catalog',
  'active-region',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const STORE_NAMES = ['rds', 'elasticache', 'msk', 's3'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

export const READINESS_METRICS = {
  /** Per check {service, environment, check}: 0 healthy, 1 degraded, 2 failed, 3 unknown. */
  checkStatus: 'CheckStatus',
  /** Per check {service, environment, check}: the measured value, when there is one. */
  checkValue: 'CheckValue',
  /** {service, environment}: worst known lag (published only when one is known). */
  estimatedRpo: 'EstimatedRpoSeconds',
  /** {service, environment}: 1 when every replicated store's lag was read, else 0. Always published. */
  rpoComplete: 'RpoComplete',
  /** {service, environment, store}: one store's lag in seconds (published when read). */
  storeLag: 'StoreLagSeconds',
  /** {service, environment}: 1 on every evaluation; the heartbeat alarm breaches on missing data. */
  heartbeat: 'Evaluations',
  failoverRecommended: 'FailoverRecommended',
  /**
   * {service, environment}: 1 when this evaluation reached no verdict on the writer
   * (its write-path checks answered with errors: throttling, HTTP 5xx; or the
   * standby could not judge), else 0. Always published.
   */
  writerVerdictUnknown: 'WriterVerdictUnknown',
  consecutiveFailures: 'WriterConsecutiveFailures',
  /**
   * {service, environment}: 1 when the MSK Replicator looks healthy, 0 when it has lost a
   * cluster (KafkaClusterPingSuccessCount 0 or missing) or reads a latency of 0 while its
   * MessageLag grows; published only when a Replicator is configured and was read.
   */
  replicatorHealthy: 'ReplicatorHealthy',
} as const;

/** 0 healthy, 1 degraded, 2 failed, 3 unknown: the CheckStatus value of each status. */
export const STATUS_VALUE = { healthy: 0, degraded: 1, failed: 2, unknown: 3 } as const;

/** The dimensions of each metric family, in the order the alarms name them. */
export function readinessDimensions(
  environment: string,
  extra: { check?: string; store?: string } = {},
): Record<string, string> {
  return {
    service: READINESS_SERVICE,
    environment,
    ...(extra.check ? { check: extra.check } : {}),
    ...(extra.store ? { store: extra.store } : {}),
  };
}
