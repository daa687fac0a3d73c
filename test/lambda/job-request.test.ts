import { JOB_CATALOG } from '../../lambda/job-submission/job-catalog';
import {
  buildStartJobRun,
  clientToken,
  type RegionContext,
  runKey,
} from '../../lambda/job-submission/request';

const BUCKET = 'dra-dev-artifacts-111111111111-us-east-1';
const SERVERS = 'boot-abc.c1.kafka-serverless.us-east-1.amazonaws.com:9098';
const JARS = ['jars/spark-sql-kafka-0-10_2.12-3.5.5.jar', 'jars/aws-msk-iam-auth-2.3.2-all.jar'];
const ctx: RegionContext = {
  environment: 'dev',
  region: 'us-east-1',
  activeRegion: 'us-east-1',
  applicationId: '00fabc123',
  executionRoleArn: 'arn:aws:iam::111111111111:role/emr-exec',
  artifactsBucket: BUCKET,
  jars: JARS,
  logGroupName: '/dra/dev/emr-serverless/jobs',
  executionTimeoutMinutes: 720,
  bootstrapServers: SERVERS,
  checkpointBucket: 'dra-dev-checkpoints-111111111111-us-east-1',
  commitGroups: { '05-streaming-kafka': 'dra-dev-05-streaming-kafka' },
  streaming: { maxFailedAttemptsPerHour: 5, startingOffsets: 'earliest' },
};
const CHECKPOINTS = 's3://dra-dev-checkpoints-111111111111-us-east-1';

/**
 * The job drivers the seed's `aws emr-serverless start-job-run` commands send, with
 * two deliberate differences: spark.jars lists the configured jars instead of
 * `jars/*.jar`, so a stale jar of another version in the folder is never loaded;
 * and --py-files ships the module the jobs share.
 */
const SEED_DRIVERS: Record<string, { entryPoint: string; entryPointArguments: string[] }> = {
  '01-example-console': {
    entryPoint: `s3://${BUCKET}/scripts/01_example_console.py`,
    entryPointArguments: [`--bootstrap_servers=${SERVERS}`, '--read_topic=topicA'],
  },
  '02-example-csv-s3': {
    entryPoint: `s3://${BUCKET}/scripts/02_example_csv_s3.py`,
    entryPointArguments: [`--bootstrap_servers=${SERVERS}`, `--s3_bucket=${BUCKET}`, '--read_topic=topicA'],
  },
  '03-example-kafka': {
    entryPoint: `s3://${BUCKET}/scripts/03_example_kafka.py`,
    entryPointArguments: [`--bootstrap_servers=${SERVERS}`, '--read_topic=topicA', '--write_topic=topicB'],
  },
  '04-stream-sales-to-kafka': {
    entryPoint: `s3://${BUCKET}/scripts/04_stream_sales_to_kafka.py`,
    entryPointArguments: [
      `--bootstrap_servers=${SERVERS}`,
      `--s3_bucket=${BUCKET}`,
      '--write_topic=topicC',
      '--sample_data_file=sales_incremental_large.csv',
      '--message_delay=0.5',
    ],
  },
  '05-streaming-kafka': {
    entryPoint: `s3://${BUCKET}/scripts/05_streaming_kafka.py`,
    entryPointArguments: [
      `--bootstrap_servers=${SERVERS}`,
      '--read_topic=topicC',
      `--checkpoint_location=${CHECKPOINTS}/05-streaming-kafka/${runKey(clientToken('dev', '05-streaming-kafka', 'k1'))}/`,
      '--starting_offsets=earliest',
      '--commit_group=dra-dev-05-streaming-kafka',
    ],
  },
};
const STREAMING = ['04-stream-sales-to-kafka', '05-streaming-kafka'];

describe('StartJobRun request builder', () => {
  it.each(Object.keys(SEED_DRIVERS))('builds the seed request for %s', (job) => {
    const result = buildStartJobRun({ job, idempotencyKey: 'k1' }, ctx);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.request).toEqual({
      applicationId: '00fabc123',
      executionRoleArn: 'arn:aws:iam::111111111111:role/emr-exec',
      name: job,
      clientToken: clientToken('dev', job, 'k1'),
      // Streaming jobs run in STREAMING mode, without a timeout, retried by EMR Serverless;
      // batch jobs keep the request they always had (no mode, the configured timeout).
      ...(STREAMING.includes(job)
        ? { mode: 'STREAMING', executionTimeoutMinutes: 0, retryPolicy: { maxFailedAttemptsPerHour: 5 } }
        : { executionTimeoutMinutes: 720 }),
      jobDriver: {
        sparkSubmit: {
          ...SEED_DRIVERS[job],
          sparkSubmitParameters: `--conf spark.jars=s3://${BUCKET}/${JARS[0]},s3://${BUCKET}/${JARS[1]} --py-files s3://${BUCKET}/scripts/sales_common.py`,
        },
      },
      configurationOverrides: {
        monitoringConfiguration: {
          s3MonitoringConfiguration: { logUri: `s3://${BUCKET}/logs/` },
          cloudWatchLoggingConfiguration: {
            enabled: true,
            logGroupName: '/dra/dev/emr-serverless/jobs',
            logStreamNamePrefix: job,
          },
        },
      },
      tags: { job, environment: 'dev', 'submitted-by': 'dra-job-submission' },
    });
  });

  it('covers every job in the catalog, and marks exactly 04 and 05 as streaming', () => {
    expect(JOB_CATALOG.map((j) => j.name).sort()).toEqual(Object.keys(SEED_DRIVERS).sort());
    expect(JOB_CATALOG.filter((j) => j.mode === 'STREAMING').map((j) => j.name)).toEqual(STREAMING);
  });

  describe('streaming jobs', () => {
    const args = (input: unknown, context: RegionContext = ctx, resume?: { startingOffsets: string }) => {
      const result = buildStartJobRun(input, context, resume);
      if (!result.ok) throw new Error(result.error.message);
      return result.request;
    };

    it('take the retry policy and the starting position from config', () => {
      const request = args(
        { job: '05-streaming-kafka' },
        { ...ctx, streaming: { maxFailedAttemptsPerHour: 10, startingOffsets: 'latest' } },
      );
      expect(request.retryPolicy).toEqual({ maxFailedAttemptsPerHour: 10 });
      expect(request.jobDriver?.sparkSubmit?.entryPointArguments).toContain('--starting_offsets=latest');
    });

    it("checkpoint each run under its own prefix of this region's checkpoint bucket", () => {
      const location = (input: unknown, context = ctx) =>
        args(input, context).jobDriver?.sparkSubmit?.entryPointArguments?.find((a) =>
          a.startsWith('--checkpoint_location='),
        );
      const a = location({ job: '05-streaming-kafka', idempotencyKey: 'a' });
      expect(a).toMatch(
        new RegExp(`^--checkpoint_location=${CHECKPOINTS}/05-streaming-kafka/[0-9a-f]{16}/$`),
      );
      // The same key is the same run (a retried request), so the same checkpoint.
      expect(location({ job: '05-streaming-kafka', idempotencyKey: 'a' })).toBe(a);
      // Another run never inherits it, and without a key every run gets its own.
      expect(location({ job: '05-streaming-kafka', idempotencyKey: 'b' })).not.toBe(a);
      expect(location({ job: '05-streaming-kafka' })).not.toBe(location({ job: '05-streaming-kafka' }));
      // In the DR region, the DR region's bucket: checkpoints never cross regions.
      const dr = {
        ...ctx,
        region: 'us-west-2',
        activeRegion: 'us-west-2',
        checkpointBucket: 'dra-dev-checkpoints-111111111111-us-west-2',
      };
      expect(location({ job: '05-streaming-kafka', idempotencyKey: 'a' }, dr)).toMatch(
        /^--checkpoint_location=s3:\/\/dra-dev-checkpoints-111111111111-us-west-2\/05-streaming-kafka\//,
      );
    });

    it('resume from the planned offsets when asked, and only then', () => {
      const json = '{"topicC":{"0":42,"1":-2}}';
      const request = args({ job: '05-streaming-kafka', resumeFromGroup: true }, ctx, {
        startingOffsets: json,
      });
      expect(request.jobDriver?.sparkSubmit?.entryPointArguments).toContain(`--starting_offsets=${json}`);
      expect(buildStartJobRun({ job: '05-streaming-kafka', resumeFromGroup: true }, ctx)).toMatchObject({
        ok: false,
        error: { code: 'RESUME_FAILED' },
      });
    });

    it('refuse a resume for a job that commits no offsets to a group', () => {
      for (const job of ['04-stream-sales-to-kafka', '01-example-console']) {
        expect(buildStartJobRun({ job, resumeFromGroup: true }, ctx)).toMatchObject({
          ok: false,
          error: {
            code: 'INVALID_INPUT',
            field: 'resumeFromGroup',
            message: expect.stringContaining('cannot resume from one (jobs that can: 05-streaming-kafka)'),
          },
        });
      }
      expect(buildStartJobRun({ job: '05-streaming-kafka', resumeFromGroup: 'yes' }, ctx)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', field: 'resumeFromGroup' },
      });
    });

    it('refuse offsets too long for one entry point argument rather than cut them', () => {
      const partitions = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [i, 1_000_000_000 + i]));
      const result = buildStartJobRun({ job: '05-streaming-kafka', resumeFromGroup: true }, ctx, {
        startingOffsets: JSON.stringify({ topicC: partitions }),
      });
      expect(result).toMatchObject({
        ok: false,
        error: {
          code: 'RESUME_FAILED',
          message: expect.stringMatching(/more than the 10280 an entry point argument takes/),
        },
      });
    });

    it('never let callers choose the checkpoint, the starting offsets or the group', () => {
      for (const name of ['checkpoint_location', 'starting_offsets', 'commit_group']) {
        expect(
          buildStartJobRun({ job: '05-streaming-kafka', arguments: { [name]: 'x' } }, ctx),
        ).toMatchObject({
          ok: false,
          error: { code: 'RESERVED_ARGUMENT', field: `arguments.${name}` },
        });
      }
    });
  });

  it('lets callers override defaults with values of the right type', () => {
    const result = buildStartJobRun(
      { job: '04-stream-sales-to-kafka', arguments: { message_delay: 0.1, sample_data_file: 'small.csv' } },
      ctx,
    );
    expect(result.ok && result.request.jobDriver?.sparkSubmit?.entryPointArguments).toEqual(
      expect.arrayContaining(['--message_delay=0.1', '--sample_data_file=small.csv']),
    );
  });

  describe('idempotency', () => {
    it('derives the same client token from the same key, so a retry cannot start a second run', () => {
      const a = buildStartJobRun({ job: '01-example-console', idempotencyKey: 'nightly-2026-11-24' }, ctx);
      const b = buildStartJobRun({ job: '01-example-console', idempotencyKey: 'nightly-2026-11-24' }, ctx);
      expect(a.ok && b.ok && a.request.clientToken === b.request.clientToken).toBe(true);
      expect(a.ok && a.request.clientToken).toMatch(/^[0-9a-f]{64}$/);
    });

    it('gives different keys, jobs or environments different tokens, and no key a fresh one each time', () => {
      expect(clientToken('dev', 'j', 'a')).not.toBe(clientToken('dev', 'j', 'b'));
      expect(clientToken('dev', 'j', 'a')).not.toBe(clientToken('dev', 'k', 'a'));
      expect(clientToken('dev', 'j', 'a')).not.toBe(clientToken('prod', 'j', 'a'));
      expect(clientToken('dev', 'j')).not.toBe(clientToken('dev', 'j'));
    });
  });

  describe('refusals are structured, name the field, and happen before any AWS call', () => {
    const refuse = (input: unknown, context: RegionContext = ctx) => {
      const result = buildStartJobRun(input, context);
      if (result.ok) throw new Error('expected a refusal');
      return result.error;
    };

    it('rejects input that is not an object', () => {
      expect(refuse('run 01')).toMatchObject({ code: 'INVALID_INPUT' });
      expect(refuse(null)).toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('rejects unknown fields and a missing job', () => {
      expect(refuse({ job: '01-example-console', jobs: 1 })).toMatchObject({
        code: 'INVALID_INPUT',
        field: 'jobs',
      });
      expect(refuse({})).toMatchObject({ code: 'INVALID_INPUT', field: 'job' });
    });

    it('rejects an unknown job and lists the known ones', () => {
      expect(refuse({ job: '06-nope' })).toEqual({
        code: 'UNKNOWN_JOB',
        field: 'job',
        message: expect.stringContaining('Known jobs: 01-example-console, 02-example-csv-s3'),
      });
    });

    it('rejects an unknown argument and lists what the job takes', () => {
      expect(refuse({ job: '01-example-console', arguments: { write_topic: 'x' } })).toEqual({
        code: 'UNKNOWN_ARGUMENT',
        field: 'arguments.write_topic',
        message: 'Job 01-example-console has no argument "write_topic". It takes: read_topic.',
      });
    });

    it('refuses to let callers override platform-filled arguments', () => {
      expect(
        refuse({ job: '01-example-console', arguments: { bootstrap_servers: 'evil:9092' } }),
      ).toMatchObject({
        code: 'RESERVED_ARGUMENT',
        field: 'arguments.bootstrap_servers',
      });
    });

    it('rejects a value of the wrong type', () => {
      expect(refuse({ job: '04-stream-sales-to-kafka', arguments: { message_delay: '0.5' } })).toMatchObject({
        code: 'INVALID_TYPE',
        field: 'arguments.message_delay',
      });
      expect(refuse({ job: '01-example-console', arguments: { read_topic: 42 } })).toMatchObject({
        code: 'INVALID_TYPE',
        field: 'arguments.read_topic',
      });
    });

    it('refuses a topic name Kafka would refuse', () => {
      for (const name of ['a topic', '.', '..', 't'.repeat(250), '']) {
        expect(refuse({ job: '01-example-console', arguments: { read_topic: name } })).toMatchObject({
          code: 'INVALID_VALUE',
          field: 'arguments.read_topic',
          message: expect.stringMatching(/^"read_topic" must be a Kafka topic name: /),
        });
      }
      expect(refuse({ job: '03-example-kafka', arguments: { write_topic: '..' } })).toMatchObject({
        code: 'INVALID_VALUE',
        message: expect.stringContaining('is made of periods only'),
      });
    });

    it('keeps numbers within the range the job catalog declares (time.sleep refuses negatives)', () => {
      for (const delay of [-1, -0.001, 60.5, 1e9]) {
        expect(refuse({ job: '04-stream-sales-to-kafka', arguments: { message_delay: delay } })).toEqual({
          code: 'INVALID_VALUE',
          field: 'arguments.message_delay',
          message: `"message_delay" must be from 0 to 60 (seconds between messages); got ${delay}.`,
        });
      }
      for (const delay of [0, 0.2, 60]) {
        const ok = buildStartJobRun(
          { job: '04-stream-sales-to-kafka', arguments: { message_delay: delay } },
          ctx,
        );
        expect(ok.ok).toBe(true);
      }
    });

    it('reports a missing required argument when the platform has no value for it yet', () => {
      expect(refuse({ job: '01-example-console' }, { ...ctx, bootstrapServers: undefined })).toEqual({
        code: 'MISSING_ARGUMENT',
        field: 'arguments.bootstrap_servers',
        message: expect.stringContaining('is the streaming stack deployed in this region'),
      });
    });

    it('rejects bad idempotency keys and force flags', () => {
      expect(refuse({ job: '01-example-console', idempotencyKey: '' })).toMatchObject({
        code: 'INVALID_INPUT',
        field: 'idempotencyKey',
      });
      expect(refuse({ job: '01-example-console', force: 'yes' })).toMatchObject({
        code: 'INVALID_INPUT',
        field: 'force',
      });
    });

    it('refuses in a region that is not the active one, saying where work runs', () => {
      const dr = { ...ctx, region: 'us-west-2' };
      expect(refuse({ job: '01-example-console' }, dr)).toEqual({
        code: 'NOT_ACTIVE_REGION',
        message: expect.stringMatching(
          /us-west-2 is not the active region \(active: us-east-1\).*Submit in us-east-1.*failover runbook/,
        ),
      });
      expect(refuse({ job: '01-example-console' }, { ...dr, activeRegion: undefined })).toEqual({
        code: 'NOT_ACTIVE_REGION',
        field: 'force',
        message: expect.stringMatching(/could not be read.*"force": true/),
      });
    });

    it('refuses "force" while the record names another region (a standby or fenced region writes nothing)', () => {
      const dr = { ...ctx, region: 'us-west-2' };
      expect(refuse({ job: '05-streaming-kafka', force: true }, dr)).toEqual({
        code: 'NOT_ACTIVE_REGION',
        message: expect.stringMatching(/names us-east-1.*refuses jobs, "force" included/),
      });
    });

    it('accepts force when the record cannot be read, and tags the run as forced', () => {
      const result = buildStartJobRun(
        { job: '01-example-console', force: true },
        { ...ctx, region: 'us-west-2', activeRegion: undefined },
      );
      expect(result.ok && result.request.tags).toMatchObject({ forced: 'true' });
    });
  });
});
