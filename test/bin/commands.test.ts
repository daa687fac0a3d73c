import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { type CommandOutput, closest, parseCommandLine, UsageError } from '../../bin/cli-args';
import { cdkDeployArgs, runDeploy } from '../../bin/deploy';
import { runPreflight } from '../../bin/preflight';
import { runRetire } from '../../bin/retire-old-writer';
import { runSubmit } from '../../bin/submit';
import { loadConfig, validateConfig } from '../../config';
import { dev } from '../../config/dev';
import { preflight } from '../../lib/preflight';
import { classifyAwsError } from '../../lib/shared/aws-errors';

const lambdaMock = mockClient(LambdaClient);
const realDev = validateConfig({ ...structuredClone(dev), account: '444455556666' }, 'test');

/** Runs `npm run submit` in-process with a captured output; the Lambda client is mocked. */
async function submit(argv: string[], { account = 'real' }: { account?: 'real' | 'placeholder' } = {}) {
  let stdout = '';
  let stderr = '';
  const output: CommandOutput = {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
  };
  const code = await runSubmit(argv, {
    lambdaIn: (region) => new LambdaClient({ region }),
    output,
    loadConfig: (name) => (account === 'real' && name === 'dev' ? realDev : loadConfig(name)),
  });
  return { code, stdout, stderr };
}

const answer = (body: unknown, functionError?: string) =>
  ({
    $metadata: {},
    StatusCode: 200,
    Payload: Uint8ArrayBlobAdapter.fromString(JSON.stringify(body)),
    ...(functionError ? { FunctionError: functionError } : {}),
  }) satisfies InvokeCommandOutput;

/** The payload `--dry-run` prints. */
function dryRunPayload(stdout: string): unknown {
  return JSON.parse(stdout.slice(stdout.indexOf('{')));
}

beforeEach(() => lambdaMock.reset());

describe('npm run submit checks locally before it calls AWS', () => {
  it('--help lists the options and every job with its arguments, without loading config', async () => {
    const { code, stdout } = await submit(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run submit -- \[options\]/);
    expect(stdout).toMatch(/--arg NAME=VALUE/);
    expect(stdout).toMatch(/04-stream-sales-to-kafka .*message_delay=NUMBER \(default 0\.5\)/);
    expect(stdout).toMatch(/05-streaming-kafka +read_topic=STRING \(default topicC\)/);
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it('refuses an unknown job, lists the jobs and suggests the closest', async () => {
    const { code, stderr } = await submit(['-c', 'env=dev', '--job', '01-example-consol']);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /No job "01-example-consol"; did you mean 01-example-console\? Jobs: 01-example-console, /,
    );
    const none = await submit(['--job', 'nope']);
    expect(none.stderr).toMatch(/No job "nope"\. Jobs: 01-example-console, 02-example-csv-s3/);
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it('asks for a job when none is given, instead of a bare "Missing --job"', async () => {
    const { code, stderr } = await submit([]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Which job\? Give --job NAME, one of: 01-example-console/);
  });

  it('refuses an unknown flag and names the closest known one', async () => {
    const { code, stderr } = await submit(['--jobb', '01-example-console']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Unknown option --jobb; did you mean --job\?\nRun npm run submit -- --help/);
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it('refuses a region that is not one of the environment', async () => {
    const { code, stderr } = await submit(['--job', '01-example-console', '--region', 'mars-1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /--region mars-1: dev runs in us-east-1 \(primary\) and us-west-2 \(dr\) only; use primary, dr, us-east-1 or us-west-2/,
    );
  });

  it('refuses an argument without "=", an unknown one and one the platform fills', async () => {
    const noEquals = await submit(['--job', '01-example-console', '--arg', 'noequals']);
    expect(noEquals.stderr).toMatch(/--arg noequals: write NAME=VALUE, e\.g\. --arg read_topic=topicA/);
    const unknown = await submit(['--job', '01-example-console', '--arg', 'read_topik=topicA']);
    expect(unknown.stderr).toMatch(
      /has no argument "read_topik"; did you mean read_topic\? It takes: read_topic/,
    );
    const reserved = await submit(['--job', '01-example-console', '--arg', 'bootstrap_servers=x:9098']);
    expect(reserved.stderr).toMatch(/the platform fills "bootstrap_servers"/);
    expect([noEquals.code, unknown.code, reserved.code]).toEqual([2, 2, 2]);
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it('reads each value as its declared type, not by its look', async () => {
    const topic = await submit(['--job', '01-example-console', '--arg', 'read_topic=123', '--dry-run']);
    expect(topic.code).toBe(0);
    expect(dryRunPayload(topic.stdout)).toEqual({
      job: '01-example-console',
      arguments: { read_topic: '123' },
    });
    const delay = await submit([
      '--job',
      '04-stream-sales-to-kafka',
      '--arg',
      'message_delay=0.2',
      '--arg=write_topic=topicC',
      '--dry-run',
    ]);
    expect(dryRunPayload(delay.stdout)).toEqual({
      job: '04-stream-sales-to-kafka',
      arguments: { message_delay: 0.2, write_topic: 'topicC' },
    });
    const notANumber = await submit(['--job', '04-stream-sales-to-kafka', '--arg', 'message_delay=fast']);
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toMatch(/message_delay is a number \(Seconds between messages\); got "fast"/);
  });

  it('refuses an empty value instead of sending 0 or ""', async () => {
    const { code, stderr } = await submit(['--job', '01-example-console', '--arg', 'read_topic= ']);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /--arg read_topic= has no value; give one, or leave --arg read_topic out for the default \(topicA\)/,
    );
  });

  it("applies the handler's own rules locally (a topic name Kafka refuses)", async () => {
    const { code, stderr } = await submit(['--job', '01-example-console', '--arg', 'read_topic=no spaces']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^--arg read_topic: "read_topic" must be a Kafka topic name/);
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it("applies the catalog's ranges and resume rule locally, naming the option", async () => {
    const negative = await submit(['--job', '04-stream-sales-to-kafka', '--arg', 'message_delay=-1']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/^--arg message_delay: /);
    const resume = await submit(['--job', '01-example-console', '--resume-from-group']);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/^--resume-from-group: Job 01-example-console commits no offsets/);
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it('refuses the placeholder account like preflight, naming it, without calling AWS', async () => {
    const { code, stderr } = await submit(['--job', '01-example-console'], { account: 'placeholder' });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /config\/dev\.ts still holds the placeholder account 111111111111\. Set "account"/,
    );
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it("invokes dra-{env}-submit-job in the writer's region once and prints its answer", async () => {
    lambdaMock.on(InvokeCommand).resolves(answer({ ok: true, jobRunId: 'jr-1', job: '01-example-console' }));
    const { code, stdout } = await submit(['--job', '01-example-console', '--idempotency-key', 'k1']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, jobRunId: 'jr-1' });
    const [call] = lambdaMock.commandCalls(InvokeCommand);
    expect(call.args[0].input.FunctionName).toBe('dra-dev-submit-job');
    expect(JSON.parse(Buffer.from(call.args[0].input.Payload as Uint8Array).toString())).toEqual({
      job: '01-example-console',
      idempotencyKey: 'k1',
    });
    expect(await lambdaMock.call(0).thisValue.config.region()).toBe('us-east-1');
  });

  it('exits 1 when the function refuses or fails', async () => {
    lambdaMock.on(InvokeCommand).resolves(answer({ ok: false, error: { code: 'NOT_ACTIVE_REGION' } }));
    expect((await submit(['--job', '01-example-console', '--region', 'dr'])).code).toBe(1);
    lambdaMock.on(InvokeCommand).resolves(answer({ errorMessage: 'boom' }, 'Unhandled'));
    expect((await submit(['--job', '01-example-console'])).code).toBe(1);
  });

  it('reports a network failure as one, not as missing credentials', async () => {
    lambdaMock.on(InvokeCommand).rejects(
      Object.assign(new Error('getaddrinfo ENOTFOUND lambda.us-east-1.amazonaws.com'), {
        code: 'ENOTFOUND',
      }),
    );
    const { code, stderr } = await submit(['--job', '01-example-console']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /Could not reach Lambda in us-east-1 \(getaddrinfo ENOTFOUND .*\)\. This is the network, not your credentials/,
    );
    expect(stderr).not.toMatch(/Sign in/);
  });

  it('reports missing credentials as such', async () => {
    lambdaMock.on(InvokeCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const { stderr } = await submit(['--job', '01-example-console']);
    expect(stderr).toMatch(/No usable AWS credentials for Lambda in us-east-1 .*Sign in/);
  });
});

describe('the other commands', () => {
  let stdout: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());
  const printed = (spy: jest.SpyInstance) => spy.mock.calls.map((c) => String(c[0])).join('');

  it.each([
    ['preflight', runPreflight, /Usage: npm run preflight -- \[options\]/],
    ['retire-old-writer', runRetire, /--delete +take a final snapshot/],
    ['deploy', runDeploy, /handed to cdk deploy unchanged/],
  ])('%s answers --help without calling AWS', async (_name, run, expected) => {
    expect(await run(['--help'])).toBe(0);
    expect(printed(stdout)).toMatch(expected);
    expect(printed(stdout)).toMatch(/--context env=NAME +the environment \(dev, staging, prod\)/);
  });

  it("deploy passes --require-approval to cdk once: broadening by default, the user's own when given", () => {
    const approvals = (args: string[]) =>
      args.flatMap((a, i) =>
        a === '--require-approval' ? [args[i + 1]] : a.startsWith('--require-approval=') ? [a.slice(19)] : [],
      );
    expect(approvals(cdkDeployArgs(['-c', 'env=dev']))).toEqual(['broadening']);
    expect(approvals(cdkDeployArgs(['-c', 'env=dev', '--require-approval', 'never']))).toEqual(['never']);
    expect(approvals(cdkDeployArgs(['-c', 'env=dev', '--require-approval=any-change']))).toEqual([
      'any-change',
    ]);
    expect(cdkDeployArgs(['-c', 'env=dev', '--require-approval', 'never'])).toEqual([
      'cdk',
      'deploy',
      '--all',
      '-c',
      'env=dev',
      '--require-approval',
      'never',
    ]);
  });

  it('retire-old-writer refuses a misspelled --delete instead of only reporting', async () => {
    expect(await runRetire(['-c', 'env=dev', '--delet'])).toBe(2);
    expect(printed(stderr)).toMatch(/Unknown option --delet; did you mean --delete\?/);
  });

  it('preflight refuses a flag it does not take, and an empty environment name with its own message', async () => {
    expect(await runPreflight(['--hotswap'])).toBe(2);
    expect(printed(stderr)).toMatch(/Unknown option --hotswap/);
    expect(await runPreflight(['-c', 'env='])).toBe(1);
    expect(printed(stderr)).toMatch(/No environment name after -c env=\. Name one: -c env=dev/);
  });

  it('every script under bin/ with a shebang is one of these, so none lacks --help', () => {
    const bin = path.join(__dirname, '..', '..', 'bin');
    const scripts = fs
      .readdirSync(bin)
      .filter((f) => f.endsWith('.ts') && fs.readFileSync(path.join(bin, f), 'utf8').startsWith('#!'));
    // app.ts (run by the CDK CLI) is spawned with --help in test/bin/app.test.ts; cost.ts in test/lib/generated-docs.spec.ts.
    expect(scripts.sort()).toEqual(
      ['app.ts', 'cost.ts', 'deploy.ts', 'preflight.ts', 'retire-old-writer.ts', 'submit.ts'].sort(),
    );
  });
});

describe('preflight', () => {
  const stsMock = mockClient(STSClient);
  afterAll(() => stsMock.restore());

  it('names whatever placeholder account it finds', async () => {
    const placeholder = validateConfig({ ...structuredClone(dev), account: '222222222222' }, 'test');
    const result = await preflight(placeholder, new STSClient({ region: 'us-east-1' }), () => {
      throw new Error('no SSM call expected');
    });
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(/placeholder account 222222222222\./),
    });
    expect(stsMock.calls()).toHaveLength(0);
  });

  it('reports an unreachable STS as a network failure, not as credentials', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('connect ETIMEDOUT 52.94.0.1:443'), { code: 'ETIMEDOUT' }));
    const result = await preflight(realDev, new STSClient({ region: 'us-east-1' }), () => {
      throw new Error('no SSM call expected');
    });
    expect(result.message).toMatch(
      /Could not reach STS in us-east-1 \(connect ETIMEDOUT .*\)\. This is the network/,
    );
  });
});

describe('the command-line parser', () => {
  const spec = {
    usage: 'x',
    summary: '',
    flags: [
      { name: '--job', value: 'NAME', description: '' },
      { name: '--force', description: '' },
    ],
  };

  it('reads --flag VALUE, --flag=VALUE, switches and -c env=NAME / --context=env=NAME', () => {
    const a = parseCommandLine(['--job', 'a', '--force', '-c', 'env=prod'], spec);
    expect([a.values.get('--job'), a.switches.has('--force'), a.env]).toEqual([['a'], true, 'prod']);
    const b = parseCommandLine(['--job=b', '--context=env=staging'], spec);
    expect([b.values.get('--job'), b.env]).toEqual([['b'], 'staging']);
  });

  it('refuses a missing value, a value given twice, a stray word and a switch given a value', () => {
    expect(() => parseCommandLine(['--job'], spec)).toThrow(/--job needs a value: --job NAME/);
    expect(() => parseCommandLine(['--job', 'a', '--job', 'b'], spec)).toThrow(/given twice/);
    expect(() => parseCommandLine(['stray'], spec)).toThrow(/Unexpected argument "stray"/);
    expect(() => parseCommandLine(['--force=yes'], spec)).toThrow(UsageError);
  });

  it('suggests only a close name', () => {
    expect(closest('--forse', ['--job', '--force'])).toBe('--force');
    expect(closest('--zzzzzzzz', ['--job', '--force'])).toBeUndefined();
  });

  it('classifies SDK errors by their name and Node code', () => {
    expect(classifyAwsError(Object.assign(new Error('x'), { code: 'EAI_AGAIN' }))).toBe('network');
    expect(classifyAwsError(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe('network');
    expect(classifyAwsError(Object.assign(new Error('x'), { name: 'ExpiredTokenException' }))).toBe(
      'credentials',
    );
    expect(classifyAwsError(Object.assign(new Error('x'), { name: 'AccessDeniedException' }))).toBe(
      'answered',
    );
  });
});
