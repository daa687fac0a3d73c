import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { parameterName, regionalArn, regionOf } from '../../config/naming';
import { acknowledgeSdkCalls, CROSS_REGION_READ_REASON } from '../compliance/sdk-calls';

export interface CrossRegionParameterProps {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
  /** The role whose region holds the parameter. */
  readonly from: RegionRole;
  /** The parameter's path under `/dra/{env}/`, e.g. `kms/database-key-arn`. */
  readonly path: string;
  /**
   * Log group of the stack's SDK-call provider (the first AwsCustomResource of a stack sets it).
   * @default - the provider's default log group
   */
  readonly logGroup?: logs.ILogGroup;
}

/**
 * An SSM parameter of the other region, read at deploy time by an SDK call
 * (`ssm:GetParameter` in that region). This is how a stack learns what the other region
 * cannot derive from config (a key ARN, a cluster ARN ending in a generated id, subnet ids)
 * without CloudFormation exports, which a failover would lock ("Some exports have changed!",
 * aws-cdk #30771). The read runs again whenever its region or name changes (a generation
 * change swaps the regions), not on every deploy.
 *
 * A stack has one SDK-call provider function: where it reads another region it runs outside
 * the VPC (the isolated VPC has no route to another region's endpoints), so every
 * AwsCustomResource of that stack must be created without a VPC.
 */
export class CrossRegionParameter extends Construct {
  /** The parameter's value (a deploy-time token). */
  readonly value: string;

  constructor(scope: Construct, id: string, props: CrossRegionParameterProps) {
    super(scope, id);
    const { config, from } = props;
    const name = parameterName(config, props.path);
    const region = regionOf(config, from);
    const read = new cr.AwsCustomResource(this, 'Read', {
      installLatestAwsSdk: false,
      logGroup: props.logGroup,
      onUpdate: {
        service: 'ssm',
        action: 'getParameter',
        region,
        parameters: { Name: name },
        physicalResourceId: cr.PhysicalResourceId.of(`${name}@${region}`),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [regionalArn(config, from, 'ssm', `parameter${name}`)],
        }),
      ]),
    });
    acknowledgeSdkCalls(this, { outsideVpcReason: CROSS_REGION_READ_REASON });
    this.value = read.getResponseField('Parameter.Value');
  }
}
