import type { Assessment, Decision } from './report';

/** Kept between runs (an SSM parameter in the evaluating region). */
export interface DecisionState {
  readonly consecutivePrimaryFailures: number;
  readonly lastEvaluatedAt?: string;
}

export const INITIAL_STATE: DecisionState = { consecutivePrimaryFailures: 0 };

/** Counts stop here: far above any threshold, far below anything that misbehaves. */
export const MAX_COUNT = 10_000;

/** A count older than this is not "consecutive" any more (the function did not run in between). */
export const STALE_AFTER_MS = 5 * 60_000;

/**
 * Validates the stored state. Anything but `{"consecutivePrimaryFailures": <integer
 * 0..MAX_COUNT>, "lastEvaluatedAt"?: <ISO date>}` is reset to the initial state,
 * with the reason (for a logged warning).
 */
export function parseState(raw: string | undefined): { state: DecisionState; problem?: string } {
  if (raw === undefined) return { state: INITIAL_STATE };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { state: INITIAL_STATE, problem: `not JSON: ${JSON.stringify(raw.slice(0, 80))}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { state: INITIAL_STATE, problem: `not an object: ${JSON.stringify(raw.slice(0, 80))}` };
  const { consecutivePrimaryFailures: count, lastEvaluatedAt: at } = parsed as Record<string, unknown>;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_COUNT)
    return {
      state: INITIAL_STATE,
      problem: `consecutivePrimaryFailures must be an integer from 0 to ${MAX_COUNT}, got ${JSON.stringify(count)}`,
    };
  if (at !== undefined && (typeof at !== 'string' || Number.isNaN(Date.parse(at))))
    return {
      state: INITIAL_STATE,
      problem: `lastEvaluatedAt must be an ISO date, got ${JSON.stringify(at)}`,
    };
  return {
    state: { consecutivePrimaryFailures: count, ...(at === undefined ? {} : { lastEvaluatedAt: at }) },
  };
}

/** The write path: a failure of one of these in the writer's region stops the platform taking writes. */
export const WRITE_PATH = new Set(['rds', 'msk', 'elasticache']);

export type Verdict = 'failing' | 'healthy' | 'unknown';

/**
 * What one evaluation says about the writer:
 * - failing: its region does not answer while the standby's does (a regional
 *   outage), or one write-path store (RDS, MSK, ElastiCache) is in a terminal
 *   failed status or does not answer while the rest of the region does (a
 *   single-service outage: counted the same way, and named in the reason, so
 *   the operator can choose an in-region fix instead);
 * - healthy: a write-path store answered and none is failing (maintenance
 *   states are healthy);
 * - unknown: throttling, 5xx, an impaired standby, or nothing answered.
 */
export function verdict(a: Assessment): { verdict: Verdict; why: string } {
  const path = a.checks.filter((c) => WRITE_PATH.has(c.name));
  if (a.writerRegion.reachable === false)
    return {
      verdict: 'failing',
      why: `the writer's region ${a.writerRegion.region} does not answer while the standby's does`,
    };
  const broken = path.filter(
    (c) => c.writer === 'failed' || (c.writer === 'unreachable' && a.standbyAnswered),
  );
  if (broken.length > 0)
    return {
      verdict: 'failing',
      why: `single-service outage in the writer's region: ${broken.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
    };
  if (path.some((c) => c.writer === 'healthy')) return { verdict: 'healthy', why: 'writer healthy' };
  const why = !a.standbyAnswered
    ? "the standby's own region is not answering well"
    : 'no write-path check could judge the writer (throttling, server errors or timeouts)';
  return { verdict: 'unknown', why };
}

/**
 * Decides whether to recommend failover, avoiding false alarms: a failing
 * evaluation counts, a healthy one resets (so flapping never adds up), an
 * unknown one neither counts nor resets; a count older than STALE_AFTER_MS
 * restarts. Only the standby recommends (the writer cannot judge its own
 * outage), after `required` consecutive failing evaluations.
 */
export function decide(
  previous: DecisionState,
  assessment: Assessment,
  options: { required: number; evaluatingRole: 'primary' | 'dr' },
): { state: DecisionState; decision: Decision } {
  const { verdict: v, why } = verdict(assessment);
  const last = previous.lastEvaluatedAt ? Date.parse(previous.lastEvaluatedAt) : undefined;
  const stale =
    last !== undefined &&
    Date.parse(assessment.checkedAt) - last > STALE_AFTER_MS &&
    previous.consecutivePrimaryFailures > 0;
  let count = stale ? 0 : previous.consecutivePrimaryFailures;
  let reason: string;
  if (v === 'failing') {
    count = Math.min(count + 1, MAX_COUNT);
    reason = `writer failing: ${why}`;
  } else if (v === 'unknown') {
    reason = `writer's health unknown this time (${why}); count kept at ${count}`;
  } else {
    count = 0;
    reason = why;
  }
  if (stale) reason += '; the previous count was stale and restarted';
  const required = options.required;
  const recommended = options.evaluatingRole === 'dr' && count >= required;
  const prefix = recommended
    ? `failover recommended: ${count} consecutive failing evaluations of the writer (threshold ${required})`
    : options.evaluatingRole === 'primary'
      ? "evaluated from the writer's region, which never recommends its own failover"
      : `${count}/${required} consecutive failing evaluations`;
  return {
    state: { consecutivePrimaryFailures: count, lastEvaluatedAt: assessment.checkedAt },
    decision: {
      failoverRecommended: recommended,
      reason: `${prefix}; ${reason}`,
      consecutiveFailures: count,
      required,
    },
  };
}
