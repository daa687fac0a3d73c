import {
  GetServiceQuotaCommand,
  type GetServiceQuotaCommandOutput,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, type GetParameterCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import {
  GetCallerIdentityCommand,
  type GetCallerIdentityCommandOutput,
  STSClient,
} from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { environmentFromArgs } from '../../bin/cli-args';
import { validateConfig } from '../../config';
import { prod } from '../../config/prod';
import { preflight, reservedConcurrency } from '../../lib/preflight';
import { atGeneration } from '../support/app';

const stsMock = mockClient(STSClient);
const ssmMock = mockClient(SSMClient);
const realProd = validateConfig({ ...structuredClone(prod), account: '444455556666' }, 'test');
const ssmIn = (region: string) => new SSMClient({ region });
/** The fence runbook's marker, as fence_report.py writes it. */
const fencedFor = (newWriter: string, generation: number) =>
  JSON.stringify({ newWriter, generation, execution: 'exec-1', at: '2026-10-02T00:00:00Z' });
/**
 * The active-region record as the runbooks left it, per region (optionally with when it was last
 * set), and the fence's fenced-for marker per region.
 */
function activeRegion(
  records: Record<string, string | Error | { value: string; modified?: string }>,
  fenced: Record<string, string> = {},
) {
  ssmMock.on(GetParameterCommand).callsFake(async (input, getClient) => {
    const region = await getClient().config.region();
    if (input.Name === '/dra/prod/fenced-for') {
      const marker = fenced[region];
      if (marker === undefined) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
      return {
        $metadata: {},
        Parameter: { Name: input.Name, Type: 'String', Value: marker },
      } satisfies GetParameterCommandOutput;
    }
    const value = records[region];
    if (value instanceof Error) throw value;
    if (value === undefined) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
    const Name = '/dra/prod/active-region';
    if (typeof value === 'string')
      return {
        $metadata: {},
        Parameter: { Name, Type: 'String', Value: value },
      } satisfies GetParameterCommandOutput;
    return {
      $metadata: {},
      Parameter: {
        Name,
        Type: 'String',
        Value: value.value,
        LastModifiedDate: value.modified ? new Date(value.modified) : undefined,
      },
    } satisfies GetParameterCommandOutput;
  });
}
const deployable = (generation: number) =>
  validateConfig({ ...atGeneration(generation), account: '444455556666' }, 'test');

describe('deploy preflight', () => {
  beforeEach(() => {
    stsMock.reset();
    ssmMock.reset();
    stsMock.on(GetCallerIdentityCommand).resolves({
      $metadata: {},
      Account: '444455556666',
      Arn: 'arn:aws:sts::444455556666:assumed-role/deployer/me',
      UserId: 'AROAEXAMPLE:me',
    } satisfies GetCallerIdentityCommandOutput);
    activeRegion({ 'us-east-1': 'us-east-1', 'us-west-2': 'us-east-1' });
  });

  it('passes when the credentials belong to the environment account', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({
      $metadata: {},
      Account: '444455556666',
      Arn: 'arn:aws:sts::444455556666:assumed-role/deployer/me',
      UserId: 'AROAEXAMPLE:me',
    } satisfies GetCallerIdentityCommandOutput);
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result).toEqual({
      ok: true,
      message: expect.stringMatching(/Preflight passed: .*deployer.* "prod" to 444455556666/),
    });
  });

  it('refuses credentials for another account, naming both', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({
      $metadata: {},
      Account: '999988887777',
      Arn: 'arn:aws:iam::999988887777:user/dev',
      UserId: 'AROAEXAMPLE:me',
    } satisfies GetCallerIdentityCommandOutput);
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /credentials are for account 999988887777 .* deploys to account 444455556666/,
    );
  });

  it('refuses a placeholder account without calling AWS', async () => {
    const placeholder = validateConfig(structuredClone(prod), 'test');
    const result = await preflight(placeholder, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/config\/prod\.ts still holds the placeholder account 111111111111/);
    expect(stsMock.calls()).toHaveLength(0);
  });

  it('explains missing or expired credentials', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(new Error('The security token included in the request is expired'));
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /Could not identify your AWS credentials \(The security token .* expired\)\. Sign in/,
    );
  });

  it('passes a first deploy, where there is no active-region record yet', async () => {
    activeRegion({});
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result).toMatchObject({ ok: true, message: expect.stringMatching(/first deploy/) });
  });

  it('refuses to deploy generation 0 after a failover made the DR region active, and says to raise the generation', async () => {
    activeRegion({ 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /failover\.generation 0 .* makes us-east-1 the writer, but the runbooks made us-west-2 active .* set failover\.generation to 1/,
    );
  });

  it('refuses a raised generation before the runbook switched, which would re-seed the live writer', async () => {
    const result = await preflight(deployable(1), new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /generation 1 .* makes us-west-2 the writer, but the runbooks made us-east-1 active/,
    );
    // Once the failover runbook has run and the fence in us-east-1 finished, generation 1 deploys.
    activeRegion(
      { 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' },
      { 'us-east-1': fencedFor('us-west-2', 0) },
    );
    const after = await preflight(deployable(1), new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(after).toMatchObject({
      ok: true,
      message: expect.stringMatching(/generation 1, us-west-2 writes/),
    });
  });

  it('refuses generation 1 while the old writer region holds no complete fence, even when the records agree (S4)', async () => {
    // The switch wrote us-east-1's record; the fence never ran there, or a part of it failed.
    activeRegion({ 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' });
    const result = await preflight(deployable(1), new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /re-seeds us-east-1 from us-west-2, but us-east-1 has no \/dra\/prod\/fenced-for.*aws ssm start-automation-execution --region us-east-1 --document-name dra-prod-fence/,
      ),
    });
    // A marker of an earlier switch toward us-west-2 (generation 3 after 1 -> 2 -> 3) does not count.
    activeRegion(
      { 'us-east-1': 'us-west-2', 'us-west-2': 'us-west-2' },
      { 'us-east-1': fencedFor('us-west-2', 0) },
    );
    const stale = await preflight(deployable(3), new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(stale).toMatchObject({ ok: false, message: expect.stringMatching(/from an earlier switch/) });
  });

  it("refuses when the writer's region cannot be read, pointing at the runbook instead", async () => {
    activeRegion({ 'us-east-1': Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }) });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /Could not read \/dra\/prod\/active-region in us-east-1 \(connect ETIMEDOUT\).*failover runbook/,
    );
  });

  it('reads the active-region record in both regions', async () => {
    await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    const regions = await Promise.all(
      ssmMock.commandCalls(GetParameterCommand).map((c) => (c as any).thisValue?.config?.region?.()),
    );
    expect(ssmMock.commandCalls(GetParameterCommand).length).toBeGreaterThanOrEqual(2);
    expect(regions.filter(Boolean).sort()).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2']));
  });

  it('refuses while the records disagree, naming the stale region and the fence command', async () => {
    // The DR region took over at 10:00; the primary came back with its old record from last month.
    activeRegion({
      'us-east-1': { value: 'us-east-1', modified: '2026-10-01T00:00:00Z' },
      'us-west-2': { value: 'us-west-2', modified: '2026-11-25T10:00:00Z' },
    });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /records disagree: \/dra\/prod\/active-region reads us-east-1 in us-east-1 but us-west-2 in us-west-2\. us-east-1's record is the older one/,
    );
    expect(result.message).toContain(
      'aws ssm start-automation-execution --region us-east-1 --document-name dra-prod-fence',
    );
    // Also after the generation was raised: the disagreement is checked first.
    const raised = await preflight(deployable(1), new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(raised.message).toMatch(/--region us-east-1 --document-name dra-prod-fence/);
  });

  it('names both fence commands when it cannot tell which record is stale', async () => {
    activeRegion({ 'us-east-1': 'us-east-1', 'us-west-2': 'us-west-2' });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /--region us-east-1 --document-name dra-prod-fence or .*--region us-west-2 --document-name dra-prod-fence/,
    );
  });

  it("refuses when the standby's record cannot be read, since a deploy changes both regions", async () => {
    activeRegion({
      'us-east-1': 'us-east-1',
      'us-west-2': Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }),
    });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /Could not read \/dra\/prod\/active-region in us-west-2 \(connect ECONNREFUSED\)/,
    );
  });

  it('reads the environment from -c env=NAME like the CDK CLI', () => {
    expect(environmentFromArgs(['-c', 'env=prod'])).toBe('prod');
    expect(environmentFromArgs(['--context', 'env=staging', '--exclusively'])).toBe('staging');
    expect(environmentFromArgs(['--context=env=prod'])).toBe('prod');
    expect(environmentFromArgs([])).toBe('dev');
  });
});

describe('deploy preflight: Lambda concurrency quota', () => {
  const quotasMock = mockClient(ServiceQuotasClient);
  const quotasIn = (region: string) => new ServiceQuotasClient({ region });
  const needs = [
    { region: 'us-east-1', reserved: 15, functions: 7 },
    { region: 'us-west-2', reserved: 15, functions: 7 },
  ];
  const quotas = (values: Record<string, number | Error>) =>
    quotasMock.on(GetServiceQuotaCommand).callsFake(async (input, getClient) => {
      expect(input).toEqual({ ServiceCode: 'lambda', QuotaCode: 'L-B99A9384' });
      const value = values[await getClient().config.region()];
      if (value instanceof Error) throw value;
      return {
        Quota: {
          ServiceCode: 'lambda',
          QuotaCode: 'L-B99A9384',
          QuotaName: 'Concurrent executions',
          Value: value,
        },
        $metadata: {},
      } satisfies GetServiceQuotaCommandOutput;
    });

  beforeEach(() => {
    stsMock.reset();
    ssmMock.reset();
    quotasMock.reset();
    stsMock.on(GetCallerIdentityCommand).resolves({
      $metadata: {},
      Account: '444455556666',
      Arn: 'arn:aws:sts::444455556666:assumed-role/deployer/me',
      UserId: 'AROAEXAMPLE:me',
    } satisfies GetCallerIdentityCommandOutput);
    activeRegion({ 'us-east-1': 'us-east-1', 'us-west-2': 'us-east-1' });
  });

  it("refuses a new account's quota of 10, naming the region, what the deploy reserves and the request that fixes it", async () => {
    quotas({ 'us-east-1': 1000, 'us-west-2': 10 });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn, {
      needs,
      quotasIn,
    });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /Lambda concurrency quota in us-west-2 is 10, but this deploy reserves 15 .* 7 functions .* needs at least 115.*aws service-quotas request-service-quota-increase --region us-west-2 --service-code lambda --quota-code L-B99A9384 --desired-value 1000/,
    );
  });

  it('passes when both regions leave the unreserved 100 on top of what the functions reserve', async () => {
    quotas({ 'us-east-1': 115, 'us-west-2': 1000 });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn, {
      needs,
      quotasIn,
    });
    expect(result.ok).toBe(true);
    expect(quotasMock.commandCalls(GetServiceQuotaCommand)).toHaveLength(2);
  });

  it('refuses when the quota cannot be read, saying which permission to add', async () => {
    quotas({
      'us-east-1': Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
      'us-west-2': 1000,
    });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }), ssmIn, {
      needs,
      quotasIn,
    });
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(
        /Could not read the Lambda concurrency quota .* in us-east-1 \(not authorized\).*servicequotas:GetServiceQuota/,
      ),
    });
  });

  it('sums what the synthesized functions reserve, per region, ignoring functions without a reservation', () => {
    const fn = (reserved?: number) => ({
      Type: 'AWS::Lambda::Function',
      Properties: reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved },
    });
    expect(
      reservedConcurrency([
        {
          region: 'us-west-2',
          template: { Resources: { A: fn(2), B: fn(), C: { Type: 'AWS::SQS::Queue' } } },
        },
        { region: 'us-east-1', template: { Resources: { A: fn(2), B: fn(1) } } },
        { region: 'us-west-2', template: { Resources: { D: fn(5) } } },
      ]),
    ).toEqual([
      { region: 'us-east-1', reserved: 3, functions: 2 },
      { region: 'us-west-2', reserved: 7, functions: 2 },
    ]);
  });
});
