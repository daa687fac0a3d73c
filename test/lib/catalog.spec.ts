import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { loadConfig } from '../../config';
import { DATABASES, TICKIT_TABLES } from '../../lib/catalog/definitions';
import {
  BUYER_LIKES_BY_CATEGORY_QUERY,
  SALES_BY_DAY_AND_CATEGORY_VIEW,
  SALES_BY_SELLER_STATEMENT,
} from '../../lib/catalog/queries';
import { lakeStatements } from '../../lib/shared/grants';
import { sharedPlatform, templateOf } from '../support/app';

const ACCOUNT = '111111111111';

/** Tables of a template keyed by database.table, with bucket names replaced by their purpose. */
function catalogOf(template: ReturnType<typeof templateOf>, region: string) {
  const tables = Object.values(template.findResources('AWS::Glue::Table')) as any[];
  return Object.fromEntries(
    tables.map((t) => {
      const normalized = JSON.parse(
        JSON.stringify(t.Properties.TableInput).replaceAll(
          new RegExp(`-${ACCOUNT}-${region}`, 'g'),
          '-<account>-<region>',
        ),
      );
      return [`${t.Properties.DatabaseName}.${t.Properties.TableInput.Name}`, normalized];
    }),
  );
}

describe('catalog (staging)', () => {
  const platform = sharedPlatform('staging');
  const primary = templateOf(platform.primary.catalog);
  const dr = templateOf(platform.dr.catalog);

  it('defines the three databases in both regions', () => {
    for (const t of [primary, dr]) {
      const names = (Object.values(t.findResources('AWS::Glue::Database')) as any[]).map(
        (d) => d.Properties.DatabaseInput.Name,
      );
      expect(names.sort()).toEqual(['sales', 'tickit_demo', 'tickit_raw']);
    }
  });

  it('defines the seven refined TICKIT tables as Parquet in tickit_demo with the standard columns', () => {
    const catalog = catalogOf(primary, 'us-east-1');
    for (const table of Object.keys(TICKIT_TABLES)) {
      const t = catalog[`tickit_demo.refined_tickit_public_${table}`];
      expect(t.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      );
      expect(t.StorageDescriptor.Location).toBe(
        `s3://dra-staging-refined-<account>-<region>/tickit/refined_tickit_public_${table}/`,
      );
    }
    expect(catalog['tickit_demo.refined_tickit_public_sales'].StorageDescriptor.Columns).toContainEqual({
      Name: 'pricepaid',
      Type: 'decimal(8,2)',
    });
    expect(catalog['tickit_demo.refined_tickit_public_users'].StorageDescriptor.Columns).toHaveLength(18);
  });

  it('reads raw TICKIT data as pipe-delimited text under raw_tickit_data/<table>/', () => {
    const t = catalogOf(primary, 'us-east-1')['tickit_raw.raw_tickit_venue'];
    expect(t.StorageDescriptor.SerdeInfo.Parameters['field.delim']).toBe('|');
    expect(t.StorageDescriptor.Location).toBe(
      's3://dra-staging-raw-<account>-<region>/raw_tickit_data/venue/',
    );
  });

  it('describes the sales stream messages as JSON', () => {
    const t = catalogOf(primary, 'us-east-1')['sales.sales_messages'];
    expect(t.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    expect(t.StorageDescriptor.Columns.map((c: any) => `${c.Name}:${c.Type}`)).toEqual([
      'payment_id:int',
      'customer_id:int',
      'amount:float',
      'payment_date:timestamp',
      'city:string',
      'district:string',
      'country:string',
    ]);
  });

  it('DR catalog is the primary catalog table for table, column for column; only bucket locations differ', () => {
    const a = catalogOf(primary, 'us-east-1');
    const b = catalogOf(dr, 'us-west-2');
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(b).toEqual(a);
    // and the locations really are each region's own buckets
    const rawPrimary = (Object.values(primary.findResources('AWS::Glue::Table')) as any[])[0].Properties
      .TableInput.StorageDescriptor.Location;
    expect(rawPrimary).toMatch(/-us-east-1\//);
    const expectedTables = DATABASES.reduce((n, d) => n + d.tables.length, 0) + 1;
    expect(Object.keys(a)).toHaveLength(expectedTables);
  });

  it('encrypts the catalog and connection passwords with the region data key', () => {
    const [settings] = Object.values(
      primary.findResources('AWS::Glue::DataCatalogEncryptionSettings'),
    ) as any[];
    const { EncryptionAtRest, ConnectionPasswordEncryption } =
      settings.Properties.DataCatalogEncryptionSettings;
    expect(EncryptionAtRest.CatalogEncryptionMode).toBe('SSE-KMS');
    expect(JSON.stringify(EncryptionAtRest.SseAwsKmsKeyId)).toMatch(/KeysDataKey/);
    expect(JSON.stringify(EncryptionAtRest.SseAwsKmsKeyId)).toMatch(/staging-primary-foundation/);
    expect(ConnectionPasswordEncryption.ReturnConnectionPasswordEncrypted).toBe(true);
  });

  describe('Athena', () => {
    const workgroups = () => Object.values(primary.findResources('AWS::Athena::WorkGroup')) as any[];

    it('has analyst and jobs workgroups on engine 3 with enforced, KMS-encrypted config and metrics', () => {
      expect(
        workgroups()
          .map((w) => w.Properties.Name)
          .sort(),
      ).toEqual(['dra-staging-analysts', 'dra-staging-jobs']);
      for (const w of workgroups()) {
        const c = w.Properties.WorkGroupConfiguration;
        expect(c.EnforceWorkGroupConfiguration).toBe(true);
        expect(c.PublishCloudWatchMetricsEnabled).toBe(true);
        expect(c.EngineVersion.SelectedEngineVersion).toBe('Athena engine version 3');
        expect(c.ResultConfiguration.OutputLocation).toMatch(
          /^s3:\/\/dra-staging-athena-results-111111111111-us-east-1\//,
        );
        expect(c.ResultConfiguration.EncryptionConfiguration.EncryptionOption).toBe('SSE_KMS');
      }
    });

    it('applies each environment’s bytes-scanned cutoff', () => {
      for (const env of ['dev', 'staging', 'prod']) {
        const config = loadConfig(env);
        const p = env === 'staging' ? platform : sharedPlatform(env);
        const wgs = Object.values(templateOf(p.dr.catalog).findResources('AWS::Athena::WorkGroup')) as any[];
        const cutoff = (name: string) =>
          wgs.find((w) => w.Properties.Name === `dra-${env}-${name}`).Properties.WorkGroupConfiguration
            .BytesScannedCutoffPerQuery;
        expect(cutoff('analysts')).toBe(config.athena.analystBytesScannedCutoffPerQuery);
        expect(cutoff('jobs')).toBe(config.athena.jobsBytesScannedCutoffPerQuery);
      }
    });

    it('deploys the tickit_sales_by_seller prepared statement with its one parameter', () => {
      primary.hasResourceProperties('AWS::Athena::PreparedStatement', {
        StatementName: 'tickit_sales_by_seller',
        WorkGroup: 'dra-staging-analysts',
        QueryStatement: SALES_BY_SELLER_STATEMENT.sql,
      });
      expect(SALES_BY_SELLER_STATEMENT.sql.match(/\?/g)).toHaveLength(1);
      expect(SALES_BY_SELLER_STATEMENT.sql).toMatch(/WHERE s\.sellerid = \?/);
      expect(SALES_BY_SELLER_STATEMENT.sql).toMatch(/\* 100, 2\) AS commissionprcnt/);
      expect(SALES_BY_SELLER_STATEMENT.sql).toMatch(/concat\(u1\.firstname, ' ', u1\.lastname\) AS seller/);
    });

    it('deploys the buyer_likes_by_category named query', () => {
      primary.hasResourceProperties('AWS::Athena::NamedQuery', {
        Name: 'buyer_likes_by_category',
        Database: 'tickit_demo',
        QueryString: BUYER_LIKES_BY_CATEGORY_QUERY.sql,
      });
    });

    it('defines the sales-by-day-and-category view as a Presto view whose SQL sums sale amount and commission', () => {
      const view = catalogOf(dr, 'us-west-2')['tickit_demo.view_tickit_sales_by_day_and_category'];
      expect(view.TableType).toBe('VIRTUAL_VIEW');
      const encoded = /^\/\* Presto View: (.+) \*\/$/.exec(view.ViewOriginalText)![1];
      const decoded = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
      expect(decoded.originalSql).toBe(SALES_BY_DAY_AND_CATEGORY_VIEW.sql);
      expect(decoded.schema).toBe('tickit_demo');
      expect(decoded.originalSql).toMatch(
        /sum\(round\(cast\(s\.pricepaid AS DECIMAL\(8,2\)\) \* s\.qtysold, 2\)\) AS saleamount/,
      );
      expect(decoded.originalSql).toMatch(/sum\(cast\(s\.commission AS DECIMAL\(8,2\)\)\) AS commission/);
      expect(decoded.originalSql).toMatch(/GROUP BY cast\(d\.caldate AS DATE\), c\.catname/);
      expect(decoded.columns.map((c: any) => c.name)).toEqual([
        'caldate',
        'catname',
        'saleamount',
        'commission',
      ]);
    });
  });
});

describe('lake grants', () => {
  const config = loadConfig('prod');
  const stack = new Stack(undefined, 'Grants', { env: { account: config.account, region: 'us-west-2' } });
  const key = new (require('aws-cdk-lib/aws-kms').Key)(stack, 'Key');
  const statements = lakeStatements({
    config,
    role: 'dr',
    dataKey: key,
    buckets: { refined: 'read', curated: 'write' },
    prefixes: { curated: 'output/' },
    databases: { tickit_demo: 'read' },
  }).map((s: iam.PolicyStatement) => stack.resolve(s.toStatementJson()));

  it('names specific bucket, object and catalog ARNs in the grant region, and no wildcard actions', () => {
    const resources = statements.flatMap((s) => [s.Resource].flat());
    expect(resources).toEqual(
      expect.arrayContaining([
        `arn:aws:s3:::dra-prod-refined-${ACCOUNT}-us-west-2`,
        `arn:aws:s3:::dra-prod-refined-${ACCOUNT}-us-west-2/*`,
        `arn:aws:s3:::dra-prod-curated-${ACCOUNT}-us-west-2/output/*`,
        `arn:aws:glue:us-west-2:${ACCOUNT}:catalog`,
        `arn:aws:glue:us-west-2:${ACCOUNT}:database/tickit_demo`,
        `arn:aws:glue:us-west-2:${ACCOUNT}:table/tickit_demo/refined_tickit_public_sales`,
        `arn:aws:glue:us-west-2:${ACCOUNT}:table/tickit_demo/view_tickit_sales_by_day_and_category`,
      ]),
    );
    expect(
      resources.filter((r: any) => typeof r === 'string' && r.includes('glue') && r.includes('*')),
    ).toEqual([]);
    for (const action of statements.flatMap((s) => [s.Action].flat())) expect(action).not.toMatch(/\*/);
  });

  it('gives write actions only where write was asked', () => {
    const write = statements.find((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(write.Resource).toEqual(`arn:aws:s3:::dra-prod-curated-${ACCOUNT}-us-west-2/output/*`);
    const glueActions = statements
      .filter((s) => String(s.Action).includes('glue'))
      .flatMap((s) => [s.Action].flat());
    expect(glueActions).not.toContain('glue:CreateTable');
  });

  it('limits key use to S3 and Glue in the grant region', () => {
    const kms = statements.find((s) => [s.Action].flat().includes('kms:Decrypt'));
    expect(kms.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['s3.us-west-2.amazonaws.com', 'glue.us-west-2.amazonaws.com'] },
    });
  });
});
