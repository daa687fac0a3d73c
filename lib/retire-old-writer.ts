import { type CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  type DBInstance,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { EnvironmentConfig, RegionRole } from '../config';
import { databaseInstanceIdentifier, regionOf, resourceName, stackName } from '../config/naming';

/**
 * After a re-seed deploy CloudFormation leaves the old writer running
 * (UpdateReplacePolicy: Retain, lib/constructs/postgres.ts): it may hold writes
 * that never reached the new writer. This finds every such instance in both
 * regions, says what keeping it means, and, when told to, takes a final
 * snapshot and deletes it, but only an instance that no stack manages any more
 * and that feeds no replica.
 */
export interface OldWriter {
  readonly identifier: string;
  readonly region: string;
  readonly role: RegionRole;
}

/** Where to look: the environment's instances are named `dra-{env}-postgres[-g{N}]` in both regions. */
export function databaseNamePrefix(config: EnvironmentConfig): string {
  return resourceName(config, 'postgres');
}

/** An instance of this environment that is not the one config gives its region now. */
export function isLeftOver(config: EnvironmentConfig, role: RegionRole, identifier: string): boolean {
  const prefix = databaseNamePrefix(config);
  const ours = identifier === prefix || new RegExp(`^${prefix}-g\\d+$`).test(identifier);
  return ours && identifier !== databaseInstanceIdentifier(config, role);
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

export interface RetireClients {
  readonly rds: (region: string) => RDSClient;
  readonly cloudFormation: (region: string) => CloudFormationClient;
}

const describeInstance = (i: DBInstance, region: string) =>
  `${i.DBInstanceIdentifier} in ${region} (${i.DBInstanceClass}, ${i.MultiAZ ? 'Multi-AZ' : 'single-AZ'}, ${i.AllocatedStorage} GiB, ${i.DBInstanceStatus})`;

/** The database instance the role's database stack manages now (its physical id), if the stack answers. */
async function managedInstance(config: EnvironmentConfig, role: RegionRole, cfn: CloudFormationClient) {
  const out = await cfn.send(
    new DescribeStackResourcesCommand({ StackName: stackName(config, role, 'database') }),
  );
  return out.StackResources?.find((r) => r.ResourceType === 'AWS::RDS::DBInstance')?.PhysicalResourceId;
}

export async function retireOldWriter(
  config: EnvironmentConfig,
  clients: RetireClients,
  options: { delete: boolean; now?: Date },
): Promise<RetireResult> {
  const found: { old: OldWriter; instance: DBInstance }[] = [];
  for (const role of ['primary', 'dr'] as const) {
    const region = regionOf(config, role);
    let instances: DBInstance[];
    try {
      instances = await listInstances(clients.rds(region));
    } catch (error) {
      return {
        ok: false,
        message: `Could not list the database instances in ${region} (${(error as Error).message}). Check your credentials and that the region answers, then run again.`,
      };
    }
    for (const instance of instances) {
      const identifier = instance.DBInstanceIdentifier ?? '';
      if (isLeftOver(config, role, identifier)) found.push({ old: { identifier, region, role }, instance });
    }
  }
  if (found.length === 0) {
    return { ok: true, message: `No old writer of ${config.name} is left running; nothing to retire.` };
  }
  const listed = found.map(({ old, instance }) => `  - ${describeInstance(instance, old.region)}`).join('\n');
  if (!options.delete) {
    return {
      ok: true,
      message: [
        `${found.length} old writer(s) of ${config.name} still running, each billed like any instance:`,
        listed,
        'CloudFormation kept them when a re-seed replaced them, because they may hold writes that never reached the new writer',
        '(a failover during an outage loses what was not yet replicated). Recover those first: docs/runbooks/failback.md,',
        '"Recover the old writer\'s last writes". Then run:',
        `  npm run retire-old-writer -- -c env=${config.name} --delete`,
        'which, for each instance no stack manages any more, takes a final snapshot, turns deletion protection off and deletes it.',
      ].join('\n'),
    };
  }
  const done: string[] = [];
  for (const { old, instance } of found) {
    const refusal = await refusalToDelete(config, old, instance, clients);
    if (refusal) return { ok: false, message: [...done, refusal].join('\n') };
    const snapshot = finalSnapshotId(old.identifier, options.now ?? new Date());
    const rds = clients.rds(old.region);
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
      // DeleteDBInstance takes the final snapshot before it deletes (RDS API reference,
      // DeleteDBInstance, FinalDBSnapshotIdentifier); automated backups are kept for their retention.
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
        message: [
          ...done,
          `Could not delete ${old.identifier} in ${old.region}: ${(error as Error).message}. Fix the cause and run again.`,
        ].join('\n'),
      };
    }
    done.push(
      `Deleting ${describeInstance(instance, old.region)}; its final snapshot is ${snapshot} in ${old.region}, and its automated backups are kept for their retention period.`,
    );
  }
  return { ok: true, message: done.join('\n') };
}

/** Why an instance must not be deleted now, or undefined when it is safe to. */
async function refusalToDelete(
  config: EnvironmentConfig,
  old: OldWriter,
  instance: DBInstance,
  clients: RetireClients,
): Promise<string | undefined> {
  let managed: string | undefined;
  try {
    managed = await managedInstance(config, old.role, clients.cloudFormation(old.region));
  } catch (error) {
    return `Could not read the stack ${stackName(config, old.role, 'database')} in ${old.region} (${(error as Error).message}); nothing was deleted. Run again when it answers.`;
  }
  if (managed === old.identifier) {
    return `${old.identifier} in ${old.region} is still the instance ${stackName(config, old.role, 'database')} manages: the re-seed deploy of failover.generation ${config.failover.generation} has not replaced it yet (or failed). Nothing was deleted; deploy first (npm run deploy -- -c env=${config.name}).`;
  }
  const replicas = instance.ReadReplicaDBInstanceIdentifiers ?? [];
  if (replicas.length > 0) {
    return `${old.identifier} in ${old.region} is the source of ${replicas.join(', ')}: it is a live writer, not a left-over. Nothing was deleted; check failover.generation in config/${config.name}.ts.`;
  }
  return undefined;
}

async function listInstances(rds: RDSClient): Promise<DBInstance[]> {
  const all: DBInstance[] = [];
  let marker: string | undefined;
  do {
    const out = await rds.send(new DescribeDBInstancesCommand({ Marker: marker }));
    all.push(...(out.DBInstances ?? []));
    marker = out.Marker;
  } while (marker);
  return all;
}
