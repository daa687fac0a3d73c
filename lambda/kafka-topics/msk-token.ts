import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { formatUrl } from '@aws-sdk/util-format-url';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * The MSK IAM SASL token (OAUTHBEARER), exactly as aws-msk-iam-sasl-signer-js 1.0.3's
 * generateAuthToken({ region }) builds it: a SigV4-presigned
 * `https://kafka.<region>.amazonaws.com/?Action=kafka-cluster:Connect` URL, valid 900 s (or until the
 * credentials expire), with the signer's User-Agent appended, base64url-encoded.
 *
 * Built here from the SDK pieces the handler bundles anyway, because that library is CommonJS
 * and imports, at load, what this function never runs: the STS client (only for its
 * awsDebugCreds option), @aws-sdk/credential-providers (profile, role and Cognito providers),
 * bowser (a browser user-agent parser), its own older copy of @smithy/signature-v4 and a JS
 * SHA-256: about 110 KB of the bundle every cold start compiled.
 * test/lambda/msk-token.test.ts checks the token is byte for byte the library's.
 *
 * AWS documents SASL_OAUTHBEARER for non-Java clients by pointing to these signer libraries
 * (https://docs.aws.amazon.com/msk/latest/developerguide/configure-clients-for-iam-access-control.html);
 * it publishes no token format of its own, which is why the format is pinned to the library's by
 * that test (the library stays a devDependency), and why a signer upgrade must re-run it.
 */
export interface MskAuthToken {
  readonly token: string;
  /** When the token expires, in ms since the epoch. */
  readonly expiryTime: number;
}

/** What the token is signed with (the SDK's MskCredentialsProvider, narrowed to what is read). */
export type MskCredentialsProvider = () => Promise<{
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}>;

/** The library's identity, kept so MSK sees the same client as before (it is not signed). */
export const MSK_SIGNER_USER_AGENT = 'aws-msk-iam-sasl-signer-js/1.0.3';
const EXPIRY_SECONDS = 900;

/** The library's default chain: fromNodeProviderChain with these options, resolved per token. */
export function defaultMskCredentials(region: string): MskCredentialsProvider {
  return defaultProvider({
    maxRetries: 3,
    roleSessionName: 'MSKSASLDefaultSession',
    clientConfig: { region },
  });
}

export async function generateMskAuthToken(
  region: string,
  credentialsProvider: MskCredentialsProvider = defaultMskCredentials(region),
): Promise<MskAuthToken> {
  if (!region) throw new Error('Region cannot be empty to generate auth token.');
  const credentials = await credentialsProvider();
  if (!credentials.accessKeyId || !credentials.secretAccessKey) {
    throw new Error('AWS credentials cannot be empty to generate auth token.');
  }
  const hostname = `kafka.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 'kafka-cluster',
    region,
    credentials,
    sha256: Sha256,
    applyChecksum: false,
  });
  const ttl =
    credentials.expiration !== undefined
      ? Math.min((credentials.expiration.getTime() - Date.now()) / 1000, EXPIRY_SECONDS)
      : EXPIRY_SECONDS;
  const signed = await signer.presign(
    {
      method: 'GET',
      headers: { host: hostname },
      protocol: 'https',
      hostname,
      path: '/',
      query: { Action: 'kafka-cluster:Connect' },
    },
    { expiresIn: ttl },
  );
  const query = signed.query as Record<string, string>;
  const date = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(query['X-Amz-Date']);
  if (!date) throw new Error('Failed to parse `X-Amz-Date` from token');
  const [, y, mo, d, h, mi, s] = date.map(Number);
  query['User-Agent'] = MSK_SIGNER_USER_AGENT;
  return {
    token: Buffer.from(formatUrl(signed), 'utf-8').toString('base64url'),
    expiryTime: Date.UTC(y, mo - 1, d, h, mi, s) + ttl * 1000,
  };
}
