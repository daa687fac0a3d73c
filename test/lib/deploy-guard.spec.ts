import { sharedPlatform, templateOf } from '../support/app';

/**
 * #21 defect 12: the active-region and generation check is not opt-in. Every stack that a
 * generation change rewrites the record in (foundation) or re-seeds a database in (database)
 * carries a Lambda-backed check its changes wait for, so `cdk deploy 'prod-dr/*'` or a single
 * stack's deploy passes through it as `npm run deploy` does.
 */
describe('deploy guard (prod)', () => {
  const platform = sharedPlatform('prod');
  const guardOf = (t: ReturnType<typeof templateOf>) => {
    const guards = Object.entries(t.findResources('AWS::CloudFormation::CustomResource')).filter(
      ([, r]) => (r as { Properties?: { ParameterName?: string } }).Properties?.ParameterName,
    );
    expect(guards).toHaveLength(1);
    return guards[0] as [string, { Properties: Record<string, unknown> }];
  };
  /** DependsOn of every resource of the type (only the active-region record of the SSM parameters). */
  const dependsOn = (t: ReturnType<typeof templateOf>, type: string) =>
    Object.values(t.findResources(type))
      .filter((r: any) => type !== 'AWS::SSM::Parameter' || r.Properties.Name === '/dra/prod/active-region')
      .map((r) => (r as { DependsOn?: string[] }).DependsOn ?? []);

  it.each([
    ['primary', 'database', 'AWS::RDS::DBInstance'],
    ['dr', 'database', 'AWS::RDS::DBInstance'],
    ['primary', 'foundation', 'AWS::SSM::Parameter'],
    ['dr', 'foundation', 'AWS::SSM::Parameter'],
  ] as const)('the %s %s stack changes its %s only after the check answered', (role, stack, type) => {
    const t = templateOf(platform[role][stack]);
    const [id, guard] = guardOf(t);
    expect(guard.Properties).toMatchObject({
      Environment: 'prod',
      Generation: '0',
      WriterRegion: 'us-east-1',
      OtherRegion: 'us-west-2',
      ParameterName: '/dra/prod/active-region',
      FenceDocument: 'dra-prod-fence',
    });
    const deps = dependsOn(t, type);
    expect(deps.length).toBeGreaterThan(0);
    for (const d of deps) expect(d).toContain(id);
  });

  it('reads the record and the fenced-for marker in both regions, nothing else, from outside the VPC', () => {
    const t = templateOf(platform.dr.database);
    const [id, guard] = guardOf(t);
    const token = JSON.stringify(guard.Properties.ServiceToken);
    const fnId = Object.keys(t.findResources('AWS::Lambda::Function')).find((k) => token.includes(k));
    expect(fnId).toBeDefined();
    const fn = t.toJSON().Resources[fnId!];
    expect(fn.Properties.VpcConfig).toBeUndefined();
    const role = JSON.stringify(fn.Properties.Role);
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(
        JSON.parse(role)['Fn::GetAtt'][0],
      ),
    );
    const ssm = policies
      .flatMap((p) => (p as any).Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Action).includes('ssm:'));
    expect(ssm).toEqual([
      expect.objectContaining({
        Action: 'ssm:GetParameter',
        Resource: [
          expect.stringContaining(':us-east-1:111111111111:parameter/dra/prod/active-region'),
          expect.stringContaining(':us-east-1:111111111111:parameter/dra/prod/fenced-for'),
          expect.stringContaining(':us-west-2:111111111111:parameter/dra/prod/active-region'),
          expect.stringContaining(':us-west-2:111111111111:parameter/dra/prod/fenced-for'),
        ],
      }),
    ]);
    expect(id).toMatch(/DeployGuard/);
  });
});
