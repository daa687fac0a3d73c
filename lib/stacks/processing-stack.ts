import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { EmrServerless } from '../constructs/emr-serverless';
import { RegionStack, type RegionStackProps } from './region-stack';

export interface ProcessingStackProps extends RegionStackProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  readonly dataKey: kms.IKey;
  readonly logsKey: kms.IKey;
  readonly mskClusterArn: string;
}

/** EMR Serverless Spark application, execution role, job artifacts and the job submission Lambda. */
export class ProcessingStack extends RegionStack {
  readonly emr: EmrServerless;

  constructor(scope: Construct, id: string, props: ProcessingStackProps) {
    super(scope, id, 'processing', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: EMR Serverless, Spark jobs, job submission`,
    });
    this.emr = new EmrServerless(this, 'Emr', { ...props, config: this.config, role: this.role });
  }
}
