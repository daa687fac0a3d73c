import {
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { validateConfig } from '../../config';
import { finalSnapshotId, oldWriterOf, retireOldWriter } from '../../lib/retire-old-writer';
import { atGeneration } from '../support/app';

const config = (g: number) => validateConfig(atGeneration(g), 'prod');
const rds = mockClient(RDSClient);
beforeEach(() => rds.reset());

describe('the old writer a re-seed deploy leaves running', () => {
  it('is the previous generation’s writer in the new standby region', () => {
    expect(oldWriterOf(config(0))).toBeUndefined();
    expect(oldWriterOf(config(1))).toEqual({ identifier: 'dra-prod-postgres', region: 'us-east-1' });
    expect(oldWriterOf(config(2))).toEqual({ identifier: 'dra-prod-postgres', region: 'us-west-2' });
    expect(oldWriterOf(config(3))).toEqual({ identifier: 'dra-prod-postgres-g1', region: 'us-east-1' });
  });

  it('reports it, its cost and the delete command, and changes nothing without --delete', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'dra-prod-postgres',
          DBInstanceClass: 'db.r7g.xlarge',
          MultiAZ: true,
          AllocatedStorage: 200,
          DBInstanceStatus: 'available',
          DeletionProtection: true,
        },
      ],
    });
    const result = await retireOldWriter(config(1), new RDSClient({}), { delete: false });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(
      /dra-prod-postgres in us-east-1 \(db\.r7g\.xlarge, Multi-AZ, 200 GiB, available\) is still running and is billed/,
    );
    expect(result.message).toContain('npm run retire-old-writer -- -c env=prod --delete');
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  it('with --delete turns deletion protection off and deletes with a final snapshot', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'dra-prod-postgres',
          DeletionProtection: true,
          DBInstanceStatus: 'available',
        },
      ],
    });
    const now = new Date('2026-11-25T14:05:09Z');
    const result = await retireOldWriter(config(1), new RDSClient({}), { delete: true, now });
    expect(result.ok).toBe(true);
    expect(rds.commandCalls(ModifyDBInstanceCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: 'dra-prod-postgres',
      DeletionProtection: false,
      ApplyImmediately: true,
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand)[0].args[0].input).toMatchObject({
      DBInstanceIdentifier: 'dra-prod-postgres',
      FinalDBSnapshotIdentifier: finalSnapshotId('dra-prod-postgres', now),
    });
    expect(finalSnapshotId('dra-prod-postgres', now)).toBe('dra-prod-postgres-final-202611251405');
  });

  it('says there is nothing to retire when the instance is gone', async () => {
    const gone = Object.assign(new Error('DBInstance dra-prod-postgres not found.'), {
      name: 'DBInstanceNotFoundFault',
    });
    rds.on(DescribeDBInstancesCommand).rejects(gone);
    const result = await retireOldWriter(config(1), new RDSClient({}), { delete: true });
    expect(result).toEqual({
      ok: true,
      message: 'dra-prod-postgres no longer exists in us-east-1; nothing to retire.',
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  it('stops with the reason and the fix when the region cannot be read', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(new Error('connect ECONNREFUSED'));
    const result = await retireOldWriter(config(1), new RDSClient({}), { delete: true });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /Could not read dra-prod-postgres in us-east-1 \(connect ECONNREFUSED\)\. Check your credentials/,
    );
  });
});
