import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  EMRServerlessClient,
  StartJobRunCommand,
  type StartJobRunCommandOutput,
  type StartJobRunResponse,
} from '@aws-sdk/client-emr-serverless';
import { GetParametersCommand, type GetParametersCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { RESUME_DEADLINE_MS, submit } from '../../lambda/job-submission/handler';
import { FakeKafkaCluster } from '../support/kafka';

const ENV = {
  DRA_ENVIRONMENT: 'dev',
  AWS_REGION: 'us-east-1',
  APPLICATION_ID: '00fabc123',
  EXECUTION_ROLE_ARN: 'arn:aws:iam::111111111111:role/emr-exec',
  ARTIFACTS_BUCKET: 'dra-dev-artifacts-111111111111-us-east-1',
  JARS: 'jars/a.jar,jars/b.jar',
  JOB_LOG_GROUP: '/dra/dev/emr-serverless/jobs',
  EXECUTION_TIMEOUT_MINUTES: '720',
  ACTIVE_REGION_PARAMETER: '/dra/dev/active-region',
  BOOTSTRAP_SERVERS_PARAMETER: '/dra/dev/msk/bootstrap-servers',
  CHECKPOINT_BUCKET: 'dra-dev-checkpoints-111111111111-us-east-1',
  COMMIT_GROUPS: '{"05-streaming-kafka":"dra-dev-05-streaming-kafka"}',
  STREAMING_MAX_FAILED_ATTEMPTS_PER_HOUR: '5',
  STREAMING_STARTING_OFFSETS: 'earliest',
};
const PARAMS = {
  $metadata: {},
  Parameters: [
    { Name: '/dra/dev/active-region', Value: 'us-east-1', Type: 'String' },
    { Name: '/dra/dev/msk/bootstrap-servers', Value: 'boot:9098', Type: 'String' },
  ],
  InvalidParameters: [],
} satisfies GetParametersCommandOutput;
const quiet = () => ({
  logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
});
/** No submission in these tests may touch Kafka unless it asks for a resume. */
const noKafka = async () => {
  throw new Error('Kafka was called for a submission that did not ask for a resume');
};

describe('job submission adapter (aws-sdk-client-mock)', () => {
  const emrMock = mockClient(EMRServerlessClient);
  const ssmMock = mockClient(SSMClient);
  beforeEach(() => {
    emrMock.reset();
    ssmMock.reset();
    ssmMock.on(GetParametersCommand).resolves(PARAMS);
  });
  // mockClient patches every instance of the class; the real-client tests below need EMR unpatched.
  afterAll(() => {
    emrMock.restore();
    ssmMock.restore();
  });
  const deps = () => ({
    emr: new EMRServerlessClient({ region: 'us-east-1' }),
    ssm: new SSMClient({ region: 'us-east-1' }),
    env: ENV,
    kafkaAdmin: noKafka,
    ...quiet(),
  });

  it('starts the run and returns job run id, region and application id', async () => {
    emrMock.on(StartJobRunCommand).resolves({
      $metadata: {},
      jobRunId: 'jr-1',
      applicationId: '00fabc123',
      arn: 'arn:x',
    } satisfies StartJobRunCommandOutput);
    const result = await submit({ job: '03-example-kafka', idempotencyKey: 'k' }, deps());
    expect(result).toEqual({
      ok: true,
      jobRunId: 'jr-1',
      applicationId: '00fabc123',
      region: 'us-east-1',
      job: '03-example-kafka',
      arn: 'arn:x',
    });
    const sent = emrMock.commandCalls(StartJobRunCommand)[0].args[0].input;
    expect(sent.jobDriver?.sparkSubmit?.entryPointArguments).toContain('--bootstrap_servers=boot:9098');
    expect(ssmMock.commandCalls(GetParametersCommand)[0].args[0].input.Names).toEqual([
      '/dra/dev/active-region',
      '/dra/dev/msk/bootstrap-servers',
    ]);
  });

  it('makes no EMR call for a refused request', async () => {
    const result = await submit({ job: 'nope' }, deps());
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_JOB' } });
    expect(emrMock.calls()).toHaveLength(0);
  });

  it('validates the whole request before any AWS call: a bad request never reads SSM', async () => {
    for (const bad of [
      { job: 'nope' },
      { job: '04-stream-sales-to-kafka', arguments: { message_delay: -1 } },
      { job: '01-example-console', arguments: { read_topic: '..' } },
      { job: '01-example-console', force: 'yes' },
    ]) {
      const result = await submit(bad, deps());
      expect(result).toMatchObject({ ok: false, region: 'us-east-1' });
    }
    expect(ssmMock.calls()).toHaveLength(0);
    expect(emrMock.calls()).toHaveLength(0);
  });

  it('refuses in the non-active region without calling EMR', async () => {
    ssmMock.on(GetParametersCommand).resolves({
      $metadata: {},
      Parameters: [{ Name: '/dra/dev/active-region', Value: 'us-west-2', Type: 'String' }],
    } satisfies GetParametersCommandOutput);
    const result = await submit({ job: '01-example-console' }, deps());
    expect(result).toMatchObject({ ok: false, region: 'us-east-1', error: { code: 'NOT_ACTIVE_REGION' } });
    expect(emrMock.calls()).toHaveLength(0);
  });

  it('turns a failure that survived the SDK retries into a structured result', async () => {
    emrMock
      .on(StartJobRunCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const result = await submit({ job: '01-example-console' }, deps());
    expect(result).toEqual({
      ok: false,
      region: 'us-east-1',
      error: { code: 'SUBMISSION_FAILED', message: 'ThrottlingException: Rate exceeded' },
    });
  });

  it('treats an SSM failure as an unreadable record: a structured refusal, never a thrown error', async () => {
    ssmMock
      .on(GetParametersCommand)
      .rejects(Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailableException' }));
    const refused = await submit({ job: '01-example-console', idempotencyKey: 'k' }, deps());
    expect(refused).toMatchObject({
      ok: false,
      region: 'us-east-1',
      error: { code: 'NOT_ACTIVE_REGION', field: 'force' },
    });
    expect(emrMock.commandCalls(StartJobRunCommand)).toHaveLength(0);
    // "force" passes the active-region gate, but every job needs the bootstrap servers, which
    // were in the same unreadable GetParameters answer.
    const forced = await submit({ job: '01-example-console', idempotencyKey: 'k', force: true }, deps());
    expect(forced).toMatchObject({
      ok: false,
      error: { code: 'MISSING_ARGUMENT', field: 'arguments.bootstrap_servers' },
    });
    expect(emrMock.commandCalls(StartJobRunCommand)).toHaveLength(0);
  });

  describe('a resume from the consumer group (resumeFromGroup)', () => {
    const GROUP = 'dra-dev-05-streaming-kafka';
    let cluster: FakeKafkaCluster;
    let brokers: string[];
    beforeEach(() => {
      cluster = new FakeKafkaCluster('us-east-1').addTopic('topicC', 3, 1000n);
      brokers = [];
      emrMock.on(StartJobRunCommand).resolves({
        $metadata: {},
        applicationId: '00fabc123',
        jobRunId: 'jr-9',
        arn: 'arn:x',
      } satisfies StartJobRunCommandOutput);
    });
    const resumeDeps = () => ({
      ...deps(),
      kafkaAdmin: async (bootstrapServers: string) => {
        brokers.push(bootstrapServers);
        return cluster.admin();
      },
    });
    const sentArguments = () =>
      emrMock.commandCalls(StartJobRunCommand)[0].args[0].input.jobDriver?.sparkSubmit?.entryPointArguments;

    it("starts job 05 from its group's offsets on this region's cluster, in STREAMING mode", async () => {
      cluster.commit(GROUP, 'topicC', { 0: 640, 1: 12 });
      const result = await submit(
        { job: '05-streaming-kafka', resumeFromGroup: true, idempotencyKey: 'failover-g0-us-west-2-05' },
        resumeDeps(),
      );
      expect(result).toMatchObject({
        ok: true,
        jobRunId: 'jr-9',
        resumed: "topicC: 2 of 3 partitions from the group's offsets; 1 with none at earliest (2)",
      });
      expect(brokers).toEqual(['boot:9098']);
      expect(cluster.calls).toEqual([
        'connect',
        'fetchTopicOffsets:topicC',
        `fetchOffsets:${GROUP}`,
        'disconnect',
      ]);
      const input = emrMock.commandCalls(StartJobRunCommand)[0].args[0].input;
      expect(input).toMatchObject({
        mode: 'STREAMING',
        executionTimeoutMinutes: 0,
        retryPolicy: { maxFailedAttemptsPerHour: 5 },
      });
      expect(sentArguments()).toEqual(
        expect.arrayContaining([
          '--starting_offsets={"topicC":{"0":640,"1":12,"2":-2}}',
          `--commit_group=${GROUP}`,
          expect.stringMatching(
            /^--checkpoint_location=s3:\/\/dra-dev-checkpoints-111111111111-us-east-1\/05-streaming-kafka\/[0-9a-f]{16}\/$/,
          ),
        ]),
      );
    });

    it('reads the topic the request names', async () => {
      cluster.addTopic('sales', 1, 10n).commit(GROUP, 'sales', { 0: 4 });
      await submit(
        { job: '05-streaming-kafka', resumeFromGroup: true, arguments: { read_topic: 'sales' } },
        resumeDeps(),
      );
      expect(sentArguments()).toContain('--starting_offsets={"sales":{"0":4}}');
    });

    it('starts nothing when the cluster does not answer, and says what to do', async () => {
      cluster.unreachable = true;
      const result = await submit({ job: '05-streaming-kafka', resumeFromGroup: true }, resumeDeps());
      expect(result).toEqual({
        ok: false,
        region: 'us-east-1',
        error: {
          code: 'RESUME_FAILED',
          field: 'resumeFromGroup',
          message: expect.stringMatching(
            /offsets of consumer group dra-dev-05-streaming-kafka on topicC could not be read from the cluster in us-east-1 \(KafkaJSConnectionError: .*\)\. Nothing was started\. Retry; or submit without resumeFromGroup to start at earliest\./,
          ),
        },
      });
      expect(emrMock.commandCalls(StartJobRunCommand)).toHaveLength(0);
      // The client is closed however the read ended.
      expect(cluster.calls).toEqual(['connect', 'disconnect']);
    });

    it('gives up on a cluster that hangs within its deadline', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      try {
        cluster.hangs = true;
        const pending = submit({ job: '05-streaming-kafka', resumeFromGroup: true }, resumeDeps());
        await jest.advanceTimersByTimeAsync(RESUME_DEADLINE_MS);
        expect(await pending).toMatchObject({
          ok: false,
          error: { code: 'RESUME_FAILED', message: expect.stringContaining('no answer within 12 s') },
        });
      } finally {
        jest.useRealTimers();
      }
      expect(emrMock.commandCalls(StartJobRunCommand)).toHaveLength(0);
    });

    it('refuses in a standby region before it touches Kafka', async () => {
      ssmMock.on(GetParametersCommand).resolves({
        $metadata: {},
        Parameters: [{ Name: '/dra/dev/active-region', Value: 'us-west-2' }],
      } satisfies GetParametersCommandOutput);
      const result = await submit({ job: '05-streaming-kafka', resumeFromGroup: true }, resumeDeps());
      expect(result).toMatchObject({ ok: false, error: { code: 'NOT_ACTIVE_REGION' } });
      expect(cluster.calls).toEqual([]);
    });

    it('starts a plain submission at the configured position without reading the group', async () => {
      cluster.commit(GROUP, 'topicC', { 0: 640 });
      const result = await submit({ job: '05-streaming-kafka' }, deps());
      expect(result).toMatchObject({ ok: true });
      expect(sentArguments()).toContain('--starting_offsets=earliest');
    });
  });

  it('names the missing setting when the function is misconfigured', async () => {
    await expect(
      submit({ job: '01-example-console' }, { ...deps(), env: { ...ENV, APPLICATION_ID: undefined } }),
    ).rejects.toThrow(/environment variable APPLICATION_ID is not set/);
  });
});

describe('job submission with the real SDK client against a local HTTP server', () => {
  let server: http.Server;
  let endpoint: string;
  const bodies: { path: string; body: string }[] = [];
  let throttleFirst = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push({ path: req.url ?? '', body });
        if (throttleFirst > 0) {
          throttleFirst--;
          res.writeHead(429, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'ThrottlingException',
          });
          res.end(JSON.stringify({ message: 'slow down' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        // The restJson body of StartJobRun's output structure.
        res.end(
          JSON.stringify({
            applicationId: '00fabc123',
            jobRunId: 'jr-local',
            arn: 'arn:aws:emr-serverless:us-east-1:111111111111:/applications/00fabc123/jobruns/jr-local',
          } satisfies StartJobRunResponse),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    bodies.length = 0;
  });

  const realDeps = () => {
    const ssmMock = mockClient(SSMClient);
    ssmMock.on(GetParametersCommand).resolves(PARAMS);
    const emr = new EMRServerlessClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      retryMode: 'standard',
      maxAttempts: 3,
    });
    return { emr, ssm: new SSMClient({ region: 'us-east-1' }), env: ENV, kafkaAdmin: noKafka, ...quiet() };
  };

  it('serializes the StartJobRun body the EMR Serverless API expects', async () => {
    const result = await submit({ job: '02-example-csv-s3', idempotencyKey: 'abc' }, realDeps());
    expect(result).toMatchObject({ ok: true, jobRunId: 'jr-local' });
    expect(bodies).toHaveLength(1);
    expect(bodies[0].path).toBe('/applications/00fabc123/jobruns');
    const body = JSON.parse(bodies[0].body);
    expect(body).toEqual({
      clientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      executionRoleArn: ENV.EXECUTION_ROLE_ARN,
      executionTimeoutMinutes: 720,
      name: '02-example-csv-s3',
      jobDriver: {
        sparkSubmit: {
          entryPoint: `s3://${ENV.ARTIFACTS_BUCKET}/scripts/02_example_csv_s3.py`,
          entryPointArguments: [
            '--bootstrap_servers=boot:9098',
            `--s3_bucket=${ENV.ARTIFACTS_BUCKET}`,
            '--read_topic=topicA',
          ],
          sparkSubmitParameters: `--conf spark.jars=s3://${ENV.ARTIFACTS_BUCKET}/jars/a.jar,s3://${ENV.ARTIFACTS_BUCKET}/jars/b.jar --py-files s3://${ENV.ARTIFACTS_BUCKET}/scripts/sales_common.py`,
        },
      },
      configurationOverrides: expect.objectContaining({ monitoringConfiguration: expect.any(Object) }),
      tags: { job: '02-example-csv-s3', environment: 'dev', 'submitted-by': 'dra-job-submission' },
    });
  });

  it('retries throttling through the SDK retry strategy with the same client token', async () => {
    throttleFirst = 1;
    const result = await submit({ job: '01-example-console', idempotencyKey: 'same' }, realDeps());
    expect(result).toMatchObject({ ok: true });
    expect(bodies).toHaveLength(2);
    expect(JSON.parse(bodies[0].body).clientToken).toBe(JSON.parse(bodies[1].body).clientToken);
  });
});
