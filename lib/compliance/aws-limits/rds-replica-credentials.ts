import {
  type AwsLimitRule,
  allResourcesOfType,
  type LimitFinding,
  regionOfArn,
  type StackTemplate,
} from './rule';

const PASSWORD_PAGE = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html';

interface Instance {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly identifier?: string;
  readonly region?: string;
}

function instances(stacks: readonly StackTemplate[]): Instance[] {
  return allResourcesOfType(stacks, 'AWS::RDS::DBInstance').map(({ stack, logicalId, properties }) => ({
    stack,
    logicalId,
    properties,
    identifier:
      typeof properties.DBInstanceIdentifier === 'string' ? properties.DBInstanceIdentifier : undefined,
    region: stack.region,
  }));
}

/** The instance a replica's SourceDBInstanceIdentifier names (an ARN across regions, an id in its own). */
function sourceOf(replica: Instance, all: readonly Instance[]): Instance | undefined {
  const source = replica.properties.SourceDBInstanceIdentifier;
  if (typeof source !== 'string') return undefined;
  const region = regionOfArn(source) ?? replica.region;
  const identifier = source.startsWith('arn:') ? source.split(':').slice(6).join(':') : source;
  return all.find((i) => i.identifier === identifier && i.region === region);
}

/**
 * RDS refuses to create a read replica of an instance whose master password RDS manages in
 * Secrets Manager (every engine but SQL Server): "Password management with Amazon RDS and
 * AWS Secrets Manager", limitations. Users meet `InvalidParameterValue: Creating read
 * replicas for source instance ... where ManageMasterUserPassword is enabled is not
 * supported` (terraform-aws-modules/terraform-aws-rds #512, #532).
 */
export const rdsReplicaSourceManagedPassword: AwsLimitRule = {
  id: 'rds-replica-source-managed-password',
  summary: 'No RDS-managed master password (ManageMasterUserPassword) on the source of a read replica',
  page: PASSWORD_PAGE,
  check(stacks) {
    const all = instances(stacks);
    const findings: LimitFinding[] = [];
    for (const replica of all) {
      const source = sourceOf(replica, all);
      if (source?.properties.ManageMasterUserPassword !== true) continue;
      findings.push({
        stack: source.stack,
        logicalId: source.logicalId,
        path: 'Properties.ManageMasterUserPassword',
        value: true,
        problem: `RDS refuses to create a read replica of an instance whose master password it manages, and ${replica.stack.stackName}/${replica.logicalId} replicates from this one ("Creating read replicas for source instance ... where ManageMasterUserPassword is enabled is not supported").`,
        fix: 'Give the writer a Secrets Manager secret of its own (replicated to the standby region) through MasterUserPassword by dynamic reference, and drop ManageMasterUserPassword/MasterUserSecret (lib/constructs/postgres.ts; docs/failover-and-failback.md, "Credentials").',
      });
    }
    return findings;
  },
};

/**
 * A read replica takes its source's password (physical replication); CreateDBInstanceReadReplica
 * has no password parameter. CloudFormation's RDS provider follows a replica's creation with a
 * ModifyDBInstance carrying MasterUserPassword when the template has one
 * (ResourceModelHelper.shouldUpdateAfterCreate, Translator.modifyDbInstanceAfterCreateRequest in
 * aws-cloudformation-resource-providers-rds), asking RDS to change a password on a read-only
 * copy. Only the writer carries the password: an instance with SourceDBInstanceIdentifier that
 * no other instance replicates from is a replica still being a replica.
 */
export const rdsReplicaMasterPassword: AwsLimitRule = {
  id: 'rds-replica-master-password',
  summary: 'A read replica carries no master password (MasterUserPassword, ManageMasterUserPassword)',
  page: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html',
  check(stacks) {
    const all = instances(stacks);
    const sources = new Set(all.map((i) => sourceOf(i, all)).filter((s): s is Instance => s !== undefined));
    const findings: LimitFinding[] = [];
    for (const replica of all) {
      if (replica.properties.SourceDBInstanceIdentifier === undefined || sources.has(replica)) continue;
      for (const property of ['MasterUserPassword', 'ManageMasterUserPassword', 'MasterUserSecret']) {
        if (replica.properties[property] === undefined) continue;
        findings.push({
          stack: replica.stack,
          logicalId: replica.logicalId,
          path: `Properties.${property}`,
          value: property === 'MasterUserPassword' ? '(a password)' : replica.properties[property],
          problem:
            "This instance is a read replica (SourceDBInstanceIdentifier, and nothing replicates from it): it shares its source's password, and CloudFormation would send this one to RDS in a ModifyDBInstance right after creating the replica.",
          fix: 'Set the master password only on the writer; the replica gets it when the next generation promotes it (lib/constructs/postgres.ts).',
        });
      }
    }
    return findings;
  },
};
