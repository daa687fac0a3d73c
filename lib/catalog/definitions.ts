import { PlatformError } from '../shared/errors';
/**
 * The Glue Data Catalog this platform defines, identical in both regions except
 * for bucket locations. Single source for the tables, the grants that name them,
 * and the catalog-parity test.
 */
export interface ColumnDefinition {
  readonly name: string;
  /** Hive/Glue type. */
  readonly type: string;
}

const col = (name: string, type: string): ColumnDefinition => ({ name, type });
const bools = (...names: string[]) => names.map((n) => col(n, 'boolean'));

/** Standard TICKIT schema (AWS's Redshift sample database). */
export const TICKIT_TABLES: Readonly<Record<string, readonly ColumnDefinition[]>> = {
  category: [
    col('catid', 'smallint'),
    col('catgroup', 'varchar(10)'),
    col('catname', 'varchar(10)'),
    col('catdesc', 'varchar(50)'),
  ],
  date: [
    col('dateid', 'smallint'),
    col('caldate', 'date'),
    col('day', 'char(3)'),
    col('week', 'smallint'),
    col('month', 'char(5)'),
    col('qtr', 'char(5)'),
    col('year', 'smallint'),
    col('holiday', 'boolean'),
  ],
  event: [
    col('eventid', 'int'),
    col('venueid', 'smallint'),
    col('catid', 'smallint'),
    col('dateid', 'smallint'),
    col('eventname', 'varchar(200)'),
    col('starttime', 'timestamp'),
  ],
  listing: [
    col('listid', 'int'),
    col('sellerid', 'int'),
    col('eventid', 'int'),
    col('dateid', 'smallint'),
    col('numtickets', 'smallint'),
    col('priceperticket', 'decimal(8,2)'),
    col('totalprice', 'decimal(8,2)'),
    col('listtime', 'timestamp'),
  ],
  sales: [
    col('salesid', 'int'),
    col('listid', 'int'),
    col('sellerid', 'int'),
    col('buyerid', 'int'),
    col('eventid', 'int'),
    col('dateid', 'smallint'),
    col('qtysold', 'smallint'),
    col('pricepaid', 'decimal(8,2)'),
    col('commission', 'decimal(8,2)'),
    col('saletime', 'timestamp'),
  ],
  users: [
    col('userid', 'int'),
    col('username', 'char(8)'),
    col('firstname', 'varchar(30)'),
    col('lastname', 'varchar(30)'),
    col('city', 'varchar(30)'),
    col('state', 'char(2)'),
    col('email', 'varchar(100)'),
    col('phone', 'char(14)'),
    ...bools(
      'likesports',
      'liketheatre',
      'likeconcerts',
      'likejazz',
      'likeclassical',
      'likeopera',
      'likerock',
      'likevegas',
      'likebroadway',
      'likemusicals',
    ),
  ],
  venue: [
    col('venueid', 'smallint'),
    col('venuename', 'varchar(100)'),
    col('venuecity', 'varchar(30)'),
    col('venuestate', 'char(2)'),
    col('venueseats', 'int'),
  ],
};

/** One Kafka record of the sales stream (topics topicA..C), JSON. */
export const SALES_MESSAGE_COLUMNS: readonly ColumnDefinition[] = [
  col('payment_id', 'int'),
  col('customer_id', 'int'),
  col('amount', 'float'),
  col('payment_date', 'timestamp'),
  col('city', 'string'),
  col('district', 'string'),
  col('country', 'string'),
];

export type TableFormat = 'parquet' | 'pipe-delimited-text' | 'json';

export interface TableDefinition {
  readonly name: string;
  readonly columns: readonly ColumnDefinition[];
  readonly format: TableFormat;
  /** Which lake layer holds the data. */
  readonly layer: 'raw' | 'refined';
  /** Prefix under the layer's bucket, ending in '/'. */
  readonly prefix: string;
}

export interface DatabaseDefinition {
  readonly name: string;
  readonly description: string;
  readonly tables: readonly TableDefinition[];
}

export const REFINED_TICKIT_DATABASE = 'tickit_demo';
export const RAW_TICKIT_DATABASE = 'tickit_raw';
export const SALES_DATABASE = 'sales';

const tickitTables = Object.keys(TICKIT_TABLES);

export const DATABASES: readonly DatabaseDefinition[] = [
  {
    name: REFINED_TICKIT_DATABASE,
    description: 'Refined (silver) TICKIT data, Parquet',
    tables: tickitTables.map((t) => ({
      name: `refined_tickit_public_${t}`,
      columns: TICKIT_TABLES[t],
      format: 'parquet',
      layer: 'refined',
      prefix: `tickit/refined_tickit_public_${t}/`,
    })),
  },
  {
    name: RAW_TICKIT_DATABASE,
    description: 'Raw (bronze) TICKIT data, pipe-delimited text as loaded',
    tables: tickitTables.map((t) => ({
      name: `raw_tickit_${t}`,
      columns: TICKIT_TABLES[t],
      format: 'pipe-delimited-text',
      layer: 'raw',
      prefix: `raw_tickit_data/${t}/`,
    })),
  },
  {
    name: SALES_DATABASE,
    description: 'Sales stream records landed from Kafka, JSON',
    tables: [
      {
        name: 'sales_messages',
        columns: SALES_MESSAGE_COLUMNS,
        format: 'json',
        layer: 'raw',
        prefix: 'sales/',
      },
    ],
  },
];

export function databaseNamed(name: string): DatabaseDefinition {
  const db = DATABASES.find((d) => d.name === name);
  if (!db)
    throw new PlatformError(
      `No catalog database "${name}" is defined in lib/catalog/definitions.ts; use one of ${DATABASES.map((d) => d.name).join(', ')}, or add it to DATABASES there.`,
    );
  return db;
}
