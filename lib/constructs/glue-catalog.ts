import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { EnvironmentConfig, RegionRole } from '../../config';
import { bucketName } from '../../config/naming';
import { DATABASES, type TableDefinition } from '../catalog/definitions';
import { prestoViewText, SALES_BY_DAY_AND_CATEGORY_VIEW } from '../catalog/queries';

export interface GlueCatalogProps {
  readonly config: EnvironmentConfig;
  readonly role: RegionRole;
  /** Encrypts the catalog's metadata and connection passwords. */
  readonly dataKey: kms.IKey;
}

const FORMATS = {
  parquet: {
    classification: 'parquet',
    inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
  },
  'pipe-delimited-text': {
    classification: 'csv',
    inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    serdeInfo: {
      serializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      parameters: { 'field.delim': '|', 'serialization.format': '|' },
    },
  },
  json: {
    classification: 'json',
    inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
  },
} as const;

/**
 * The Glue Data Catalog definitions of lib/catalog/definitions.ts, each table
 * pointing at this region's bucket, plus the Athena view and the region's catalog
 * encryption settings (the account-level setting is in scope: one account per
 * environment is assumed: docs/platform.md, "Data lake layers and grants").
 */
export class GlueCatalog extends Construct {
  readonly databases: Record<string, glue.CfnDatabase> = {};
  readonly tables: Record<string, glue.CfnTable> = {};

  constructor(scope: Construct, id: string, props: GlueCatalogProps) {
    super(scope, id);
    const { config, role, dataKey } = props;
    const catalogId = Stack.of(this).account;

    new glue.CfnDataCatalogEncryptionSettings(this, 'Encryption', {
      catalogId,
      dataCatalogEncryptionSettings: {
        encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS', sseAwsKmsKeyId: dataKey.keyArn },
        connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, kmsKeyId: dataKey.keyArn },
      },
    });

    for (const db of DATABASES) {
      const database = new glue.CfnDatabase(this, `Database-${db.name}`, {
        catalogId,
        databaseInput: { name: db.name, description: db.description },
      });
      this.databases[db.name] = database;
      for (const table of db.tables) {
        const cfnTable = new glue.CfnTable(this, `Table-${db.name}-${table.name}`, {
          catalogId,
          databaseName: db.name,
          tableInput: tableInput(table, `s3://${bucketName(config, role, table.layer)}/${table.prefix}`),
        });
        cfnTable.addResourceDependency(database);
        this.tables[`${db.name}.${table.name}`] = cfnTable;
      }
    }

    const view = SALES_BY_DAY_AND_CATEGORY_VIEW;
    const viewTable = new glue.CfnTable(this, `View-${view.database}-${view.name}`, {
      catalogId,
      databaseName: view.database,
      tableInput: {
        name: view.name,
        tableType: 'VIRTUAL_VIEW',
        parameters: { presto_view: 'true', comment: 'Presto View' },
        viewOriginalText: prestoViewText(view.sql, view.database, view.columns),
        viewExpandedText: '/* Presto View */',
        storageDescriptor: {
          columns: view.columns.map((c) => ({ name: c.name, type: c.type })),
          serdeInfo: {},
        },
      },
    });
    viewTable.addResourceDependency(this.databases[view.database]);
    this.tables[`${view.database}.${view.name}`] = viewTable;
  }
}

function tableInput(table: TableDefinition, location: string): glue.CfnTable.TableInputProperty {
  const format = FORMATS[table.format];
  return {
    name: table.name,
    tableType: 'EXTERNAL_TABLE',
    parameters: { classification: format.classification, EXTERNAL: 'TRUE', has_encrypted_data: 'true' },
    storageDescriptor: {
      columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
      location,
      inputFormat: format.inputFormat,
      outputFormat: format.outputFormat,
      serdeInfo: format.serdeInfo,
    },
  };
}
