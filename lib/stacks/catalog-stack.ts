import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { AthenaWorkgroups } from '../constructs/athena-workgroups';
import { GlueCatalog } from '../constructs/glue-catalog';
import { RegionStack, type RegionStackProps } from './region-stack';

export interface CatalogStackProps extends RegionStackProps {
  readonly dataKey: kms.IKey;
}

/**
 * Glue databases, tables and view, and Athena workgroups and queries. No native
 * replication exists for these: both regions deploy the same definitions from here.
 */
export class CatalogStack extends RegionStack {
  readonly catalog: GlueCatalog;
  readonly athena: AthenaWorkgroups;

  constructor(scope: Construct, id: string, props: CatalogStackProps) {
    super(scope, id, 'catalog', {
      ...props,
      description: `dual-region-analytics ${props.config.name} ${props.role}: Glue Data Catalog and Athena`,
    });
    const common = { config: this.config, role: this.role, dataKey: props.dataKey };
    this.catalog = new GlueCatalog(this, 'Glue', common);
    this.athena = new AthenaWorkgroups(this, 'Athena', common);
  }
}
