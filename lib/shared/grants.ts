import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { type BucketPurpose, bucketArn, regionalArn, regionOf } from '../../config/naming';
import { databaseNamed } from '../catalog/definitions';
import { SALES_BY_DAY_AND_CATEGORY_VIEW } from '../catalog/queries';

export type LakeAccess = 'read' | 'write';

export interface LakeGrant {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  /** The key that encrypts the buckets and the catalog of this region. */
  readonly dataKey: kms.IKey;
  /**
   * Bucket purposes (lake layers, artifacts...) and the access to each.
   * @default - no bucket access
   */
  readonly buckets?: Partial<Record<BucketPurpose, LakeAccess>>;
  /**
   * Object key prefix the access is limited to, per bucket purpose.
   * @default - the whole bucket
   */
  readonly prefixes?: Partial<Record<BucketPurpose, string>>;
  /**
   * Catalog databases and the access to each.
   * @default - no catalog access
   */
  readonly databases?: Readonly<Record<string, LakeAccess>>;
}

const S3_READ = ['s3:GetObject', 's3:GetObjectVersion'];
const S3_WRITE = [
  ...S3_READ,
  's3:PutObject',
  's3:DeleteObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
];
const GLUE_READ = [
  'glue:GetDatabase',
  'glue:GetDatabases',
  'glue:GetTable',
  'glue:GetTables',
  'glue:GetPartition',
  'glue:GetPartitions',
  'glue:BatchGetPartition',
];
const GLUE_WRITE = [
  ...GLUE_READ,
  'glue:CreateTable',
  'glue:UpdateTable',
  'glue:CreatePartition',
  'glue:BatchCreatePartition',
  'glue:UpdatePartition',
];

/**
 * Least-privilege statements for reading or writing lake layers and catalog
 * databases: every resource is a specific ARN derived from config (buckets,
 * the catalog, each database and each of its tables), every action named.
 * The only `*` is in object ARNs under a bucket or prefix, which cdk-nag reports;
 * `acknowledgeObjectWildcards` records why.
 */
export function lakeStatements(grant: LakeGrant): iam.PolicyStatement[] {
  const { config, role, dataKey } = grant;
  const region = regionOf(config, role);
  const statements: iam.PolicyStatement[] = [];
  const buckets = Object.entries(grant.buckets ?? {}) as [BucketPurpose, LakeAccess][];

  if (buckets.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: buckets.map(([purpose]) => bucketArn(config, role, purpose)),
      }),
    );
    for (const access of ['read', 'write'] as const) {
      const matching = buckets.filter(([, a]) => a === access);
      if (matching.length === 0) continue;
      statements.push(
        new iam.PolicyStatement({
          actions: access === 'read' ? S3_READ : S3_WRITE,
          resources: matching.map(([purpose]) => objectArn(grant, purpose)),
        }),
      );
    }
  }

  const databases = Object.entries(grant.databases ?? {});
  for (const access of ['read', 'write'] as const) {
    const matching = databases.filter(([, a]) => a === access).map(([name]) => databaseNamed(name));
    if (matching.length === 0) continue;
    const arn = (path: string) => regionalArn(config, role, 'glue', path);
    statements.push(
      new iam.PolicyStatement({
        actions: access === 'read' ? GLUE_READ : GLUE_WRITE,
        resources: [
          arn('catalog'),
          ...matching.flatMap((db) => [
            arn(`database/${db.name}`),
            ...db.tables.map((t) => arn(`table/${db.name}/${t.name}`)),
            ...(db.name === SALES_BY_DAY_AND_CATEGORY_VIEW.database
              ? [arn(`table/${db.name}/${SALES_BY_DAY_AND_CATEGORY_VIEW.name}`)]
              : []),
          ]),
        ],
      }),
    );
  }

  if (buckets.length > 0 || databases.length > 0) {
    const writes = buckets.some(([, a]) => a === 'write');
    statements.push(
      new iam.PolicyStatement({
        actions: writes ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        resources: [dataKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': [`s3.${region}.amazonaws.com`, `glue.${region}.amazonaws.com`] },
        },
      }),
    );
  }
  return statements;
}

/** Adds the lake statements to a grantee's policy. */
export function grantLake(grantee: iam.IGrantable, grant: LakeGrant): void {
  for (const statement of lakeStatements(grant)) grantee.grantPrincipal.addToPrincipalPolicy(statement);
}

/** The object ARNs (with their `*`) a grant produces, for acknowledging AwsSolutions-IAM5 by name. */
export function objectWildcards(grant: LakeGrant): string[] {
  return Object.keys(grant.buckets ?? {}).map((purpose) => objectArn(grant, purpose as BucketPurpose));
}

function objectArn(grant: LakeGrant, purpose: BucketPurpose): string {
  const prefix = grant.prefixes?.[purpose] ?? '';
  return `${bucketArn(grant.config, grant.role, purpose)}/${prefix}*`;
}
