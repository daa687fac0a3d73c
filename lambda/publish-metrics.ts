import type { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Publishes the metrics a run stored. The readiness and canary handlers emit single metrics
 * only (flushed as they are added), so they store none, and `publishStoredMetrics()` on an
 * empty buffer makes Powertools warn "No application metrics to publish" in the function's
 * log on every run, in both regions (@aws-lambda-powertools/metrics, Metrics.publishStoredMetrics).
 */
export function publishStored(metrics: Metrics): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
