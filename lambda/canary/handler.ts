import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import {
  defaultMskCredentials,
  generateMskAuthToken,
  type MskCredentialsProvider,
} from '../kafka-topics/msk-token';
import type { StoreName } from '../readiness/metrics';
import { CallTimeout, withTimeout } from '../readiness/outcome';
import { boundedRequests } from '../sdk-timeouts';
import { CANARY_SERVICE, METRICS_NAMESPACE } from './metrics';
import {
  cacheProbe,
  type KafkaLike,
  kafkaProbe,
  postgresProbe,
  type RedisLike,
  type SignedCall,
  type StoreProbe,
  s3Probe,
  setup,
} from './probes';
import { runCanary } from './run';
import type { CanarySettings } from './settings';
import { ensureOk, signedRequest } from './signed-request';
import type { CanaryState } from './state';

export interface CacheConnection {
  readonly host: string;
  readonly port: number;
  /** The AUTH token (ElastiCache `AuthToken`, the default user's password). */
  readonly password?: string;
  /** TLS with the host name verified (ElastiCache in-transit encryption is required here). */
  readonly tls: boolean;
  readonly timeoutMs: number;
}

/**
 * A connected ioredis client that never queues, reconnects or retries: one canary is
 * one attempt, and a cache that does not answer fails it within `timeoutMs`
 * (ioredis options: connectTimeout, commandTimeout, maxRetriesPerRequest,
 * enableOfflineQueue, retryStrategy returning null = no reconnection, disconnectTimeout;
 * https://github.com/redis/ioredis, README "Connect to Redis", "Auto-reconnect").
 * ElastiCache with in-transit encryption needs TLS and, with an AUTH token, AUTH before
 * commands (ElastiCache user guide, "Authenticating with the Valkey and Redis OSS AUTH
 * command", auth.html).
 */
export async function connectCache(options: CacheConnection): Promise<RedisLike> {
  const client = new Redis({
    host: options.host,
    port: options.port,
    password: options.password,
    tls: options.tls ? { servername: options.host } : undefined,
    connectTimeout: options.timeoutMs,
    commandTimeout: options.timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    lazyConnect: true,
    retryStrategy: () => null,
    // A socket already closed by an error never emits 'close' again, so ioredis' timer that
    // destroys a lingering one would run its full default (2 s) after every failed connect.
    disconnectTimeout: 200,
  });
  // With no reconnection, connect() rejects with a bare "Connection is closed."; the error
  // that closed it (ECONNREFUSED, WRONGPASS...) comes as an 'error' event: keep it.
  let cause: unknown;
  client.on('error', (error: unknown) => {
    cause ??= error;
  });
  try {
    await withTimeout(() => client.connect(), options.timeoutMs, `cache ${options.host}:${options.port}`);
  } catch (error) {
    client.disconnect();
    throw error instanceof CallTimeout ? error : (cause ?? error);
  }
  return client;
}

/** Values read from SSM or Secrets Manager, kept for a while across warm invocations. */
const CACHE_MS = 10 * 60_000;
const cached = new Map<string, { value: string; until: number }>();
async function remembered(key: string, read: () => Promise<string | undefined>): Promise<string> {
  const hit = cached.get(key);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = await read();
  if (!value) throw new Error(`${key} is empty or missing`);
  cached.set(key, { value, until: Date.now() + CACHE_MS });
  return value;
}

interface Clients {
  readonly ssm: SSMClient;
  readonly secrets: SecretsManagerClient;
  /** Signs the S3 and Lambda requests (the function's role, from the environment). */
  readonly credentials: MskCredentialsProvider;
}

function clients(region: string, timeoutMs: number): Clients {
  const common = {
    region,
    retryMode: 'standard' as const,
    maxAttempts: 2,
    requestHandler: boundedRequests(timeoutMs),
  };
  return {
    ssm: new SSMClient(common),
    secrets: new SecretsManagerClient(common),
    credentials: defaultMskCredentials(region),
  };
}

const parameter = (c: Clients, name: string) =>
  remembered(
    `ssm:${name}`,
    async () => (await c.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value,
  );

/** The probes of this region's configured stores. */
export function buildProbes(settings: CanarySettings, c: Clients): Partial<Record<StoreName, StoreProbe>> {
  const probes: Partial<Record<StoreName, StoreProbe>> = {};
  const t = settings.storeTimeoutMs;
  const call: SignedCall = (request) =>
    signedRequest({ ...request, region: settings.region, timeoutMs: t }, c.credentials);
  if (settings.rds) {
    const functionName = settings.rds.functionName;
    probes.rds = postgresProbe(async (payload) => {
      const response = ensureOk(
        await call({
          method: 'POST',
          service: 'lambda',
          endpoint: `https://lambda.${settings.region}.amazonaws.com`,
          path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
          body: JSON.stringify(payload),
          headers: { 'content-type': 'application/json' },
        }),
        `Invoke ${functionName}`,
      );
      const functionError = response.headers.get('x-amz-function-error');
      if (functionError)
        throw new Error(`${functionName} failed (${functionError}): ${response.body.slice(0, 200)}`);
      return JSON.parse(response.body || 'null') as unknown;
    });
  }
  if (settings.s3) probes.s3 = s3Probe(call, settings.s3.bucket, settings.s3.key, settings.region);
  if (settings.msk) {
    const { bootstrapServersParameter, topic, groupId } = settings.msk;
    probes.msk = kafkaProbe(
      () =>
        setup(`reading ${bootstrapServersParameter}`, async (): Promise<KafkaLike> => {
          const servers = await parameter(c, bootstrapServersParameter);
          return new Kafka({
            clientId: 'dra-canary',
            brokers: servers.split(','),
            ssl: true,
            connectionTimeout: Math.min(t, 5000),
            requestTimeout: t,
            retry: { retries: 0 },
            logLevel: logLevel.NOTHING,
            sasl: {
              mechanism: 'oauthbearer',
              oauthBearerProvider: async () => ({
                value: (await generateMskAuthToken(settings.region)).token,
              }),
            },
          });
        }),
      topic,
      groupId,
      settings.region,
    );
  }
  if (settings.elasticache) {
    const { endpointParameter, authSecretName, key } = settings.elasticache;
    probes.elasticache = cacheProbe(
      async () => {
        const { host, port, password } = await setup(
          'reading the cache endpoint and AUTH token',
          async () => {
            const endpoint = await parameter(c, endpointParameter);
            const [host, port] = endpoint.split(':');
            const password = await remembered(
              `secret:${authSecretName}`,
              async () =>
                (await c.secrets.send(new GetSecretValueCommand({ SecretId: authSecretName }))).SecretString,
            );
            return { host, port: Number(port || 6379), password };
          },
        );
        return connectCache({ host, port, password, tls: true, timeoutMs: t });
      },
      key,
      settings.region,
    );
  }
  return probes;
}

const logger = new Logger({ serviceName: CANARY_SERVICE });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: CANARY_SERVICE });
let ready: { settings: CanarySettings; clients: Clients } | undefined;

export const handler = async (): Promise<CanaryState> => {
  if (!ready) {
    const settings = JSON.parse(process.env.CANARY_SETTINGS ?? '{}') as CanarySettings;
    ready = { settings, clients: clients(settings.region, settings.storeTimeoutMs) };
  }
  const { settings } = ready;
  try {
    return await runCanary({
      settings,
      probes: buildProbes(settings, ready.clients),
      ssm: ready.clients.ssm,
      now: () => new Date(),
      logger,
      metrics,
    });
  } finally {
    metrics.publishStoredMetrics();
  }
};
