import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { environmentFromArgs } from '../../bin/cli-args';
import { validateConfig } from '../../config';
import { prod } from '../../config/prod';
import { preflight } from '../../lib/preflight';

const stsMock = mockClient(STSClient);
const realProd = validateConfig({ ...structuredClone(prod), account: '444455556666' }, 'test');

describe('deploy preflight', () => {
  beforeEach(() => stsMock.reset());

  it('passes when the credentials belong to the environment account', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '444455556666', Arn: 'arn:aws:sts::444455556666:assumed-role/deployer/me' });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }));
    expect(result).toEqual({
      ok: true,
      message: expect.stringMatching(/Preflight passed: .*deployer.* "prod" to 444455556666/),
    });
  });

  it('refuses credentials for another account, naming both', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '999988887777', Arn: 'arn:aws:iam::999988887777:user/dev' });
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }));
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /credentials are for account 999988887777 .* deploys to account 444455556666/,
    );
  });

  it('refuses a placeholder account without calling AWS', async () => {
    const placeholder = validateConfig(structuredClone(prod), 'test');
    const result = await preflight(placeholder, new STSClient({ region: 'us-east-1' }));
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/config\/prod\.ts still holds the placeholder account 111111111111/);
    expect(stsMock.calls()).toHaveLength(0);
  });

  it('explains missing or expired credentials', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(new Error('The security token included in the request is expired'));
    const result = await preflight(realProd, new STSClient({ region: 'us-east-1' }));
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /Could not identify your AWS credentials \(The security token .* expired\)\. Sign in/,
    );
  });

  it('reads the environment from -c env=NAME like the CDK CLI', () => {
    expect(environmentFromArgs(['-c', 'env=prod'])).toBe('prod');
    expect(environmentFromArgs(['--context', 'env=staging', '--exclusively'])).toBe('staging');
    expect(environmentFromArgs(['--context=env=prod'])).toBe('prod');
    expect(environmentFromArgs([])).toBe('dev');
  });
});
