import { Stack } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import {
  acknowledge,
  DEPLOY_TIME_FUNCTION_RULES,
  INLINE_POLICY_RULES,
  MANAGED_EXECUTION_POLICY_RULES,
} from './acknowledge';

/** Construct id CDK gives the singleton provider function of AwsCustomResource. */
export const SDK_CALL_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** Why the SDK-call provider of a stack runs outside the VPC, where it does. */
export const CROSS_REGION_READ_REASON =
  "Reads a parameter from the other region at deploy time; this region's isolated VPC has no route to another region's endpoints.";

/**
 * Acknowledges what nag reports on the SDK-call custom resources under `scope` and on
 * their stack's shared provider function. Call after the last AwsCustomResource is made.
 */
export function acknowledgeSdkCalls(scope: IConstruct, options: { outsideVpcReason?: string } = {}): void {
  for (const child of scope.node.findAll()) {
    if (child instanceof cr.AwsCustomResource) {
      acknowledge(
        child.node.findChild('CustomResourcePolicy'),
        INLINE_POLICY_RULES,
        'CDK-generated policy of one SDK-call custom resource: named actions on named resources.',
      );
    }
  }
  const provider = Stack.of(scope).node.tryFindChild(SDK_CALL_PROVIDER_ID);
  if (!provider) return;
  acknowledge(
    provider,
    DEPLOY_TIME_FUNCTION_RULES,
    'CDK provider of SDK-call custom resources, invoked synchronously by CloudFormation during deploys only: failures surface as stack events, so a DLQ or reserved concurrency adds nothing.',
  );
  if (options.outsideVpcReason) {
    acknowledge(
      provider,
      ['HIPAA.Security::HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC'],
      options.outsideVpcReason,
    );
  }
  acknowledge(
    provider.node.findChild('ServiceRole'),
    MANAGED_EXECUTION_POLICY_RULES,
    'CDK attaches the AWS-managed basic and VPC execution policies to its custom-resource provider; they only allow logging and ENI management.',
  );
}
