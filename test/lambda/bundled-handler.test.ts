import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StartJobRunResponse } from '@aws-sdk/client-emr-serverless';
import type { GetParametersResult } from '@aws-sdk/client-ssm';
import { BUNDLE_SCRIPT } from '../../lib/shared/lambda-function';

/**
 * The deployed artifact, for real: the job submission handler bundled exactly as
 * NodejsFunction bundles it (scripts/bundle-lambda.mjs, lambda/bundling.json), loaded in a fresh Node process
 * outside this repository (so nothing resolves from node_modules), with
 * credentials from the environment as in Lambda, calling SSM and EMR Serverless
 * on a local HTTP server through AWS_ENDPOINT_URL_*.
 */
describe('bundled job submission handler', () => {
  let server: http.Server;
  let endpoint: string;
  const requests: { target?: string; path: string; body: string; userAgent?: string }[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-bundle-'));
  const bundle = path.join(dir, 'index.js');

  beforeAll(async () => {
    execFileSync(process.execPath, [
      BUNDLE_SCRIPT,
      path.join(__dirname, '..', '..', 'lambda', 'job-submission', 'handler.ts'),
      bundle,
    ]);
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const target = req.headers['x-amz-target'] as string | undefined;
        requests.push({ target, path: req.url ?? '', body, userAgent: req.headers['user-agent'] });
        res.setHeader('content-type', target ? 'application/x-amz-json-1.1' : 'application/json');
        if (target === 'AmazonSSM.GetParameters') {
          res.end(
            JSON.stringify({
              Parameters: [
                { Name: '/dra/dev/active-region', Value: 'us-east-1', Type: 'String' },
                { Name: '/dra/dev/msk/bootstrap-servers', Value: 'boot-1:9098,boot-2:9098', Type: 'String' },
              ],
              InvalidParameters: [],
            } satisfies GetParametersResult),
          );
          return;
        }
        res.end(
          JSON.stringify({
            applicationId: 'app-1',
            jobRunId: 'run-1',
            arn: 'arn:aws:emr-serverless:us-east-1:111111111111:/applications/app-1/jobruns/run-1',
          } satisfies StartJobRunResponse),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('keeps kafkajs out of the handler bundle: resumes load it from a part of its own', () => {
    const part = path.join(dir, 'msk-admin.lazy.js');
    expect(fs.readFileSync(bundle, 'utf8')).not.toContain('KafkaJS');
    expect(fs.readFileSync(bundle, 'utf8')).toContain('./msk-admin.lazy');
    expect(fs.readFileSync(part, 'utf8')).toContain('KafkaJS');
    // The part loads on its own, outside the repository, as the handler's import() loads it in Lambda.
    expect(
      execFileSync(
        process.execPath,
        ['-e', 'process.stdout.write(typeof require("./msk-admin.lazy").mskAdmin)'],
        {
          cwd: dir,
          encoding: 'utf8',
          env: { PATH: process.env.PATH },
        },
      ),
    ).toBe('function');
  });

  it('stays within the size target and runs end to end with environment credentials', async () => {
    expect(fs.statSync(bundle).size).toBeLessThan(350 * 1024);
    // Asynchronous on purpose: the fake AWS endpoint runs on this process's event loop.
    const run = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(bundle)}).handler({ job: '01-example-console', idempotencyKey: 'bundle-test' }).then((r) => process.stdout.write('\\nRESULT ' + JSON.stringify(r) + '\\n'))`,
        ],
        {
          cwd: dir,
          timeout: 20000,
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
            AWS_SECRET_ACCESS_KEY: 'local',
            AWS_ENDPOINT_URL_SSM: endpoint,
            AWS_ENDPOINT_URL_EMR_SERVERLESS: endpoint,
            DRA_ENVIRONMENT: 'dev',
            APPLICATION_ID: 'app-1',
            EXECUTION_ROLE_ARN: 'arn:aws:iam::111111111111:role/exec',
            ARTIFACTS_BUCKET: 'artifacts',
            JARS: 'jars/a.jar',
            JOB_LOG_GROUP: '/dra/dev/emr-serverless/jobs',
            EXECUTION_TIMEOUT_MINUTES: '60',
            ACTIVE_REGION_PARAMETER: '/dra/dev/active-region',
            BOOTSTRAP_SERVERS_PARAMETER: '/dra/dev/msk/bootstrap-servers',
            CHECKPOINT_BUCKET: 'checkpoints',
            COMMIT_GROUPS: '{"05-streaming-kafka":"dra-dev-05-streaming-kafka"}',
            STREAMING_MAX_FAILED_ATTEMPTS_PER_HOUR: '5',
            STREAMING_STARTING_OFFSETS: 'earliest',
            POWERTOOLS_METRICS_NAMESPACE: 'Test',
          },
        },
        (error, stdout, stderr) =>
          error ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr }),
      );
    });
    expect(run.stderr).not.toMatch(/Error/);
    // stdout also carries the handler's structured logs and EMF metrics, as in Lambda.
    const lines = run.stdout.split('\n');
    const result = lines.find((l) => l.startsWith('RESULT '))?.slice(7) ?? '{}';
    const emf = lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
    expect(
      emf.some((m) =>
        m._aws.CloudWatchMetrics[0].Metrics.some((x: { Name: string }) => x.Name === 'JobsSubmitted'),
      ),
    ).toBe(true);
    expect(JSON.parse(result)).toEqual({
      ok: true,
      jobRunId: 'run-1',
      applicationId: 'app-1',
      region: 'us-east-1',
      job: '01-example-console',
      arn: expect.any(String),
    });
    expect(requests.map((r) => r.target ?? r.path)).toEqual([
      'AmazonSSM.GetParameters',
      '/applications/app-1/jobruns',
    ]);
    // The clients name their own version in the User-Agent (bundled from a trimmed package.json).
    expect(requests.map((r) => r.userAgent?.match(/api\/[a-z-]+#[0-9.]+/)?.[0])).toEqual([
      `api/ssm#${require('@aws-sdk/client-ssm/package.json').version}`,
      `api/emr-serverless#${require('@aws-sdk/client-emr-serverless/package.json').version}`,
    ]);
    expect(JSON.parse(requests[1].body).jobDriver.sparkSubmit.entryPointArguments).toEqual([
      '--bootstrap_servers=boot-1:9098,boot-2:9098',
      '--read_topic=topicA',
    ]);
  });
});
