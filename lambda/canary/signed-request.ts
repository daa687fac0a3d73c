import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { MskCredentialsProvider } from '../kafka-topics/msk-token';

/**
 * One SigV4-signed HTTPS request, for the two calls the canary makes outside the SDK
 * clients: S3 PutObject/GetObject of its object and Lambda Invoke of postgres-control.
 * Their SDK clients cannot be bundled here: both load the SDK's event-stream support at
 * start (S3 SelectObjectContent, Lambda InvokeWithResponseStream), which
 * lambda/bundling.json leaves out of every bundle (test/lambda/bundle-lambda.test.ts).
 * The wire format is the services' REST API: S3 API reference, PutObject and GetObject
 * (`PUT`/`GET /{Key}` on the bucket's virtual-hosted endpoint, `x-amz-content-sha256`);
 * Lambda API reference, Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations`,
 * `X-Amz-Function-Error` on a function error). A failure is raised shaped as the SDK
 * raises one (`name`, `$metadata.httpStatusCode`, or the socket error as `cause`), so
 * lambda/readiness/outcome.ts sorts it the same way.
 */
export interface SignedRequest {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly service: 's3' | 'lambda';
  readonly region: string;
  /** `https://host` (or `http://127.0.0.1:port` in tests). */
  readonly endpoint: string;
  readonly path: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface SignedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** An AWS error answered over HTTP, shaped like the SDK's. */
export class AwsHttpError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

/** The error code of an AWS error response: S3's XML `<Code>`, or Lambda's `x-amzn-ErrorType` header / JSON `Type`. */
export function errorName(response: SignedResponse): string {
  const xml = /<Code>([^<]+)<\/Code>/.exec(response.body)?.[1];
  if (xml) return xml;
  const header = response.headers.get('x-amzn-errortype')?.split(':')[0];
  if (header) return header;
  try {
    const json = JSON.parse(response.body) as { Type?: string; __type?: string; code?: string };
    return json.__type ?? json.code ?? json.Type ?? `Http${response.status}`;
  } catch {
    return `Http${response.status}`;
  }
}

export async function signedRequest(
  request: SignedRequest,
  credentials: MskCredentialsProvider,
): Promise<SignedResponse> {
  const url = new URL(request.endpoint);
  const signer = new SignatureV4({
    service: request.service,
    region: request.region,
    credentials,
    sha256: Sha256,
    // S3 signs the path as sent (no double encoding) and wants the payload hash header.
    uriEscapePath: request.service !== 's3',
    applyChecksum: request.service === 's3',
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: request.path,
    headers: {
      host: url.host,
      ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}),
      ...request.headers,
    },
    body: request.body,
  });
  const { host: _host, ...headers } = signed.headers;
  const response = await fetch(`${url.protocol}//${url.host}${request.path}`, {
    method: request.method,
    headers,
    body: request.body,
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Raises the response as an AWS error unless it is a success. */
export function ensureOk(response: SignedResponse, what: string): SignedResponse {
  if (response.status >= 200 && response.status < 300) return response;
  const name = errorName(response);
  throw new AwsHttpError(name, `${what}: ${name} (HTTP ${response.status})`, response.status);
}
