import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config';
import { activeRegionParameterName, regionOf } from '../../config/naming';
import { writerRole } from '../../config/topology';

export interface ActiveRegionRecordProps {
  readonly config: EnvironmentConfig;
}

/**
 * The SSM parameter, in each region, naming the region that runs work now.
 *
 * CloudFormation writes the writer's region (the primary in even failover
 * generations). The failover and failback runbooks change it during a switch;
 * redeploying does not reset it, because CloudFormation only updates a resource
 * whose template properties changed. Raising failover.generation after a
 * switch changes the template to the region the runbook already set, so config
 * and record agree again.
 */
export class ActiveRegionRecord extends Construct {
  readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: ActiveRegionRecordProps) {
    super(scope, id);
    const { config } = props;
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: activeRegionParameterName(config),
      stringValue: regionOf(config, writerRole(config)),
      description: `Region where dual-region-analytics ${config.name} runs work now (changed by the failover runbooks)`,
      tier: ssm.ParameterTier.STANDARD,
    });
  }
}
