import type { ReadinessReport } from './report';

/** Kept between runs (an SSM parameter in the evaluating region). */
export interface DecisionState {
  readonly consecutivePrimaryFailures: number;
  readonly lastEvaluatedAt?: string;
}

export interface Decision {
  readonly state: DecisionState;
  readonly failoverRecommended: boolean;
  readonly reason: string;
}

export const INITIAL_STATE: DecisionState = { consecutivePrimaryFailures: 0 };

/**
 * Decides whether to recommend failover, avoiding false alarms:
 * - only checks marked primaryFault with status "failed" count against the primary;
 * - "unknown" (timeouts, throttling, API errors) neither counts nor resets: it
 *   tells nothing about the primary;
 * - a healthy or degraded primary resets the count, so flapping never adds up;
 * - only the DR region recommends (the primary cannot judge its own outage),
 *   after `required` consecutive failed evaluations.
 */
export function decide(
  previous: DecisionState,
  report: ReadinessReport,
  options: { required: number; evaluatingRole: 'primary' | 'dr' },
): Decision {
  const primaryChecks = report.checks.filter(
    (c) => c.primaryFault || ['rds', 'elasticache', 'msk'].includes(c.name),
  );
  const failed = report.checks.filter((c) => c.primaryFault && c.status === 'failed');
  const unknown = primaryChecks.filter((c) => c.status === 'unknown');
  let count = previous.consecutivePrimaryFailures;
  let why: string;
  if (failed.length > 0) {
    count += 1;
    why = `primary failing: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`;
  } else if (unknown.length > 0 && unknown.length === primaryChecks.length) {
    why = `primary health unknown this time (${unknown.map((c) => c.name).join(', ')}); count kept at ${count}`;
  } else {
    count = 0;
    why = 'primary healthy';
  }
  const state = { consecutivePrimaryFailures: count, lastEvaluatedAt: report.checkedAt };
  const recommended = options.evaluatingRole === 'dr' && count >= options.required;
  const reason = recommended
    ? `failover recommended: ${count} consecutive failed evaluations of the primary (threshold ${options.required}); ${why}`
    : options.evaluatingRole === 'primary'
      ? `evaluated from the primary region, which never recommends its own failover; ${why}`
      : `${count}/${options.required} consecutive failed evaluations; ${why}`;
  return { state, failoverRecommended: recommended, reason };
}
