import type { EnvironmentConfig, RegionRole } from '../../config';
import { regionOf } from '../../config/naming';
import { otherRole, writerRole } from '../../config/topology';
import { PRICES, PRICES_READ_ON, type Price, type RegionPrices } from './prices';

/**
 * What an environment costs a month at list prices, offline: the fixed part follows from the
 * config (instance classes, nodes, Multi-AZ, endpoints, replication), the use-based part
 * from its `cost` assumptions. `npm run cost -- -c env=NAME` prints it; docs/cost.md holds
 * all three environments.
 */
export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = 30.4;
/** EMR Serverless workers' default memory per vCPU. */
const GB_PER_VCPU = 4;
/** Customer-managed keys per region (lib/constructs/keys.ts: data, logs, database, streaming). */
const KEYS_PER_REGION = 4;
/** topicA, topicB, topicC. */
const TOPICS = 3;

export interface CostLine {
  readonly service: string;
  readonly role: RegionRole;
  readonly region: string;
  /** What is counted, e.g. "db.r7g.large Multi-AZ, 730 h". */
  readonly basis: string;
  readonly monthlyUsd: number;
}

export interface CostEstimate {
  readonly environment: string;
  readonly lines: readonly CostLine[];
  readonly byRole: Readonly<Record<RegionRole, number>>;
  readonly total: number;
  /** The share of the total spent in the region that does not write (the price of standing by). */
  readonly standbyShare: number;
  readonly standbyRole: RegionRole;
  /** One failover drill (a failover and the failback), on top of the month. */
  readonly drill: readonly CostLine[];
  readonly drillTotal: number;
}

/** A price the table does not have: the estimate stops and says what to add, never guesses. */
export class MissingPriceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingPriceError';
  }
}

function pricesIn(region: string): RegionPrices {
  const prices = PRICES[region];
  if (!prices) {
    throw new MissingPriceError(
      `No prices for ${region} in lib/cost/prices.ts (it has ${Object.keys(PRICES).join(', ')}). Add that region's list prices, with their source pages, to estimate this environment.`,
    );
  }
  return prices;
}

function priced(table: Readonly<Record<string, Price>>, key: string, what: string, region: string): Price {
  const price = table[key];
  if (!price) {
    throw new MissingPriceError(
      `No ${what} price for ${key} in ${region} in lib/cost/prices.ts (it has ${Object.keys(table).join(', ')}). Add it, with its source page.`,
    );
  }
  return price;
}

const round = (usd: number) => Math.round(usd * 100) / 100;

/** The monthly estimate of one environment. */
export function estimateCost(
  config: EnvironmentConfig,
  options: {
    /** Interface VPC endpoints per region (lib/constructs/network.ts INTERFACE_ENDPOINTS). */
    readonly interfaceEndpoints: number;
  },
): CostEstimate {
  const writer = writerRole(config);
  const standby = otherRole(writer);
  const a = config.cost;
  const lines: CostLine[] = [];
  const add = (service: string, role: RegionRole, basis: string, usd: number) => {
    if (usd > 0) lines.push({ service, role, region: regionOf(config, role), basis, monthlyUsd: round(usd) });
  };
  const p = (role: RegionRole) => pricesIn(regionOf(config, role));

  // RDS for PostgreSQL: the writer (Multi-AZ bills the standby instance and its storage too),
  // the cross-region read replica (Single-AZ, lib/constructs/postgres.ts) and the backups
  // replicated to the standby's region.
  const { rds } = config;
  const copies = rds.multiAz ? 2 : 1;
  const rdsHour = (role: RegionRole) =>
    priced(p(role).rdsInstanceHour, rds.instanceClass, 'RDS instance', regionOf(config, role)).usd;
  add(
    'RDS PostgreSQL',
    writer,
    `${rds.instanceClass}${rds.multiAz ? ' Multi-AZ' : ''}, ${HOURS_PER_MONTH} h`,
    rdsHour(writer) * copies * HOURS_PER_MONTH,
  );
  add(
    'RDS PostgreSQL',
    writer,
    `${rds.allocatedStorageGiB} GiB gp3${rds.multiAz ? ' x2' : ''}`,
    rds.allocatedStorageGiB * copies * p(writer).rdsGp3GibMonth.usd,
  );
  if (rds.crossRegionReplica) {
    add(
      'RDS PostgreSQL',
      standby,
      `read replica ${rds.instanceClass}, ${HOURS_PER_MONTH} h`,
      rdsHour(standby) * HOURS_PER_MONTH,
    );
    add(
      'RDS PostgreSQL',
      standby,
      `${rds.allocatedStorageGiB} GiB gp3 (replica)`,
      rds.allocatedStorageGiB * p(standby).rdsGp3GibMonth.usd,
    );
    add(
      'RDS PostgreSQL',
      standby,
      `replicated backups, ~${rds.allocatedStorageGiB} GiB`,
      rds.allocatedStorageGiB * p(standby).rdsBackupGibMonth.usd,
    );
  }

  // ElastiCache: the same replication group in both regions (a Global Datastore member or not).
  const { elasticache } = config;
  if (elasticache.mode === 'node-based') {
    const nodes = 1 + elasticache.replicasPerNodeGroup;
    for (const role of [writer, standby]) {
      const hour = priced(
        p(role).cacheNodeHour[elasticache.engine],
        elasticache.nodeType,
        `ElastiCache ${elasticache.engine} node`,
        regionOf(config, role),
      ).usd;
      add(
        'ElastiCache',
        role,
        `${nodes} x ${elasticache.nodeType} (${elasticache.engine}), ${HOURS_PER_MONTH} h`,
        nodes * hour * HOURS_PER_MONTH,
      );
    }
  } else {
    throw new MissingPriceError(
      'elasticache.mode "serverless" is billed by use (ECPUs and GB-hours), which lib/cost/estimate.ts does not model yet.',
    );
  }

  // Redshift: Serverless bills RPU-hours only while queries run; the standby's namespace idles.
  const { redshift } = config;
  if (redshift.mode === 'serverless') {
    add(
      'Redshift',
      writer,
      `${redshift.baseRpu} RPU x ${a.warehouseActiveHoursPerDay} h/day`,
      redshift.baseRpu * a.warehouseActiveHoursPerDay * DAYS_PER_MONTH * p(writer).redshiftRpuHour.usd,
    );
    add(
      'Redshift',
      writer,
      `${a.warehouseDataGiB} GiB managed storage`,
      a.warehouseDataGiB * p(writer).redshiftStorageGibMonth.usd,
    );
    add(
      'Redshift',
      standby,
      `snapshot copies, ~${a.warehouseDataGiB} GiB`,
      a.warehouseDataGiB * p(standby).redshiftStorageGibMonth.usd,
    );
  } else {
    throw new MissingPriceError(
      'redshift.mode "provisioned": lib/cost/prices.ts has no RA3 node prices yet; add them, with their source page.',
    );
  }

  // MSK Serverless: a cluster with the topics in each region; the writer takes the traffic,
  // the standby's Replicator copies it when msk.replicator is on.
  const { msk } = config;
  const partitions = TOPICS * msk.topicPartitions;
  const writtenGib = a.streamingGiBPerDay * DAYS_PER_MONTH;
  const storedGib = a.streamingGiBPerDay * a.streamingRetentionDays;
  for (const role of [writer, standby]) {
    add(
      'MSK Serverless',
      role,
      `cluster + ${partitions} partitions, ${HOURS_PER_MONTH} h`,
      (p(role).mskClusterHour.usd + partitions * p(role).mskPartitionHour.usd) * HOURS_PER_MONTH,
    );
  }
  add(
    'MSK Serverless',
    writer,
    `${round(writtenGib)} GiB written, read ${a.streamingReadsPerWrite}x, ${round(storedGib)} GiB kept`,
    writtenGib * p(writer).mskDataInGib.usd +
      writtenGib * a.streamingReadsPerWrite * p(writer).mskDataOutGib.usd +
      storedGib * p(writer).mskStorageGibMonth.usd,
  );
  if (msk.replicator) {
    add(
      'MSK Replicator',
      standby,
      `${HOURS_PER_MONTH} h, ${round(writtenGib)} GiB replicated`,
      p(standby).mskReplicatorHour.usd * HOURS_PER_MONTH +
        writtenGib * (p(standby).mskReplicatorGib.usd + p(writer).interRegionGib.usd) +
        writtenGib * p(standby).mskDataInGib.usd +
        storedGib * p(standby).mskStorageGibMonth.usd,
    );
  }

  // EMR Serverless: only the writer runs jobs; an idle application costs nothing.
  const arch = config.emr.architecture;
  add(
    'EMR Serverless',
    writer,
    `${a.sparkVcpuHoursPerDay} vCPU-h/day (${arch}, ${GB_PER_VCPU} GB per vCPU)`,
    a.sparkVcpuHoursPerDay *
      DAYS_PER_MONTH *
      (p(writer).emrVcpuHour[arch].usd + GB_PER_VCPU * p(writer).emrGbHour[arch].usd),
  );

  // S3: the lake in the writer, its replica in the standby, and the replication itself.
  add('S3', writer, `${a.lakeDataGiB} GiB Standard`, a.lakeDataGiB * p(writer).s3StandardGibMonth.usd);
  add(
    'S3',
    standby,
    `${a.lakeDataGiB} GiB Standard (replica)`,
    a.lakeDataGiB * p(standby).s3StandardGibMonth.usd,
  );
  const replicatedGib = a.lakeWritesGiBPerDay * DAYS_PER_MONTH;
  add(
    'S3 replication',
    writer,
    `${round(replicatedGib)} GiB with RTC, to ${regionOf(config, standby)}`,
    replicatedGib * (p(writer).s3RtcGib.usd + p(writer).interRegionGib.usd),
  );

  // Interface endpoints (per AZ) and keys: the same in both regions, used or not.
  for (const role of [writer, standby]) {
    const azs = config.regions[role].availabilityZones.length;
    add(
      'VPC endpoints',
      role,
      `${options.interfaceEndpoints} interface endpoints x ${azs} AZs, ${HOURS_PER_MONTH} h`,
      options.interfaceEndpoints * azs * HOURS_PER_MONTH * p(role).interfaceEndpointAzHour.usd,
    );
    add('KMS', role, `${KEYS_PER_REGION} customer-managed keys`, KEYS_PER_REGION * p(role).kmsKeyMonth.usd);
  }

  // A drill: fail over, run from the standby for drillHours, fail back. Each switch re-seeds
  // the old writer as a new replica and keeps the old instance for oldWriterRetentionDays.
  const drill: CostLine[] = [];
  const drillAdd = (service: string, role: RegionRole, basis: string, usd: number) => {
    if (usd > 0) drill.push({ service, role, region: regionOf(config, role), basis, monthlyUsd: round(usd) });
  };
  const keptHours = a.oldWriterRetentionDays * 24;
  // After the failover the old writer is in the region that wrote before it; after the failback, in the other.
  drillAdd(
    'RDS PostgreSQL',
    writer,
    `old writer kept ${keptHours} h after the failover`,
    rdsHour(writer) * copies * keptHours,
  );
  drillAdd(
    'RDS PostgreSQL',
    standby,
    `old writer kept ${keptHours} h after the failback`,
    rdsHour(standby) * copies * keptHours,
  );
  drillAdd(
    'RDS PostgreSQL',
    writer,
    `two re-seeds, ${rds.allocatedStorageGiB} GiB across regions each`,
    2 * rds.allocatedStorageGiB * p(writer).interRegionGib.usd,
  );
  if (rds.multiAz) {
    drillAdd(
      'RDS PostgreSQL',
      standby,
      `promoted replica made Multi-AZ for ${a.drillHours} h`,
      rdsHour(standby) * a.drillHours,
    );
  }
  const byRole = {
    [writer]: round(lines.filter((l) => l.role === writer).reduce((s, l) => s + l.monthlyUsd, 0)),
    [standby]: round(lines.filter((l) => l.role === standby).reduce((s, l) => s + l.monthlyUsd, 0)),
  } as Record<RegionRole, number>;
  const total = round(byRole.primary + byRole.dr);
  return {
    environment: config.name,
    lines,
    byRole,
    total,
    standbyRole: standby,
    standbyShare: total === 0 ? 0 : byRole[standby] / total,
    drill,
    drillTotal: round(drill.reduce((s, l) => s + l.monthlyUsd, 0)),
  };
}

const usd = (n: number) =>
  `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The estimate as a Markdown table (also readable as plain text). */
export function renderEstimate(estimate: CostEstimate): string {
  const row = (l: CostLine) =>
    `| ${l.service} | ${l.role} (${l.region}) | ${l.basis} | ${usd(l.monthlyUsd)} |`;
  return [
    `Monthly estimate for ${estimate.environment}, on-demand list prices (lib/cost/prices.ts, read ${PRICES_READ_ON}; most are unconfirmed: docs/cost.md):`,
    '',
    '| service | region | basis | per month |',
    '| --- | --- | --- | ---: |',
    ...estimate.lines.map(row),
    `| **total** | | primary ${usd(estimate.byRole.primary)}, DR ${usd(estimate.byRole.dr)} | **${usd(estimate.total)}** |`,
    '',
    `The standby region (${estimate.standbyRole}) is ${Math.round(estimate.standbyShare * 100)}% of it.`,
    '',
    'One failover drill (failover, then failback) adds:',
    '',
    '| service | region | basis | once |',
    '| --- | --- | --- | ---: |',
    ...estimate.drill.map(row),
    `| **drill** | | | **${usd(estimate.drillTotal)}** |`,
    '',
  ].join('\n');
}

/** One row per environment: the README's cost table. */
export function totalsTable(estimates: readonly CostEstimate[]): string {
  return [
    '| environment | per month | of which the standby region | one drill |',
    '| --- | ---: | ---: | ---: |',
    ...estimates.map(
      (e) =>
        `| ${e.environment} | ${usd(e.total)} | ${usd(e.byRole[e.standbyRole])} (${Math.round(e.standbyShare * 100)}%) | ${usd(e.drillTotal)} |`,
    ),
  ].join('\n');
}
