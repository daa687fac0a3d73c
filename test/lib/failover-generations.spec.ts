import { ConfigError, validateConfig } from '../../config';
import { dev } from '../../config/dev';
import { databaseInstanceArn, databaseInstanceIdentifier } from '../../config/naming';
import { standbyRole, writerRole } from '../../config/topology';
import { atGeneration, sharedPlatform, type TestPlatform, templateOf } from '../support/app';

/**
 * Region roles are data: failover.generation says which region writes. Raising
 * it by one and redeploying promotes the new writer in place and re-seeds the
 * old writer as a fresh replica, under the same stack names.
 */

/** Each generation is built once for the whole file. */
const platforms = new Map<number, TestPlatform>();
const platformAt = (generation: number) => {
  if (!platforms.has(generation)) platforms.set(generation, sharedPlatform(atGeneration(generation)));
  return platforms.get(generation) as TestPlatform;
};
const resourcesOf = (t: ReturnType<typeof templateOf>, type: string) =>
  Object.values(t.findResources(type)) as any[];
const instanceOf = (t: ReturnType<typeof templateOf>) => {
  const [instance] = resourcesOf(t, 'AWS::RDS::DBInstance');
  return instance;
};

describe('database identifiers and roles per generation', () => {
  const config = (g: number) => validateConfig(atGeneration(g), 'prod');

  it('alternates the writer: primary in even generations, DR in odd', () => {
    expect([0, 1, 2, 3].map((g) => writerRole(config(g)))).toEqual(['primary', 'dr', 'primary', 'dr']);
    expect([0, 1].map((g) => standbyRole(config(g)))).toEqual(['dr', 'primary']);
  });

  it('keeps the promoted replica its name and gives each re-seeded replica a new one', () => {
    const ids = (g: number) => ({
      primary: databaseInstanceIdentifier(config(g), 'primary'),
      dr: databaseInstanceIdentifier(config(g), 'dr'),
    });
    expect(ids(0)).toEqual({ primary: 'dra-prod-postgres', dr: 'dra-prod-postgres' });
    // Failover: the DR replica (generation 0) is promoted and keeps its name; the primary is re-seeded.
    expect(ids(1)).toEqual({ primary: 'dra-prod-postgres-g1', dr: 'dra-prod-postgres' });
    // Failback: the primary's replica (generation 1) is promoted; DR is re-seeded.
    expect(ids(2)).toEqual({ primary: 'dra-prod-postgres-g1', dr: 'dra-prod-postgres-g2' });
    expect(ids(3)).toEqual({ primary: 'dra-prod-postgres-g3', dr: 'dra-prod-postgres-g2' });
  });

  it('refuses a generation above 0 without a cross-region replica, naming the field and the fix', () => {
    const input = atGeneration(1, dev);
    input.rds = { ...input.rds, crossRegionReplica: false };
    expect(() => validateConfig(input, 'dev')).toThrow(ConfigError);
    expect(() => validateConfig(input, 'dev')).toThrow(
      /failover\.generation[\s\S]*rds\.crossRegionReplica is false[\s\S]*set rds\.crossRegionReplica to true/,
    );
  });
});

describe('generation 1: the DR region writes, the primary is re-seeded', () => {
  const platform = platformAt(1);
  const primaryDb = templateOf(platform.primary.database);
  const drDb = templateOf(platform.dr.database);

  it('keeps the promoted DR writer as CloudFormation created it: same id, source and region, so no second promotion', () => {
    const drInstance = instanceOf(drDb);
    expect(Object.keys(drDb.findResources('AWS::RDS::DBInstance'))[0]).toMatch(/^PostgresInstance/);
    // The runbook promoted it out of band; removing SourceDBInstanceIdentifier would make the update
    // call PromoteReadReplica again, and dropping SourceRegion (create-only) would ask for a replacement.
    expect(drInstance.Properties).toMatchObject({
      DBInstanceIdentifier: 'dra-prod-postgres',
      SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:111111111111:db:dra-prod-postgres',
      SourceRegion: 'us-east-1',
    });
    for (const replacing of ['MasterUsername', 'Engine', 'StorageEncrypted', 'DBName'])
      expect(drInstance.Properties[replacing]).toBeUndefined();
    expect(drInstance.Properties).toMatchObject({
      MultiAZ: true,
      BackupRetentionPeriod: platform.config.rds.backupRetentionDays,
      AutomaticBackupReplicationRegion: 'us-east-1',
    });
    expect(drInstance.Properties.ManageMasterUserPassword).toBeUndefined();
    expect(drInstance.DeletionPolicy).toBe('Snapshot');
  });

  it("gives the promoted writer generation 1's secret, created in the DR region and replicated to the primary", () => {
    const [secretId, secret] = Object.entries(drDb.findResources('AWS::SecretsManager::Secret'))[0] as [
      string,
      any,
    ];
    expect(secret.Properties.Name).toBe('dra/prod/postgres/master-g1');
    expect(secret.Properties.ReplicaRegions).toEqual([
      { Region: 'us-east-1', KmsKeyId: 'alias/dra/prod/database' },
    ]);
    expect(JSON.stringify(instanceOf(drDb).Properties.MasterUserPassword)).toContain(`{"Ref":"${secretId}"}`);
    // The primary's generation-0 secret left its template (Retain): the old writer still has that password.
    primaryDb.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(instanceOf(primaryDb).Properties.MasterUserPassword).toBeUndefined();
  });

  it('re-seeds the primary as a new replica of the DR writer, keeping the old writer as a final snapshot', () => {
    const primaryInstance = instanceOf(primaryDb);
    expect(primaryInstance.Properties).toMatchObject({
      DBInstanceIdentifier: 'dra-prod-postgres-g1',
      SourceDBInstanceIdentifier: 'arn:aws:rds:us-west-2:111111111111:db:dra-prod-postgres',
      SourceRegion: 'us-west-2',
      MultiAZ: false,
    });
    // Replacing the custom-named writer under a new name is allowed; the replaced old writer is
    // retained (it may hold writes the new writer never received) until retire-old-writer removes it.
    expect(primaryInstance.UpdateReplacePolicy).toBe('Retain');
    expect(primaryInstance.DeletionPolicy).toBe('Snapshot');
  });

  it('replicates the buckets from the DR region to the primary, not the other way', () => {
    const rules = (t: ReturnType<typeof templateOf>) =>
      resourcesOf(t, 'AWS::S3::Bucket').flatMap((b) => b.Properties.ReplicationConfiguration?.Rules ?? []);
    const drRules = rules(templateOf(platform.dr.storage));
    expect(drRules.length).toBeGreaterThan(0);
    for (const rule of drRules) expect(rule.Destination.Bucket).toMatch(/-us-east-1$/);
    expect(rules(templateOf(platform.primary.storage))).toEqual([]);
  });

  it("runs the MSK Replicator in the primary region, reading the DR cluster's ARN, subnets and security group", () => {
    templateOf(platform.dr.streaming).resourceCountIs('AWS::MSK::Replicator', 0);
    const primaryStreaming = templateOf(platform.primary.streaming);
    primaryStreaming.resourceCountIs('AWS::MSK::Replicator', 1);
    // What the source needs is read at deploy time from the DR region's parameters.
    const text = JSON.stringify(primaryStreaming.toJSON());
    for (const path of ['cluster-arn', 'replicator-subnet-ids', 'replicator-security-group-id'])
      expect(text).toContain(`/dra/prod/msk/${path}@us-west-2`);
    templateOf(platform.dr.streaming).resourceCountIs('AWS::MSK::ClusterPolicy', 1);
  });

  it('copies warehouse snapshots from the DR region to the primary', () => {
    const [namespace] = resourcesOf(templateOf(platform.dr.warehouse), 'AWS::RedshiftServerless::Namespace');
    expect(namespace.Properties.SnapshotCopyConfigurations).toEqual([
      expect.objectContaining({ DestinationRegion: 'us-east-1' }),
    ]);
    const [primaryNamespace] = resourcesOf(
      templateOf(platform.primary.warehouse),
      'AWS::RedshiftServerless::Namespace',
    );
    expect(primaryNamespace.Properties.SnapshotCopyConfigurations).toBeUndefined();
  });

  it('keeps the Global Datastore owned by the primary region (membership does not move)', () => {
    templateOf(platform.primary.cache).resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 1);
    templateOf(platform.dr.cache).resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 0);
  });

  it('deploys the failover and failback runbooks in the primary region, only the fence runbook in the writer', () => {
    const names = resourcesOf(templateOf(platform.primary.operations), 'AWS::SSM::Document').map(
      (d) => d.Properties.Name,
    );
    expect(names.sort()).toEqual(['dra-prod-failback', 'dra-prod-failover', 'dra-prod-fence']);
    // The writer has only the fence runbook (run there if it comes back after a switch).
    const writerDocs = resourcesOf(templateOf(platform.dr.operations), 'AWS::SSM::Document').map(
      (d) => d.Properties.Name,
    );
    expect(writerDocs).toEqual(['dra-prod-fence']);
    const recommends = (t: ReturnType<typeof templateOf>) =>
      resourcesOf(t, 'AWS::CloudWatch::Alarm').some((a) => a.Properties.MetricName === 'FailoverRecommended');
    expect(recommends(templateOf(platform.primary.operations))).toBe(true);
    expect(recommends(templateOf(platform.dr.operations))).toBe(false);
  });

  it('reverses the cross-region deploy order with the replication direction', () => {
    const deps = (s: { dependencies: { stackName: string }[] }) => s.dependencies.map((d) => d.stackName);
    expect(deps(platform.dr.storage)).toContain('prod-primary-storage');
    expect(deps(platform.primary.storage)).not.toContain('prod-dr-storage');
    expect(deps(platform.primary.database)).toContain('prod-dr-database');
    expect(deps(platform.primary.streaming)).toContain('prod-dr-streaming');
    // Global Datastore membership stays: the DR member still joins the primary's datastore.
    expect(deps(platform.dr.cache)).toContain('prod-primary-cache');
  });

  it('points the readiness checks at the way back: writer DR, replica in the primary', () => {
    const settings = (t: ReturnType<typeof templateOf>) => {
      const fn = resourcesOf(t, 'AWS::Lambda::Function').find(
        (f) => f.Properties.FunctionName === 'dra-prod-readiness',
      );
      return JSON.parse(fn.Properties.Environment.Variables.READINESS_SETTINGS);
    };
    const fromPrimary = settings(templateOf(platform.primary.operations));
    expect(fromPrimary).toMatchObject({
      role: 'dr',
      primaryRegion: 'us-west-2',
      drRegion: 'us-east-1',
      database: { source: 'dra-prod-postgres', replica: 'dra-prod-postgres-g1' },
    });
    expect(fromPrimary.replication[0]).toEqual({
      sourceBucket: 'dra-prod-raw-111111111111-us-west-2',
      destinationBucket: 'dra-prod-raw-111111111111-us-east-1',
      ruleId: 'to-primary-us-east-1',
    });
  });
});

describe('generation 2: back on the primary, DR re-seeded', () => {
  const platform = platformAt(2);

  it('keeps the promoted primary writer as created (a replica of the DR writer) and re-seeds DR from it', () => {
    const primary = instanceOf(templateOf(platform.primary.database));
    expect(primary.Properties.DBInstanceIdentifier).toBe('dra-prod-postgres-g1');
    expect(primary.Properties.SourceDBInstanceIdentifier).toBe(
      'arn:aws:rds:us-west-2:111111111111:db:dra-prod-postgres',
    );
    expect(primary.Properties.SourceRegion).toBe('us-west-2');
    expect(primary.Properties.MasterUsername).toBeUndefined();
    const dr = instanceOf(templateOf(platform.dr.database));
    expect(dr.Properties).toMatchObject({
      DBInstanceIdentifier: 'dra-prod-postgres-g2',
      SourceDBInstanceIdentifier: databaseInstanceArn(platform.config, 'primary'),
    });
    expect(databaseInstanceArn(platform.config, 'primary')).toBe(
      'arn:aws:rds:us-east-1:111111111111:db:dra-prod-postgres-g1',
    );
  });

  it('has no failback runbook (the primary writes again), only the failover and fence runbooks in DR', () => {
    const names = resourcesOf(templateOf(platform.dr.operations), 'AWS::SSM::Document').map(
      (d) => d.Properties.Name,
    );
    expect(names.sort()).toEqual(['dra-prod-failover', 'dra-prod-fence']);
  });
});

describe('the active-region record follows the writer', () => {
  it.each([
    [0, 'us-east-1'],
    [1, 'us-west-2'],
  ])('generation %i writes %s in both regions', (generation, region) => {
    const platform = platformAt(generation);
    for (const deployment of [platform.primary, platform.dr]) {
      templateOf(deployment.foundation).hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/dra/prod/active-region',
        Value: region,
      });
    }
  });
});
