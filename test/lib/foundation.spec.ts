import { Match } from 'aws-cdk-lib/assertions';
import { INTERFACE_ENDPOINTS } from '../../lib/constructs/network';
import { sharedPlatform, templateOf } from '../support/app';

describe('foundation stack (staging)', () => {
  const platform = sharedPlatform('staging');
  const primary = templateOf(platform.primary.foundation);
  const dr = templateOf(platform.dr.foundation);

  it('is named for env and role and bound to the configured account and region', () => {
    expect(platform.primary.foundation.stackName).toBe('staging-primary-foundation');
    expect(platform.dr.foundation.stackName).toBe('staging-dr-foundation');
    expect(platform.dr.foundation.region).toBe('us-west-2');
    expect(platform.dr.foundation.account).toBe(platform.config.account);
    expect(platform.primary.foundation.terminationProtection).toBe(true);
  });

  describe('network', () => {
    it('has no internet gateway and no NAT in either region', () => {
      for (const t of [primary, dr]) {
        t.resourceCountIs('AWS::EC2::InternetGateway', 0);
        t.resourceCountIs('AWS::EC2::NatGateway', 0);
        t.resourceCountIs('AWS::EC2::EIP', 0);
      }
    });

    it('uses the configured CIDR and one private subnet per configured Availability Zone', () => {
      dr.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16' });
      const subnets = dr.findResources('AWS::EC2::Subnet');
      const zones = Object.values(subnets).map((s: any) => s.Properties.AvailabilityZone);
      expect(zones.sort()).toEqual(['us-west-2a', 'us-west-2b', 'us-west-2c']);
      for (const subnet of Object.values(subnets) as any[]) {
        expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      }
    });

    it('routes nothing to the internet', () => {
      const routes = primary.findResources('AWS::EC2::Route');
      for (const route of Object.values(routes) as any[]) {
        expect(route.Properties.GatewayId).toBeUndefined();
        expect(route.Properties.NatGatewayId).toBeUndefined();
      }
    });

    it('reaches S3 through a gateway endpoint on the private route tables', () => {
      primary.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: { 'Fn::Join': ['', Match.arrayWith(['.s3'])] },
        RouteTableIds: Match.anyValue(),
      });
    });

    it('has an interface endpoint with private DNS for every service the platform calls', () => {
      const endpoints = Object.values(
        primary.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
      ) as any[];
      expect(endpoints).toHaveLength(Object.keys(INTERFACE_ENDPOINTS).length);
      const services = endpoints.map((e) => JSON.stringify(e.Properties.ServiceName));
      for (const required of ['sts', 'kms', 'secretsmanager', 'logs', 'ssm']) {
        expect(services.some((s) => s.includes(`.${required}`) || s.endsWith(`${required}"`))).toBe(true);
      }
      for (const e of endpoints) expect(e.Properties.PrivateDnsEnabled).toBe(true);
    });

    it('admits only HTTPS from the VPC CIDR to the endpoints', () => {
      primary.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'Interface endpoints: HTTPS from this VPC only',
        SecurityGroupIngress: [{ CidrIp: '10.30.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }],
      });
    });

    it('locks down the default security group', () => {
      primary.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    });

    it('sends flow logs of all traffic to a log group encrypted with the logs key', () => {
      primary.hasResourceProperties('AWS::EC2::FlowLog', {
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
      });
      primary.hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysLogsKey'), 'Arn'] },
      });
    });
  });

  describe('keys', () => {
    it('creates four customer-managed keys with rotation on, retained outside dev', () => {
      const keys = primary.findResources('AWS::KMS::Key');
      expect(Object.keys(keys)).toHaveLength(4);
      for (const key of Object.values(keys) as any[]) {
        expect(key.Properties.EnableKeyRotation).toBe(true);
        expect(key.DeletionPolicy).toBe('Retain');
      }
    });

    it('names keys with deterministic aliases the other region can derive', () => {
      for (const purpose of ['data', 'logs', 'database', 'streaming']) {
        dr.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/dra/staging/${purpose}` });
      }
    });

    it('lets CloudWatch Logs use the logs key only for this account and region', () => {
      primary.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'logs.us-east-1.amazonaws.com' },
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-1:${platform.config.account}:log-group:*`,
                },
              },
            }),
          ]),
        },
      });
    });

    it('has no key policy statement allowing every principal', () => {
      for (const key of Object.values(primary.findResources('AWS::KMS::Key')) as any[]) {
        for (const statement of key.Properties.KeyPolicy.Statement.filter((s: any) => s.Effect === 'Allow')) {
          expect(statement.Principal).not.toBe('*');
          expect(statement.Principal?.AWS).not.toBe('*');
        }
      }
    });
  });

  it('denies creating grants on any key unless the grant is for an AWS resource', () => {
    for (const key of Object.values(dr.findResources('AWS::KMS::Key')) as any[]) {
      expect(key.Properties.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Condition: {
            BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      );
    }
  });

  it('records the primary region as active in both regions', () => {
    for (const t of [primary, dr]) {
      t.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/dra/staging/active-region',
        Value: 'us-east-1',
      });
    }
  });
});

describe('foundation stack (dev)', () => {
  const platform = sharedPlatform('dev');
  it('lets dev destroy its keys, with a short pending window', () => {
    const keys = templateOf(platform.primary.foundation).findResources('AWS::KMS::Key');
    for (const key of Object.values(keys) as any[]) {
      expect(key.DeletionPolicy).toBe('Delete');
      expect(key.Properties.PendingWindowInDays).toBe(7);
    }
  });
});
