import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Control Tower proactive controls (cfn-guard) that this app disables outright,
 * each with the reason. Together with GUARD_ACKNOWLEDGEMENTS this is the only
 * place a guard rule is relaxed.
 */
export const DISABLED_GUARD_RULES: Readonly<Record<string, string>> = {
  'ct-s3-pr-9':
    'S3 Object Lock (WORM) is a per-dataset records-retention decision, and it cannot be undone: lake layers are rewritten by Spark jobs, lifecycle rules expire noncurrent versions, and dev must be able to tear down. Loss is guarded by versioning, retained buckets and cross-region replication.',
};

/** Guard findings acknowledged on specific constructs (matched by construct id), with the reason. */
export const GUARD_ACKNOWLEDGEMENTS: ReadonlyArray<{ rule: string; constructId: RegExp; reason: string }> = [
  {
    rule: 'lambda_inside_vpc_check',
    constructId: /CustomResourceProvider$/,
    reason:
      'CDK-managed custom resource provider (e.g. default security group lockdown): runs only during deployment and calls only AWS control-plane APIs; CDK offers no VPC option for it.',
  },
  {
    rule: 's3_bucket_default_encryption_kms_check',
    constructId: /^AccessLogs$/,
    reason:
      'S3 server access logging only delivers to a bucket encrypted with SSE-S3; SSE-KMS targets are not supported.',
  },
  {
    rule: 's3_bucket_logging_enabled_check',
    constructId: /^AccessLogs$/,
    reason: 'This is the server-access-log target bucket; logging it to itself would loop.',
  },
  {
    rule: 'athena_workgroup_results_encrypted_at_rest_kms_check',
    constructId: /^(Analysts|Jobs)$/,
    reason:
      "Results are SSE_KMS with the region's data key (a customer-managed key imported from the foundation stack of the same region); the rule only recognizes keys declared in the same template.",
  },
];

const GUARD_NAMESPACE = 'cdk-validator-cfnguard';

export interface ComplianceOptions {
  /** Also run the AWS Control Tower proactive controls through cfn-guard (slower; CI turns it on). */
  readonly controlTower?: boolean;
}

/** Registers the nag packs every synth runs, and optionally the Control Tower guard rules. */
export function registerCompliance(app: App, options: ComplianceOptions = {}): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
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
  for (const { rule, constructId, reason } of GUARD_ACKNOWLEDGEMENTS) {
    if (constructId.test(construct.node.id)) {
      Validations.of(construct).acknowledge({ id: `${GUARD_NAMESPACE}::${rule}`, reason });
    }
  }
}
