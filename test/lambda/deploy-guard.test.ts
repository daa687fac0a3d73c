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

const FENCED_FOR = '/dra/prod/fenced-for';
/** The fence runbook's marker, as fence_report.py writes it. */
const fencedFor = (newWriter: string, generation: number) =>
  JSON.stringify({ newWriter, generation, execution: 'exec-1', at: '2026-02-02T00:00:00Z' });

/** The active-region record per region, and the fence's fenced-for marker per region. */
function records(byRegion: { [region: string]: Record }, fenced: { [region: string]: string } = {}) {
  ssmMock.on(GetParameterCommand).callsFake(async (input, getClient) => {
    const region = await getClient().config.region();
    if (input.Name === FENCED_FOR) {
      const marker = fenced[region];
      if (marker === undefined)
        throw Object.assign(new Error(`${FENCED_FOR} not found`), { name: 'ParameterNotFound' });
      return {
        $metadata: {},
        Parameter: { Name: FENCED_FOR, Type: 'String', Value: marker },
      } satisfies GetParameterCommandOutput;
    }
    const value = byRegion[region];
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
  FencedForName: FENCED_FOR,
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
    records(
      { 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' },
      { 'us-east-1': fencedFor('us-west-2', 0) },
    );
    expect(await run(update(1, 0))).toMatchObject({ Status: 'SUCCESS' });
  });

  it('refuses re-seeding a region whose fence never completed, though the records agree: names the fence to run there (S4)', async () => {
    // The failover wrote us-east-1's record when it answered; the fence there failed (no marker).
    records({ 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' });
    const answer = await run(update(1, 0));
    expect(answer).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(
        /^Deploy guard refused prod-primary-database: failover.generation 1 in config\/prod.ts re-seeds us-east-1 from us-west-2, but us-east-1 has no \/dra\/prod\/fenced-for/,
      ),
    });
    expect(answer.Reason).toContain(
      'aws ssm start-automation-execution --region us-east-1 --document-name dra-prod-fence',
    );
    // A marker for another writer, or of an earlier switch, does not count; the right one does.
    records(
      { 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' },
      { 'us-east-1': fencedFor('us-east-1', 0) },
    );
    expect((await run(update(1, 0))).Reason).toMatch(/fenced for us-east-1, not for us-west-2/);
    records(
      { 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' },
      { 'us-east-1': fencedFor('us-west-2', 0) },
    );
    expect((await run(update(3, 2))).Reason).toMatch(/from an earlier switch/);
    records(
      { 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' },
      { 'us-east-1': fencedFor('us-west-2', 2) },
    );
    expect(await run(update(3, 2))).toMatchObject({ Status: 'SUCCESS' });
    // Generation 0 asks for no marker.
    records({ 'us-east-1': 'us-east-1', 'us-west-2': 'us-east-1' });
    expect(await run(create(0))).toMatchObject({ Status: 'SUCCESS' });
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
  const cases: [string, number, Record, Record, string?][] = [
    ['first deploy', 0, undefined, undefined],
    ['agree, generation 0', 0, 'us-east-1', 'us-east-1'],
    ['agree, generation 1, fenced', 1, 'us-west-2', 'us-west-2', fencedFor('us-west-2', 0)],
    ['agree, generation 1, not fenced', 1, 'us-west-2', 'us-west-2'],
    ['agree, generation 1, fence for another writer', 1, 'us-west-2', 'us-west-2', fencedFor('us-east-1', 0)],
    [
      'agree, generation 3, fence of an earlier switch',
      3,
      'us-west-2',
      'us-west-2',
      fencedFor('us-west-2', 0),
    ],
    ['failover not yet in the config', 0, 'us-west-2', 'us-west-2'],
    ['old writer not fenced', 1, 'us-east-1', 'us-west-2'],
    ['writer never deployed', 1, undefined, 'us-west-2'],
    ['record names no region', 0, 'eu-west-1', 'eu-west-1'],
    ['other region unreachable', 0, 'us-east-1', Object.assign(new Error('down'), { name: 'TimeoutError' })],
  ];
  // Every row gets five values: Jest takes a callback with more parameters than the row for one
  // that waits for done().
  const rows = cases.map(([n, g, p, d, m]) => [n, g, p, d, m] as const);
  it.each(rows)('decides as preflight does: %s', async (_name, generation, primary, dr, marker) => {
    const standby = generation % 2 === 0 ? 'us-west-2' : 'us-east-1';
    records({ 'us-east-1': primary, 'us-west-2': dr }, marker ? { [standby]: marker } : {});
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
