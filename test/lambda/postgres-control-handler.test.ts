import * as net from 'node:net';
import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type ControlSettings,
  connectToRds,
  run,
  settingsFromEnv,
} from '../../lambda/postgres-control/handler';
import { parseRequest } from '../../lambda/postgres-control/request';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:rds!db-1234-AbCdEf';

/** A TCP server that answers PostgreSQL's SSLRequest with 'N' (no TLS), like a server without ssl. */
async function plaintextOnlyServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.once('data', () => socket.end('N'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('postgres-control request validation', () => {
  it('accepts the four actions and refuses anything else, naming the allowed values', () => {
    expect(parseRequest({ action: 'status' })).toEqual({ action: 'status' });
    expect(parseRequest({ action: 'catchUp', targetLsn: '0/3000060' })).toEqual({
      action: 'catchUp',
      targetLsn: '0/3000060',
    });
    expect(parseRequest({ action: 'promote' })).toEqual({
      error: expect.stringContaining('action is "promote"; use one of status, fence, catchUp, unfence'),
    });
    expect(parseRequest(undefined)).toEqual({ error: expect.stringContaining('action is undefined') });
    expect(parseRequest({ action: 'catchUp', targetLsn: '0/1', markerId: 'x' })).toEqual({
      error: expect.stringContaining('markerId is "x"'),
    });
  });

  it('reads its settings from the environment the construct sets', () => {
    expect(
      settingsFromEnv({
        DB_HOST: 'db.example',
        DB_PORT: '5432',
        DB_NAME: 'postgres',
        AWS_REGION: 'us-west-2',
        CONTROL_USER: 'dra_control',
      }),
    ).toEqual({
      host: 'db.example',
      port: 5432,
      database: 'postgres',
      region: 'us-west-2',
      controlUser: 'dra_control',
      masterSecretArn: undefined,
    });
  });
});

describe('postgres-control adapter', () => {
  const secrets = mockClient(SecretsManagerClient);
  const saved = { ...process.env };
  let server: { port: number; close: () => Promise<void> };
  const settings = (extra: Partial<ControlSettings> = {}): ControlSettings => ({
    host: '127.0.0.1',
    port: server.port,
    database: 'postgres',
    region: 'us-east-1',
    controlUser: 'dra_control',
    ...extra,
  });

  beforeAll(async () => {
    server = await plaintextOnlyServer();
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await server.close();
  });
  beforeEach(() => secrets.reset());

  it('insists on TLS: a server without it is refused, with the step and the fix named', async () => {
    secrets.on(GetSecretValueCommand).resolves({
      $metadata: {},
      ARN: SECRET_ARN,
      SecretString: JSON.stringify({ username: 'dra_admin', password: 'p' }),
    } satisfies GetSecretValueCommandOutput);
    const result = await run(
      { action: 'status' },
      { settings: settings({ masterSecretArn: SECRET_ARN }), connect: connectToRds },
    );
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /Connecting to 127\.0\.0\.1:\d+\/postgres as dra_admin \(master secret, TLS\) failed: .*SSL.*security group/,
      ),
    });
    expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: SECRET_ARN });
  });

  it('signs an IAM token for dra_control when there is no master secret, and says how to create the role', async () => {
    const result = await run({ action: 'status' }, { settings: settings(), connect: connectToRds });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /as dra_control \(IAM token, TLS\) failed: .*invoke the writer region's postgres-control function once/,
      ),
    });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('names the secret and the permissions when the secret cannot be read', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const result = await run(
      { action: 'fence' },
      { settings: settings({ masterSecretArn: SECRET_ARN }), connect: connectToRds },
    );
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /Reading the master secret arn:aws:secretsmanager.* failed: User is not authorized\. .*secretsmanager:GetSecretValue.*kms:Decrypt/,
      ),
    });
  });

  it('refuses a secret without username and password', async () => {
    secrets.on(GetSecretValueCommand).resolves({
      $metadata: {},
      ARN: SECRET_ARN,
      SecretString: '{"engine":"postgres"}',
    } satisfies GetSecretValueCommandOutput);
    const result = await run(
      { action: 'status' },
      { settings: settings({ masterSecretArn: SECRET_ARN }), connect: connectToRds },
    );
    expect(result).toEqual({ ok: false, error: expect.stringContaining('has no username/password fields') });
  });

  it('answers a bad request without connecting', async () => {
    const connect = jest.fn();
    expect(await run({ action: 'catchUp' }, { settings: settings(), connect })).toEqual({
      ok: false,
      error: expect.stringContaining('targetLsn is undefined'),
    });
    expect(connect).not.toHaveBeenCalled();
  });
});
