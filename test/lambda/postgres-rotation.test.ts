import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetRandomPasswordCommand,
  type GetRandomPasswordCommandOutput,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  PutSecretValueCommand,
  type PutSecretValueCommandOutput,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  type UpdateSecretVersionStageCommandOutput,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Client } from 'pg';
import { connector, secretStore } from '../../lambda/postgres-rotation/handler';
import {
  type Credentials,
  parseEvent,
  RotationError,
  type RotationStep,
  rotate,
  type SecretStore,
  STEPS,
  scramVerifier,
} from '../../lambda/postgres-rotation/rotation';
import { type PostgresServers, startPrimaryAndReplica } from '../support/postgres-servers';

const SECRET = 'dra/dev/postgres/master-g0';

/**
 * An in-memory secret with versions and staging labels, behaving as the Secrets Manager
 * rotation protocol describes (the store interface is ours; the SDK adapter is tested below).
 */
class MemorySecret implements SecretStore {
  readonly values = new Map<string, Credentials>();
  readonly stages = new Map<string, string[]>();
  rotationEnabled = true;
  private next = 0;

  constructor(initial: Credentials) {
    this.values.set('v0', initial);
    this.stages.set('v0', ['AWSCURRENT']);
  }
  /** What RotateSecret does before invoking the function: a new token, staged AWSPENDING once createSecret puts it. */
  startRotation(): string {
    return `token-${++this.next}`;
  }
  async describe() {
    return { rotationEnabled: this.rotationEnabled, versions: Object.fromEntries(this.stages) };
  }
  async get(_secretId: string, stage: string, versionId?: string) {
    const id = versionId ?? [...this.stages].find(([, s]) => s.includes(stage))?.[0];
    if (!id || !this.stages.get(id)?.includes(stage)) return undefined;
    return this.values.get(id);
  }
  async putPending(_secretId: string, token: string, value: Credentials) {
    this.values.set(token, value);
    this.stages.set(token, ['AWSPENDING']);
  }
  async moveCurrent(_secretId: string, to: string, from: string | undefined) {
    for (const [id, stages] of this.stages)
      this.stages.set(
        id,
        stages.filter((s) => s !== 'AWSPREVIOUS'),
      );
    if (from) this.stages.set(from, ['AWSPREVIOUS']);
    this.stages.set(to, ['AWSCURRENT']);
  }
  async randomPassword() {
    return `Pw${Math.random().toString(36).slice(2)}X9`;
  }
  /** RotateSecret calls the four steps in order; the tests call them through this. */
  registerToken(token: string) {
    this.stages.set(token, ['AWSPENDING']);
  }
}

describe('PostgreSQL single-user rotation against a real primary and streaming replica', () => {
  let servers: PostgresServers | undefined;
  const admin: Client[] = [];

  const superuser = async (port: number) => {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await client.connect();
    admin.push(client);
    return client;
  };
  const loginWorks = async (port: number, password: string) => {
    const session = await connector({
      host: '127.0.0.1',
      port,
      database: 'postgres',
      region: 'test-1',
      excludeCharacters: '',
      tls: false,
    })({ username: 'dra_admin', password });
    await session?.end();
    return session !== undefined;
  };
  const deps = (store: SecretStore, port = servers!.primaryPort) => ({
    store,
    host: `127.0.0.1:${port}`,
    connect: connector({
      host: '127.0.0.1',
      port,
      database: 'postgres',
      region: 'test-1',
      excludeCharacters: '',
      tls: false,
    }),
  });
  const runRotation = async (store: MemorySecret, port?: number, steps: readonly RotationStep[] = STEPS) => {
    const token = store.startRotation();
    store.registerToken(token);
    const done: string[] = [];
    for (const step of steps)
      done.push(await rotate({ Step: step, SecretId: SECRET, ClientRequestToken: token }, deps(store, port)));
    return { token, done };
  };
  const replayed = async () => {
    const primary = await superuser(servers!.primaryPort);
    const replica = await superuser(servers!.replicaPort);
    const { rows } = await primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
    for (let i = 0; i < 100; i++) {
      const r = await replica.query('SELECT pg_wal_lsn_diff($1, pg_last_wal_replay_lsn()) <= 0 AS ok', [
        rows[0].lsn,
      ]);
      if (r.rows[0].ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('replica did not replay');
  };

  beforeAll(async () => {
    servers = await startPrimaryAndReplica();
    // The master user logs in with a password (SCRAM), as on RDS; everyone else keeps trust.
    for (const data of ['primary', 'replica']) {
      const hba = path.join(servers.dir, data, 'pg_hba.conf');
      fs.writeFileSync(hba, `host all dra_admin 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, 'utf8')}`);
    }
    const primary = await superuser(servers.primaryPort);
    await primary.query("CREATE ROLE dra_admin LOGIN CREATEROLE PASSWORD 'initial-Pw1'");
    for (const port of [servers.primaryPort, servers.replicaPort])
      await (await superuser(port)).query('SELECT pg_reload_conf()');
    await replayed();
  }, 60000);

  afterAll(async () => {
    for (const client of admin) await client.end().catch(() => undefined);
    servers?.stop();
  });

  it('rotates the writer: the new password logs in on the writer and, by replication, on the replica; the old one no longer does', async () => {
    const store = new MemorySecret({ username: 'dra_admin', password: 'initial-Pw1', engine: 'postgres' });
    expect(await loginWorks(servers!.primaryPort, 'initial-Pw1')).toBe(true);
    const { token, done } = await runRotation(store);
    expect(done).toEqual([
      `createSecret: new password staged AWSPENDING as version ${token}`,
      `setSecret: password of dra_admin changed on 127.0.0.1:${servers!.primaryPort}`,
      'testSecret: dra_admin logs in with the pending password',
      `finishSecret: AWSCURRENT moved to ${token}`,
    ]);
    const current = (await store.get(SECRET, 'AWSCURRENT')) as Credentials;
    expect(current).toMatchObject({ username: 'dra_admin', engine: 'postgres' });
    expect(current.password).not.toBe('initial-Pw1');
    expect(store.stages.get('v0')).toEqual(['AWSPREVIOUS']);
    await replayed();
    for (const port of [servers!.primaryPort, servers!.replicaPort]) {
      expect(await loginWorks(port, current.password)).toBe(true);
      expect(await loginWorks(port, 'initial-Pw1')).toBe(false);
    }
  });

  it('sends the server a SCRAM verifier, never the password itself', async () => {
    const primary = await superuser(servers!.primaryPort);
    const { rows } = await primary.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'dra_admin'");
    expect(rows[0].rolpassword).toMatch(
      /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/,
    );
    expect(scramVerifier('x', Buffer.alloc(16))).toBe(scramVerifier('x', Buffer.alloc(16)));
  });

  it('resumes a rotation that failed after setSecret: a re-run of every step completes it', async () => {
    const before = await storeWithKnownPassword();
    const token = before.startRotation();
    before.registerToken(token);
    // First attempt: createSecret and setSecret ran, then the function died before testSecret.
    for (const step of ['createSecret', 'setSecret'] as const)
      await rotate({ Step: step, SecretId: SECRET, ClientRequestToken: token }, deps(before));
    // Secrets Manager retries: every step again, each one idempotent.
    const again: string[] = [];
    for (const step of STEPS)
      again.push(await rotate({ Step: step, SecretId: SECRET, ClientRequestToken: token }, deps(before)));
    expect(again.slice(0, 2)).toEqual([
      `createSecret: version ${token} exists`,
      'setSecret: the pending password already works',
    ]);
    expect(
      await loginWorks(
        servers!.primaryPort,
        ((await before.get(SECRET, 'AWSCURRENT')) as Credentials).password,
      ),
    ).toBe(true);
    // A step called again after finishSecret sees the version is current and does nothing.
    expect(
      await rotate({ Step: 'setSecret', SecretId: SECRET, ClientRequestToken: token }, deps(before)),
    ).toBe(`setSecret: version ${token} is already AWSCURRENT`);
  });

  it("refuses to rotate against a read replica, naming the writer's region as the place to rotate", async () => {
    const store = await storeWithKnownPassword();
    await expect(runRotation(store, servers!.replicaPort)).rejects.toThrow(
      /is a read replica: its password follows the writer's\. Rotate dra\/dev\/postgres\/master-g0 with the rotation function of the writer's region/,
    );
  });

  it('says what to do when no stored password logs in any more', async () => {
    const store = new MemorySecret({ username: 'dra_admin', password: 'not-the-password' });
    await expect(runRotation(store)).rejects.toThrow(
      /Neither the current nor the previous password of dra\/dev\/postgres\/master-g0 logs in as dra_admin.*ModifyDBInstance MasterUserPassword/,
    );
  });

  /** A password set on the server directly (as an operator would), and a secret holding it as AWSCURRENT. */
  async function storeWithKnownPassword(): Promise<MemorySecret> {
    const primary = await superuser(servers!.primaryPort);
    await primary.query("ALTER ROLE dra_admin PASSWORD 'known-Pw2'");
    await replayed();
    return new MemorySecret({ username: 'dra_admin', password: 'known-Pw2' });
  }
});

describe('rotation steps that need no server', () => {
  const noServer = async () => {
    throw new Error('no connection expected');
  };

  it('refuses anything but a Secrets Manager rotation event, saying what it expected', () => {
    expect(() => parseEvent({ action: 'status' })).toThrow(RotationError);
    expect(() => parseEvent({ action: 'status' })).toThrow(
      /Step: createSecret\|setSecret\|testSecret\|finishSecret/,
    );
    expect(parseEvent({ Step: 'testSecret', SecretId: 's', ClientRequestToken: 't' })).toEqual({
      Step: 'testSecret',
      SecretId: 's',
      ClientRequestToken: 't',
    });
  });

  it('refuses a secret whose rotation is off, and a token that is not pending', async () => {
    const store = new MemorySecret({ username: 'dra_admin', password: 'p' });
    const deps = { store, host: 'h', connect: noServer };
    store.rotationEnabled = false;
    await expect(
      rotate({ Step: 'createSecret', SecretId: SECRET, ClientRequestToken: 'v0' }, deps),
    ).rejects.toThrow(/does not have rotation enabled/);
    store.rotationEnabled = true;
    await expect(
      rotate({ Step: 'createSecret', SecretId: SECRET, ClientRequestToken: 'nope' }, deps),
    ).rejects.toThrow(/has no stage; start a new rotation/);
  });
});

describe('the Secrets Manager adapter', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => sm.reset());
  const store = () => secretStore(new SecretsManagerClient({ region: 'us-east-1' }), '/@"');

  it('reads versions and values, and treats a missing version as absent rather than as a failure', async () => {
    sm.on(DescribeSecretCommand).resolves({
      ARN: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:dra/dev/postgres/master-g0-AbCdEf',
      RotationEnabled: true,
      VersionIdsToStages: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] },
      $metadata: {},
    } satisfies DescribeSecretCommandOutput);
    expect(await store().describe(SECRET)).toEqual({
      rotationEnabled: true,
      versions: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] },
    });
    sm.on(GetSecretValueCommand, { SecretId: SECRET, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: '{"username":"dra_admin","password":"p"}',
      VersionId: 'v1',
      $metadata: {},
    } satisfies GetSecretValueCommandOutput);
    sm.on(GetSecretValueCommand, { SecretId: SECRET, VersionStage: 'AWSPREVIOUS' }).rejects(
      new ResourceNotFoundException({ message: 'no such version', $metadata: {} }),
    );
    expect(await store().get(SECRET, 'AWSCURRENT')).toEqual({ username: 'dra_admin', password: 'p' });
    expect(await store().get(SECRET, 'AWSPREVIOUS')).toBeUndefined();
  });

  it('stages the new version under the token and moves AWSCURRENT to it', async () => {
    sm.on(PutSecretValueCommand).resolves({
      VersionId: 't1',
      $metadata: {},
    } satisfies PutSecretValueCommandOutput);
    sm.on(UpdateSecretVersionStageCommand).resolves({
      Name: SECRET,
      $metadata: {},
    } satisfies UpdateSecretVersionStageCommandOutput);
    sm.on(GetRandomPasswordCommand).resolves({
      RandomPassword: 'abc',
      $metadata: {},
    } satisfies GetRandomPasswordCommandOutput);
    await store().putPending(SECRET, 't1', { username: 'dra_admin', password: 'n' });
    await store().moveCurrent(SECRET, 't1', 'v1');
    expect(await store().randomPassword()).toBe('abc');
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input).toEqual({
      SecretId: SECRET,
      ClientRequestToken: 't1',
      SecretString: '{"username":"dra_admin","password":"n"}',
      VersionStages: ['AWSPENDING'],
    });
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0].args[0].input).toEqual({
      SecretId: SECRET,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 't1',
      RemoveFromVersionId: 'v1',
    });
    expect(sm.commandCalls(GetRandomPasswordCommand)[0].args[0].input).toEqual({
      PasswordLength: 32,
      ExcludeCharacters: '/@"',
    });
  });
});
