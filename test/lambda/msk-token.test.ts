import { generateAuthToken, generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { generateMskAuthToken } from '../../lambda/kafka-topics/msk-token';

/**
 * The kafka-topics handler signs its MSK IAM token itself (lambda/kafka-topics/msk-token.ts)
 * instead of importing aws-msk-iam-sasl-signer-js; the token must stay byte for byte the library's.
 */
describe('MSK IAM auth token', () => {
  const now = new Date('2026-03-04T05:06:07.000Z');
  beforeEach(() => {
    // Only the clock: both signers await promises and the credential chain reads the environment.
    jest.useFakeTimers({
      now,
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
  });
  afterEach(() => jest.useRealTimers());

  const decode = (token: string) => new URL(Buffer.from(token, 'base64url').toString('utf8'));

  it.each([
    ['long-lived keys', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/with+chars=' }],
    [
      'session credentials expiring within the 900 s',
      {
        accessKeyId: 'ASIAEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        sessionToken: 'FwoGZXIvYXdzEBYaDH+token/with=padding==',
        expiration: new Date(now.getTime() + 300_000),
      },
    ],
    [
      'session credentials expiring later',
      {
        accessKeyId: 'ASIAEXAMPLE',
        secretAccessKey: 'secret',
        sessionToken: 'token',
        expiration: new Date(now.getTime() + 3_600_000),
      },
    ],
  ])('equals the library token for %s', async (_, credentials) => {
    const provider = async () => credentials;
    for (const region of ['eu-west-1', 'us-east-1']) {
      const ours = await generateMskAuthToken(region, provider);
      const theirs = await generateAuthTokenFromCredentialsProvider({
        region,
        awsCredentialsProvider: provider,
      });
      expect(ours).toEqual(theirs);
    }
  });

  it('signs for kafka-cluster:Connect on the regional endpoint, 900 s, with the signer user agent', async () => {
    const { token, expiryTime } = await generateMskAuthToken('eu-west-1', async () => ({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
    }));
    const url = decode(token);
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'AKIDEXAMPLE/20260304/eu-west-1/kafka-cluster/aws4_request',
    );
    expect(url.searchParams.get('User-Agent')).toBe('aws-msk-iam-sasl-signer-js/1.0.3');
    expect(expiryTime).toBe(now.getTime() + 900_000);
    expect(token).not.toMatch(/[=+/]/);
  });

  it('takes credentials from the default chain (the environment in Lambda) like the library', async () => {
    const saved = { ...process.env };
    // Only the environment step of the chain may answer: no profile, container or instance credentials.
    for (const name of Object.keys(process.env)) {
      if (name === 'AWS_PROFILE' || name.startsWith('AWS_CONTAINER_CREDENTIALS_')) delete process.env[name];
    }
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENT',
      AWS_SECRET_ACCESS_KEY: 'environment-secret',
      AWS_SESSION_TOKEN: 'environment-token',
    });
    try {
      const ours = await generateMskAuthToken('eu-central-1');
      expect(ours).toEqual(await generateAuthToken({ region: 'eu-central-1' }));
      expect(decode(ours.token).searchParams.get('X-Amz-Security-Token')).toBe('environment-token');
    } finally {
      process.env = saved;
    }
  });

  it('refuses what the library refuses', async () => {
    const provider = async () => ({ accessKeyId: '', secretAccessKey: 'x' });
    await expect(generateMskAuthToken('', provider)).rejects.toThrow(
      'Region cannot be empty to generate auth token.',
    );
    await expect(generateMskAuthToken('eu-west-1', provider)).rejects.toThrow(
      'AWS credentials cannot be empty to generate auth token.',
    );
  });
});
