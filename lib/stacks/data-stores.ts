import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { Cache } from '../constructs/cache';
import { Postgres } from '../constructs/postgres';
import { PostgresControl } from '../constructs/postgres-control';
import { PostgresRotation } from '../constructs/postgres-rotation';
import { Warehouse } from '../constructs/warehouse';
import { RegionStack, type RegionStackProps } from './region-stack';

/** What every data-store stack takes from the region's foundation. */
export interface DataStoreStackProps extends RegionStackProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  readonly databaseKey: kms.IKey;
  readonly logsKey: kms.IKey;
  readonly dataKey: kms.IKey;
}

/**
 * RDS for PostgreSQL: the writer in the primary region, a cross-region read replica in DR,
 * and in each region the function that fences it and checks catch-up (contract B) and the
 * function that rotates the master secret (docs/failover-and-failback.md, "Credentials").
 */
export class DatabaseStack extends RegionStack {
  readonly postgres: Postgres;
  readonly control: PostgresControl;
  readonly rotation: PostgresRotation;
  constructor(scope: Construct, id: string, props: DataStoreStackProps) {
    super(scope, id, 'database', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: RDS for PostgreSQL`,
    });
    this.postgres = new Postgres(this, 'Postgres', { ...props, config: this.config, role: this.role });
    this.control = new PostgresControl(this, 'PostgresControl', {
      ...props,
      config: this.config,
      role: this.role,
      postgres: this.postgres,
    });
    this.rotation = new PostgresRotation(this, 'PostgresRotation', {
      ...props,
      config: this.config,
      role: this.role,
      postgres: this.postgres,
    });
  }
}

/** ElastiCache: Global Datastore primary in the primary region, secondary in DR. */
export class CacheStack extends RegionStack {
  readonly cache: Cache;
  constructor(scope: Construct, id: string, props: DataStoreStackProps) {
    super(scope, id, 'cache', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: ElastiCache`,
    });
    this.cache = new Cache(this, 'Cache', { ...props, config: this.config, role: this.role });
  }
}

/** Redshift: snapshots copied from the primary to the DR region, an idle warehouse there to restore into. */
export class WarehouseStack extends RegionStack {
  readonly warehouse: Warehouse;
  constructor(scope: Construct, id: string, props: DataStoreStackProps) {
    super(scope, id, 'warehouse', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: Redshift`,
    });
    this.warehouse = new Warehouse(this, 'Warehouse', { ...props, config: this.config, role: this.role });
  }
}
