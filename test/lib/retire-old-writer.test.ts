import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  type DescribeStackResourcesCommandInput,
  type DescribeStackResourcesCommandOutput,
} from '@aws-sdk/client-cloudformation';
import {
  type DBInstance,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandOutput,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  DeleteSecretCommand,
  type DeleteSecretCommandOutput,
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { validateConfig } from '../../config';
import {
  finalSnapshotId,
  isLeftOver,
  type RetireClients,
  retireOldWriter,
} from '../../lib/retire-old-writer';
import { atGeneration } from '../support/app';

const config = (g: number) => validateConfig(atGeneration(g), 'prod');
const rds = mockClient(RDSClient);
const cfn = mockClient(CloudFormationClient);
const clients: RetireClients = {
  rds: (region) => new RDSClient({ region }),
  cloudFormation: (region) => new CloudFormationClient({ region }),
};

/** Instances per region, as DescribeDBInstances answers there (the mock reads the client's region). */
function world(instances: Record<string, DBInstance[]>, managed: Record<string, string>) {
  rds.on(DescribeDBInstancesCommand).callsFake(async (_input, getClient) => {
    const region = await getClient().config.region();
    return { $metadata: {}, DBInstances: instances[region] ?? [] } satisfies DescribeDBInstancesCommandOutput;
  });
  cfn
    .on(DescribeStackResourcesCommand)
    .callsFake(async (input: DescribeStackResourcesCommandInput, getClient) => {
      const region = await getClient().config.region();
      return {
        $metadata: {},
        StackResources: [
          {
            StackName: input.StackName,
            LogicalResourceId: 'PostgresInstanceA83EBC1B',
            ResourceType: 'AWS::RDS::DBInstance',
            PhysicalResourceId: managed[region],
            ResourceStatus: 'UPDATE_COMPLETE',
            Timestamp: new Date(),
          },
        ],
      } satisfies DescribeStackResourcesCommandOutput;
    });
}

const instance = (id: string, extra: Partial<DBInstance> = {}): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceClass: 'db.r7g.xlarge',
  MultiAZ: true,
  AllocatedStorage: 200,
  DBInstanceStatus: 'available',
  DeletionProtection: true,
  ...extra,
});

beforeEach(() => {
  rds.reset();
  cfn.reset();
});

describe('old writers a re-seed deploy leaves running', () => {
  it('are the environment’s instances other than the one config gives each region now', () => {
    expect(isLeftOver(config(1), 'primary', 'dra-prod-postgres')).toBe(true);
    expect(isLeftOver(config(1), 'primary', 'dra-prod-postgres-g1')).toBe(false);
    expect(isLeftOver(config(1), 'dr', 'dra-prod-postgres')).toBe(false);
    expect(isLeftOver(config(3), 'primary', 'dra-prod-postgres-g1')).toBe(true);
    expect(isLeftOver(config(1), 'primary', 'dra-prod-postgresql-other')).toBe(false);
    expect(isLeftOver(config(1), 'primary', 'dra-staging-postgres')).toBe(false);
  });

  it('reports every one in both regions, its cost and the delete command, and changes nothing without --delete', async () => {
    // Generation 3: the generation-1 writer in us-east-1 and the generation-0 one in us-west-2 were never retired.
    world(
      {
        'us-east-1': [instance('dra-prod-postgres-g1'), instance('dra-prod-postgres-g3', { MultiAZ: false })],
        'us-west-2': [instance('dra-prod-postgres'), instance('dra-prod-postgres-g2')],
      },
      { 'us-east-1': 'dra-prod-postgres-g3', 'us-west-2': 'dra-prod-postgres-g2' },
    );
    const result = await retireOldWriter(config(3), clients, { delete: false });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^2 old writer\(s\) of prod still running/);
    expect(result.message).toContain(
      'dra-prod-postgres-g1 in us-east-1 (db.r7g.xlarge, Multi-AZ, 200 GiB, available)',
    );
    expect(result.message).toContain('dra-prod-postgres in us-west-2');
    expect(result.message).toContain('npm run retire-old-writer -- -c env=prod --delete');
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  it('with --delete turns deletion protection off and deletes with a final snapshot', async () => {
    world(
      { 'us-east-1': [instance('dra-prod-postgres'), instance('dra-prod-postgres-g1')] },
      { 'us-east-1': 'dra-prod-postgres-g1', 'us-west-2': 'dra-prod-postgres' },
    );
    const now = new Date('2026-11-25T14:05:09Z');
    const result = await retireOldWriter(config(1), clients, { delete: true, now });
    expect(result).toMatchObject({ ok: true });
    expect(rds.commandCalls(ModifyDBInstanceCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: 'dra-prod-postgres',
      DeletionProtection: false,
      ApplyImmediately: true,
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand)[0].args[0].input).toMatchObject({
      DBInstanceIdentifier: 'dra-prod-postgres',
      FinalDBSnapshotIdentifier: 'dra-prod-postgres-final-202611251405',
    });
    expect(finalSnapshotId('dra-prod-postgres', now)).toBe('dra-prod-postgres-final-202611251405');
  });

  it('refuses to delete an instance its stack still manages (generation raised, re-seed not deployed)', async () => {
    world({ 'us-east-1': [instance('dra-prod-postgres')] }, { 'us-east-1': 'dra-prod-postgres' });
    const result = await retireOldWriter(config(1), clients, { delete: true });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /dra-prod-postgres in us-east-1 is still the instance prod-primary-database manages.*Nothing was deleted; deploy first/,
    );
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  it('refuses to delete an instance that feeds a replica: a live writer, not a left-over', async () => {
    world(
      {
        'us-east-1': [
          instance('dra-prod-postgres', {
            ReadReplicaDBInstanceIdentifiers: ['arn:aws:rds:us-west-2:1:db:x'],
          }),
        ],
      },
      { 'us-east-1': 'dra-prod-postgres-g1' },
    );
    const result = await retireOldWriter(config(1), clients, { delete: true });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/is the source of .*live writer, not a left-over\. Nothing was deleted/);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  it('says there is nothing to retire when no old writer is left', async () => {
    world(
      { 'us-east-1': [instance('dra-prod-postgres-g1')], 'us-west-2': [instance('dra-prod-postgres')] },
      {},
    );
    const result = await retireOldWriter(config(1), clients, { delete: true });
    expect(result).toEqual({
      ok: true,
      message: 'No old writer of prod is left running; nothing to retire.',
    });
  });

  it('stops with the reason and the fix when a region cannot be read', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(new Error('connect ECONNREFUSED'));
    const result = await retireOldWriter(config(1), clients, { delete: true });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /Could not list the database instances in us-east-1 \(connect ECONNREFUSED\)\. Check your credentials/,
    );
  });
});

describe("the previous generations' master secrets", () => {
  const sm = mockClient(SecretsManagerClient);
  const withSecrets: RetireClients = {
    ...clients,
    secrets: (region) => new SecretsManagerClient({ region }),
  };
  /** Which secrets exist per region (name -> replica regions), as DescribeSecret answers there. */
  function secrets(existing: Record<string, Record<string, string[]>>) {
    sm.on(DescribeSecretCommand).callsFake(async (input, getClient) => {
      const region = await getClient().config.region();
      const replicas = existing[region]?.[input.SecretId as string];
      if (!replicas) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
      return {
        Name: input.SecretId,
        ReplicationStatus: replicas.map((r) => ({ Region: r, Status: 'InSync' as const })),
        $metadata: {},
      } satisfies DescribeSecretCommandOutput;
    });
    sm.on(DeleteSecretCommand).resolves({ Name: 'x', $metadata: {} } satisfies DeleteSecretCommandOutput);
  }
  beforeEach(() => sm.reset());

  it("reports, after the old writer is gone, generation 0's copies in both regions (left by CloudFormation, promoted by the switch)", async () => {
    world(
      { 'us-east-1': [instance('dra-prod-postgres-g1')], 'us-west-2': [instance('dra-prod-postgres')] },
      {},
    );
    secrets({
      'us-east-1': { 'dra/prod/postgres/master-g0': [] },
      'us-west-2': { 'dra/prod/postgres/master-g0': [], 'dra/prod/postgres/master-g1': ['us-east-1'] },
    });
    const result = await retireOldWriter(config(1), withSecrets, { delete: false });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(
      /master secrets of earlier generations .*uses dra\/prod\/postgres\/master-g1/,
    );
    expect(result.message).toContain('dra/prod/postgres/master-g0 in us-east-1');
    expect(result.message).toContain('dra/prod/postgres/master-g0 in us-west-2');
    expect(result.message).not.toContain('master-g1 in');
    expect(sm.commandCalls(DeleteSecretCommand)).toHaveLength(0);
  });

  it('deletes them with --delete, replicas before their primary, restorable for 30 days', async () => {
    world(
      { 'us-east-1': [instance('dra-prod-postgres-g1')], 'us-west-2': [instance('dra-prod-postgres')] },
      {},
    );
    secrets({
      'us-east-1': { 'dra/prod/postgres/master-g0': ['us-west-2'] },
      'us-west-2': { 'dra/prod/postgres/master-g0': [] },
    });
    const result = await retireOldWriter(config(1), withSecrets, { delete: true });
    expect(result.ok).toBe(true);
    expect(sm.commandCalls(DeleteSecretCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: 'dra/prod/postgres/master-g0', RecoveryWindowInDays: 30 },
      { SecretId: 'dra/prod/postgres/master-g0', RecoveryWindowInDays: 30 },
    ]);
    expect(result.message).toMatch(/Deleting dra\/prod\/postgres\/master-g0 in us-west-2 \(restorable/);
  });
});
