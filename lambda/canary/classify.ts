import { classifyError, NETWORK_CODES } from '../readiness/outcome';
import { StoreFailure } from './probes';
import { CanaryFormatError, type CanaryOutcome, DETAIL_LENGTH } from './state';

/**
 * Sorts a failed canary write or read into an outcome (lambda/canary/state.ts). Only
 * `unreachable` and `rejected` are evidence against a store; anything about who the
 * canary is (authentication, permissions) or how it is set up is `denied` or `error`,
 * so a broken canary never looks like an outage.
 *
 * - AWS SDK errors (S3, Lambda, SSM, Secrets Manager) go through the readiness
 *   classification (lambda/readiness/outcome.ts): not answering is `unreachable`;
 *   throttling, 5xx, access denied are `throttled`, `server-error`, `denied`; another
 *   answered error is `rejected`.
 * - Redis replies (ioredis ReplyError: the error word starts the message; Redis
 *   "Errors" in the protocol spec, https://redis.io/docs/latest/develop/reference/protocol-spec/#simple-errors):
 *   NOAUTH, WRONGPASS, NOPERM are `denied`; any other reply (READONLY, OOM, LOADING,
 *   MASTERDOWN, BUSY...) is `rejected`. A connection that fails or times out is `unreachable`.
 * - kafkajs errors (https://kafka.js.org/docs/errors): connection errors and request
 *   timeouts are `unreachable`; SASL authentication and *_AUTHORIZATION_FAILED protocol
 *   errors are `denied`; THROTTLING_QUOTA_EXCEEDED is `throttled`; any other protocol
 *   error is `rejected`. A retrying error is sorted by the error that ended it.
 */
export function classifyCanaryError(error: unknown): { outcome: CanaryOutcome; detail: string } {
  return { outcome: outcomeOf(error), detail: describe(error) };
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  type?: unknown;
  $metadata?: { httpStatusCode?: number };
  originalError?: unknown;
  cause?: unknown;
}

const REDIS_DENIED = /^(NOAUTH|WRONGPASS|NOPERM)\b/;
const KAFKA_UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
]);

function outcomeOf(error: unknown, depth = 0): CanaryOutcome {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (error instanceof StoreFailure) return error.outcome;
  if (error instanceof CanaryFormatError) return 'error';
  // kafkajs wraps the error that made it give up.
  if (
    depth < 3 &&
    (name === 'KafkaJSNumberOfRetriesExceeded' || name === 'KafkaJSNonRetriableError') &&
    e.originalError
  )
    return outcomeOf(e.originalError, depth + 1);
  if (e.$metadata?.httpStatusCode !== undefined) {
    const c = classifyError(error);
    if (c.cause === 'throttled') return 'throttled';
    if (c.cause === 'server') return 'server-error';
    const status = e.$metadata.httpStatusCode;
    if (status === 401 || status === 403 || /AccessDenied|Unauthorized|Forbidden/.test(name)) return 'denied';
    return 'rejected';
  }
  if (name === 'KafkaJSSASLAuthenticationError') return 'denied';
  if (name === 'KafkaJSProtocolError') {
    const type = typeof e.type === 'string' ? e.type : '';
    if (/AUTHORIZATION_FAILED|SASL_AUTHENTICATION_FAILED/.test(type)) return 'denied';
    if (type === 'THROTTLING_QUOTA_EXCEEDED') return 'throttled';
    return 'rejected';
  }
  if (KAFKA_UNREACHABLE.has(name)) return 'unreachable';
  if (name === 'ReplyError') return REDIS_DENIED.test(message) ? 'denied' : 'rejected';
  const c = classifyError(error);
  if (c.kind === 'unreachable') return 'unreachable';
  if (code && NETWORK_CODES.has(code)) return 'unreachable';
  // ioredis without a connection: "Connection is closed.", "Stream isn't writeable...", "Command timed out".
  if (/Connection is closed|isn't writeable|Command timed out|connect ETIMEDOUT|timed out/i.test(message))
    return 'unreachable';
  return 'error';
}

function describe(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const name =
    typeof e.name === 'string' && e.name !== 'Error' && !(error instanceof StoreFailure) ? `${e.name}: ` : '';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' && !message.includes(e.code) ? ` (${e.code})` : '';
  return `${name}${message}${code}`.slice(0, DETAIL_LENGTH);
}
