import { Logger } from '@aws-lambda-powertools/logger';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { boundedRequests } from '../sdk-timeouts';
import {
  type Credentials,
  parseEvent,
  type RotationDependencies,
  rotate,
  type SecretStore,
  type Session,
} from './rotation';

/** Where the function connects; from the environment the construct sets. */
export interface RotationSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly region: string;
  /** Characters generated passwords leave out (the construct passes the set the secret was made with). */
  readonly excludeCharacters: string;
  /** Verified TLS to the instance; only local test servers go without. */
  readonly tls: boolean;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): RotationSettings {
  return {
    host: env.DB_HOST ?? '',
    port: Number(env.DB_PORT ?? '5432'),
    database: env.DB_NAME ?? 'postgres',
    region: env.AWS_REGION ?? '',
    excludeCharacters: env.EXCLUDE_CHARACTERS ?? '',
    tls: true,
  };
}

/** Secrets Manager behind the {@link SecretStore} the steps use. */
export function secretStore(client: SecretsManagerClient, excludeCharacters: string): SecretStore {
  return {
    async describe(secretId) {
      const out = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
      return { rotationEnabled: out.RotationEnabled === true, versions: out.VersionIdsToStages ?? {} };
    },
    async get(secretId, stage, versionId) {
      try {
        const out = await client.send(
          new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }),
        );
        return JSON.parse(out.SecretString ?? '{}') as Credentials;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },
    async putPending(secretId, token, value) {
      await client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: token,
          SecretString: JSON.stringify(value),
          VersionStages: ['AWSPENDING'],
        }),
      );
    },
    async moveCurrent(secretId, toVersion, fromVersion) {
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: toVersion,
          RemoveFromVersionId: fromVersion,
        }),
      );
    },
    async randomPassword() {
      const out = await client.send(
        new GetRandomPasswordCommand({ PasswordLength: 32, ExcludeCharacters: excludeCharacters }),
      );
      if (!out.RandomPassword) throw new Error('GetRandomPassword returned no password');
      return out.RandomPassword;
    },
  };
}

/** SQLSTATE 28P01 (invalid_password) and 28000 (invalid_authorization_specification): the server refused the login. */
const REFUSED = new Set(['28P01', '28000']);

/** A TLS session to this region's instance as the given user; undefined when the server refuses the password. */
export function connector(settings: RotationSettings) {
  return async (credentials: Credentials): Promise<Session | undefined> => {
    const client = new Client({
      host: settings.host,
      port: settings.port,
      database: settings.database,
      user: credentials.username,
      password: credentials.password,
      // Lambda's Node.js runtime trusts the RDS CAs through NODE_EXTRA_CA_CERTS (set by the construct).
      ssl: settings.tls ? { rejectUnauthorized: true, servername: settings.host } : false,
      connectionTimeoutMillis: 5000,
      statement_timeout: 20000,
      application_name: 'dra-postgres-rotation',
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      if (REFUSED.has((error as { code?: string }).code ?? '')) return undefined;
      throw error;
    }
    return {
      query: (sql, params) => client.query(sql, params as unknown[]) as never,
      end: () => client.end(),
    };
  };
}

const logger = new Logger({ serviceName: 'postgres-rotation' });

export async function run(event: unknown, deps: RotationDependencies): Promise<string> {
  const parsed = parseEvent(event);
  const done = await rotate(parsed, deps);
  logger.info('rotation step', { step: parsed.Step, secretId: parsed.SecretId, done });
  return done;
}

/**
 * Secrets Manager treats a thrown error as the step's failure (and retries); the message says
 * what failed and the fix. Passwords are never logged.
 */
export const handler = async (event: unknown): Promise<void> => {
  const settings = settingsFromEnv(process.env);
  const client = new SecretsManagerClient({
    region: settings.region,
    maxAttempts: 3,
    requestHandler: boundedRequests(5000),
  });
  try {
    await run(event, {
      store: secretStore(client, settings.excludeCharacters),
      connect: connector(settings),
      host: settings.host,
    });
  } catch (error) {
    logger.error('rotation step failed', { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
};
