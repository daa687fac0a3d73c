import { type App, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { AwsLimitsPlugin } from './aws-limits';
import { CROSS_REGION_READ_REASON, SDK_CALL_PROVIDER_ID } from './sdk-calls';

const IMPORTED_KEY =
  "Encrypted with a customer-managed key of this region, imported from the region's foundation stack; the rule only recognizes keys declared in the same template.";

/**
 * Control Tower proactive controls (cfn-guard) that this app disables outright,
 * each with the reason. Together with GUARD_ACKNOWLEDGEMENTS this is the only
 * place a guard rule is relaxed.
 */
export const DISABLED_GUARD_RULES: Readonly<Record<string, string>> = {
  'ct-s3-pr-9':
    'S3 Object Lock (WORM) is a per-dataset records-retention decision, and it cannot be undone: lake layers are rewritten by Spark jobs, lifecycle rules expire noncurrent versions, and dev must be able to tear down. Loss is guarded by versioning, retained buckets and cross-region replication.',
};

/**
 * Guard findings acknowledged on the constructs they concern, each with the reason.
 * `applies` looks at the construct's own L1 properties, so an acknowledgement only
 * holds where the excused setting is really there (e.g. a KMS key is set).
 */
export const GUARD_ACKNOWLEDGEMENTS: ReadonlyArray<{
  rule: string;
  applies: (c: IConstruct) => boolean;
  reason: string;
}> = [
  {
    rule: 'lambda_inside_vpc_check',
    applies: (c) => /CustomResourceProvider$/.test(c.node.id),
    reason:
      'CDK-managed custom resource provider (e.g. default security group lockdown): runs only during deployment and calls only AWS control-plane APIs; CDK offers no VPC option for it.',
  },
  {
    rule: 'lambda_inside_vpc_check',
    applies: (c) => c instanceof lambda.CfnFunction && c.vpcConfig !== undefined,
    reason:
      "The function has a VpcConfig with this region's private subnets; the rule cannot resolve subnet ids read from the foundation stack.",
  },
  {
    // A stack's SDK-call provider runs outside the VPC only where it reads the other region
    // (lib/constructs/cross-region-parameter.ts): the Replicator's source, the standby's key ARN,
    // the writer's secret ARN.
    rule: 'lambda_inside_vpc_check',
    applies: (c) => c.node.id === SDK_CALL_PROVIDER_ID && c instanceof lambda.Function && !c.isBoundToVpc,
    reason: CROSS_REGION_READ_REASON,
  },
  {
    rule: 'lambda_inside_vpc_check',
    applies: (c) =>
      c instanceof lambda.CfnFunction &&
      c.node.scope?.node.id === 'Check' &&
      c.node.scope?.node.scope?.node.id === 'Readiness',
    reason:
      "The readiness check calls both regions' control-plane APIs every minute; this region's isolated VPC reaches only its own endpoints.",
  },
  {
    rule: 's3_bucket_default_encryption_kms_check',
    applies: (c) => c instanceof s3.CfnBucket && c.node.scope?.node.id === 'AccessLogs',
    reason:
      'S3 server access logging only delivers to a bucket encrypted with SSE-S3; SSE-KMS targets are not supported.',
  },
  {
    rule: 's3_bucket_logging_enabled_check',
    applies: (c) => c instanceof s3.CfnBucket && c.node.scope?.node.id === 'AccessLogs',
    reason: 'This is the server-access-log target bucket; logging it to itself would loop.',
  },
  {
    rule: 'athena_workgroup_results_encrypted_at_rest_kms_check',
    applies: (c) => c instanceof athena.CfnWorkGroup,
    reason: IMPORTED_KEY,
  },
  {
    rule: 'cloudwatch_log_group_encrypted_check',
    applies: (c) => c instanceof logs.CfnLogGroup && c.kmsKeyId !== undefined,
    reason: IMPORTED_KEY,
  },
  {
    rule: 'rds_storage_encrypted_kms_key_check',
    applies: (c) => c instanceof rds.CfnDBInstance && c.kmsKeyId !== undefined,
    reason: IMPORTED_KEY,
  },
  {
    rule: 'rds_instance_no_default_ports_check',
    applies: (c) => c instanceof rds.CfnDBInstance,
    reason:
      'Default port kept: access is limited by private subnets, a security group admitting platform workloads only, TLS and IAM auth.',
  },
  {
    rule: 'rds_instance_multi_az_support_check',
    applies: (c) => c instanceof rds.CfnDBInstance && c.multiAz === false,
    reason:
      'Single-AZ only where config says so (dev tier, or a cross-region replica before promotion); validation requires Multi-AZ in prod.',
  },
  {
    rule: 'rds_instance_deletion_protection_enabled_check',
    applies: (c) => c instanceof rds.CfnDBInstance && c.deletionProtection === false,
    reason: 'Off only where removal.allowDestroy is true, which validation forbids in prod.',
  },
  {
    rule: 'redshift_cluster_audit_logging_enabled_check',
    applies: (c) =>
      c instanceof redshift.CfnCluster &&
      (c.loggingProperties as redshift.CfnCluster.LoggingPropertiesProperty | undefined)
        ?.logDestinationType === 'cloudwatch',
    reason:
      'Audit logging is on, delivered to CloudWatch Logs (connection, user and user-activity logs) instead of an S3 bucket; the rule only recognizes S3 delivery.',
  },
];

const GUARD_NAMESPACE = 'cdk-validator-cfnguard';

export interface ComplianceOptions {
  /**
   * Also run the AWS Control Tower proactive controls through cfn-guard (slower; CI turns it on).
   * @default false
   */
  readonly controlTower?: boolean;
}

/**
 * Registers what every synth checks: the nag packs and the documented AWS limits the templates
 * rely on (lib/compliance/aws-limits/, docs/aws-limits.md); optionally the Control Tower guard rules.
 */
export function registerCompliance(app: App, options: ComplianceOptions = {}): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
    new AwsLimitsPlugin(),
  );
  if (options.controlTower) {
    // Loaded lazily: the validator is a devDependency used by CI, not by `cdk synth`.
    const { CfnGuardValidator } =
      require('@cdklabs/cdk-validator-cfnguard') as typeof import('@cdklabs/cdk-validator-cfnguard');
    Validations.of(app).addPlugins(
      new CfnGuardValidator({
        controlTowerRulesEnabled: true,
        disabledRules: Object.keys(DISABLED_GUARD_RULES),
      }),
    );
    for (const construct of app.node.findAll()) acknowledgeGuardRules(construct);
  }
}

function acknowledgeGuardRules(construct: IConstruct): void {
  for (const { rule, applies, reason } of GUARD_ACKNOWLEDGEMENTS) {
    if (applies(construct)) {
      Validations.of(construct).acknowledge({ id: `${GUARD_NAMESPACE}::${rule}`, reason });
    }
  }
}
