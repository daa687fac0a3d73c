import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, RegionDeploymentConfig, RegionRole } from '../../config';
import { type Concern, regionOf, stackName } from '../../config/naming';

export interface RegionStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  /** The validated environment configuration. */
  readonly config: EnvironmentConfig;
  /** Which role this stack's region plays. */
  readonly role: RegionRole;
}

/**
 * Base of every stack: bound to the environment's account and the role's
 * region, named `{env}-{role}-{concern}`, tagged, and answering its
 * Availability Zones from config so that synth never performs a context lookup.
 */
export abstract class RegionStack extends Stack {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  readonly deployment: RegionDeploymentConfig;

  constructor(scope: Construct, id: string, concern: Concern, props: RegionStackProps) {
    const { config, role, ...rest } = props;
    super(scope, id, {
      ...rest,
      env: { account: config.account, region: regionOf(config, role) },
      stackName: stackName(config, role, concern),
      terminationProtection: config.tier !== 'dev',
    });
    this.config = config;
    this.role = role;
    this.deployment = config.regions[role];
    for (const [key, value] of Object.entries({ ...config.tags, 'dra:role': role })) {
      Tags.of(this).add(key, value);
    }
  }

  /** Configured AZs (no lookup). */
  override get availabilityZones(): string[] {
    return [...this.deployment.availabilityZones];
  }
}
