import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { StoreName } from '../readiness/metrics';
import { classifyError } from '../readiness/outcome';
import { ensureOk, type SignedRequest, type SignedResponse } from './signed-request';
import { type CanaryOutcome, canaryRecord, canaryWrittenAt, DETAIL_LENGTH } from './state';

/**
 * One replicated store as the canary sees it: the writer's side writes one small,
 * dated canary; the standby's side reads the newest one that reached it. Each adapter
 * is thin: what it calls is injected, so the tests drive it with fakes (S3 bound to
 * the SDK's models) or against real servers (Redis, PostgreSQL).
 */
export interface StoreProbe {
  /** Writes one canary; resolves with a reason when it deliberately wrote nothing. */
  write(now: Date): Promise<{ skipped: string } | undefined>;
  /** The write time of the newest canary held here; undefined when there is none yet. */
  read(): Promise<{ writtenAt: Date; note?: string } | undefined>;
  /** Releases connections (called once per run, after write or read). */
  close?(): Promise<void>;
}

/** A failure already sorted by the adapter (the canary's own setup, or a store's answer). */
export class StoreFailure extends Error {
  constructor(
    message: string,
    readonly outcome: CanaryOutcome,
  ) {
    super(message.slice(0, DETAIL_LENGTH));
    this.name = 'StoreFailure';
  }
}

/**
 * Runs the canary's own preparation (an endpoint from SSM, a secret, a client): its
 * failure is the canary's, never the store's, so it is `error` (or `throttled`), never
 * evidence of an outage.
 */
export async function setup<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreFailure) throw error;
    const c = classifyError(error);
    throw new StoreFailure(`${what}: ${c.reason}`, c.cause === 'throttled' ? 'throttled' : 'error');
  }
}

/** Sends one signed request of this region (lambda/canary/signed-request.ts). */
export type SignedCall = (request: Omit<SignedRequest, 'region' | 'timeoutMs'>) => Promise<SignedResponse>;

/**
 * S3: one object, overwritten every minute under `canary/`, expired by a lifecycle rule;
 * PutObject and GetObject on the bucket's virtual-hosted endpoint (S3 API reference).
 */
export function s3Probe(
  call: SignedCall,
  bucket: string,
  key: string,
  region: string,
  endpoint = `https://${bucket}.s3.${region}.amazonaws.com`,
): StoreProbe {
  const path = `/${key.split('/').map(encodeURIComponent).join('/')}`;
  return {
    async write(now) {
      const body = canaryRecord('s3', region, now);
      ensureOk(
        await call({
          method: 'PUT',
          service: 's3',
          endpoint,
          path,
          body,
          headers: { 'content-type': 'application/json' },
        }),
        `PutObject s3://${bucket}/${key}`,
      );
      return undefined;
    },
    async read() {
      const response = await call({ method: 'GET', service: 's3', endpoint, path });
      // No replica yet: nothing has been replicated here (GetObject: 404 NoSuchKey).
      if (response.status === 404 && /<Code>NoSuchKey<\/Code>/.test(response.body)) return undefined;
      ensureOk(response, `GetObject s3://${bucket}/${key}`);
      return { writtenAt: canaryWrittenAt(response.body, 's3') };
    },
  };
}

/** What the cache canary needs of a Redis client (ioredis' Redis fits it). */
export interface RedisLike {
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** How long a cache canary lives (it is rewritten every minute). */
export const CACHE_CANARY_TTL_SECONDS = 86_400;

/**
 * The cache: one key written on the Global Datastore's primary (in the writer's region),
 * read on the secondary's primary endpoint in the standby's (read-only there).
 * `connect` resolves a connected client; its failure is a connection failure of the cache.
 */
export function cacheProbe(connect: () => Promise<RedisLike>, key: string, region: string): StoreProbe {
  let client: RedisLike | undefined;
  const open = async () => {
    client ??= await connect();
    return client;
  };
  return {
    async write(now) {
      await (await open()).set(key, canaryRecord('elasticache', region, now), 'EX', CACHE_CANARY_TTL_SECONDS);
      return undefined;
    },
    async read() {
      const value = await (await open()).get(key);
      return value === null ? undefined : { writtenAt: canaryWrittenAt(value, 'elasticache') };
    },
    async close() {
      const c = client;
      client = undefined;
      if (!c) return;
      await c.quit().catch(() => c.disconnect());
    },
  };
}

/** The parts of kafkajs the Kafka canary uses. */
export type KafkaLike = Pick<Kafka, 'producer' | 'admin' | 'consumer'>;

/** The canary topic has one partition, so its newest message is the last offset of partition 0. */
export const CANARY_PARTITION = 0;

/**
 * Kafka: one message a minute on the canary topic, which the Replicator copies; the
 * standby reads the last message of its partition. Reading needs a consumer (kafkajs
 * has no fetch without a group): it joins a group of its own, seeks to the last offset
 * and stops at the first message; it never commits an offset.
 */
export function kafkaProbe(
  kafka: () => Promise<KafkaLike>,
  topic: string,
  groupId: string,
  region: string,
): StoreProbe {
  const opened: (Producer | Admin | Consumer)[] = [];
  const track = async <T extends Producer | Admin | Consumer>(client: T): Promise<T> => {
    opened.push(client);
    await client.connect();
    return client;
  };
  return {
    async write(now) {
      const producer = await track((await kafka()).producer({ allowAutoTopicCreation: false }));
      await producer.send({
        topic,
        acks: -1,
        messages: [{ partition: CANARY_PARTITION, value: canaryRecord('msk', region, now) }],
      });
      return undefined;
    },
    async read() {
      const client = await kafka();
      const admin = await track(client.admin());
      const offsets = await admin.fetchTopicOffsets(topic);
      const p = offsets.find((o) => o.partition === CANARY_PARTITION);
      if (!p || BigInt(p.high) <= BigInt(p.low)) return undefined;
      const last = (BigInt(p.high) - 1n).toString();
      const consumer = await track(client.consumer({ groupId, maxWaitTimeInMs: 500 }));
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      const value = await new Promise<string | undefined>((resolve, reject) => {
        consumer.on(consumer.events.GROUP_JOIN, () =>
          consumer.seek({ topic, partition: CANARY_PARTITION, offset: last }),
        );
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              if (partition === CANARY_PARTITION && BigInt(message.offset) >= BigInt(last))
                resolve(message.value?.toString());
            },
          })
          .catch(reject);
      });
      return value === undefined ? undefined : { writtenAt: canaryWrittenAt(value, 'msk') };
    },
    async close() {
      const clients = opened.splice(0);
      await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
    },
  };
}

/** Invokes this region's postgres-control function synchronously and returns its parsed answer. */
export type InvokeControl = (payload: { action: 'heartbeat' | 'lastBeat' }) => Promise<unknown>;

const CONTROL_CAUSES: Readonly<Record<string, CanaryOutcome>> = {
  unreachable: 'unreachable',
  rejected: 'rejected',
  denied: 'denied',
};

/**
 * PostgreSQL: the heartbeat row postgres-control keeps (lambda/postgres-control). The
 * writer's side runs `heartbeat` (one upserted row; a fenced writer writes nothing and
 * says so); the standby's side runs `lastBeat` on the replica. The function's answer
 * names why it failed (`cause`); a failure of the invocation itself is the canary's.
 */
export function postgresProbe(invoke: InvokeControl): StoreProbe {
  const call = async (action: 'heartbeat' | 'lastBeat') => {
    const answer = (await setup(`invoking postgres-control {"action":"${action}"}`, () =>
      invoke({ action }),
    )) as Record<string, unknown> | null;
    if (answer?.ok === true) return answer;
    const error = typeof answer?.error === 'string' ? answer.error : JSON.stringify(answer).slice(0, 200);
    const cause = typeof answer?.cause === 'string' ? CONTROL_CAUSES[answer.cause] : undefined;
    throw new StoreFailure(`postgres-control ${action}: ${error}`, cause ?? 'error');
  };
  return {
    async write() {
      const answer = await call('heartbeat');
      if (answer.written === true) return undefined;
      if (answer.skipped === 'fenced')
        return { skipped: 'the database is fenced (it must not take writes): no heartbeat written' };
      throw new StoreFailure(
        `postgres-control heartbeat wrote nothing (${String(answer.skipped)}): this region's database is not a writer`,
        'error',
      );
    },
    async read() {
      const answer = await call('lastBeat');
      const at = answer.beatAt;
      if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return undefined;
      return {
        writtenAt: new Date(at),
        ...(answer.inRecovery === false
          ? { note: 'the standby database is not a read replica any more (promoted?)' }
          : {}),
      };
    },
  };
}

export const STORE_PROBE_ORDER: readonly StoreName[] = ['rds', 'elasticache', 'msk', 's3'];
