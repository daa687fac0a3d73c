import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ec2lib from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { isWriter } from '../../config/topology';
import { MskReplicator } from '../constructs/msk-replicator';
import { KAFKA_IAM_PORT, MskServerless } from '../constructs/msk-serverless';
import { RegionStack, type RegionStackProps } from './region-stack';

export interface StreamingStackProps extends RegionStackProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  readonly logsKey: kms.IKey;
}

/** MSK Serverless and its topics; in the standby region also the Replicator from the writer's cluster. */
export class StreamingStack extends RegionStack {
  readonly msk: MskServerless;
  readonly replicator?: MskReplicator;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, 'streaming', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: MSK Serverless, topics${isWriter(props.config, props.role) ? '' : ', Replicator'}`,
    });
    this.msk = new MskServerless(this, 'Msk', { ...props, config: this.config, role: this.role });
    if (!isWriter(this.config, this.role) && this.config.msk.replicator) {
      const replicatorSg = new ec2lib.SecurityGroup(this, 'ReplicatorSecurityGroup', {
        vpc: props.vpc,
        description: `MSK Replicator ${this.config.name}: reaches the standby cluster on ${KAFKA_IAM_PORT}`,
        allowAllOutbound: true,
      });
      this.msk.securityGroup.addIngressRule(replicatorSg, ec2lib.Port.tcp(KAFKA_IAM_PORT), 'MSK Replicator');
      this.replicator = new MskReplicator(this, 'Replicator', {
        config: this.config,
        vpc: props.vpc,
        subnets: props.subnets,
        targetClusterArn: this.msk.cluster.attrArn,
        targetSecurityGroup: replicatorSg,
        logsKey: props.logsKey,
      });
    }
  }
}
