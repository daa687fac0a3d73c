import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * Single-user rotation of the PostgreSQL master credential, following the Secrets Manager
 * rotation protocol: Secrets Manager invokes the function four times per rotation with
 * `{Step, SecretId, ClientRequestToken}` (createSecret, setSecret, testSecret, finishSecret),
 * the new version staged AWSPENDING under the token until finishSecret moves AWSCURRENT to it
 * (Secrets Manager user guide, "Rotation by Lambda function" and "Lambda rotation functions";
 * the steps mirror AWS's template SecretsManagerRDSPostgreSQLRotationSingleUser in
 * aws-samples/aws-secrets-manager-rotation-lambdas). Each step is idempotent: Secrets Manager
 * retries a failed step.
 *
 * The function connects to its own region's instance (DB_HOST), never to a host written in the
 * secret: a secret promoted to the new writer's region at a failover must rotate against that
 * region's instance. On a read replica it refuses: rotation runs where the writer is.
 */

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

export interface RotationEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

/** The secret's JSON: the master user and its password (other fields are kept as they are). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
  readonly [field: string]: unknown;
}

/** What the steps need of Secrets Manager (the handler adapts the SDK client to it). */
export interface SecretStore {
  /** Rotation flag and the version ids with their staging labels. */
  describe(secretId: string): Promise<{ rotationEnabled: boolean; versions: Record<string, string[]> }>;
  /** A version by stage (and id); undefined when no such version exists (ResourceNotFoundException). */
  get(secretId: string, stage: string, versionId?: string): Promise<Credentials | undefined>;
  putPending(secretId: string, token: string, value: Credentials): Promise<void>;
  moveCurrent(secretId: string, toVersion: string, fromVersion: string | undefined): Promise<void>;
  randomPassword(): Promise<string>;
}

/** A PostgreSQL session (a `pg` Client fits). */
export interface Session {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}

export interface RotationDependencies {
  readonly store: SecretStore;
  /** A session as these credentials, or undefined when the server refuses them (wrong password). */
  readonly connect: (credentials: Credentials) => Promise<Session | undefined>;
  /** For messages: which instance this function rotates against. */
  readonly host: string;
}

/** A failure worded for the operator: what failed and the fix. */
export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationError';
  }
}

export function parseEvent(event: unknown): RotationEvent {
  const e = (event ?? {}) as Partial<RotationEvent>;
  if (
    !STEPS.includes(e.Step as RotationStep) ||
    typeof e.SecretId !== 'string' ||
    typeof e.ClientRequestToken !== 'string'
  ) {
    throw new RotationError(
      `Not a Secrets Manager rotation event: expected {Step: ${STEPS.join('|')}, SecretId, ClientRequestToken}, got ${JSON.stringify(event)}. This function is invoked by Secrets Manager's rotation (RotateSecret), not by hand.`,
    );
  }
  return e as RotationEvent;
}

/** Runs one step; returns what it did, for the log. */
export async function rotate(event: RotationEvent, deps: RotationDependencies): Promise<string> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const { rotationEnabled, versions } = await deps.store.describe(secretId);
  if (!rotationEnabled) {
    throw new RotationError(
      `Secret ${secretId} does not have rotation enabled; turn it on with RotateSecret.`,
    );
  }
  const stages = versions[token];
  if (!stages) throw new RotationError(`Version ${token} of ${secretId} has no stage; start a new rotation.`);
  if (stages.includes('AWSCURRENT')) return `${step}: version ${token} is already AWSCURRENT`;
  if (!stages.includes('AWSPENDING')) {
    throw new RotationError(`Version ${token} of ${secretId} is not AWSPENDING; start a new rotation.`);
  }
  switch (step) {
    case 'createSecret':
      return createSecret(secretId, token, deps);
    case 'setSecret':
      return setSecret(secretId, token, deps);
    case 'testSecret':
      return testSecret(secretId, token, deps);
    case 'finishSecret':
      return finishSecret(secretId, token, versions, deps);
  }
}

async function required(store: SecretStore, secretId: string, stage: string, versionId?: string) {
  const value = await store.get(secretId, stage, versionId);
  if (!value)
    throw new RotationError(`Secret ${secretId} has no ${stage} version${versionId ? ` ${versionId}` : ''}.`);
  if (typeof value.username !== 'string' || typeof value.password !== 'string') {
    throw new RotationError(
      `Secret ${secretId} (${stage}) has no username/password fields; it must hold {"username","password"}.`,
    );
  }
  return value;
}

async function createSecret(secretId: string, token: string, { store }: RotationDependencies) {
  const current = await required(store, secretId, 'AWSCURRENT');
  if (await store.get(secretId, 'AWSPENDING', token)) return `createSecret: version ${token} exists`;
  await store.putPending(secretId, token, { ...current, password: await store.randomPassword() });
  return `createSecret: new password staged AWSPENDING as version ${token}`;
}

async function setSecret(secretId: string, token: string, deps: RotationDependencies) {
  const { store, connect } = deps;
  const pending = await required(store, secretId, 'AWSPENDING', token);
  const already = await connect(pending);
  if (already) {
    await already.end();
    return 'setSecret: the pending password already works';
  }
  const current = await required(store, secretId, 'AWSCURRENT');
  if (current.username !== pending.username) {
    throw new RotationError(
      `The pending version changes the user (${current.username} -> ${pending.username}); single-user rotation keeps it.`,
    );
  }
  const previous = await store.get(secretId, 'AWSPREVIOUS');
  let session = await connect(current);
  if (!session && previous && previous.username === pending.username) session = await connect(previous);
  if (!session) {
    throw new RotationError(
      `Neither the current nor the previous password of ${secretId} logs in as ${pending.username} on ${deps.host}. If the instance's password was changed outside rotation, set it back (ModifyDBInstance MasterUserPassword = the AWSCURRENT value) and rotate again.`,
    );
  }
  try {
    const [{ in_recovery }] = (
      await session.query<{ in_recovery: boolean }>('SELECT pg_is_in_recovery() AS in_recovery')
    ).rows;
    if (in_recovery) {
      throw new RotationError(
        `${deps.host} is a read replica: its password follows the writer's. Rotate ${secretId} with the rotation function of the writer's region (docs/failover-and-failback.md, "Credentials").`,
      );
    }
    // The password goes to the server as a SCRAM verifier, so its plaintext appears in no
    // statement a server log could keep; format() quotes the role name and the literal.
    const { rows } = await session.query<{ sql: string }>('SELECT format($1, $2::text, $3::text) AS sql', [
      'ALTER ROLE %I PASSWORD %L',
      pending.username,
      scramVerifier(pending.password),
    ]);
    await session.query(rows[0].sql);
  } finally {
    await session.end();
  }
  return `setSecret: password of ${pending.username} changed on ${deps.host}`;
}

async function testSecret(secretId: string, token: string, deps: RotationDependencies) {
  const pending = await required(deps.store, secretId, 'AWSPENDING', token);
  const session = await deps.connect(pending);
  if (!session) {
    throw new RotationError(
      `The pending password of ${secretId} does not log in as ${pending.username} on ${deps.host}.`,
    );
  }
  try {
    await session.query('SELECT 1');
  } finally {
    await session.end();
  }
  return `testSecret: ${pending.username} logs in with the pending password`;
}

async function finishSecret(
  secretId: string,
  token: string,
  versions: Record<string, string[]>,
  { store }: RotationDependencies,
) {
  const current = Object.keys(versions).find((v) => versions[v].includes('AWSCURRENT'));
  await store.moveCurrent(secretId, token, current);
  return `finishSecret: AWSCURRENT moved to ${token}`;
}

/**
 * A SCRAM-SHA-256 verifier of a password, as PostgreSQL stores it (RFC 5802, RFC 7677;
 * PostgreSQL's scram_build_secret): `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
 * PostgreSQL takes a verifier in ALTER ROLE ... PASSWORD as it is ("If the presented password
 * string is already in MD5-encrypted or SCRAM-encrypted format, then it is stored as-is":
 * CREATE ROLE, PostgreSQL documentation). The generated passwords are printable ASCII, for
 * which SASLprep changes nothing.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
