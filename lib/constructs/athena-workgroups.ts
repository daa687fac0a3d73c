import * as athena from 'aws-cdk-lib/aws-athena';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { bucketName, resourceName } from '../../config/naming';
import { BUYER_LIKES_BY_CATEGORY_QUERY, SALES_BY_SELLER_STATEMENT } from '../catalog/queries';

export interface AthenaWorkgroupsProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  /** Encrypts query results. */
  readonly dataKey: kms.IKey;
}

/**
 * Athena workgroups (analysts; jobs and services) on engine version 3 with their
 * configuration enforced, KMS-encrypted results in the results bucket, a
 * per-query bytes-scanned cutoff from config and CloudWatch metrics; plus the
 * prepared statement and named query of the seed's query service.
 */
export class AthenaWorkgroups extends Construct {
  readonly analysts: athena.CfnWorkGroup;
  readonly jobs: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: AthenaWorkgroupsProps) {
    super(scope, id);
    const { config, role, dataKey } = props;
    const results = bucketName(config, role, 'athena-results');

    const workgroup = (constructId: string, purpose: string, description: string, cutoff: number) =>
      new athena.CfnWorkGroup(this, constructId, {
        name: resourceName(config, purpose),
        description,
        state: 'ENABLED',
        recursiveDeleteOption: config.removal.allowDestroy,
        workGroupConfiguration: {
          enforceWorkGroupConfiguration: true,
          publishCloudWatchMetricsEnabled: true,
          bytesScannedCutoffPerQuery: cutoff,
          engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
          resultConfiguration: {
            outputLocation: `s3://${results}/${purpose}/`,
            encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: dataKey.keyArn },
          },
        },
      });

    this.analysts = workgroup(
      'Analysts',
      'analysts',
      'Interactive queries by analysts',
      config.athena.analystBytesScannedCutoffPerQuery,
    );
    this.jobs = workgroup(
      'Jobs',
      'jobs',
      'Queries from jobs and services',
      config.athena.jobsBytesScannedCutoffPerQuery,
    );

    const statement = new athena.CfnPreparedStatement(this, 'SalesBySeller', {
      statementName: SALES_BY_SELLER_STATEMENT.name,
      description: SALES_BY_SELLER_STATEMENT.description,
      queryStatement: SALES_BY_SELLER_STATEMENT.sql,
      workGroup: this.analysts.name,
    });
    statement.addResourceDependency(this.analysts);

    const named = new athena.CfnNamedQuery(this, 'BuyerLikesByCategory', {
      name: BUYER_LIKES_BY_CATEGORY_QUERY.name,
      description: BUYER_LIKES_BY_CATEGORY_QUERY.description,
      database: BUYER_LIKES_BY_CATEGORY_QUERY.database,
      queryString: BUYER_LIKES_BY_CATEGORY_QUERY.sql,
      workGroup: this.analysts.name,
    });
    named.addResourceDependency(this.analysts);
  }
}
