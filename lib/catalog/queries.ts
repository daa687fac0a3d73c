import { type ColumnDefinition, REFINED_TICKIT_DATABASE } from './definitions';

/**
 * The Athena objects the query service of the seed relied on. SQL is kept here,
 * verbatim, so tests can assert it and both regions deploy the same text.
 */
export const SALES_BY_DAY_AND_CATEGORY_VIEW = {
  name: 'view_tickit_sales_by_day_and_category',
  database: REFINED_TICKIT_DATABASE,
  sql: [
    'SELECT cast(d.caldate AS DATE) AS caldate,',
    '  c.catname,',
    '  sum(round(cast(s.pricepaid AS DECIMAL(8,2)) * s.qtysold, 2)) AS saleamount,',
    '  sum(cast(s.commission AS DECIMAL(8,2))) AS commission',
    'FROM refined_tickit_public_sales AS s',
    'LEFT JOIN refined_tickit_public_event AS e ON e.eventid = s.eventid',
    'LEFT JOIN refined_tickit_public_date AS d ON d.dateid = s.dateid',
    'LEFT JOIN refined_tickit_public_category AS c ON c.catid = e.catid',
    'GROUP BY cast(d.caldate AS DATE), c.catname',
  ].join('\n'),
  columns: [
    { name: 'caldate', type: 'date' },
    { name: 'catname', type: 'varchar(10)' },
    { name: 'saleamount', type: 'decimal(38,2)' },
    { name: 'commission', type: 'decimal(38,2)' },
  ] satisfies ColumnDefinition[],
};

/** Run with `EXECUTE tickit_sales_by_seller USING <sellerid>`. */
export const SALES_BY_SELLER_STATEMENT = {
  name: 'tickit_sales_by_seller',
  description:
    'Each sale of one seller with date, amount, commission and its percentage, seller, buyer, event, category',
  sql: [
    'SELECT cast(d.caldate AS DATE) AS caldate,',
    '  s.pricepaid,',
    '  s.qtysold,',
    '  round(cast(s.pricepaid AS DECIMAL(8,2)) * s.qtysold, 2) AS saleamount,',
    '  cast(s.commission AS DECIMAL(8,2)) AS commission,',
    '  round((cast(s.commission AS DECIMAL(8,2)) / (cast(s.pricepaid AS DECIMAL(8,2)) * s.qtysold)) * 100, 2) AS commissionprcnt,',
    '  e.eventname,',
    "  concat(u1.firstname, ' ', u1.lastname) AS seller,",
    "  concat(u2.firstname, ' ', u2.lastname) AS buyer,",
    '  c.catgroup,',
    '  c.catname',
    'FROM refined_tickit_public_sales AS s',
    'LEFT JOIN refined_tickit_public_listing AS l ON l.listid = s.listid',
    'LEFT JOIN refined_tickit_public_users AS u1 ON u1.userid = s.sellerid',
    'LEFT JOIN refined_tickit_public_users AS u2 ON u2.userid = s.buyerid',
    'LEFT JOIN refined_tickit_public_event AS e ON e.eventid = s.eventid',
    'LEFT JOIN refined_tickit_public_date AS d ON d.dateid = s.dateid',
    'LEFT JOIN refined_tickit_public_category AS c ON c.catid = e.catid',
    'WHERE s.sellerid = ?',
    'ORDER BY caldate, eventname',
  ].join('\n'),
};

const likes = [
  'sports',
  'theatre',
  'concerts',
  'jazz',
  'classical',
  'opera',
  'rock',
  'vegas',
  'broadway',
  'musicals',
];

/** How many distinct buyers like each category of event. */
export const BUYER_LIKES_BY_CATEGORY_QUERY = {
  name: 'buyer_likes_by_category',
  description: 'Number of distinct buyers who like each category of event',
  database: REFINED_TICKIT_DATABASE,
  sql: [
    'SELECT',
    likes.map((l) => `  sum(CASE WHEN u.like${l} THEN 1 ELSE 0 END) AS ${l}`).join(',\n'),
    'FROM refined_tickit_public_users AS u',
    'WHERE u.userid IN (SELECT DISTINCT s.buyerid FROM refined_tickit_public_sales AS s)',
  ].join('\n'),
};

/**
 * Athena (Trino/Presto) views live in the Glue catalog as VIRTUAL_VIEW tables whose
 * ViewOriginalText carries base64 JSON of the SQL and column types. Defining the view
 * this way makes it plain CloudFormation: identical in both regions and idempotent.
 */
export function prestoViewText(sql: string, database: string, columns: readonly ColumnDefinition[]): string {
  const view = {
    originalSql: sql,
    catalog: 'awsdatacatalog',
    schema: database,
    columns: columns.map((c) => ({ name: c.name, type: c.type })),
  };
  return `/* Presto View: ${Buffer.from(JSON.stringify(view)).toString('base64')} */`;
}
