import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../config';
import { FoundationStack } from './stacks/foundation-stack';

export interface RegionDeploymentProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
}

/**
 * Everything one region of an environment runs. Instantiated twice per
 * environment, for the primary and the DR role; the difference is data.
 *
 * A Construct rather than a Stage on purpose: CDK refuses stack dependencies
 * that cross Stage boundaries, and the deploy order between the regions (DR
 * bucket before the primary's replication rule, primary database before its
 * replica) must be stack dependencies.
 */
export class RegionDeployment extends Construct {
  readonly role: RegionRole;
  readonly foundation: FoundationStack;

  constructor(scope: Construct, id: string, props: RegionDeploymentProps) {
    super(scope, id);
    const { config, role } = props;
    this.role = role;
    const stackProps = { config, role };
    this.foundation = new FoundationStack(this, 'Foundation', stackProps);
  }
}
