/**
 * Reads CDK's validation report (cdk.out/validation-report.json: nag packs and
 * the built-in CloudFormation validation) and words each open finding for a
 * person: rule, construct, the rule's own description, and the config key that
 * set the offending property, where one did.
 */

/** The parts of validation-report.json read here (aws-cdk-lib's PolicyValidationReportJson). */
export interface ValidationReport {
  readonly pluginReports?: readonly {
    readonly pluginName: string;
    readonly violations?: readonly {
      readonly ruleName: string;
      readonly description?: string;
      readonly violatingConstructs?: readonly {
        readonly constructPath: string;
        readonly constructFqn?: string;
        readonly cloudFormationResource?: { readonly propertyPaths?: readonly string[] };
      }[];
    }[];
  }[];
}

/**
 * Which config key sets which CloudFormation property, by L1 class. `{role}` is
 * the region role the construct path names; `name` marks physical names built
 * from the environment name (config/naming.ts).
 */
const CONFIG_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'aws_rds.CfnDBInstance': {
    DBInstanceClass: 'rds.instanceClass',
    EngineVersion: 'rds.engineVersion',
    AllocatedStorage: 'rds.allocatedStorageGiB',
    MaxAllocatedStorage: 'rds.maxAllocatedStorageGiB',
    BackupRetentionPeriod: 'rds.backupRetentionDays',
    MultiAZ: 'rds.multiAz',
    DBInstanceIdentifier: 'name',
  },
  'aws_elasticache.CfnReplicationGroup': {
    CacheNodeType: 'elasticache.nodeType',
    Engine: 'elasticache.engine',
    ReplicasPerNodeGroup: 'elasticache.replicasPerNodeGroup',
    SnapshotRetentionLimit: 'elasticache.snapshotRetentionDays',
    ReplicationGroupId: 'name',
  },
  'aws_elasticache.CfnGlobalReplicationGroup': { CacheNodeType: 'elasticache.nodeType' },
  'aws_elasticache.CfnServerlessCache': { Engine: 'elasticache.engine' },
  'aws_redshiftserverless.CfnWorkgroup': {
    BaseCapacity: 'redshift.baseRpu',
    MaxCapacity: 'redshift.maxRpu',
    SubnetIds: 'regions.{role}.availabilityZones',
    WorkgroupName: 'name',
  },
  'aws_redshiftserverless.CfnNamespace': {
    SnapshotCopyConfigurations: 'redshift.snapshotCopyRetentionDays',
    NamespaceName: 'name',
  },
  'aws_redshift.CfnCluster': {
    NodeType: 'redshift.nodeType',
    NumberOfNodes: 'redshift.numberOfNodes',
    SnapshotCopyRetentionPeriod: 'redshift.snapshotCopyRetentionDays',
    AutomatedSnapshotRetentionPeriod: 'redshift.snapshotCopyRetentionDays',
  },
  'aws_emrserverless.CfnApplication': {
    ReleaseLabel: 'emr.releaseLabel',
    Architecture: 'emr.architecture',
    MaximumCapacity: 'emr.maximumCapacity',
    AutoStopConfiguration: 'emr.idleTimeoutMinutes',
  },
  'aws_athena.CfnWorkGroup': {
    WorkGroupConfiguration: 'athena (analystBytesScannedCutoffPerQuery / jobsBytesScannedCutoffPerQuery)',
  },
  'aws_ec2.CfnVPC': { CidrBlock: 'regions.{role}.vpcCidr' },
  'aws_ec2.CfnSubnet': {
    AvailabilityZone: 'regions.{role}.availabilityZones',
    CidrBlock: 'regions.{role}.vpcCidr',
  },
  'aws_s3.CfnBucket': { BucketName: 'name' },
  'aws_lambda.CfnFunction': { FunctionName: 'name' },
  'aws_msk.CfnServerlessCluster': { ClusterName: 'name' },
  'aws_ssm.CfnDocument': { Name: 'name' },
};

/** The config key behind a property of a construct, or undefined when no config key sets it. */
export function configKeyFor(
  constructFqn: string | undefined,
  propertyPath: string,
  constructPath: string,
): string | undefined {
  // "Properties.SnapshotCopyConfigurations.0.SnapshotRetentionPeriod" -> "SnapshotCopyConfigurations"
  const property = propertyPath.replace(/^Properties\./, '').split('.')[0];
  if (property === 'Tags') return 'tags';
  const cls = constructFqn?.replace(/^aws-cdk-lib\./, '') ?? '';
  const key = CONFIG_KEYS[cls]?.[property];
  if (!key) return undefined;
  const role = /^[^/]*-(primary|dr)\//.exec(constructPath)?.[1];
  return role ? key.replace('{role}', role) : key.replace('{role}', '<role>');
}

/** One readable entry per open finding (rule, where, description, config key). */
export function describeFindings(report: ValidationReport, envName: string): string[] {
  const lines: string[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const violation of plugin.violations ?? []) {
      const constructs = violation.violatingConstructs ?? [];
      const where = constructs.map((c) => c.constructPath).join(', ') || '(no construct)';
      const keys = new Set<string>();
      for (const c of constructs) {
        for (const p of c.cloudFormationResource?.propertyPaths ?? []) {
          const key = configKeyFor(c.constructFqn, p, c.constructPath);
          if (key) keys.add(key);
        }
      }
      let entry = `  - [${plugin.pluginName}] ${violation.ruleName} at ${where}`;
      if (violation.description) entry += `\n      ${violation.description}`;
      if (keys.size > 0) entry += `\n      set by ${[...keys].join(', ')} in config/${envName}.ts`;
      lines.push(entry);
    }
  }
  return lines;
}
