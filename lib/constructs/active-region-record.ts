import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import { activeRegionParameterName } from '../naming';

export interface ActiveRegionRecordProps {
  readonly config: EnvironmentConfig;
}

/**
 * The SSM parameter, in each region, naming the region that runs work now.
 *
 * CloudFormation writes the initial value (the primary region) once. The
 * failover and failback runbooks change it afterwards; redeploying the stack
 * does not reset it because CloudFormation only updates a resource whose
 * template properties changed. Failback ends with config and record agreeing again.
 */
export class ActiveRegionRecord extends Construct {
  readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: ActiveRegionRecordProps) {
    super(scope, id);
    const { config } = props;
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: activeRegionParameterName(config),
      stringValue: config.regions.primary.region,
      description: `Region where dual-region-analytics ${config.name} runs work now (changed by the failover runbooks)`,
      tier: ssm.ParameterTier.STANDARD,
    });
  }
}
