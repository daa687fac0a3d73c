import {
  CANARY_FRESH_SECONDS,
  CANARY_INTERVAL_SECONDS,
  type CanaryState,
  DATA_PLANE_FAILURES,
  parseCanaryState,
} from '../canary/state';
import type { StoreName } from './metrics';
import type { Outcome } from './outcome';
import type { ReadinessSettings } from './settings';

export { CANARY_INTERVAL_SECONDS } from '../canary/state';

/** The canary states of both regions as this evaluation read them (the raw parameter values). */
export interface CanaryObservation {
  readonly writer: Outcome<string | undefined>;
  readonly standby: Outcome<string | undefined>;
}

export interface CanaryJudgement {
  /** The standby's measurement, fresh and successful. */
  readonly measured?: { lagSeconds: number; measuredAt: string; newestWrittenAt: string };
  /** Why there is no measurement. */
  readonly notMeasured?: string;
  /**
   * The writer's canary write to this store failed in a way that is evidence against the
   * store's data plane (refused, timed out, rejected) in a fresh run in which another
   * store's write went through (so the canary itself could reach its stores).
   */
  readonly dataPlaneFailure?: string;
  /** Anything else worth saying about the writer's side (skipped, not running, denied). */
  readonly writerNote?: string;
}

const age = (now: Date, iso: string) => (now.getTime() - Date.parse(iso)) / 1000;

function freshState(
  o: Outcome<string | undefined>,
  side: 'writer' | 'standby',
  region: string,
  now: Date,
): CanaryState | string {
  if (!o.ok) return `the ${side}'s canary state in ${region} was not read (${o.reason})`;
  const parsed = parseCanaryState(o.value);
  if (typeof parsed === 'string') return `${side} canary in ${region}: ${parsed}`;
  if (parsed.side !== side)
    return `the canary state in ${region} is the ${parsed.side}'s, not the ${side}'s (a failover generation not deployed yet?)`;
  const old = age(now, parsed.ranAt);
  if (old > CANARY_FRESH_SECONDS)
    return `the ${side}'s canary in ${region} last ran at ${parsed.ranAt} (${Math.round(old)} s ago): it is not running`;
  return parsed;
}

/**
 * What the canary says about one store. The figure is the standby's: the age of the
 * newest canary it read, at the time it read it. The evidence is the writer's: a write
 * that failed. Neither is used when its run is older than CANARY_FRESH_SECONDS (a
 * canary that stopped is never a silent pass: it is said here, and its own alarm fires).
 */
export function judgeCanary(
  store: StoreName,
  o: CanaryObservation,
  settings: ReadinessSettings,
  now: Date,
): CanaryJudgement {
  const standby = freshState(o.standby, 'standby', settings.drRegion, now);
  let measured: CanaryJudgement['measured'];
  let notMeasured: string | undefined;
  if (typeof standby === 'string') notMeasured = standby;
  else {
    const r = standby.stores[store];
    if (!r) notMeasured = `the standby's canary does not read ${store}`;
    else if (r.outcome !== 'ok' || r.lagSeconds === undefined || r.newestWrittenAt === undefined)
      notMeasured = `the standby's canary could not read ${store} at ${r.at}: ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`;
    else measured = { lagSeconds: r.lagSeconds, measuredAt: r.at, newestWrittenAt: r.newestWrittenAt };
  }
  const writer = freshState(o.writer, 'writer', settings.primaryRegion, now);
  let dataPlaneFailure: string | undefined;
  let writerNote: string | undefined;
  if (typeof writer === 'string') writerNote = writer;
  else {
    const r = writer.stores[store];
    const others = Object.entries(writer.stores).filter(([s]) => s !== store);
    const canaryReachedAnother = others.some(([, x]) => x.outcome === 'ok');
    if (!r) writerNote = `the writer's canary does not write ${store}`;
    else if (DATA_PLANE_FAILURES.has(r.outcome) && canaryReachedAnother)
      dataPlaneFailure = `the canary write at ${r.at} was ${r.outcome === 'unreachable' ? 'not answered' : 'rejected'} (${r.detail ?? r.outcome})`;
    else if (DATA_PLANE_FAILURES.has(r.outcome))
      writerNote = `the writer's canary reached none of its stores at ${r.at} (${r.detail ?? r.outcome}): its own network or setup, not counted`;
    else if (r.outcome !== 'ok')
      writerNote = `the writer's canary ${r.outcome === 'skipped' ? 'skipped' : `failed (${r.outcome})`} at ${r.at}${r.detail ? `: ${r.detail}` : ''}`;
  }
  return {
    ...(measured ? { measured } : {}),
    ...(notMeasured ? { notMeasured } : {}),
    ...(dataPlaneFailure ? { dataPlaneFailure } : {}),
    ...(writerNote ? { writerNote } : {}),
  };
}

/** The canary figure's budget: the store's, plus the interval a canary may be old with no lag at all. */
export const canaryBudget = (storeBudget: number): number => storeBudget + CANARY_INTERVAL_SECONDS;
