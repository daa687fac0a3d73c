import {
  AWS_LIMIT_RULES,
  type AwsLimitRule,
  type CfnTemplate,
  checkAwsLimits,
  regionOfValue,
  type StackTemplate,
} from '../../lib/compliance/aws-limits';
import { elasticacheGlobalMember } from '../../lib/compliance/aws-limits/elasticache-global-member';
import { kmsKeyArn } from '../../lib/compliance/aws-limits/kms-key-arn';
import { mskReplicatorClusterRegion } from '../../lib/compliance/aws-limits/msk-replicator-cluster-region';
import {
  rdsReplicaMasterPassword,
  rdsReplicaSourceManagedPassword,
} from '../../lib/compliance/aws-limits/rds-replica-credentials';

/**
 * Each AWS-limit rule against a fragment of the template shape the app synthesized before
 * issue #20 (it must fail) and the fixed shape (it must pass). Fragments keep only what the
 * rule reads; values are as staging synthesized them (us-east-1 primary, us-west-2 DR).
 */

const PRIMARY = 'us-east-1';
const DR = 'us-west-2';

function stack(stackName: string, region: string, resources: CfnTemplate['Resources']): StackTemplate {
  return {
    stackName,
    region,
    templatePath: `/cdk.out/${stackName}.template.json`,
    template: { Resources: resources },
  };
}

const ids = (rule: AwsLimitRule, stacks: StackTemplate[]) =>
  rule.check(stacks).map((f) => `${f.stack.stackName}/${f.logicalId} ${f.path}`);

const foundationOutput = (region: string, role: string, output: string) => ({
  'Fn::GetStackOutput': { StackName: `staging-${role}-foundation`, Region: region, OutputName: output },
});

describe('rds-replica-source-managed-password', () => {
  const replica = stack('staging-dr-database', DR, {
    PostgresInstanceA83EBC1B: {
      Type: 'AWS::RDS::DBInstance',
      Properties: {
        DBInstanceIdentifier: 'dra-staging-postgres',
        SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:dra-staging-postgres',
        SourceRegion: PRIMARY,
      },
    },
  });
  const writer = (properties: Record<string, unknown>) =>
    stack('staging-primary-database', PRIMARY, {
      PostgresInstanceA83EBC1B: {
        Type: 'AWS::RDS::DBInstance',
        Properties: {
          DBInstanceIdentifier: 'dra-staging-postgres',
          MasterUsername: 'dra_admin',
          ...properties,
        },
      },
    });

  it("fails on the writer of before #20: an RDS-managed master secret on the replica's source", () => {
    const old = writer({ ManageMasterUserPassword: true, MasterUserSecret: { KmsKeyId: 'key' } });
    expect(ids(rdsReplicaSourceManagedPassword, [old, replica])).toEqual([
      'staging-primary-database/PostgresInstanceA83EBC1B Properties.ManageMasterUserPassword',
    ]);
  });

  it('passes a writer whose password comes from its own secret', () => {
    const fixed = writer({
      MasterUserPassword: '{{resolve:secretsmanager:arn:...:SecretString:password::}}',
    });
    expect(ids(rdsReplicaSourceManagedPassword, [fixed, replica])).toEqual([]);
  });

  it('leaves a managed password alone where nothing replicates from the instance', () => {
    expect(ids(rdsReplicaSourceManagedPassword, [writer({ ManageMasterUserPassword: true })])).toEqual([]);
  });

  it('matches the source by identifier and region: the same name in the other region is not the source', () => {
    const elsewhere = { ...writer({ ManageMasterUserPassword: true }), region: 'eu-west-1' };
    expect(ids(rdsReplicaSourceManagedPassword, [elsewhere, replica])).toEqual([]);
  });
});

describe('rds-replica-master-password', () => {
  const source = 'arn:aws:rds:us-east-1:111111111111:db:dra-staging-postgres';
  const replicaWith = (properties: Record<string, unknown>) =>
    stack('staging-dr-database', DR, {
      Instance: {
        Type: 'AWS::RDS::DBInstance',
        Properties: {
          DBInstanceIdentifier: 'dra-staging-postgres',
          SourceDBInstanceIdentifier: source,
          ...properties,
        },
      },
    });
  const writer = stack('staging-primary-database', PRIMARY, {
    Instance: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: 'dra-staging-postgres' } },
  });

  it('fails on a replica that carries a master password', () => {
    expect(ids(rdsReplicaMasterPassword, [writer, replicaWith({ MasterUserPassword: 'x' })])).toEqual([
      'staging-dr-database/Instance Properties.MasterUserPassword',
    ]);
  });

  it('passes a replica without one, and a promoted writer (it has a source but is the source of the next replica)', () => {
    expect(ids(rdsReplicaMasterPassword, [writer, replicaWith({})])).toEqual([]);
    const promoted = replicaWith({ MasterUserPassword: 'x' });
    const nextReplica = stack('staging-primary-database', PRIMARY, {
      Instance: {
        Type: 'AWS::RDS::DBInstance',
        Properties: {
          DBInstanceIdentifier: 'dra-staging-postgres-g1',
          SourceDBInstanceIdentifier: 'arn:aws:rds:us-west-2:111111111111:db:dra-staging-postgres',
        },
      },
    });
    expect(ids(rdsReplicaMasterPassword, [promoted, nextReplica])).toEqual([]);
  });
});

describe('elasticache-global-member-properties', () => {
  const member = (properties: Record<string, unknown>) =>
    stack('staging-dr-cache', DR, {
      CacheReplicationGroupBFE59FF3: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: {
          ReplicationGroupId: 'dra-staging-cache',
          ReplicationGroupDescription: 'dual-region-analytics staging cache (dr)',
          GlobalReplicationGroupId: 'ldgnf-dra-staging-cache',
          CacheSubnetGroupName: { Ref: 'CacheSubnetGroup355C216D' },
          SecurityGroupIds: [{ 'Fn::GetAtt': ['CacheSecurityGroup79A9F160', 'GroupId'] }],
          KmsKeyId: foundationOutput(DR, 'dr', 'DatabaseKeyArn'),
          AuthToken: '{{resolve:secretsmanager:dra/staging/cache/auth-token:SecretString:::}}',
          NumCacheClusters: 2,
          Tags: [{ Key: 'environment', Value: 'staging' }],
          ...properties,
        },
      },
    });

  it('fails on the member of before #20: inferred values and settings a later deploy would change', () => {
    const old = member({
      AtRestEncryptionEnabled: true,
      AutomaticFailoverEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      MultiAZEnabled: true,
      Port: 6379,
      SnapshotRetentionLimit: 15,
      SnapshotWindow: '04:00-05:00',
      PreferredMaintenanceWindow: 'sun:06:00-sun:07:00',
      AutoMinorVersionUpgrade: true,
      LogDeliveryConfigurations: [],
    });
    const findings = elasticacheGlobalMember.check([old]);
    expect(findings.map((f) => f.path).sort()).toEqual(
      [
        'AtRestEncryptionEnabled',
        'AutoMinorVersionUpgrade',
        'AutomaticFailoverEnabled',
        'LogDeliveryConfigurations',
        'Port',
        'PreferredMaintenanceWindow',
        'SnapshotWindow',
        'TransitEncryptionEnabled',
        'TransitEncryptionMode',
      ].map((p) => `Properties.${p}`),
    );
    const inferred = findings.find((f) => f.path === 'Properties.TransitEncryptionEnabled');
    expect(inferred?.problem).toMatch(/Cannot use the given parameters/);
    expect(findings.find((f) => f.path === 'Properties.SnapshotWindow')?.problem).toMatch(
      /part of a global cluster/,
    );
  });

  it('passes a member built from ids only, with the settings pinned in code', () => {
    expect(elasticacheGlobalMember.check([member({})])).toEqual([]);
    expect(
      elasticacheGlobalMember.check([member({ MultiAZEnabled: true, SnapshotRetentionLimit: 15 })]),
    ).toEqual([]);
  });

  it('fails on a pinned setting with another value (a value from config could change one day)', () => {
    const findings = elasticacheGlobalMember.check([
      member({ SnapshotRetentionLimit: 35, MultiAZEnabled: false }),
    ]);
    expect(findings.map((f) => [f.path, f.fix])).toEqual([
      ['Properties.SnapshotRetentionLimit', expect.stringMatching(/^Set it to 15/)],
      ['Properties.MultiAZEnabled', expect.stringMatching(/^Set it to true/)],
    ]);
  });

  it('leaves the group that creates the datastore alone', () => {
    const primary = stack('staging-primary-cache', PRIMARY, {
      Group: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: {
          ReplicationGroupId: 'dra-staging-cache',
          Engine: 'valkey',
          AtRestEncryptionEnabled: true,
        },
      },
    });
    expect(elasticacheGlobalMember.check([primary])).toEqual([]);
  });
});

describe('msk-replicator-cluster-region', () => {
  const subnets = (region: string, role: string) =>
    [1, 2, 3].map((n) => foundationOutput(region, role, `PrivateSubnet${n}`));
  const replicator = (source: { SubnetIds: unknown; SecurityGroupIds?: unknown }) =>
    stack('staging-dr-streaming', DR, {
      ReplicatorSourceClusterArn30CC9523: {
        Type: 'Custom::AWS',
        Properties: {
          Create:
            '{"service":"ssm","action":"getParameter","region":"us-east-1","parameters":{"Name":"/dra/staging/msk/cluster-arn"}}',
          Update:
            '{"service":"ssm","action":"getParameter","region":"us-east-1","parameters":{"Name":"/dra/staging/msk/cluster-arn"}}',
        },
      },
      ReplicatorSourceNetwork: {
        Type: 'Custom::AWS',
        Properties: {
          Update: '{"service":"ssm","action":"getParameters","region":"us-east-1","parameters":{}}',
        },
      },
      MskCluster46ECFC4D: { Type: 'AWS::MSK::ServerlessCluster', Properties: {} },
      Replicator3A0B963A: {
        Type: 'AWS::MSK::Replicator',
        Properties: {
          KafkaClusters: [
            {
              AmazonMskCluster: {
                MskClusterArn: { 'Fn::GetAtt': ['ReplicatorSourceClusterArn30CC9523', 'Parameter.Value'] },
              },
              VpcConfig: source,
            },
            {
              AmazonMskCluster: { MskClusterArn: { 'Fn::GetAtt': ['MskCluster46ECFC4D', 'Arn'] } },
              VpcConfig: {
                SubnetIds: subnets(DR, 'dr'),
                SecurityGroupIds: [{ 'Fn::GetAtt': ['ReplicatorSecurityGroup30711810', 'GroupId'] }],
              },
            },
          ],
        },
      },
    });

  it("fails on the Replicator of before #20: the source cluster with the target region's subnets", () => {
    expect(ids(mskReplicatorClusterRegion, [replicator({ SubnetIds: subnets(DR, 'dr') })])).toEqual([
      'staging-dr-streaming/Replicator3A0B963A Properties.KafkaClusters.0.VpcConfig.SubnetIds.0',
      'staging-dr-streaming/Replicator3A0B963A Properties.KafkaClusters.0.VpcConfig.SubnetIds.1',
      'staging-dr-streaming/Replicator3A0B963A Properties.KafkaClusters.0.VpcConfig.SubnetIds.2',
    ]);
  });

  it("fails on a security group of the template's own VPC given to the source cluster", () => {
    const local = replicator({
      SubnetIds: { 'Fn::Split': [',', { 'Fn::GetAtt': ['ReplicatorSourceNetwork', 'Parameters.0.Value'] }] },
      SecurityGroupIds: [{ 'Fn::GetAtt': ['ReplicatorSecurityGroup30711810', 'GroupId'] }],
    });
    expect(ids(mskReplicatorClusterRegion, [local])).toEqual([
      'staging-dr-streaming/Replicator3A0B963A Properties.KafkaClusters.0.VpcConfig.SecurityGroupIds.0',
    ]);
  });

  it("passes the source cluster with subnets and a security group read from the source's region", () => {
    const fixed = replicator({
      SubnetIds: { 'Fn::Split': [',', { 'Fn::GetAtt': ['ReplicatorSourceNetwork', 'Parameters.0.Value'] }] },
      SecurityGroupIds: [{ 'Fn::GetAtt': ['ReplicatorSourceNetwork', 'Parameters.1.Value'] }],
    });
    expect(ids(mskReplicatorClusterRegion, [fixed])).toEqual([]);
  });
});

describe('kms-key-arn', () => {
  const alias = 'arn:aws:kms:us-west-2:111111111111:alias/dra/staging/database';
  const keyArn = { 'Fn::GetAtt': ['StandbyDatabaseKeyArn', 'Parameter.Value'] };
  const templates = (key: unknown) => [
    stack('staging-primary-database', PRIMARY, {
      Instance: {
        Type: 'AWS::RDS::DBInstance',
        Properties: { AutomaticBackupReplicationRegion: DR, AutomaticBackupReplicationKmsKeyId: key },
      },
    }),
    stack('staging-primary-warehouse', PRIMARY, {
      Namespace: {
        Type: 'AWS::RedshiftServerless::Namespace',
        Properties: { SnapshotCopyConfigurations: [{ DestinationRegion: DR, DestinationKmsKeyId: key }] },
      },
    }),
  ];

  it('fails on the alias ARNs of before #20 (backup replication and snapshot copy)', () => {
    expect(ids(kmsKeyArn, templates(alias))).toEqual([
      'staging-primary-database/Instance Properties.AutomaticBackupReplicationKmsKeyId',
      'staging-primary-warehouse/Namespace Properties.SnapshotCopyConfigurations.0.DestinationKmsKeyId',
    ]);
  });

  it('passes key ARNs read at deploy time', () => {
    expect(ids(kmsKeyArn, templates(keyArn))).toEqual([]);
    expect(ids(kmsKeyArn, templates('arn:aws:kms:us-west-2:111111111111:key/1234abcd'))).toEqual([]);
  });
});

describe('the framework', () => {
  it('has unique rule ids, each with a summary and an AWS page', () => {
    const seen = new Set(AWS_LIMIT_RULES.map((r) => r.id));
    expect(seen.size).toBe(AWS_LIMIT_RULES.length);
    for (const rule of AWS_LIMIT_RULES) {
      expect([rule.id, rule.summary.length > 10, /https:\/\//.test(rule.page)]).toEqual([
        rule.id,
        true,
        true,
      ]);
    }
  });

  it('words each finding with the path, the value, the fix and the page, and points at the resource', () => {
    const [violation] = checkAwsLimits(
      [
        stack('staging-primary-warehouse', PRIMARY, {
          Namespace: {
            Type: 'AWS::RedshiftServerless::Namespace',
            Properties: { SnapshotCopyConfigurations: [{ DestinationKmsKeyId: 'alias/x' }] },
          },
        }),
      ],
      [kmsKeyArn],
    );
    expect(violation.ruleName).toBe('kms-key-arn');
    expect(violation.description).toMatch(
      /^staging-primary-warehouse\/Namespace Properties\.SnapshotCopyConfigurations\.0\.DestinationKmsKeyId = "alias\/x": .* Fix: .* AWS: https:\/\//,
    );
    expect(violation.violatingResources).toEqual([
      {
        resourceLogicalId: 'Namespace',
        templatePath: '/cdk.out/staging-primary-warehouse.template.json',
        locations: ['Properties.SnapshotCopyConfigurations.0.DestinationKmsKeyId'],
      },
    ]);
  });

  it('reads the region of template values', () => {
    const s = stack('s', DR, {
      Call: { Type: 'Custom::AWS', Properties: { Update: '{"region":"eu-central-1"}' } },
      Local: { Type: 'AWS::EC2::SecurityGroup' },
    });
    expect(regionOfValue(s, 'arn:aws:kafka:us-east-1:1:cluster/x/y')).toBe(PRIMARY);
    expect(regionOfValue(s, { 'Fn::GetAtt': ['Call', 'Parameter.Value'] })).toBe('eu-central-1');
    expect(regionOfValue(s, { 'Fn::GetAtt': ['Local', 'GroupId'] })).toBe(DR);
    expect(regionOfValue(s, { 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: 'Call' }] }] })).toBe(
      'eu-central-1',
    );
    expect(regionOfValue(s, foundationOutput(PRIMARY, 'primary', 'x'))).toBe(PRIMARY);
    expect(regionOfValue(s, 'subnet-123')).toBeUndefined();
  });
});
