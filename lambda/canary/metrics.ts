/**
 * Metric names and dimensions the canary publishes (EMF) and its alarms and the
 * dashboard query: one place for both sides (the "EMF versus alarms" test in
 * test/lib/operations.spec.ts runs the canary and compares).
 */
import { METRICS_NAMESPACE } from '../metrics-namespace';

export { METRICS_NAMESPACE };

/** Powertools `serviceName`, published as the `service` dimension. */
export const CANARY_SERVICE = 'canary';

export const CANARY_METRICS = {
  /**
   * {service, environment, store}: what this run did with the store: 0 ok, 1 the store
   * refused, timed out or rejected the canary, 2 an AWS API throttled or failed (5xx),
   * 3 the canary could not do its work (configuration, permissions, nothing to read).
   * Not published for a store it skipped on purpose (lambda/canary/state.ts).
   */
  result: 'CanaryResult',
  /** {service, environment, store}: the standby's measured lag, seconds (age of the newest canary read). */
  lag: 'CanaryLagSeconds',
  /** {service, environment}: 1 on every run; its alarm breaches on missing data (the canary is not running). */
  runs: 'CanaryRuns',
} as const;

export function canaryDimensions(environment: string, store?: string): Record<string, string> {
  return { service: CANARY_SERVICE, environment, ...(store ? { store } : {}) };
}
