import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  GetParameterCommand,
  type GetParameterCommandOutput,
  PutParameterCommand,
  type PutParameterCommandOutput,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { classifyCanaryError } from '../../lambda/canary/classify';
import { CANARY_SERVICE, METRICS_NAMESPACE } from '../../lambda/canary/metrics';
import {
  type KafkaLike,
  kafkaProbe,
  postgresProbe,
  type SignedCall,
  StoreFailure,
  type StoreProbe,
  s3Probe,
  setup,
} from '../../lambda/canary/probes';
import { runCanary } from '../../lambda/canary/run';
import type { CanarySettings } from '../../lambda/canary/settings';
import { signedRequest } from '../../lambda/canary/signed-request';
import { type CanaryState, canaryRecord, parseCanaryState } from '../../lambda/canary/state';
import { withMetrics } from '../support/metrics';
import { freePort } from '../support/redis-servers';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const ssm = mockClient(SSMClient);
afterAll(() => ssm.restore());
beforeEach(() => ssm.reset());

const WRITER: CanarySettings = {
  environment: 'prod',
  side: 'writer',
  region: 'us-east-1',
  activeRegionParameter: '/dra/prod/active-region',
  stateParameter: '/dra/prod/canary/state',
  storeTimeoutMs: 100,
  rds: { functionName: 'dra-prod-postgres-control' },
  s3: { bucket: 'dra-prod-raw-111111111111-us-east-1', key: 'canary/heartbeat.json' },
  msk: {
    bootstrapServersParameter: '/dra/prod/msk/bootstrap-servers',
    topic: 'dra-canary',
    groupId: 'dra-canary-reader',
  },
  elasticache: {
    endpointParameter: '/dra/prod/cache/endpoint',
    authSecretName: 'dra/prod/cache/auth-token',
    key: 'dra:canary',
  },
};
const STANDBY: CanarySettings = { ...WRITER, side: 'standby', region: 'us-west-2' };

const sdkError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

/** A probe whose write and read do what the test says. */
const probe = (behaviour: { write?: () => Promise<unknown>; read?: () => Promise<unknown> }): StoreProbe => ({
  write: async () => (await behaviour.write?.()) as undefined,
  read: async () => (await behaviour.read?.()) as undefined,
});
const hang = () => new Promise<never>(() => {});

async function run(settings: CanarySettings, probes: Record<string, StoreProbe>, activeRegion = 'us-east-1') {
  ssm.on(GetParameterCommand, { Name: '/dra/prod/active-region' }).resolves({
    $metadata: {},
    Parameter: { Name: '/dra/prod/active-region', Value: activeRegion },
  } satisfies GetParameterCommandOutput);
  ssm.on(PutParameterCommand).resolves({ $metadata: {}, Version: 2 } satisfies PutParameterCommandOutput);
  const { result: state, emf } = await withMetrics(
    { namespace: METRICS_NAMESPACE, serviceName: CANARY_SERVICE },
    (metrics) =>
      runCanary({
        settings,
        probes,
        ssm: new SSMClient({ region: settings.region }),
        now: () => NOW,
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics,
      }),
  );
  return { state, emf };
}
const metricValues = (emf: Record<string, unknown>[], name: string) =>
  Object.fromEntries(emf.filter((e) => name in e).map((e) => [String(e.store ?? '-'), e[name]]));

describe('canary state (the contract with the readiness function)', () => {
  it('round-trips what a run writes, and refuses anything else with the field named', () => {
    const state: CanaryState = {
      side: 'standby',
      region: 'us-west-2',
      ranAt: NOW.toISOString(),
      stores: {
        rds: {
          outcome: 'ok',
          at: NOW.toISOString(),
          newestWrittenAt: '2026-11-24T11:59:30.000Z',
          lagSeconds: 30,
        },
        s3: { outcome: 'unreachable', at: NOW.toISOString(), detail: 'timed out' },
      },
    };
    expect(parseCanaryState(JSON.stringify(state))).toEqual(state);
    expect(parseCanaryState(undefined)).toBe('no canary state has been written');
    expect(parseCanaryState('x')).toMatch(/not JSON/);
    expect(
      parseCanaryState('{"side":"both","region":"r","ranAt":"2026-11-24T12:00:00Z","stores":{}}'),
    ).toMatch(/side must be "writer" or "standby", got "both"/);
    expect(
      parseCanaryState(
        '{"side":"writer","region":"r","ranAt":"2026-11-24T12:00:00Z","stores":{"dynamo":{}}}',
      ),
    ).toMatch(/unknown store "dynamo"/);
    expect(
      parseCanaryState(
        '{"side":"writer","region":"r","ranAt":"2026-11-24T12:00:00Z","stores":{"s3":{"outcome":"fine","at":"2026-11-24T12:00:00Z"}}}',
      ),
    ).toMatch(/stores\.s3\.outcome is invalid: "fine"/);
    expect(
      parseCanaryState(
        '{"side":"standby","region":"r","ranAt":"2026-11-24T12:00:00Z","stores":{"s3":{"outcome":"ok","at":"2026-11-24T12:00:00Z","lagSeconds":-1}}}',
      ),
    ).toMatch(/stores\.s3\.lagSeconds is invalid: -1/);
  });
});

describe('error classification: only the store refusing, timing out or rejecting is evidence', () => {
  it.each([
    ['S3 throttling (SlowDown, 503)', sdkError('SlowDown', 503), 'throttled'],
    ['S3 server error', sdkError('InternalError', 500), 'server-error'],
    ['S3 access denied: the canary, not the store', sdkError('AccessDenied', 403), 'denied'],
    ['S3 KMS key disabled (the store refuses the write)', sdkError('KMS.DisabledException', 400), 'rejected'],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'unreachable',
    ],
    [
      'Redis READONLY',
      Object.assign(new Error("READONLY You can't write against a read only replica."), {
        name: 'ReplyError',
      }),
      'rejected',
    ],
    ['Redis OOM', Object.assign(new Error('OOM command not allowed'), { name: 'ReplyError' }), 'rejected'],
    [
      'Redis WRONGPASS',
      Object.assign(new Error('WRONGPASS invalid username-password pair'), { name: 'ReplyError' }),
      'denied',
    ],
    [
      'kafkajs connection error',
      Object.assign(new Error('Connection timeout'), { name: 'KafkaJSConnectionError' }),
      'unreachable',
    ],
    [
      'kafkajs request timeout',
      Object.assign(new Error('Request Produce timed out'), { name: 'KafkaJSRequestTimeoutError' }),
      'unreachable',
    ],
    [
      'kafkajs SASL failure',
      Object.assign(new Error('SASL OAUTHBEARER'), { name: 'KafkaJSSASLAuthenticationError' }),
      'denied',
    ],
    [
      'kafkajs topic authorization',
      Object.assign(new Error('Not authorized'), {
        name: 'KafkaJSProtocolError',
        type: 'TOPIC_AUTHORIZATION_FAILED',
      }),
      'denied',
    ],
    [
      'kafkajs: not enough replicas (the cluster rejects the produce)',
      Object.assign(new Error('NOT_ENOUGH_REPLICAS'), {
        name: 'KafkaJSProtocolError',
        type: 'NOT_ENOUGH_REPLICAS',
      }),
      'rejected',
    ],
    [
      'kafkajs retries exhausted on a refused connection',
      Object.assign(new Error('retries'), {
        name: 'KafkaJSNumberOfRetriesExceeded',
        originalError: Object.assign(new Error('refused'), { name: 'KafkaJSConnectionError' }),
      }),
      'unreachable',
    ],
    [
      'a sorted adapter failure keeps its outcome',
      new StoreFailure('postgres-control heartbeat: refused', 'unreachable'),
      'unreachable',
    ],
    ['anything else is the canary', new Error('undefined is not a function'), 'error'],
  ])('%s', (_, error, outcome) => {
    expect(classifyCanaryError(error).outcome).toBe(outcome);
  });

  it("the canary's own preparation never counts against the store, even when it did not answer", async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      name: 'TimeoutError',
    });
    const error = await setup('reading /dra/prod/cache/endpoint', async () => {
      throw refused;
    }).catch((e: unknown) => e);
    expect(classifyCanaryError(error)).toMatchObject({
      outcome: 'error',
      detail: expect.stringMatching(/^reading \/dra\/prod\/cache\/endpoint/),
    });
  });
});

describe("the writer's side", () => {
  it('writes every store concurrently; the state and the metrics say ok for each', async () => {
    const written: string[] = [];
    const ok = (store: string) =>
      probe({
        write: async () => {
          written.push(store);
        },
      });
    const { state, emf } = await run(WRITER, {
      rds: ok('rds'),
      s3: ok('s3'),
      msk: ok('msk'),
      elasticache: ok('elasticache'),
    });
    expect(written.sort()).toEqual(['elasticache', 'msk', 'rds', 's3']);
    expect(state).toEqual({
      side: 'writer',
      region: 'us-east-1',
      ranAt: NOW.toISOString(),
      stores: Object.fromEntries(
        ['rds', 'elasticache', 'msk', 's3'].map((s) => [s, { outcome: 'ok', at: NOW.toISOString() }]),
      ),
    });
    const put = ssm.commandCalls(PutParameterCommand)[0].args[0].input;
    expect(put).toMatchObject({ Name: '/dra/prod/canary/state', Type: 'String', Overwrite: true });
    expect(JSON.parse(put.Value ?? '')).toEqual(state);
    expect(metricValues(emf, 'CanaryResult')).toEqual({ rds: 0, elasticache: 0, msk: 0, s3: 0 });
    expect(metricValues(emf, 'CanaryRuns')).toEqual({ '-': 1 });
    expect(emf[0]._aws.CloudWatchMetrics[0].Namespace).toBe('DualRegionAnalytics');
    expect(emf.find((e) => 'CanaryRuns' in e)).toMatchObject({ service: 'canary', environment: 'prod' });
  });

  it('a store that does not answer fails on its own within the time given; the others are still written', async () => {
    const started = Date.now();
    const { state, emf } = await run(WRITER, {
      rds: probe({}),
      elasticache: probe({ write: hang }),
      s3: probe({ write: async () => Promise.reject(sdkError('SlowDown', 503)) }),
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(state.stores.rds?.outcome).toBe('ok');
    expect(state.stores.elasticache).toMatchObject({
      outcome: 'unreachable',
      detail: expect.stringMatching(/no answer within 100 ms/),
    });
    expect(state.stores.s3?.outcome).toBe('throttled');
    expect(metricValues(emf, 'CanaryResult')).toEqual({ rds: 0, elasticache: 1, s3: 2 });
  });

  it('writes nothing while its own active-region record names the other region (after a switch), and says so', async () => {
    const written: string[] = [];
    const { state, emf } = await run(
      WRITER,
      {
        s3: probe({ write: async () => written.push('s3') }),
        rds: probe({ write: async () => written.push('rds') }),
      },
      'us-west-2',
    );
    expect(written).toEqual([]);
    expect(state.stores.s3).toMatchObject({
      outcome: 'skipped',
      detail: expect.stringMatching(/says us-west-2: this region does not take writes/),
    });
    // Skipped on purpose: no CanaryResult (the standby's lag tells the rest), but the run's heartbeat.
    expect(metricValues(emf, 'CanaryResult')).toEqual({});
    expect(metricValues(emf, 'CanaryRuns')).toEqual({ '-': 1 });
  });

  it('an unreadable active-region record writes nothing and is the canary failing, never an outage', async () => {
    ssm.on(GetParameterCommand).rejects(sdkError('InternalServerError', 500));
    ssm.on(PutParameterCommand).resolves({ $metadata: {}, Version: 3 } satisfies PutParameterCommandOutput);
    const written: string[] = [];
    const { result: state, emf } = await withMetrics(
      { namespace: 'Test', serviceName: 'canary' },
      (metrics) =>
        runCanary({
          settings: WRITER,
          probes: { s3: probe({ write: async () => void written.push('s3') }) },
          ssm: new SSMClient({ region: 'us-east-1' }),
          now: () => NOW,
          logger: new Logger({ logLevel: 'SILENT' }),
          metrics,
        }),
    );
    expect(written).toEqual([]);
    // 3: the canary could not do its work (lambda/canary/metrics.ts), not 1, a store refusing.
    expect(metricValues(emf, 'CanaryResult')).toEqual({ s3: 3 });
    expect(state.stores.s3).toMatchObject({
      outcome: 'error',
      detail: expect.stringMatching(/could not read \/dra\/prod\/active-region/),
    });
  });

  it('a state that cannot be written is logged; the run still returns and publishes', async () => {
    ssm
      .on(GetParameterCommand)
      .resolves({ $metadata: {}, Parameter: { Value: 'us-east-1' } } satisfies GetParameterCommandOutput);
    ssm.on(PutParameterCommand).rejects(sdkError('ThrottlingException', 400));
    const logger = new Logger({ logLevel: 'SILENT' });
    const error = jest.spyOn(logger, 'error');
    const { result: state, emf } = await withMetrics(
      { namespace: 'Test', serviceName: 'canary' },
      (metrics) =>
        runCanary({
          settings: WRITER,
          probes: { s3: probe({}) },
          ssm: new SSMClient({ region: 'us-east-1' }),
          now: () => NOW,
          logger,
          metrics,
        }),
    );
    expect(state.stores.s3?.outcome).toBe('ok');
    expect(metricValues(emf, 'CanaryResult')).toEqual({ s3: 0 });
    expect(metricValues(emf, 'CanaryRuns')).toEqual({ '-': 1 });
    expect(error.mock.calls[0][0]).toMatch(
      /Could not write the canary state \/dra\/prod\/canary\/state \(throttled/,
    );
  });
});

describe("the standby's side", () => {
  it('reads the newest canary of each store and measures its age; a store with none is "missing"', async () => {
    const at = (seconds: number) => ({ writtenAt: new Date(NOW.getTime() - seconds * 1000) });
    const { state, emf } = await run(STANDBY, {
      rds: probe({ read: async () => at(12.34) }),
      s3: probe({ read: async () => at(75) }),
      msk: probe({ read: async () => undefined }),
      elasticache: probe({
        read: async () => Promise.reject(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })),
      }),
    });
    expect(state.stores.rds).toEqual({
      outcome: 'ok',
      at: NOW.toISOString(),
      newestWrittenAt: '2026-11-24T11:59:47.660Z',
      lagSeconds: 12.3,
    });
    expect(state.stores.s3?.lagSeconds).toBe(75);
    expect(state.stores.msk).toMatchObject({
      outcome: 'missing',
      detail: 'no msk canary has reached us-west-2 yet',
    });
    expect(state.stores.elasticache?.outcome).toBe('unreachable');
    expect(metricValues(emf, 'CanaryLagSeconds')).toEqual({ rds: 12.3, s3: 75 });
    expect(metricValues(emf, 'CanaryResult')).toEqual({ rds: 0, s3: 0, msk: 3, elasticache: 1 });
    // The standby never asks the active-region record: it only reads.
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  it('a canary written by a clock ahead of this one is a lag of 0, never negative', async () => {
    const { state } = await run(STANDBY, {
      s3: probe({ read: async () => ({ writtenAt: new Date(NOW.getTime() + 2000) }) }),
    });
    expect(state.stores.s3?.lagSeconds).toBe(0);
  });
});

describe('S3 probe: SigV4-signed PutObject / GetObject against a local S3-shaped endpoint', () => {
  /** A local HTTP server answering as S3 does (S3 API reference: PutObject, GetObject, error XML). */
  async function s3Server(
    answer: (req: http.IncomingMessage, body: string) => { status: number; body?: string },
  ) {
    const requests: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, headers: req.headers, body });
        const a = answer(req, body);
        res.writeHead(a.status, { 'content-type': a.status < 300 ? 'application/json' : 'application/xml' });
        res.end(a.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      requests,
      endpoint: `http://127.0.0.1:${port}`,
      // fetch keeps connections alive: end them, or the server (and this worker) lingers.
      close: () =>
        new Promise((r) => {
          server.closeAllConnections();
          server.close(r);
        }),
    };
  }
  const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
  const call = (region: string) => (request: Parameters<SignedCall>[0]) =>
    signedRequest({ ...request, region, timeoutMs: 2000 }, credentials);
  const xmlError = (code: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>m</Message></Error>`;

  it('writes one dated object under canary/ (signed for s3, payload hash sent) and reads its write time back', async () => {
    let stored = '';
    const s3 = await s3Server((req, body) => {
      if (req.method === 'PUT') stored = body;
      return { status: 200, body: req.method === 'GET' ? stored : '' };
    });
    try {
      const writer = s3Probe(call('us-east-1'), 'bucket', 'canary/heartbeat.json', 'us-east-1', s3.endpoint);
      await writer.write(NOW);
      const put = s3.requests[0];
      expect(put).toMatchObject({ method: 'PUT', url: '/canary/heartbeat.json' });
      expect(put.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/s3\/aws4_request/,
      );
      expect(put.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.parse(put.body)).toEqual({
        canary: 'dual-region-analytics',
        store: 's3',
        region: 'us-east-1',
        writtenAt: NOW.toISOString(),
      });
      const reader = s3Probe(call('us-west-2'), 'replica', 'canary/heartbeat.json', 'us-west-2', s3.endpoint);
      expect(await reader.read()).toEqual({ writtenAt: NOW });
    } finally {
      await s3.close();
    }
  });

  it('no replica yet (404 NoSuchKey) is "none"; SlowDown is throttling; AccessDenied is the canary; KMS disabled is the store refusing', async () => {
    const answers = [
      { status: 404, body: xmlError('NoSuchKey') },
      { status: 503, body: xmlError('SlowDown') },
      { status: 403, body: xmlError('AccessDenied') },
      { status: 400, body: xmlError('KMS.DisabledException') },
      { status: 200, body: '<html>' },
    ];
    const s3 = await s3Server(() => answers.shift() ?? { status: 500 });
    try {
      const p = s3Probe(call('us-west-2'), 'replica', 'canary/heartbeat.json', 'us-west-2', s3.endpoint);
      expect(await p.read()).toBeUndefined();
      const outcome = async () => classifyCanaryError(await p.read().catch((e: unknown) => e));
      expect((await outcome()).outcome).toBe('throttled');
      expect((await outcome()).outcome).toBe('denied');
      expect(await outcome()).toMatchObject({
        outcome: 'rejected',
        detail: expect.stringMatching(/KMS\.DisabledException \(HTTP 400\)/),
      });
      expect(await outcome()).toMatchObject({
        outcome: 'error',
        detail: expect.stringMatching(/the s3 canary is not JSON/),
      });
    } finally {
      await s3.close();
    }
  });

  it('an endpoint that refuses the connection is unreachable', async () => {
    const port = await freePort();
    const p = s3Probe(
      call('us-east-1'),
      'bucket',
      'canary/heartbeat.json',
      'us-east-1',
      `http://127.0.0.1:${port}`,
    );
    expect(classifyCanaryError(await p.write(NOW).catch((e: unknown) => e)).outcome).toBe('unreachable');
  });
});

describe('PostgreSQL probe (through postgres-control)', () => {
  it('writer: a written heartbeat is ok; a fenced writer is skipped; a refused database is unreachable', async () => {
    const answers: unknown[] = [
      { ok: true, written: true, lsn: '0/1' },
      { ok: true, written: false, skipped: 'fenced' },
      { ok: false, error: 'Connecting to db failed: connect ECONNREFUSED', cause: 'unreachable' },
      { ok: false, error: 'Reading the master secret failed: AccessDenied' },
    ];
    const calls: unknown[] = [];
    const p = postgresProbe(async (payload) => {
      calls.push(payload);
      return answers.shift();
    });
    expect(await p.write(NOW)).toBeUndefined();
    expect(await p.write(NOW)).toEqual({ skipped: expect.stringMatching(/fenced/) });
    expect(classifyCanaryError(await p.write(NOW).catch((e: unknown) => e)).outcome).toBe('unreachable');
    // No cause named: the function could not get to the database (credentials): the canary's, not an outage.
    expect(classifyCanaryError(await p.write(NOW).catch((e: unknown) => e)).outcome).toBe('error');
    expect(calls).toEqual(Array(4).fill({ action: 'heartbeat' }));
  });

  it('standby: lastBeat gives the replayed beat; an invocation that fails is the canary, not the database', async () => {
    const p = postgresProbe(async () => ({ ok: true, inRecovery: true, beatAt: '2026-11-24T11:59:40.000Z' }));
    expect(await p.read()).toEqual({ writtenAt: new Date('2026-11-24T11:59:40.000Z') });
    const promoted = postgresProbe(async () => ({
      ok: true,
      inRecovery: false,
      beatAt: '2026-11-24T11:00:00.000Z',
    }));
    expect((await promoted.read())?.note).toMatch(/not a read replica any more/);
    const none = postgresProbe(async () => ({ ok: true, inRecovery: true, beatAt: null }));
    expect(await none.read()).toBeUndefined();
    const broken = postgresProbe(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED lambda'), {
        name: 'TimeoutError',
        code: 'ECONNREFUSED',
      });
    });
    expect(classifyCanaryError(await broken.read().catch((e: unknown) => e)).outcome).toBe('error');
  });
});

describe('Kafka probe (kafkajs shapes)', () => {
  /** A fake of the kafkajs calls the probe makes: one partition holding `messages`. */
  function fakeKafka(messages: string[]) {
    const log: string[] = [];
    const client = {
      producer: () => ({
        connect: async () => log.push('producer.connect'),
        disconnect: async () => log.push('producer.disconnect'),
        send: async (record: {
          topic: string;
          acks: number;
          messages: { partition: number; value: string }[];
        }) => {
          log.push(`send ${record.topic} acks=${record.acks} p${record.messages[0].partition}`);
          messages.push(record.messages[0].value);
          return [];
        },
      }),
      admin: () => ({
        connect: async () => log.push('admin.connect'),
        disconnect: async () => log.push('admin.disconnect'),
        fetchTopicOffsets: async () => [
          { partition: 0, offset: String(messages.length), high: String(messages.length), low: '0' },
        ],
      }),
      consumer: () => {
        let join: (() => void) | undefined;
        let seekTo = -1;
        return {
          events: { GROUP_JOIN: 'consumer.group_join' },
          connect: async () => log.push('consumer.connect'),
          disconnect: async () => log.push('consumer.disconnect'),
          subscribe: async () => log.push('subscribe'),
          on: (_: string, listener: () => void) => {
            join = listener;
          },
          seek: ({ offset }: { offset: string }) => {
            seekTo = Number(offset);
            log.push(`seek ${offset}`);
          },
          run: async ({
            autoCommit,
            eachMessage,
          }: {
            autoCommit: boolean;
            eachMessage: (p: unknown) => Promise<void>;
          }) => {
            log.push(`run autoCommit=${autoCommit}`);
            join?.();
            await eachMessage({
              partition: 0,
              message: { offset: String(seekTo), value: Buffer.from(messages[seekTo]) },
            });
          },
        };
      },
    };
    return { client: client as unknown as KafkaLike, log };
  }

  it('writer produces one message to partition 0 with acks from all replicas; standby reads the last one without committing', async () => {
    const messages = [canaryRecord('msk', 'us-east-1', new Date('2026-11-24T11:58:00Z'))];
    const { client, log } = fakeKafka(messages);
    const writer = kafkaProbe(async () => client, 'dra-canary', 'dra-canary-reader', 'us-east-1');
    await writer.write(NOW);
    await writer.close?.();
    const reader = kafkaProbe(async () => client, 'dra-canary', 'dra-canary-reader', 'us-west-2');
    expect(await reader.read()).toEqual({ writtenAt: NOW });
    await reader.close?.();
    expect(log).toEqual([
      'producer.connect',
      'send dra-canary acks=-1 p0',
      'producer.disconnect',
      'admin.connect',
      'consumer.connect',
      'subscribe',
      'run autoCommit=false',
      'seek 1',
      'admin.disconnect',
      'consumer.disconnect',
    ]);
  });

  it('an empty canary topic is "none"', async () => {
    const { client } = fakeKafka([]);
    expect(await kafkaProbe(async () => client, 't', 'g', 'r').read()).toBeUndefined();
  });
});
