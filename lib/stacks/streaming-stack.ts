import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { isWriter } from '../../config/topology';
import { MskReplicator, ReplicatorAccess } from '../constructs/msk-replicator';
import { MskServerless } from '../constructs/msk-serverless';
import { RegionStack, type RegionStackProps } from './region-stack';

export interface StreamingStackProps extends RegionStackProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  readonly logsKey: kms.IKey;
}

/**
 * MSK Serverless and its topics, and with the Replicator on: in both regions the access a
 * Replicator needs to this region's cluster (published for the other region), in the standby
 * region the Replicator from the writer's cluster.
 */
export class StreamingStack extends RegionStack {
  readonly msk: MskServerless;
  readonly replicatorAccess?: ReplicatorAccess;
  readonly replicator?: MskReplicator;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, 'streaming', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: MSK Serverless, topics${isWriter(props.config, props.role) ? '' : ', Replicator'}`,
    });
    this.msk = new MskServerless(this, 'Msk', { ...props, config: this.config, role: this.role });
    if (!this.config.msk.replicator) return;
    this.replicatorAccess = new ReplicatorAccess(this, 'ReplicatorAccess', {
      config: this.config,
      vpc: props.vpc,
      subnets: props.subnets,
      clusterSecurityGroup: this.msk.securityGroup,
    });
    if (!isWriter(this.config, this.role)) {
      this.replicator = new MskReplicator(this, 'Replicator', {
        config: this.config,
        vpc: props.vpc,
        subnets: props.subnets,
        targetClusterArn: this.msk.cluster.attrArn,
        targetSecurityGroup: this.replicatorAccess.securityGroup,
        logsKey: props.logsKey,
      });
    }
  }
}
