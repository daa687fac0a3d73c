import { Logger } from '@aws-lambda-powertools/logger';
// pg at import: every invocation connects, so deferring it would only move its load into the
// first call (and hide it from the module-load budget). The Secrets Manager client and the RDS
// signer stay dynamic imports: a function uses one of them, by region role, never both.
import { Client } from 'pg';
import { NETWORK_CODES } from '../readiness/outcome';
import { boundedRequests } from '../sdk-timeouts';
import {
  type CatchUpResult,
  ControlError,
  catchUp,
  ensureControlRole,
  type FenceResult,
  fence,
  type HeartbeatResult,
  heartbeat,
  type LastBeatResult,
  lastBeat,
  type Queryable,
  type StatusResult,
  status,
  type UnfenceResult,
  unfence,
} from './control';
import { type ControlRequest, parseRequest } from './request';

/** Where the function connects and as whom; from the environment the construct sets. */
export interface ControlSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly region: string;
  /** The IAM-authenticated login role (created by the writer's function, replicated to the replica). */
  readonly controlUser: string;
  /** This generation's master secret in the writer's region; absent in the standby region. */
  readonly masterSecretArn?: string;
}

export interface Connection {
  readonly db: Queryable;
  /** Who we are: the master user (from the secret) or the control user (IAM token). */
  readonly user: string;
  readonly via: 'master secret' | 'IAM token';
  end(): Promise<void>;
}

export interface HandlerDependencies {
  readonly settings: ControlSettings;
  readonly connect: (settings: ControlSettings) => Promise<Connection>;
}

/**
 * Why an action failed, for callers that act on it (the canary: lambda/canary): the
 * database did not answer (`unreachable`: refused, DNS, timeout, connection lost), it
 * answered and refused the work (`rejected`: read-only, too many connections, shutting
 * down...), it refused who we are (`denied`: authentication or privileges), or the
 * function could not get that far (`error`: credentials, a bad request, a bug; left out
 * of the response, which then reads as before).
 */
export type FailureCause = 'unreachable' | 'rejected' | 'denied' | 'error';

/** Contract B: the result of the action, or a message naming what failed and the fix. */
export type ControlResponse =
  | StatusResult
  | FenceResult
  | CatchUpResult
  | UnfenceResult
  | HeartbeatResult
  | LastBeatResult
  | { ok: false; error: string; cause?: FailureCause };

const logger = new Logger({ serviceName: 'postgres-control' });

export function settingsFromEnv(env: NodeJS.ProcessEnv): ControlSettings {
  return {
    host: env.DB_HOST ?? '',
    port: Number(env.DB_PORT ?? '5432'),
    database: env.DB_NAME ?? 'postgres',
    region: env.AWS_REGION ?? '',
    controlUser: env.CONTROL_USER ?? 'dra_control',
    masterSecretArn: env.MASTER_SECRET_ARN || undefined,
  };
}

/** A failure in a named step, already worded for the operator. */
class StepError extends Error {
  constructor(
    message: string,
    readonly cause: FailureCause,
  ) {
    super(message);
  }
}

/**
 * Sorts what `pg` raised. A server error carries a SQLSTATE (`code`, five characters):
 * class 28 (invalid authorization) and 42501 (insufficient privilege) are `denied`,
 * every other one is the server refusing the work (PostgreSQL appendix A, "Error
 * codes", https://www.postgresql.org/docs/current/errcodes-appendix.html). Without one
 * it is the socket: a Node.js network code, or pg's own connection timeout ("timeout
 * expired", "Connection terminated due to connection timeout") or a lost connection.
 */
export function failureCause(error: unknown): FailureCause {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code))
    return code.startsWith('28') || code === '42501' ? 'denied' : 'rejected';
  if (code && NETWORK_CODES.has(code)) return 'unreachable';
  if (/timeout|Connection terminated|ECONNREFUSED|ENOTFOUND/i.test(String(e.message ?? '')))
    return 'unreachable';
  return 'error';
}

async function step<T>(
  what: string,
  fix: string,
  work: () => Promise<T>,
  cause: (error: unknown) => FailureCause = () => 'error',
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new StepError(`${what} failed: ${message}. ${fix}`, cause(error));
  }
}

/** Connects over TLS with the master secret (writer region) or an IAM token (standby region). */
export async function connectToRds(settings: ControlSettings): Promise<Connection> {
  const { host, port, database, region, controlUser, masterSecretArn } = settings;
  let user = controlUser;
  let password: string;
  if (masterSecretArn) {
    // The master secret holds {"username","password"}; rotation changes it, so it is read on every call
    // (lib/constructs/postgres.ts, docs/failover-and-failback.md "Credentials").
    const secret = await step(
      `Reading the master secret ${masterSecretArn}`,
      'Check that the secret exists in this region and that the function role may call secretsmanager:GetSecretValue on it and kms:Decrypt with the database key.',
      async () => {
        const { SecretsManagerClient, GetSecretValueCommand } = await import(
          '@aws-sdk/client-secrets-manager'
        );
        // Bounded so a hung Secrets Manager ends in this step's message, not "Task timed out".
        const out = await new SecretsManagerClient({
          region,
          maxAttempts: 3,
          requestHandler: boundedRequests(5000),
        }).send(new GetSecretValueCommand({ SecretId: masterSecretArn }));
        return JSON.parse(out.SecretString ?? '{}') as { username?: string; password?: string };
      },
    );
    if (!secret.username || !secret.password) {
      throw new StepError(
        `The master secret ${masterSecretArn} has no username/password fields; it must be the PostgreSQL master secret (dra/{env}/postgres/master-g{N}).`,
        'error',
      );
    }
    user = secret.username;
    password = secret.password;
  } else {
    // IAM database authentication: a 15-minute token signed locally with the function's credentials.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html
    password = await step(
      `Signing an IAM database token for ${controlUser}@${host}`,
      'Check the function has AWS credentials and AWS_REGION.',
      async () => {
        const { Signer } = await import('@aws-sdk/rds-signer');
        return new Signer({ hostname: host, port, username: controlUser, region }).getAuthToken();
      },
    );
  }
  // TLS with verification; Lambda's Node.js runtime trusts the RDS CAs through NODE_EXTRA_CA_CERTS (set by the construct).
  const client = new Client({
    host,
    port,
    database,
    user,
    password,
    ssl: { rejectUnauthorized: true, servername: host },
    connectionTimeoutMillis: 5000,
    statement_timeout: 20000,
    application_name: 'dra-postgres-control',
  });
  await step(
    `Connecting to ${host}:${port}/${database} as ${user} (${masterSecretArn ? 'master secret' : 'IAM token'}, TLS)`,
    masterSecretArn
      ? `Check that the instance is available and that its security group admits this function on ${port}.`
      : `Check that the instance is available, that its security group admits this function on ${port}, and that the role ${controlUser} exists on it: invoke the writer region's postgres-control function once with {"action":"status"} (it creates ${controlUser} with rds_iam, and the role replicates).`,
    () => client.connect(),
    failureCause,
  );
  return {
    db: { query: (sql, params) => client.query(sql, params as unknown[]) as never },
    user,
    via: masterSecretArn ? 'master secret' : 'IAM token',
    end: () => client.end(),
  };
}

async function perform(
  request: ControlRequest,
  connection: Connection,
  settings: ControlSettings,
): Promise<ControlResponse> {
  const { db } = connection;
  // The master user keeps the IAM login role in place; the catalog carries it to the replica.
  if (connection.via === 'master secret') await ensureControlRole(db, settings.controlUser);
  switch (request.action) {
    case 'status':
      return status(db);
    case 'fence':
      return fence(db, { controlRole: settings.controlUser });
    case 'catchUp':
      return catchUp(db, request);
    case 'unfence':
      return unfence(db);
    case 'heartbeat':
      return heartbeat(db, { reader: settings.controlUser });
    case 'lastBeat':
      return lastBeat(db);
  }
}

/** Runs one action; every failure comes back as {ok:false,error}, never as a thrown stack trace. */
export async function run(event: unknown, deps: HandlerDependencies): Promise<ControlResponse> {
  const request = parseRequest(event);
  if ('error' in request) return { ok: false, error: request.error };
  let connection: Connection | undefined;
  try {
    connection = await deps.connect(deps.settings);
    return await perform(request, connection, deps.settings);
  } catch (error) {
    const message =
      error instanceof ControlError || error instanceof StepError
        ? error.message
        : `${request.action} on ${deps.settings.host} failed: ${error instanceof Error ? error.message : String(error)}${(error as { code?: string }).code ? ` (SQLSTATE ${(error as { code?: string }).code})` : ''}. Check the function's log for the statement, fix the cause and invoke again: every action is idempotent.`;
    const cause: FailureCause =
      error instanceof StepError
        ? error.cause
        : error instanceof ControlError
          ? 'error'
          : failureCause(error);
    // Only a cause about the database itself is named; anything else is this function's own.
    return cause === 'error' ? { ok: false, error: message } : { ok: false, error: message, cause };
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

export const handler = async (event: unknown): Promise<ControlResponse> => {
  const settings = settingsFromEnv(process.env);
  const response = await run(event, { settings, connect: connectToRds });
  if (response.ok) logger.info('postgres control', { event: event as Record<string, unknown>, response });
  else
    logger.error('postgres control failed', {
      event: event as Record<string, unknown>,
      error: response.error,
    });
  return response;
};
