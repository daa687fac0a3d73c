import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { EnvironmentConfig, RegionRole } from '../../config';

/** Where a regional workload or data store lives: the props every such construct starts from. */
export interface RegionPlacement {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
  /** The role of the region the construct is in. */
  readonly role: RegionRole;
  /** The region's VPC (private isolated subnets only). */
  readonly vpc: ec2.IVpc;
  /** The private subnets to use. */
  readonly subnets: ec2.SubnetSelection;
  /** Worn by the platform's workloads; data stores admit their port from this group only. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
}
