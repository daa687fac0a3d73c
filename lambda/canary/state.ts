import { STORE_NAMES, type StoreName } from '../readiness/metrics';

/**
 * The canary's contract with the readiness function: what one run did with each
 * replicated store, kept in an SSM parameter of its own region (`/dra/{env}/canary/state`).
 * The writer's side says whether its writes went through (data-plane evidence); the
 * standby's side says when the newest canary it could read was written (the measured
 * replication lag). Readiness reads the writer's over the network and the standby's in
 * its own region, so an evaluation during an outage still has the standby's last
 * measurement.
 */

/** The canary is written every minute (an EventBridge rate(1 minute) rule). */
export const CANARY_INTERVAL_SECONDS = 60;

/** A state older than this says the canary has stopped running: readiness ignores it. */
export const CANARY_FRESH_SECONDS = 180;

/**
 * What happened to one store in one run:
 * - ok: written (writer) or read (standby);
 * - unreachable: the store did not answer (refused, DNS, timeout, connection lost);
 * - rejected: it answered and refused the write or read (read-only, out of memory, not enough replicas...);
 * - throttled / server-error: an AWS API answered 429/throttling or 5xx (S3, Lambda);
 * - denied: authentication or permissions: the canary's own configuration, never an outage;
 * - missing: the standby found no canary at all (nothing has reached it yet);
 * - skipped: the writer's side did not write on purpose (this region is not the active one, or its database is fenced);
 * - error: the canary could not run this store (settings, credentials, a bug).
 */
export type CanaryOutcome =
  | 'ok'
  | 'unreachable'
  | 'rejected'
  | 'throttled'
  | 'server-error'
  | 'denied'
  | 'missing'
  | 'skipped'
  | 'error';

export const CANARY_OUTCOMES: readonly CanaryOutcome[] = [
  'ok',
  'unreachable',
  'rejected',
  'throttled',
  'server-error',
  'denied',
  'missing',
  'skipped',
  'error',
];

/** Outcomes of a write that are evidence against the store's data plane (the others are not). */
export const DATA_PLANE_FAILURES: ReadonlySet<CanaryOutcome> = new Set(['unreachable', 'rejected']);

/**
 * The CanaryResult metric per store: 0 ok, 1 the store refused, timed out or rejected
 * the canary, 2 an AWS API throttled or failed (5xx), 3 the canary could not do its
 * work (configuration, permissions, nothing to read). A skipped store publishes none.
 */
export const RESULT_VALUE: Readonly<Record<CanaryOutcome, number | undefined>> = {
  ok: 0,
  unreachable: 1,
  rejected: 1,
  throttled: 2,
  'server-error': 2,
  denied: 3,
  missing: 3,
  error: 3,
  skipped: undefined,
};

export interface StoreCanary {
  readonly outcome: CanaryOutcome;
  /** When this store was tried (ISO). */
  readonly at: string;
  /** Why, when not ok (at most DETAIL_LENGTH characters). */
  readonly detail?: string;
  /** Standby: when the newest canary it read was written on the writer (ISO). */
  readonly newestWrittenAt?: string;
  /** Standby: `at` minus `newestWrittenAt`, seconds (the measured lag at read time). */
  readonly lagSeconds?: number;
}

export interface CanaryState {
  readonly side: 'writer' | 'standby';
  readonly region: string;
  /** When the run started (ISO). */
  readonly ranAt: string;
  readonly stores: Partial<Record<StoreName, StoreCanary>>;
}

/** Keeps four stores' details within a standard parameter's 4 KB. */
export const DETAIL_LENGTH = 300;

const isDate = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));

/** Validates a stored state; a string is the problem (named field, value, expectation). */
export function parseCanaryState(raw: string | undefined): CanaryState | string {
  if (raw === undefined) return 'no canary state has been written';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return `canary state is not JSON: ${JSON.stringify(raw.slice(0, 80))}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return `canary state is not an object: ${JSON.stringify(raw.slice(0, 80))}`;
  const { side, region, ranAt, stores } = parsed as Record<string, unknown>;
  if (side !== 'writer' && side !== 'standby')
    return `canary state side must be "writer" or "standby", got ${JSON.stringify(side)}`;
  if (typeof region !== 'string' || region.length === 0 || region.length > 40)
    return `canary state region must be a region name, got ${JSON.stringify(region)}`;
  if (!isDate(ranAt)) return `canary state ranAt must be an ISO date, got ${JSON.stringify(ranAt)}`;
  if (typeof stores !== 'object' || stores === null || Array.isArray(stores))
    return `canary state stores must be an object keyed by store, got ${JSON.stringify(stores)}`;
  const out: Partial<Record<StoreName, StoreCanary>> = {};
  for (const [store, value] of Object.entries(stores)) {
    if (!(STORE_NAMES as readonly string[]).includes(store))
      return `canary state has an unknown store ${JSON.stringify(store.slice(0, 40))} (expected one of ${STORE_NAMES.join(', ')})`;
    const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const bad = (field: string) =>
      `canary state stores.${store}.${field} is invalid: ${JSON.stringify(v[field])?.slice(0, 80)}`;
    if (!(CANARY_OUTCOMES as readonly unknown[]).includes(v.outcome)) return bad('outcome');
    if (!isDate(v.at)) return bad('at');
    if (v.detail !== undefined && typeof v.detail !== 'string') return bad('detail');
    if (v.newestWrittenAt !== undefined && !isDate(v.newestWrittenAt)) return bad('newestWrittenAt');
    if (
      v.lagSeconds !== undefined &&
      (typeof v.lagSeconds !== 'number' || !Number.isFinite(v.lagSeconds) || v.lagSeconds < 0)
    )
      return bad('lagSeconds');
    out[store as StoreName] = {
      outcome: v.outcome as CanaryOutcome,
      at: v.at,
      ...(v.detail === undefined ? {} : { detail: (v.detail as string).slice(0, DETAIL_LENGTH) }),
      ...(v.newestWrittenAt === undefined ? {} : { newestWrittenAt: v.newestWrittenAt as string }),
      ...(v.lagSeconds === undefined ? {} : { lagSeconds: v.lagSeconds as number }),
    };
  }
  return { side, region, ranAt, stores: out };
}

/** What the writer puts in S3, Kafka and the cache: who wrote it and when. */
export interface CanaryRecord {
  readonly canary: 'dual-region-analytics';
  readonly store: StoreName;
  readonly region: string;
  readonly writtenAt: string;
}

export function canaryRecord(store: StoreName, region: string, now: Date): string {
  const record: CanaryRecord = {
    canary: 'dual-region-analytics',
    store,
    region,
    writtenAt: now.toISOString(),
  };
  return JSON.stringify(record);
}

/** The write time of a canary read back; throws a described error when it is not one. */
export function canaryWrittenAt(raw: string, store: StoreName): Date {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new CanaryFormatError(`the ${store} canary is not JSON: ${JSON.stringify(raw.slice(0, 80))}`);
  }
  const writtenAt = (parsed as Partial<CanaryRecord> | null)?.writtenAt;
  if (!isDate(writtenAt))
    throw new CanaryFormatError(
      `the ${store} canary has no writtenAt date: ${JSON.stringify(raw.slice(0, 80))}`,
    );
  return new Date(writtenAt);
}

/** A canary that was read but is not one of ours (the canary's fault, never the store's). */
export class CanaryFormatError extends Error {
  override name = 'CanaryFormatError';
}
