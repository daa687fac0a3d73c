import * as fs from 'node:fs';
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolation,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { elasticacheGlobalMember } from './elasticache-global-member';
import { kmsKeyArn } from './kms-key-arn';
import { mskReplicatorClusterRegion } from './msk-replicator-cluster-region';
import { rdsReplicaMasterPassword, rdsReplicaSourceManagedPassword } from './rds-replica-credentials';
import { type AwsLimitRule, type CfnTemplate, describeFinding, type StackTemplate } from './rule';
import { scriptStepTimeout } from './script-step-timeout';
import { ssmDocumentSize } from './ssm-document-size';

export type { AwsLimitRule, CfnTemplate, LimitFinding, StackTemplate } from './rule';
export { describeFinding, regionOfValue, resourcesOfType } from './rule';

/**
 * Every documented AWS limit the templates are checked against at synth, one rule per file
 * (docs/aws-limits.md lists them with their pages). A new rule is a file exporting an
 * {@link AwsLimitRule} and one line here.
 */
export const AWS_LIMIT_RULES: readonly AwsLimitRule[] = [
  rdsReplicaSourceManagedPassword,
  rdsReplicaMasterPassword,
  elasticacheGlobalMember,
  mskReplicatorClusterRegion,
  kmsKeyArn,
  ssmDocumentSize,
  scriptStepTimeout,
];

/** The plugin's name: the namespace of its findings in the validation report (and of acknowledgements). */
export const AWS_LIMITS_PLUGIN = 'dra-aws-limits';

/** Runs rules over templates already read; the plugin and the tests share it. */
export function checkAwsLimits(
  stacks: readonly StackTemplate[],
  rules: readonly AwsLimitRule[] = AWS_LIMIT_RULES,
): PolicyViolation[] {
  return rules.flatMap((rule) =>
    rule.check(stacks).map((finding) => ({
      ruleName: rule.id,
      description: describeFinding(rule, finding),
      fix: finding.fix,
      severity: 'error',
      violatingResources: [
        {
          resourceLogicalId: finding.logicalId,
          templatePath: finding.stack.templatePath,
          locations: [finding.path],
        },
      ],
    })),
  );
}

/**
 * A CDK policy-validation plugin (registered by lib/compliance/compliance.ts next to the nag
 * packs): its findings land in the validation report that synth fails on, and
 * bin/validation-findings.ts words them.
 */
export class AwsLimitsPlugin implements IPolicyValidationPlugin {
  readonly name = AWS_LIMITS_PLUGIN;
  readonly ruleIds: string[];

  constructor(private readonly rules: readonly AwsLimitRule[] = AWS_LIMIT_RULES) {
    this.ruleIds = rules.map((r) => r.id);
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stacks = context.stackTemplates.map((s) => ({
      stackName: stackNameAt(context.appConstruct, s.stackConstructPath) ?? s.stackConstructPath,
      templatePath: s.templatePath,
      region: s.region,
      template: JSON.parse(fs.readFileSync(s.templatePath, 'utf8')) as CfnTemplate,
    }));
    const violations = checkAwsLimits(stacks, this.rules);
    return { success: violations.length === 0, violations };
  }
}

/** The CloudFormation name of the stack at a construct path. */
function stackNameAt(app: IConstruct, constructPath: string): string | undefined {
  let node: IConstruct | undefined = app;
  for (const id of constructPath.split('/')) node = node?.node.tryFindChild(id);
  return node && 'stackName' in node ? String((node as { stackName: unknown }).stackName) : undefined;
}
