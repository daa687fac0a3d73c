/**
 * What a group of calls to one region produced: a value, or why not. The
 * readiness decision depends on telling "the region does not answer" (evidence
 * of an outage when the other region answers) from "the region answered with
 * an error" (throttling, 5xx, access denied: it is up, we just cannot tell).
 */
export type Failure = 'unreachable' | 'unknown';
/**
 * Why, within a kind: `network` and `timeout` are the two ways of not answering
 * (kind `unreachable`); `throttled` (HTTP 429 or a throttling error name),
 * `server` (HTTP 5xx, not throttling) and `client` (any other answered error:
 * access denied, validation, not found) are answers (kind `unknown`). The
 * brownout rule (lambda/readiness/decide.ts) counts `server` only: throttling
 * alone never recommends a failover.
 */
export type FailureCause = 'network' | 'timeout' | 'throttled' | 'server' | 'client';
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly kind: Failure; readonly reason: string; readonly cause?: FailureCause };

/*
 * Error shapes of the AWS SDK for JavaScript v3 (source: the SDK's own retry
 * classification, @smithy/core retry/service-error-classification constants,
 * and @smithy/node-http-handler, which renames ECONNREFUSED, ECONNRESET, EPIPE
 * and ETIMEDOUT socket errors, and its connection/request timeouts, to
 * `name: "TimeoutError"` keeping `code`). Service errors carry `name` (the
 * error code) and `$metadata.httpStatusCode` (SDK v3 developer guide, "Error
 * handling"): those mean the endpoint answered.
 */
export const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
export const THROTTLING_NAMES = new Set([
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
]);

/** An HTTP status that means throttling, whatever the error's name. */
const THROTTLING_STATUS = 429;
/** From this HTTP status on, the server failed (5xx). */
const SERVER_ERROR_STATUS = 500;

/**
 * The rules an answer with an HTTP status is judged by, as data: the runbooks'
 * Python gets them injected at synth time (lib/runbooks/classification.ts), so
 * the readiness function and the runbooks cannot drift apart.
 */
export const ANSWER_CLASSIFICATION = {
  throttlingNames: [...THROTTLING_NAMES].sort(),
  throttlingStatus: THROTTLING_STATUS,
  serverErrorStatus: SERVER_ERROR_STATUS,
} as const;

/** Raised by `withTimeout` when a call group outlives its time. */
export class CallTimeout extends Error {
  override name = 'CallTimeout';
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: { code?: string };
}

/** Sorts an error into "the endpoint did not answer" or "it answered, but we cannot tell", and why. */
export function classifyError(error: unknown): { kind: Failure; reason: string; cause: FailureCause } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const code = e.code ?? e.cause?.code;
  const status = e.$metadata?.httpStatusCode;
  const text = `${name}${code && code !== name ? ` ${code}` : ''}: ${e.message ?? String(error)}`;
  if (error instanceof CallTimeout)
    return { kind: 'unreachable', reason: e.message ?? 'timed out', cause: 'timeout' };
  // An HTTP status means a server answered, whatever the error says.
  if (status !== undefined) {
    if (status === THROTTLING_STATUS || THROTTLING_NAMES.has(name))
      return { kind: 'unknown', reason: `throttled (${text})`, cause: 'throttled' };
    if (status >= SERVER_ERROR_STATUS)
      return { kind: 'unknown', reason: `server error ${status} (${text})`, cause: 'server' };
    return { kind: 'unknown', reason: text, cause: 'client' };
  }
  if (THROTTLING_NAMES.has(name))
    return { kind: 'unknown', reason: `throttled (${text})`, cause: 'throttled' };
  if (name === 'TimeoutError' || (code !== undefined && NETWORK_CODES.has(code)))
    return {
      kind: 'unreachable',
      reason: text,
      // The SDK names a refused or reset socket TimeoutError too; its `code` tells them apart.
      cause: code !== undefined && code !== 'ETIMEDOUT' && NETWORK_CODES.has(code) ? 'network' : 'timeout',
    };
  return { kind: 'unknown', reason: text, cause: 'client' };
}

/** Races a call group against its time; a late answer is ignored. */
export async function withTimeout<T>(run: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeout(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a call group with a timeout and never throws: the outcome says what happened. */
export async function attempt<T>(
  run: () => Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await withTimeout(run, timeoutMs, what) };
  } catch (error) {
    return { ok: false, ...classifyError(error) };
  }
}
