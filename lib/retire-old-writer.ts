import { type CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  type DBInstance,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { EnvironmentConfig, RegionRole } from '../config';
import {
  databaseInstanceIdentifier,
  databaseSecretName,
  regionOf,
  resourceName,
  stackName,
} from '../config/naming';

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
  /**
   * Secrets Manager per region, for the previous generations' master secrets.
   * @default - the secrets are not looked at
   */
  readonly secrets?: (region: string) => SecretsManagerClient;
}

/** A previous generation's PostgreSQL master secret still in a region. */
export interface OldSecret {
  readonly name: string;
  readonly region: string;
  /** Where it came from: the copy CloudFormation left (primary) or the one a switch promoted. */
  readonly replicatedTo: string[];
}

/** Days a deleted master secret can still be restored (RestoreSecret); the longest DeleteSecret allows. */
export const SECRET_RECOVERY_DAYS = 30;

/**
 * The master secrets of generations before the current one, in both regions: the copy a
 * generation change left in the old writer's region (CloudFormation retains it: the old writer
 * still has that password) and the copy the switch promoted in the new writer's region
 * (docs/failover-and-failback.md, "Credentials"). Neither is used once the current generation's
 * deploy has given the writer its own secret.
 */
export async function oldSecrets(
  config: EnvironmentConfig,
  secretsIn: (region: string) => SecretsManagerClient,
): Promise<OldSecret[]> {
  const found: OldSecret[] = [];
  for (const role of ['primary', 'dr'] as const) {
    const region = regionOf(config, role);
    for (let generation = 0; generation < config.failover.generation; generation++) {
      const name = databaseSecretName(config, generation);
      try {
        const out = await secretsIn(region).send(new DescribeSecretCommand({ SecretId: name }));
        if (out.DeletedDate) continue;
        found.push({ name, region, replicatedTo: (out.ReplicationStatus ?? []).map((r) => r.Region ?? '') });
      } catch (error) {
        if (error instanceof ResourceNotFoundException) continue;
        throw error;
      }
    }
  }
  return found;
}

const describeSecret = (s: OldSecret) =>
  `${s.name} in ${s.region}${s.replicatedTo.length > 0 ? ` (replicated to ${s.replicatedTo.join(', ')})` : ''}`;

/** Deletes the old secrets with a recovery window; the first failure ends it, worded with the fix. */
async function deleteSecrets(secrets: OldSecret[], secretsIn: (region: string) => SecretsManagerClient) {
  const done: string[] = [];
  // Replica copies first: Secrets Manager refuses to delete a primary secret that still has replicas.
  const ordered = [...secrets].sort((a, b) => a.replicatedTo.length - b.replicatedTo.length);
  for (const secret of ordered) {
    try {
      await secretsIn(secret.region).send(
        new DeleteSecretCommand({ SecretId: secret.name, RecoveryWindowInDays: SECRET_RECOVERY_DAYS }),
      );
    } catch (error) {
      return {
        ok: false,
        done,
        message: `Could not delete ${describeSecret(secret)}: ${(error as Error).message}. If it still has replicas, remove them first (aws secretsmanager remove-regions-from-replication --region ${secret.region} --secret-id ${secret.name} --remove-replica-regions ${secret.replicatedTo.join(' ') || '<region>'}), then run again.`,
      };
    }
    done.push(
      `Deleting ${describeSecret(secret)} (restorable for ${SECRET_RECOVERY_DAYS} days with aws secretsmanager restore-secret).`,
    );
  }
  return { ok: true, done, message: '' };
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
  let secrets: OldSecret[] = [];
  if (clients.secrets) {
    try {
      secrets = await oldSecrets(config, clients.secrets);
    } catch (error) {
      return {
        ok: false,
        message: `Could not look for the previous generations' master secrets (${(error as Error).message}). Check your credentials and that both regions answer, then run again.`,
      };
    }
  }
  const secretLines = secrets.map((secret) => `  - ${describeSecret(secret)}`);
  if (found.length === 0 && secrets.length === 0) {
    return { ok: true, message: `No old writer of ${config.name} is left running; nothing to retire.` };
  }
  if (found.length === 0) {
    if (!options.delete) {
      return {
        ok: true,
        message: [
          `No old writer of ${config.name} is left running, but master secrets of earlier generations are (the current writer uses ${databaseSecretName(config)}):`,
          ...secretLines,
          `Delete them with: npm run retire-old-writer -- -c env=${config.name} --delete`,
        ].join('\n'),
      };
    }
    const deleted = await deleteSecrets(secrets, clients.secrets!);
    return { ok: deleted.ok, message: [...deleted.done, deleted.message].filter(Boolean).join('\n') };
  }
  const listed = found.map(({ old, instance }) => `  - ${describeInstance(instance, old.region)}`).join('\n');
  if (!options.delete) {
    return {
      ok: true,
      message: [
        `${found.length} old writer(s) of ${config.name} still running, each billed like any instance:`,
        listed,
        ...(secrets.length > 0
          ? [
              `and the master secrets of earlier generations (the old writer's password is in the newest of them; the current writer uses ${databaseSecretName(config)}):`,
              ...secretLines,
            ]
          : []),
        'CloudFormation kept them when a re-seed replaced them, because they may hold writes that never reached the new writer',
        '(a failover during an outage loses what was not yet replicated). Recover those first: docs/runbooks/failback.md,',
        '"Recover the old writer\'s last writes". Then run:',
        `  npm run retire-old-writer -- -c env=${config.name} --delete`,
        'which, for each instance no stack manages any more, takes a final snapshot, turns deletion protection off and deletes it,',
        `then deletes those secrets (restorable for ${SECRET_RECOVERY_DAYS} days).`,
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
  if (secrets.length > 0 && clients.secrets) {
    const deleted = await deleteSecrets(secrets, clients.secrets);
    return {
      ok: deleted.ok,
      message: [...done, ...deleted.done, deleted.message].filter(Boolean).join('\n'),
    };
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
