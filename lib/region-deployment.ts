import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../config';
import { CatalogStack } from './stacks/catalog-stack';
import { FoundationStack } from './stacks/foundation-stack';
import { StorageStack } from './stacks/storage-stack';

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
  readonly storage: StorageStack;
  readonly catalog: CatalogStack;

  constructor(scope: Construct, id: string, props: RegionDeploymentProps) {
    super(scope, id);
    const { config, role } = props;
    this.role = role;
    const stackProps = { config, role };
    this.foundation = new FoundationStack(this, 'Foundation', stackProps);
    const keys = this.foundation.keys;
    this.storage = new StorageStack(this, 'Storage', { ...stackProps, dataKey: keys.data });
    this.catalog = new CatalogStack(this, 'Catalog', { ...stackProps, dataKey: keys.data });
    // Tables and workgroups point at buckets by name; create the buckets first.
    this.catalog.addStackDependency(this.storage, 'tables and results locations are in these buckets');
  }
}
