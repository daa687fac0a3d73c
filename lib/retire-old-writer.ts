import {
  type DBInstance,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { EnvironmentConfig } from '../config';
import { databaseInstanceIdentifier, regionOf } from './naming';
import { atGeneration, standbyRole } from './topology';

/**
 * After a re-seed deploy CloudFormation leaves the old writer running
 * (UpdateReplacePolicy: Retain, lib/constructs/postgres.ts): it may hold writes
 * that never reached the new writer. This finds it, says what keeping it means,
 * and, when told to, takes a final snapshot and deletes it.
 */
export interface OldWriter {
  readonly identifier: string;
  readonly region: string;
}

/** The instance the last re-seed replaced: the standby region's database of the previous generation. */
export function oldWriterOf(config: EnvironmentConfig): OldWriter | undefined {
  const generation = config.failover.generation;
  if (generation === 0) return undefined;
  const role = standbyRole(config);
  const identifier = databaseInstanceIdentifier(atGeneration(config, generation - 1), role);
  if (identifier === databaseInstanceIdentifier(config, role)) return undefined;
  return { identifier, region: regionOf(config, role) };
}

export interface RetireResult {
  readonly ok: boolean;
  readonly message: string;
}

/** Snapshot name of the final snapshot: the instance, "final", and the UTC time to the minute. */
export function finalSnapshotId(identifier: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return `${identifier}-final-${stamp}`;
}

export async function retireOldWriter(
  config: EnvironmentConfig,
  rds: RDSClient,
  options: { delete: boolean; now?: Date },
): Promise<RetireResult> {
  const old = oldWriterOf(config);
  if (!old) {
    return {
      ok: true,
      message: `Generation ${config.failover.generation} of ${config.name} replaced no writer; nothing to retire.`,
    };
  }
  let instance: DBInstance | undefined;
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: old.identifier }));
    instance = out.DBInstances?.[0];
  } catch (error) {
    if ((error as Error).name === 'DBInstanceNotFoundFault') {
      return { ok: true, message: `${old.identifier} no longer exists in ${old.region}; nothing to retire.` };
    }
    return {
      ok: false,
      message: `Could not read ${old.identifier} in ${old.region} (${(error as Error).message}). Check your credentials and that the region answers, then run again.`,
    };
  }
  if (!instance)
    return { ok: true, message: `${old.identifier} no longer exists in ${old.region}; nothing to retire.` };
  const describe = `${old.identifier} in ${old.region} (${instance.DBInstanceClass}, ${instance.MultiAZ ? 'Multi-AZ' : 'single-AZ'}, ${instance.AllocatedStorage} GiB, ${instance.DBInstanceStatus})`;
  if (!options.delete) {
    return {
      ok: true,
      message: [
        `The old writer ${describe} is still running and is billed like any instance.`,
        'CloudFormation kept it when the re-seed replaced it, because it may hold writes that never reached the new writer',
        '(a failover during an outage loses what was not yet replicated). Recover them first: docs/runbooks/failback.md,',
        '"Recover the old writer\'s last writes". Then run:',
        `  npm run retire-old-writer -- -c env=${config.name} --delete`,
        'which takes a final snapshot, turns deletion protection off and deletes the instance.',
      ].join('\n'),
    };
  }
  const snapshot = finalSnapshotId(old.identifier, options.now ?? new Date());
  try {
    if (instance.DeletionProtection) {
      await rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: old.identifier,
          DeletionProtection: false,
          ApplyImmediately: true,
        }),
      );
    }
    // DeleteDBInstance takes the final snapshot before it deletes (RDS API reference, FinalDBSnapshotIdentifier).
    await rds.send(
      new DeleteDBInstanceCommand({
        DBInstanceIdentifier: old.identifier,
        FinalDBSnapshotIdentifier: snapshot,
        DeleteAutomatedBackups: false,
      }),
    );
  } catch (error) {
    return {
      ok: false,
      message: `Could not delete ${old.identifier} in ${old.region}: ${(error as Error).message}. Nothing else was changed; fix the cause and run again.`,
    };
  }
  return {
    ok: true,
    message: `Deleting ${describe}; its final snapshot is ${snapshot} in ${old.region}, and its automated backups are kept for their retention period.`,
  };
}
