import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { CatalogStack } from '../stacks/catalog-stack';
import { CacheStack, DatabaseStack, WarehouseStack } from '../stacks/data-stores';
import { FoundationStack } from '../stacks/foundation-stack';
import { OperationsStack } from '../stacks/operations-stack';
import { ProcessingStack } from '../stacks/processing-stack';
import { StorageStack } from '../stacks/storage-stack';
import { StreamingStack } from '../stacks/streaming-stack';

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
  readonly warehouse: WarehouseStack;
  readonly cache: CacheStack;
  readonly database: DatabaseStack;
  readonly streaming: StreamingStack;
  readonly processing: ProcessingStack;
  readonly operations: OperationsStack;

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

    const network = this.foundation.network;
    const dataStoreProps = {
      ...stackProps,
      vpc: network.vpc,
      subnets: network.privateSubnets,
      clientSecurityGroup: network.clientSecurityGroup,
      databaseKey: keys.database,
      logsKey: keys.logs,
      dataKey: keys.data,
    };
    this.warehouse = new WarehouseStack(this, 'Warehouse', dataStoreProps);
    this.warehouse.addStackDependency(this.catalog, 'Spectrum reads the catalog');
    this.cache = new CacheStack(this, 'Cache', dataStoreProps);
    this.database = new DatabaseStack(this, 'Database', dataStoreProps);

    this.streaming = new StreamingStack(this, 'Streaming', dataStoreProps);
    this.processing = new ProcessingStack(this, 'Processing', {
      ...dataStoreProps,
      mskClusterArn: this.streaming.msk.cluster.attrArn,
    });
    // Jobs are uploaded to the artifacts bucket and the role reads the sales catalog.
    this.processing.addStackDependency(this.catalog, 'job artifacts bucket and sales database');

    this.operations = new OperationsStack(this, 'Operations', {
      ...stackProps,
      logsKey: keys.logs,
      streamingKey: keys.streaming,
      vpc: network.vpc,
      subnets: network.privateSubnets,
      clientSecurityGroup: network.clientSecurityGroup,
      dataKey: keys.data,
      databaseKey: keys.database,
    });
    // The readiness checks read what the other stacks build; deploy them last.
    for (const stack of [
      this.storage,
      this.catalog,
      this.warehouse,
      this.cache,
      this.database,
      this.streaming,
      this.processing,
    ]) {
      this.operations.addStackDependency(stack, 'readiness checks what this stack builds');
    }
  }
}
