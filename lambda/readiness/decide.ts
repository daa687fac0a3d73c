import { STORE_NAMES, type StoreName } from './metrics';
import { type Assessment, type Decision, WRITE_PATH } from './types';

export { WRITE_PATH } from './types';

/** A store's lag as last read while the writer's side of its check answered. */
export interface LastKnownLag {
  readonly lagSeconds: number;
  readonly at: string;
}

/** Kept between runs (an SSM parameter in the evaluating region). */
export interface DecisionState {
  readonly consecutivePrimaryFailures: number;
  /** Consecutive brownout evaluations (5xx, not throttling, from two or more write-path services). */
  readonly consecutiveBrownouts?: number;
  readonly lastEvaluatedAt?: string;
  /** Per store: the last lag read while the writer answered (what was replicated before an outage). */
  readonly lastKnownLag?: Partial<Record<StoreName, LastKnownLag>>;
}

/** A stored lag above this (about 30 years) is not a lag. */
export const MAX_LAG_SECONDS = 1e9;

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
  const {
    consecutivePrimaryFailures: count,
    consecutiveBrownouts: brownouts,
    lastEvaluatedAt: at,
  } = parsed as Record<string, unknown>;
  const isCount = (v: unknown): v is number =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT;
  if (!isCount(count))
    return {
      state: INITIAL_STATE,
      problem: `consecutivePrimaryFailures must be an integer from 0 to ${MAX_COUNT}, got ${JSON.stringify(count)}`,
    };
  if (brownouts !== undefined && !isCount(brownouts))
    return {
      state: INITIAL_STATE,
      problem: `consecutiveBrownouts must be an integer from 0 to ${MAX_COUNT}, got ${JSON.stringify(brownouts)}`,
    };
  if (at !== undefined && !isDate(at))
    return {
      state: INITIAL_STATE,
      problem: `lastEvaluatedAt must be an ISO date, got ${JSON.stringify(at)}`,
    };
  const known = (parsed as Record<string, unknown>).lastKnownLag;
  const lastKnown = parseLastKnown(known);
  if (typeof lastKnown === 'string') return { state: INITIAL_STATE, problem: lastKnown };
  return {
    state: {
      consecutivePrimaryFailures: count,
      ...(brownouts ? { consecutiveBrownouts: brownouts } : {}),
      ...(at === undefined ? {} : { lastEvaluatedAt: at }),
      ...(lastKnown === undefined ? {} : { lastKnownLag: lastKnown }),
    },
  };
}

const isDate = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));

/** `{ <store>: { lagSeconds: 0..MAX_LAG_SECONDS, at: ISO } }` for known stores only; a string is the problem. */
function parseLastKnown(raw: unknown): DecisionState['lastKnownLag'] | string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return `lastKnownLag must be an object keyed by store, got ${JSON.stringify(raw)?.slice(0, 80)}`;
  const out: Partial<Record<StoreName, LastKnownLag>> = {};
  for (const [store, value] of Object.entries(raw)) {
    if (!(STORE_NAMES as readonly string[]).includes(store))
      return `lastKnownLag has an unknown store ${JSON.stringify(store.slice(0, 40))} (expected one of ${STORE_NAMES.join(', ')})`;
    const { lagSeconds, at } = (typeof value === 'object' && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    if (
      typeof lagSeconds !== 'number' ||
      !Number.isFinite(lagSeconds) ||
      lagSeconds < 0 ||
      lagSeconds > MAX_LAG_SECONDS ||
      !isDate(at)
    )
      return `lastKnownLag.${store} must be {"lagSeconds": 0..${MAX_LAG_SECONDS}, "at": <ISO date>}, got ${JSON.stringify(value)?.slice(0, 80)}`;
    out[store as StoreName] = { lagSeconds, at };
  }
  return out;
}

/**
 * The stores' last known lags after this evaluation: a store's lag read now
 * replaces the stored one only while the writer's side of its check answered
 * and was healthy (during an outage, a data-plane failure included, or once the
 * writer instance failed while its region answers, the stored one, from before,
 * is kept: the lag read then only measures how long the writer has been down,
 * as RDS ReplicaLag does).
 */
export function lastKnownAfter(previous: DecisionState, a: Assessment): DecisionState['lastKnownLag'] {
  const out: Partial<Record<StoreName, LastKnownLag>> = { ...previous.lastKnownLag };
  for (const check of a.checks) {
    const rpo = check.rpo;
    if (rpo && rpo.lagSeconds !== null && check.writerAnswered === true && check.writer === 'healthy')
      out[rpo.store] = {
        lagSeconds: Math.min(Math.max(rpo.lagSeconds, 0), MAX_LAG_SECONDS),
        at: a.checkedAt,
      };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export type Verdict = 'failing' | 'brownout' | 'healthy' | 'unknown';

/** Write-path checks whose writer calls were answered with server errors (HTTP 5xx, not throttling). */
export function serverErrors(a: Assessment): string[] {
  return a.checks
    .filter((c) => WRITE_PATH.has(c.name) && c.writer === 'unknown' && c.writerCause === 'server')
    .map((c) => c.name);
}

/**
 * What one evaluation says about the writer:
 * - failing: its region does not answer while the standby's does (a regional
 *   outage), or one write-path store (RDS, MSK, ElastiCache) is in a terminal
 *   failed status, does not answer while the rest of the region does, or fails
 *   the canary's writes while its control plane says healthy (a single-service
 *   or data-plane outage: counted the same way, and named in the reason, so the
 *   operator can choose an in-region fix instead);
 * - brownout: two or more write-path services answer with server errors (HTTP
 *   5xx, not throttling), while the standby answers: counted apart, over a
 *   longer run of evaluations (`brownoutEvaluationsToRecommend`);
 * - healthy: a write-path store answered and none is failing (maintenance
 *   states are healthy);
 * - unknown: throttling, a single service's 5xx, an impaired standby, or nothing answered.
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
  const erroring = serverErrors(a);
  if (erroring.length >= 2 && a.standbyAnswered)
    return {
      verdict: 'brownout',
      why: `brownout in the writer's region ${a.writerRegion.region}: ${erroring.join(', ')} answer with server errors (HTTP 5xx)`,
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
 * restarts. Brownout evaluations have their own count, kept (not reset) by
 * failing and unknown ones and reset by healthy ones; failing ones likewise keep
 * the brownout count, and brownout ones keep the failure count. Only the standby
 * recommends (the writer cannot judge its own outage), after `required`
 * consecutive failing evaluations or `brownoutRequired` brownout ones.
 */
export function decide(
  previous: DecisionState,
  assessment: Assessment,
  options: { required: number; brownoutRequired: number; evaluatingRole: 'primary' | 'dr' },
): { state: DecisionState; decision: Decision } {
  const { verdict: v, why } = verdict(assessment);
  const last = previous.lastEvaluatedAt ? Date.parse(previous.lastEvaluatedAt) : undefined;
  const stale =
    last !== undefined &&
    Date.parse(assessment.checkedAt) - last > STALE_AFTER_MS &&
    (previous.consecutivePrimaryFailures > 0 || (previous.consecutiveBrownouts ?? 0) > 0);
  let count = stale ? 0 : previous.consecutivePrimaryFailures;
  let brownouts = stale ? 0 : (previous.consecutiveBrownouts ?? 0);
  let reason: string;
  if (v === 'failing') {
    count = Math.min(count + 1, MAX_COUNT);
    reason = `writer failing: ${why}`;
  } else if (v === 'brownout') {
    brownouts = Math.min(brownouts + 1, MAX_COUNT);
    reason = `${why}; ${brownouts}/${options.brownoutRequired} consecutive brownout evaluations`;
  } else if (v === 'unknown') {
    reason = `writer's health unknown this time (${why}); count kept at ${count}`;
  } else {
    count = 0;
    brownouts = 0;
    reason = why;
  }
  if (stale) reason += '; the previous count was stale and restarted';
  const { required, brownoutRequired } = options;
  const byFailures = count >= required;
  const byBrownout = brownouts >= brownoutRequired;
  const recommended = options.evaluatingRole === 'dr' && (byFailures || byBrownout);
  const prefix = recommended
    ? byFailures
      ? `failover recommended: ${count} consecutive failing evaluations of the writer (threshold ${required})`
      : `failover recommended: brownout, ${brownouts} consecutive evaluations with server errors from two or more write-path services (threshold ${brownoutRequired})`
    : options.evaluatingRole === 'primary'
      ? "evaluated from the writer's region, which never recommends its own failover"
      : `${count}/${required} consecutive failing evaluations`;
  const lastKnownLag = lastKnownAfter(previous, assessment);
  return {
    state: {
      consecutivePrimaryFailures: count,
      ...(brownouts > 0 ? { consecutiveBrownouts: brownouts } : {}),
      lastEvaluatedAt: assessment.checkedAt,
      ...(lastKnownLag ? { lastKnownLag } : {}),
    },
    decision: {
      failoverRecommended: recommended,
      reason: `${prefix}; ${reason}`,
      consecutiveFailures: count,
      required,
      consecutiveBrownouts: brownouts,
      brownoutRequired,
    },
  };
}
