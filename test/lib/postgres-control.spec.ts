import { Match } from 'aws-cdk-lib/assertions';
import { sharedPlatform, templateOf } from '../support/app';

const ACCOUNT = '111111111111';

/** The control function's role policy statements, flattened (the stack's other functions have their own). */
function statements(t: ReturnType<typeof templateOf>): any[] {
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles).includes('PostgresControl'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement as any[]);
}
const actionsOf = (s: any) => [s.Action].flat();

describe('PostgreSQL control function (prod, generation 0)', () => {
  const platform = sharedPlatform('prod');
  const writer = templateOf(platform.primary.database);
  const standby = templateOf(platform.dr.database);
  const fn = (t: ReturnType<typeof templateOf>) => {
    const all = Object.values(
      t.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'dra-prod-postgres-control' } }),
    ) as any[];
    expect(all).toHaveLength(1);
    return all[0].Properties;
  };

  it('is deployed in both regions under the same name, in the VPC, with the RDS CA bundle for verified TLS', () => {
    for (const t of [writer, standby]) {
      const p = fn(t);
      expect(p.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
      expect(p.Environment.Variables).toMatchObject({
        DB_PORT: '5432',
        DB_NAME: 'postgres',
        CONTROL_USER: 'dra_control',
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        DB_HOST: { 'Fn::GetAtt': [expect.stringMatching(/^PostgresInstance/), 'Endpoint.Address'] },
      });
    }
  });

  it("sends a heartbeat every minute in the writer's region only, never retried", () => {
    const rules = (t: ReturnType<typeof templateOf>) =>
      (Object.values(t.findResources('AWS::Events::Rule')) as any[]).filter((r) =>
        r.Properties.Targets?.some((target: any) => target.Input === JSON.stringify({ action: 'heartbeat' })),
      );
    const [rule] = rules(writer);
    expect(rules(writer)).toHaveLength(1);
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Properties.Targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [expect.stringMatching(/PostgresControl/), 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 0 },
    });
    expect(rules(standby)).toEqual([]);
    writer.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  it("uses this generation's master secret only in the writer's region; the standby keeps IAM auth", () => {
    expect(fn(writer).Environment.Variables.MASTER_SECRET_ARN).toEqual({
      Ref: expect.stringMatching(/^PostgresMasterSecret/),
    });
    expect(fn(standby).Environment.Variables.MASTER_SECRET_ARN).toBeUndefined();
    expect(statements(standby).some((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))).toBe(
      false,
    );
  });

  it('grants rds-db:connect for dra_control on its own instance only', () => {
    for (const [t, region] of [
      [writer, 'us-east-1'],
      [standby, 'us-west-2'],
    ] as const) {
      const connect = statements(t).filter((s) => actionsOf(s).includes('rds-db:connect'));
      expect(connect).toHaveLength(1);
      expect(JSON.stringify(connect[0].Resource)).toContain(`arn:aws:rds-db:${region}:${ACCOUNT}:dbuser:`);
      expect(JSON.stringify(connect[0].Resource)).toContain('DbiResourceId');
      expect(JSON.stringify(connect[0].Resource)).toMatch(/\/dra_control"/);
    }
  });

  it('reads the secret and decrypts it only through Secrets Manager with the database key', () => {
    const all = statements(writer);
    const secret = all.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(secret.Resource).toEqual({ Ref: expect.stringMatching(/^PostgresMasterSecret/) });
    const decrypt = all.find((s) => actionsOf(s).includes('kms:Decrypt'));
    expect(decrypt.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
    });
    expect(JSON.stringify(decrypt.Resource)).toContain('DatabaseKey');
  });

  it('reaches the database on 5432 and nothing else but the VPC endpoints on 443', () => {
    for (const [t, cidr] of [
      [writer, '10.50.0.0/16'],
      [standby, '10.60.0.0/16'],
    ] as const) {
      const groups = t.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('^PostgreSQL control') },
      });
      expect(Object.keys(groups)).toHaveLength(1);
      const [id, group] = Object.entries(groups)[0] as [string, any];
      const egress = [
        ...(group.Properties.SecurityGroupEgress ?? []),
        ...Object.values(t.findResources('AWS::EC2::SecurityGroupEgress'))
          .map((r: any) => r.Properties)
          .filter((r: any) => JSON.stringify(r.GroupId).includes(id)),
      ];
      expect(egress).toHaveLength(2);
      expect(egress).toContainEqual(expect.objectContaining({ CidrIp: cidr, FromPort: 443, ToPort: 443 }));
      expect(egress).toContainEqual(
        expect.objectContaining({
          FromPort: 5432,
          ToPort: 5432,
          DestinationSecurityGroupId: expect.anything(),
        }),
      );
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 5432,
        ToPort: 5432,
        SourceSecurityGroupId: { 'Fn::GetAtt': [id, 'GroupId'] },
      });
    }
  });
});
