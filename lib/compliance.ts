import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Control Tower proactive controls (cfn-guard) that this app disables outright,
 * each with the reason. Together with GUARD_ACKNOWLEDGEMENTS this is the only
 * place a guard rule is relaxed.
 */
export const DISABLED_GUARD_RULES: Readonly<Record<string, string>> = {};

/** Guard findings acknowledged on specific constructs (matched by construct id), with the reason. */
export const GUARD_ACKNOWLEDGEMENTS: ReadonlyArray<{ rule: string; constructId: RegExp; reason: string }> = [
  {
    rule: 'lambda_inside_vpc_check',
    constructId: /CustomResourceProvider$/,
    reason:
      'CDK-managed custom resource provider (e.g. default security group lockdown): runs only during deployment and calls only AWS control-plane APIs; CDK offers no VPC option for it.',
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
