import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Rules that fire on every CDK-generated role default policy. CDK writes grants as an inline
 * AWS::IAM::Policy attached to exactly one role, scoped to named resources; a customer-managed
 * policy would carry the same statements with a second lifecycle to manage.
 */
export const INLINE_POLICY_RULES = [
  'HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy',
  'NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy',
];

/** Rules that fire on CDK-managed deploy-time functions (custom-resource providers, BucketDeployment). */
export const DEPLOY_TIME_FUNCTION_RULES = [
  'HIPAA.Security::HIPAA.Security-LambdaDLQ',
  'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ',
  'HIPAA.Security::HIPAA.Security-LambdaConcurrency',
  'NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency',
];

/** The AWS-managed execution policies CDK attaches to every (VPC) function role. */
export const MANAGED_EXECUTION_POLICY_RULES = [
  'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
];

/** Acknowledges nag findings on one construct, all with the same reviewed reason. */
export function acknowledge(construct: IConstruct, ids: readonly string[], reason: string): void {
  Validations.of(construct).acknowledge(...ids.map((id) => ({ id, reason })));
}

/** Acknowledges the inline-policy rules on a role's CDK-generated default policy. */
export function acknowledgeDefaultPolicy(roleOrPolicy: IConstruct, what: string): void {
  const policy = roleOrPolicy.node.tryFindChild('DefaultPolicy') ?? roleOrPolicy;
  acknowledge(
    policy,
    INLINE_POLICY_RULES,
    `CDK-generated grants for ${what}: attached to this one role only and scoped to named resources.`,
  );
}
