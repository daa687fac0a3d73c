/**
 * Why a call from the deploy tooling to AWS failed, in the words a person needs:
 * no usable credentials, no network path to the endpoint, or an answer from AWS.
 * A network failure is never reported as missing credentials: the fixes differ.
 */
export type AwsFailureKind = 'credentials' | 'network' | 'answered';

/**
 * Node's socket and DNS error codes, as the SDK's HTTP handler passes them on
 * (`getaddrinfo ENOTFOUND lambda.us-east-1.amazonaws.com`, `connect ECONNREFUSED ...`).
 */
const NETWORK_CODES: readonly string[] = [
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
];

/** Error names of a credential the SDK could not find or AWS did not accept. */
const CREDENTIAL_ERRORS: readonly string[] = [
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
];

/** Classifies an error thrown by an AWS SDK v3 client's send(). */
export function classifyAwsError(error: unknown): AwsFailureKind {
  const e = (error ?? {}) as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number } };
  const code = typeof e.code === 'string' ? e.code : '';
  // The SDK names a request or connection timeout of its HTTP handler TimeoutError.
  if (NETWORK_CODES.includes(code) || e.name === 'TimeoutError') return 'network';
  if (typeof e.name === 'string' && CREDENTIAL_ERRORS.includes(e.name)) return 'credentials';
  return 'answered';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where a call went, for the message. */
export interface AwsCallSite {
  /** e.g. "Lambda", "STS". */
  readonly service: string;
  readonly region: string;
}

/** One line saying what went wrong with a call to AWS and what to do about it. */
export function describeAwsFailure(error: unknown, site: AwsCallSite): string {
  const reason = messageOf(error);
  switch (classifyAwsError(error)) {
    case 'network':
      return `Could not reach ${site.service} in ${site.region} (${reason}). This is the network, not your credentials: check the connection, DNS, proxy or VPN, then run again.`;
    case 'credentials':
      return `No usable AWS credentials for ${site.service} in ${site.region} (${reason}). Sign in (e.g. "aws sso login --profile <profile>") or set AWS_PROFILE, then run again.`;
    case 'answered':
      return `${site.service} in ${site.region} refused the call: ${reason}`;
  }
}
