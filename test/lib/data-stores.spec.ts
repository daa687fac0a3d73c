import { Match } from 'aws-cdk-lib/assertions';
import { dev } from '../../config/dev';
import { prod } from '../../config/prod';
import { reservedConcurrency } from '../../lib/preflight';
import { sharedPlatform, templateOf } from '../support/app';

const ACCOUNT = '111111111111';
const only = (t: ReturnType<typeof templateOf>, type: string) => {
  const all = Object.values(t.findResources(type)) as any[];
  expect(all).toHaveLength(1);
  return all[0];
};
/** The SSM parameter an SDK-call custom resource of the template reads for this value, and where. */
const readsParameter = (t: ReturnType<typeof templateOf>, value: any) => {
  const [logicalId, field] = value['Fn::GetAtt'];
  expect(field).toBe('Parameter.Value');
  const call = JSON.parse(t.toJSON().Resources[logicalId].Properties.Update);
  expect(call.action).toBe('getParameter');
  return { region: call.region, name: call.parameters.Name };
};

/** True when a KMS reference points at the named key of the given role's foundation stack. */
const isKey = (ref: unknown, env: string, role: string, key: string) => {
  const text = JSON.stringify(ref);
  return text.includes(`${env}-${role}-foundation`) && text.includes(`Keys${key}`);
};

describe('data stores (prod)', () => {
  const platform = sharedPlatform('prod');
  const t = {
    primaryDb: templateOf(platform.primary.database),
    drDb: templateOf(platform.dr.database),
    primaryCache: templateOf(platform.primary.cache),
    drCache: templateOf(platform.dr.cache),
    primaryWh: templateOf(platform.primary.warehouse),
    drWh: templateOf(platform.dr.warehouse),
  };

  describe('RDS for PostgreSQL', () => {
    const primary = () => only(t.primaryDb, 'AWS::RDS::DBInstance');
    const replica = () => only(t.drDb, 'AWS::RDS::DBInstance');

    it('pins the instance identifier in both regions', () => {
      expect(primary().Properties.DBInstanceIdentifier).toBe('dra-prod-postgres');
      expect(replica().Properties.DBInstanceIdentifier).toBe('dra-prod-postgres');
    });

    it('runs a current major, Multi-AZ, encrypted with the primary database key, private, IAM auth', () => {
      const p = primary().Properties;
      expect(p.Engine).toBe('postgres');
      expect(p.EngineVersion).toBe('17.6');
      expect(p.MultiAZ).toBe(true);
      expect(p.StorageEncrypted).toBe(true);
      expect(isKey(p.KmsKeyId, 'prod', 'primary', 'DatabaseKey')).toBe(true);
      expect(p.PubliclyAccessible).toBe(false);
      expect(p.EnableIAMDatabaseAuthentication).toBe(true);
      expect(p.EnablePerformanceInsights).toBe(true);
      expect(p.MonitoringInterval).toBe(60);
      expect(p.EnableCloudwatchLogsExports).toEqual(['postgresql', 'upgrade']);
      expect(p.BackupRetentionPeriod).toBe(14);
      expect(p.DeletionProtection).toBe(true);
    });

    it("gives the writer this generation's secret by dynamic reference, never an RDS-managed one (its replica could not be created)", () => {
      const p = primary().Properties;
      expect(p.ManageMasterUserPassword).toBeUndefined();
      expect(p.MasterUserSecret).toBeUndefined();
      const [secretId, secret] = Object.entries(
        t.primaryDb.findResources('AWS::SecretsManager::Secret'),
      )[0] as [string, any];
      expect(p.MasterUserPassword).toEqual({
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:password::}}']],
      });
      expect(secret.Properties.Name).toBe('dra/prod/postgres/master-g0');
      expect(JSON.parse(secret.Properties.GenerateSecretString.SecretStringTemplate)).toEqual({
        username: 'dra_admin',
      });
      expect(isKey(secret.Properties.KmsKeyId, 'prod', 'primary', 'DatabaseKey')).toBe(true);
      // Readable in the DR region before any outage, under that region's key.
      expect(secret.Properties.ReplicaRegions).toEqual([
        { Region: 'us-west-2', KmsKeyId: 'alias/dra/prod/database' },
      ]);
      expect([secret.DeletionPolicy, secret.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    });

    it("gives the replica no password and no secret of its own: it shares its source's", () => {
      const r = replica().Properties;
      for (const property of ['MasterUserPassword', 'ManageMasterUserPassword', 'MasterUserSecret'])
        expect([property, r[property]]).toEqual([property, undefined]);
      t.drDb.resourceCountIs('AWS::SecretsManager::Secret', 0);
    });

    it("rotates the writer's secret every 30 days with the writer region's rotation function, none before the instance exists", () => {
      const [schedule] = Object.values(
        t.primaryDb.findResources('AWS::SecretsManager::RotationSchedule'),
      ) as any[];
      expect(schedule.Properties).toMatchObject({
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        RotateImmediatelyOnUpdate: false,
        RotationLambdaARN: { 'Fn::GetAtt': [expect.stringMatching(/^PostgresRotationFunction/), 'Arn'] },
      });
      expect(schedule.DependsOn).toEqual(
        expect.arrayContaining([expect.stringMatching(/^PostgresInstance/)]),
      );
      t.drDb.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    });

    it('deploys the rotation function under its fixed name in both regions, invocable by Secrets Manager of this account', () => {
      for (const tpl of [t.primaryDb, t.drDb]) {
        tpl.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'dra-prod-postgres-rotation' });
        tpl.hasResourceProperties('AWS::Lambda::Permission', {
          Principal: 'secretsmanager.amazonaws.com',
          SourceAccount: ACCOUNT,
        });
      }
      const policies = JSON.stringify(t.drDb.findResources('AWS::IAM::Policy'));
      expect(policies).toContain(
        `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:dra/prod/postgres/master-g*`,
      );
    });

    it('forces TLS and enables logical replication for the outbox/CDC pattern', () => {
      t.primaryDb.hasResourceProperties('AWS::RDS::DBParameterGroup', {
        Family: 'postgres17',
        Parameters: { 'rds.force_ssl': '1', 'rds.logical_replication': '1' },
      });
    });

    it("replicates automated backups to the DR region with the DR key's ARN, read there at deploy time", () => {
      const p = primary().Properties;
      expect(p.AutomaticBackupReplicationRegion).toBe('us-west-2');
      expect(readsParameter(t.primaryDb, p.AutomaticBackupReplicationKmsKeyId)).toEqual({
        region: 'us-west-2',
        name: '/dra/prod/kms/database-key-arn',
      });
    });

    it('protects the writer from deletion but not the replica, so a failed re-seed can roll back', () => {
      expect(primary().Properties.DeletionProtection).toBe(true);
      expect(replica().Properties.DeletionProtection).toBe(false);
    });

    it('creates the DR replica from the primary ARN in the primary region, encrypted with the DR key', () => {
      const r = replica().Properties;
      expect(r.SourceDBInstanceIdentifier).toBe(`arn:aws:rds:us-east-1:${ACCOUNT}:db:dra-prod-postgres`);
      expect(r.SourceRegion).toBe('us-east-1');
      expect(isKey(r.KmsKeyId, 'prod', 'dr', 'DatabaseKey')).toBe(true);
      expect(r.PubliclyAccessible).toBe(false);
      expect(r.MasterUsername).toBeUndefined();
      // Automated backups on the replica, completed before any promotion (API_PromoteReadReplica), in
      // a window of its own, away from the writer's: a replica cannot be promoted while backing-up.
      expect(r.BackupRetentionPeriod).toBe(14);
      expect(r.PreferredBackupWindow).toBe('15:00-16:00');
      expect(primary().Properties.PreferredBackupWindow).toBe('03:00-04:00');
    });

    it('snapshots the database on removal and keeps a replaced (re-seeded) old writer running', () => {
      for (const db of [primary(), replica()]) {
        expect(db.DeletionPolicy).toBe('Snapshot');
        expect(db.UpdateReplacePolicy).toBe('Retain');
      }
    });

    it('admits PostgreSQL only from the platform client security group', () => {
      t.primaryDb.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 5432,
        ToPort: 5432,
        SourceSecurityGroupId: {
          'Fn::GetStackOutput': Match.objectLike({ StackName: 'prod-primary-foundation' }),
        },
      });
      expect(JSON.stringify(t.primaryDb.toJSON())).not.toMatch(/0\.0\.0\.0\/0/);
    });

    it('publishes the endpoint and the ARN of the secret readable there in SSM in both regions', () => {
      for (const tpl of [t.primaryDb, t.drDb])
        tpl.hasResourceProperties('AWS::SSM::Parameter', { Name: '/dra/prod/rds/endpoint' });
      t.primaryDb.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/dra/prod/rds/secret-arn',
        Value: { Ref: Match.stringLikeRegexp('^PostgresMasterSecret') },
      });
      // The DR region's replica: the writer's ARN read from the primary region, with this region in it.
      const [parameter] = Object.values(
        t.drDb.findResources('AWS::SSM::Parameter', { Properties: { Name: '/dra/prod/rds/secret-arn' } }),
      ) as any[];
      const join = parameter.Properties.Value['Fn::Join'];
      expect(join[0]).toBe(':');
      expect(join[1][3]).toBe('us-west-2');
      expect(readsParameter(t.drDb, join[1][0]['Fn::Select'][1]['Fn::Split'][1])).toEqual({
        region: 'us-east-1',
        name: '/dra/prod/rds/secret-arn',
      });
    });

    it('deploys the primary database before its replica', () => {
      expect(platform.dr.database.dependencies).toContain(platform.primary.database);
    });
  });

  describe('ElastiCache', () => {
    const group = (tpl: ReturnType<typeof templateOf>) =>
      only(tpl, 'AWS::ElastiCache::ReplicationGroup').Properties;

    it('is Multi-AZ Valkey with automatic failover, TLS required and encryption with each region key', () => {
      const p = group(t.primaryCache);
      expect(p.Engine).toBe('valkey');
      expect(p.MultiAZEnabled).toBe(true);
      expect(p.AutomaticFailoverEnabled).toBe(true);
      expect(p.TransitEncryptionEnabled).toBe(true);
      expect(p.TransitEncryptionMode).toBe('required');
      expect(p.AtRestEncryptionEnabled).toBe(true);
      expect(isKey(p.KmsKeyId, 'prod', 'primary', 'DatabaseKey')).toBe(true);
      expect(isKey(group(t.drCache).KmsKeyId, 'prod', 'dr', 'DatabaseKey')).toBe(true);
      expect(p.SnapshotRetentionLimit).toBe(15);
    });

    it('authenticates with an AUTH token resolved from Secrets Manager, never a literal', () => {
      const primaryToken = JSON.stringify(group(t.primaryCache).AuthToken);
      expect(primaryToken).toMatch(/resolve:secretsmanager/);
      expect(group(t.drCache).AuthToken).toBe(
        '{{resolve:secretsmanager:dra/prod/cache/auth-token:SecretString:::}}',
      );
      t.primaryCache.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: 'dra/prod/cache/auth-token',
        ReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: 'alias/dra/prod/database' }],
      });
    });

    it('creates the Global Datastore in the primary region with the primary group as PRIMARY', () => {
      const g = only(t.primaryCache, 'AWS::ElastiCache::GlobalReplicationGroup').Properties;
      expect(g.GlobalReplicationGroupIdSuffix).toBe('dra-prod-cache');
      expect(g.Members).toEqual([
        {
          ReplicationGroupId: { Ref: expect.any(String) },
          ReplicationGroupRegion: 'us-east-1',
          Role: 'PRIMARY',
        },
      ]);
    });

    it('joins the DR group to the Global Datastore by its derived id, passing only ids and pinned settings', () => {
      const p = group(t.drCache);
      expect(p.GlobalReplicationGroupId).toBe('ldgnf-dra-prod-cache');
      expect(Object.keys(p).sort()).toEqual(
        [
          'AuthToken',
          'CacheSubnetGroupName',
          'GlobalReplicationGroupId',
          'KmsKeyId',
          'MultiAZEnabled',
          'NumCacheClusters',
          'ReplicationGroupDescription',
          'ReplicationGroupId',
          'SecurityGroupIds',
          'SnapshotRetentionLimit',
          'Tags',
        ].sort(),
      );
      expect([p.MultiAZEnabled, p.SnapshotRetentionLimit, p.NumCacheClusters]).toEqual([true, 15, 3]);
      t.drCache.resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 0);
      expect(platform.dr.cache.dependencies).toContain(platform.primary.cache);
    });

    it("creates the primary's AUTH token secret only after the DR region's key alias it replicates under exists", () => {
      expect(platform.primary.cache.dependencies).toContain(platform.dr.foundation);
    });
  });

  describe('Redshift Serverless', () => {
    const ns = (tpl: ReturnType<typeof templateOf>) => only(tpl, 'AWS::RedshiftServerless::Namespace');
    const wg = (tpl: ReturnType<typeof templateOf>) =>
      only(tpl, 'AWS::RedshiftServerless::Workgroup').Properties;

    it('is private, enhanced-VPC-routed, sized from config', () => {
      const w = wg(t.primaryWh);
      expect(w.PubliclyAccessible).toBe(false);
      expect(w.EnhancedVpcRouting).toBe(true);
      expect(w.BaseCapacity).toBe(32);
      expect(w.MaxCapacity).toBe(256);
      expect(w.ConfigParameters).toContainEqual({ ParameterKey: 'require_ssl', ParameterValue: 'true' });
    });

    it('encrypts with the region database key, manages the admin password, exports audit logs', () => {
      const n = ns(t.primaryWh).Properties;
      expect(isKey(n.KmsKeyId, 'prod', 'primary', 'DatabaseKey')).toBe(true);
      expect(n.ManageAdminPassword).toBe(true);
      expect(n.AdminUserPassword).toBeUndefined();
      expect(n.LogExports).toEqual(['userlog', 'connectionlog', 'useractivitylog']);
      expect(isKey(ns(t.drWh).Properties.KmsKeyId, 'prod', 'dr', 'DatabaseKey')).toBe(true);
    });

    it("copies snapshots to the DR region with the DR key's ARN (read there at deploy time) and the configured retention", () => {
      const [copy] = ns(t.primaryWh).Properties.SnapshotCopyConfigurations;
      expect(copy).toMatchObject({ DestinationRegion: 'us-west-2', SnapshotRetentionPeriod: 14 });
      expect(readsParameter(t.primaryWh, copy.DestinationKmsKeyId)).toEqual({
        region: 'us-west-2',
        name: '/dra/prod/kms/database-key-arn',
      });
      expect(ns(t.drWh).Properties.SnapshotCopyConfigurations).toBeUndefined();
    });

    it('schedules snapshots at the configured interval (the warehouse RPO) and limits daily RPU-hours', () => {
      const calls = Object.values(t.primaryWh.findResources('Custom::AWS')) as any[];
      const text = JSON.stringify(calls).replace(/\\/g, '');
      expect(text).toMatch(/createScheduledAction/);
      expect(text).toContain('0 */1 * * ? *');
      expect(text).toMatch(/createUsageLimit/);
      expect(text).toContain('"amount":400');
      expect(text).toContain('"breachAction":"deactivate"');
    });

    it('retains the namespace with a final snapshot outside destroyable environments', () => {
      const n = ns(t.primaryWh);
      expect(n.DeletionPolicy).toBe('Retain');
      expect(n.Properties.FinalSnapshotName).toBe('dra-prod-warehouse-final');
    });

    it('gives Spectrum read access to the refined and curated layers and catalog, nothing wildcard but objects', () => {
      const policies = Object.values(t.primaryWh.findResources('AWS::IAM::Policy')) as any[];
      const spectrum = policies.find((p) => JSON.stringify(p).includes('SpectrumRole'));
      const statements = spectrum.Properties.PolicyDocument.Statement;
      const resources = statements
        .flatMap((s: any) => [s.Resource].flat())
        .filter((r: unknown) => typeof r === 'string');
      expect(resources).toContain(`arn:aws:s3:::dra-prod-refined-${ACCOUNT}-us-east-1/*`);
      expect(resources).toContain(`arn:aws:glue:us-east-1:${ACCOUNT}:database/tickit_demo`);
      expect(resources.filter((r: string) => r.includes('*') && !r.endsWith('/*'))).toEqual([]);
      expect(
        statements.flatMap((s: any) => [s.Action].flat()).filter((a: string) => a.includes('*')),
      ).toEqual([]);
    });
  });

  it('never writes a secret value into any template: a password is only ever a Secrets Manager dynamic reference', () => {
    for (const tpl of Object.values(t)) {
      const text = JSON.stringify(tpl.toJSON());
      expect(text).not.toMatch(/"(AdminUserPassword|MasterPassword)"/);
      for (const db of Object.values(tpl.findResources('AWS::RDS::DBInstance')) as any[]) {
        const password = db.Properties.MasterUserPassword;
        if (password !== undefined)
          expect(JSON.stringify(password)).toMatch(/^\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:/);
      }
    }
  });
});

describe('data stores (dev: no Global Datastore, destroyable)', () => {
  const platform = sharedPlatform('dev');

  it('counts for preflight the reserved concurrency of every synthesized function, per region (the rotation function included)', () => {
    const stacks = platform.app
      .synth()
      .stacks.map((s) => ({ region: s.environment.region, template: s.template }));
    const needs = reservedConcurrency(stacks);
    expect(needs.map((n) => n.region)).toEqual(['us-east-1', 'us-west-2']);
    const rotation = stacks
      .flatMap((s) => Object.values(s.template.Resources) as any[])
      .filter((r) => r.Properties?.FunctionName === 'dra-dev-postgres-rotation');
    expect(rotation.map((r) => r.Properties.ReservedConcurrentExecutions)).toEqual([1, 1]);
    const total = stacks
      .flatMap((s) => Object.values(s.template.Resources) as any[])
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .reduce((sum, r) => sum + (r.Properties.ReservedConcurrentExecutions ?? 0), 0);
    expect(needs.reduce((sum, n) => sum + n.reserved, 0)).toBe(total);
  });

  it('gives DR its own cache replication group and secret instead of a Global Datastore secondary', () => {
    const dr = templateOf(platform.dr.cache);
    const p = (Object.values(dr.findResources('AWS::ElastiCache::ReplicationGroup'))[0] as any).Properties;
    expect(p.GlobalReplicationGroupId).toBeUndefined();
    expect(p.Engine).toBe('valkey');
    dr.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(platform.dr.cache.dependencies).not.toContain(platform.primary.cache);
  });

  it('deletes databases without a snapshot only because dev allows it', () => {
    const db = Object.values(
      templateOf(platform.primary.database).findResources('AWS::RDS::DBInstance'),
    )[0] as any;
    expect(db.DeletionPolicy).toBe('Delete');
    expect(db.Properties.DeletionProtection).toBe(false);
  });
});

describe('data stores (options)', () => {
  it('builds a provisioned RA3 cluster with the same guarantees and a DR snapshot copy grant', () => {
    const config = structuredClone(prod);
    config.redshift = { ...config.redshift, mode: 'provisioned' };
    const platform = sharedPlatform(config);
    const primary = templateOf(platform.primary.warehouse);
    const cluster = (Object.values(primary.findResources('AWS::Redshift::Cluster'))[0] as any).Properties;
    expect(cluster).toMatchObject({
      NodeType: 'ra3.xlplus',
      Encrypted: true,
      PubliclyAccessible: false,
      EnhancedVpcRouting: true,
      ManageMasterPassword: true,
      DestinationRegion: 'us-west-2',
      SnapshotCopyRetentionPeriod: 14,
      SnapshotCopyGrantName: 'dra-prod-warehouse-copy-grant',
      LoggingProperties: { LogDestinationType: 'cloudwatch' },
    });
    templateOf(platform.dr.warehouse).hasResourceProperties('AWS::Redshift::SnapshotCopyGrant', {
      SnapshotCopyGrantName: 'dra-prod-warehouse-copy-grant',
    });
    primary.hasResourceProperties('AWS::Redshift::SnapshotSchedule', {
      ScheduleDefinitions: ['rate(1 hours)'],
    });
  });

  it('builds ElastiCache Serverless with RBAC and IAM auth when asked', () => {
    const config = structuredClone(dev);
    config.elasticache = { ...config.elasticache, mode: 'serverless', globalDatastore: false };
    const platform = sharedPlatform(config);
    const t = templateOf(platform.primary.cache);
    t.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
    t.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      Engine: 'valkey',
      UserGroupId: 'dra-dev-cache',
    });
    t.hasResourceProperties('AWS::ElastiCache::User', {
      UserName: 'dra-dev-cache-app',
      AuthenticationMode: { Type: 'iam' },
    });
    t.hasResourceProperties('AWS::ElastiCache::User', { UserName: 'default', AccessString: 'off -@all' });
  });
});
