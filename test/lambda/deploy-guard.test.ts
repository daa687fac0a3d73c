import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetParameterCommand, type GetParameterCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import {
  GetCallerIdentityCommand,
  type GetCallerIdentityCommandOutput,
  STSClient,
} from '@aws-sdk/client-sts';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { validateConfig } from '../../config';
import {
  type GuardProperties,
  type GuardResponse,
  handle,
  putResponse,
} from '../../lambda/deploy-guard/handler';
import { preflight } from '../../lib/preflight';
import { atGeneration } from '../support/app';

/**
 * #21 defect 12: the deploy guard CloudFormation runs in the foundation and database stacks
 * (lib/constructs/deploy-guard.ts). Its SSM reads answered as the model has them; its answer
 * to CloudFormation captured (and once sent over real HTTP).
 */
const ssmMock = mockClient(SSMClient);
const stsMock = mockClient(STSClient);
const NAME = '/dra/prod/active-region';
type Record = string | Error | { value: string; modified: string } | undefined;

function records(byRegion: { [region: string]: Record }) {
  ssmMock.on(GetParameterCommand).callsFake(async (_input, getClient) => {
    const value = byRegion[await getClient().config.region()];
    if (value instanceof Error) throw value;
    if (value === undefined)
      throw Object.assign(new Error(`${NAME} not found`), { name: 'ParameterNotFound' });
    const [Value, modified] = typeof value === 'string' ? [value, undefined] : [value.value, value.modified];
    return {
      $metadata: {},
      Parameter: {
        Name: NAME,
        Type: 'String',
        Value,
        ...(modified ? { LastModifiedDate: new Date(modified) } : {}),
      },
    } satisfies GetParameterCommandOutput;
  });
}

const properties = (generation: number): GuardProperties => ({
  Environment: 'prod',
  Generation: String(generation),
  WriterRegion: generation % 2 === 0 ? 'us-east-1' : 'us-west-2',
  OtherRegion: generation % 2 === 0 ? 'us-west-2' : 'us-east-1',
  ParameterName: NAME,
  FenceDocument: 'dra-prod-fence',
});
const base = {
  ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:guard',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/put',
  StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/prod-primary-database/guid',
  RequestId: 'req-1',
  LogicalResourceId: 'DeployGuardCheck5456D0F2',
  ResourceType: 'AWS::CloudFormation::CustomResource',
};
const create = (generation: number): CloudFormationCustomResourceEvent => ({
  ...base,
  RequestType: 'Create',
  ResourceProperties: { ServiceToken: base.ServiceToken, ...properties(generation) },
});
const update = (generation: number, old: number): CloudFormationCustomResourceEvent => ({
  ...base,
  RequestType: 'Update',
  PhysicalResourceId: 'deploy-guard-DeployGuardCheck5456D0F2',
  ResourceProperties: { ServiceToken: base.ServiceToken, ...properties(generation) },
  OldResourceProperties: { ServiceToken: base.ServiceToken, ...properties(old) },
});

async function run(event: CloudFormationCustomResourceEvent): Promise<GuardResponse> {
  const sent: GuardResponse[] = [];
  await handle(event, {
    ssmIn: (region) => new SSMClient({ region }),
    respond: async (url, response) => {
      expect(url).toBe(base.ResponseURL);
      sent.push(response);
    },
    logger: { info: () => undefined, error: () => undefined },
  });
  expect(sent).toHaveLength(1);
  return sent[0];
}

beforeEach(() => {
  ssmMock.reset();
  stsMock.reset();
});

describe('deploy guard', () => {
  it('lets the first deploy through (no record yet) and a deploy whose records agree on the writer', async () => {
    records({});
    expect(await run(create(0))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.any(String) });
    records({ 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' });
    expect(await run(update(1, 0))).toMatchObject({ Status: 'SUCCESS' });
  });

  it('refuses re-seeding an old writer that was never fenced: the older record names the region to fence, with the command', async () => {
    // The failover made us-west-2 active; us-east-1 came back and still reads itself.
    records({
      'us-east-1': { value: 'us-east-1', modified: '2026-01-01T00:00:00Z' },
      'us-west-2': { value: 'us-west-2', modified: '2026-02-01T00:00:00Z' },
    });
    const answer = await run(update(1, 0));
    expect(answer).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining(
        "us-east-1's record is the older one: that region came back after the other took over and was not fenced",
      ),
      StackId: base.StackId,
      RequestId: 'req-1',
      LogicalResourceId: base.LogicalResourceId,
      PhysicalResourceId: 'deploy-guard-DeployGuardCheck5456D0F2',
    });
    expect(answer.Reason).toContain(
      'aws ssm start-automation-execution --region us-east-1 --document-name dra-prod-fence',
    );
    expect(answer.Reason).toContain('prod-primary-database');
  });

  it('refuses a deploy whose generation names a writer the runbooks moved away from, naming the generation to set', async () => {
    records({ 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' });
    expect(await run(create(0))).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/set failover.generation to 1/),
    });
  });

  it('refuses when the other region cannot be read: a region down looks like one up and still writing', async () => {
    records({
      'us-east-1': 'us-west-2',
      'us-west-2': Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }),
    });
    expect(await run(update(1, 0))).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(
        /could not read \/dra\/prod\/active-region in us-west-2 \(TimeoutError: connect ETIMEDOUT\).*run the failover runbook instead of deploying/,
      ),
    });
  });

  it("lets CloudFormation's rollback of a generation change and every delete through without reading anything", async () => {
    records({ 'us-east-1': Object.assign(new Error('down'), { name: 'TimeoutError' }) });
    expect(await run(update(0, 1))).toMatchObject({ Status: 'SUCCESS' });
    expect(
      await run({
        ...base,
        RequestType: 'Delete',
        PhysicalResourceId: 'prod-primary-database-DeployGuardCheck-ABC',
        ResourceProperties: { ServiceToken: base.ServiceToken, ...properties(0) },
      }),
    ).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'prod-primary-database-DeployGuardCheck-ABC' });
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  it('answers FAILED (never leaves CloudFormation waiting) when something unexpected throws', async () => {
    const sent: GuardResponse[] = [];
    await handle(create(0), {
      ssmIn: () => {
        throw new Error('no credentials');
      },
      respond: async (_url, response) => {
        sent.push(response);
      },
      logger: { info: () => undefined, error: () => undefined },
    });
    expect(sent).toEqual([
      expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('no credentials') }),
    ]);
  });

  it('PUTs the answer to the presigned URL with an empty content type', async () => {
    const received: { method?: string; type?: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ method: req.method, type: req.headers['content-type'], body });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned?X-Amz-Signature=x`;
      const response: GuardResponse = {
        Status: 'FAILED',
        Reason: 'records disagree',
        PhysicalResourceId: 'p',
        StackId: base.StackId,
        RequestId: 'r',
        LogicalResourceId: 'l',
      };
      await putResponse(url, response);
      expect(received).toEqual([{ method: 'PUT', type: '', body: JSON.stringify(response) }]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  // The guard and `npm run preflight` decide alike on the records (lib/preflight.ts).
  const cases: [string, number, Record, Record][] = [
    ['first deploy', 0, undefined, undefined],
    ['agree, generation 0', 0, 'us-east-1', 'us-east-1'],
    ['agree, generation 1', 1, 'us-west-2', 'us-west-2'],
    ['failover not yet in the config', 0, 'us-west-2', 'us-west-2'],
    ['old writer not fenced', 1, 'us-east-1', 'us-west-2'],
    ['writer never deployed', 1, undefined, 'us-west-2'],
    ['record names no region', 0, 'eu-west-1', 'eu-west-1'],
    ['other region unreachable', 0, 'us-east-1', Object.assign(new Error('down'), { name: 'TimeoutError' })],
  ];
  it.each(cases)('decides as preflight does: %s', async (_name, generation, primary, dr) => {
    records({ 'us-east-1': primary, 'us-west-2': dr });
    stsMock.on(GetCallerIdentityCommand).resolves({
      $metadata: {},
      Account: '444455556666',
      Arn: 'arn:aws:sts::444455556666:assumed-role/deployer/me',
      UserId: 'AROAEXAMPLE:me',
    } satisfies GetCallerIdentityCommandOutput);
    const config = validateConfig({ ...atGeneration(generation), account: '444455556666' }, 'test');
    const byPreflight = await preflight(
      config,
      new STSClient({ region: 'us-east-1' }),
      (region) => new SSMClient({ region }),
    );
    const byGuard = await run(create(generation));
    expect(byGuard.Status === 'SUCCESS').toBe(byPreflight.ok);
  });
});
