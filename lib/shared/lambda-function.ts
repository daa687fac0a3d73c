import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import {
  acknowledge,
  acknowledgeDefaultPolicy,
  MANAGED_EXECUTION_POLICY_RULES,
} from '../compliance/acknowledge';
import { PlatformError } from './errors';
import { handlerCode } from './handler-bundles';
import { platformLogGroup } from './log-group';

/** lambda/bundling.json, the esbuild settings scripts/bundle-lambda.mjs bundles every handler with. */
export const BUNDLING: { target: string; mainFields: string[]; external: string[] } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'lambda', 'bundling.json'), 'utf8'),
);

/** Bundles a handler as deployed (see handlerCode). */
export { BUNDLE_SCRIPT } from './handler-bundles';

export interface PlatformFunctionProps {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
  /**
   * Physical function name, when operators or scripts call it by name.
   * @default - a name CloudFormation generates
   */
  readonly functionName?: string;
  /** Handler file under lambda/, e.g. job-submission/handler.ts. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /**
   * The VPC the function runs in; omit only with `outsideVpcReason`.
   * @default - none: then `outsideVpcReason` is required
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` the function's interfaces go in.
   * @default - the VPC's private subnets
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * Security group of the function's interfaces.
   * @default - a new group allowing all outbound traffic
   */
  readonly securityGroup?: ec2.ISecurityGroup;
  /**
   * Why this function runs outside the VPC (e.g. it must call another region's APIs).
   * @default - none: the function must be given `vpc`
   */
  readonly outsideVpcReason?: string;
  /** The region's logs key, which encrypts the function's log group. */
  readonly logsKey: kms.IKey;
  /**
   * Extra environment variables.
   * @default - only POWERTOOLS_LOG_LEVEL=INFO
   */
  readonly environment?: Record<string, string>;
  /**
   * Maximum run time of one invocation.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MiB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Reserved concurrency; caps what a runaway caller can start.
   * @default 5
   */
  readonly reservedConcurrency?: number;
  /** Why the function has no dead-letter queue (every caller waits for its result). */
  readonly synchronousReason: string;
}

/**
 * A platform Lambda: Node.js 24 (the newest Lambda runtime) on ARM, bundled locally by esbuild (no Docker)
 * with the AWS SDK v3 clients tree-shaken into the bundle (lambda/bundling.json), minified, with a source
 * map, in the private subnets, KMS-encrypted logs
 * kept a year, reserved concurrency, X-Ray tracing.
 */
export function platformFunction(
  scope: Construct,
  id: string,
  props: PlatformFunctionProps,
): nodejs.NodejsFunction {
  const entry = path.join(__dirname, '..', '..', 'lambda', props.entry);
  const logGroup = platformLogGroup(scope, `${id}Logs`, { config: props.config, logsKey: props.logsKey });
  if (!fs.existsSync(entry)) {
    throw new PlatformError(
      `${id}: platformFunction was given entry '${props.entry}', but ${path.relative(path.join(__dirname, '..', '..'), entry)} does not exist. Name a handler file under lambda/, e.g. job-submission/handler.ts.`,
    );
  }
  const fn = new nodejs.NodejsFunction(scope, id, {
    handler: 'index.handler',
    functionName: props.functionName,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    description: props.description,
    memorySize: props.memorySize ?? 256,
    timeout: props.timeout ?? Duration.seconds(30),
    vpc: props.vpc,
    vpcSubnets: props.vpc ? props.subnets : undefined,
    securityGroups: props.vpc && props.securityGroup ? [props.securityGroup] : undefined,
    environment: { POWERTOOLS_LOG_LEVEL: 'INFO', ...props.environment },
    logGroup,
    reservedConcurrentExecutions: props.reservedConcurrency ?? 5,
    tracing: lambda.Tracing.ACTIVE,
    // Bundled by scripts/bundle-lambda.mjs (lambda/bundling.json plus the SDK plugins NodejsFunction's
    // own esbuild cannot take), once per synth for every handler: see handlerCode.
    code: handlerCode(entry),
  });
  if (!props.vpc && !props.outsideVpcReason) {
    throw new PlatformError(
      `${id}: platformFunction was given neither vpc nor outsideVpcReason. Platform functions run in the VPC; pass vpc and vpcSubnets, or set outsideVpcReason to say why this one cannot.`,
    );
  }
  if (props.outsideVpcReason) {
    acknowledge(
      fn,
      ['HIPAA.Security::HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC'],
      props.outsideVpcReason,
    );
  }
  acknowledge(
    fn,
    ['HIPAA.Security::HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ'],
    props.synchronousReason,
  );
  acknowledge(
    fn.role!,
    MANAGED_EXECUTION_POLICY_RULES,
    'AWS-managed execution policies CDK attaches to every VPC function: logging and ENI management only.',
  );
  acknowledgeDefaultPolicy(fn.role!, `the ${id} function`);
  acknowledge(
    fn.role!.node.findChild('DefaultPolicy'),
    ['AwsSolutions::AwsSolutions-IAM5[Resource::*]'],
    'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
  );
  return fn;
}
