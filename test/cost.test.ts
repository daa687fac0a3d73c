import { validateConfig } from '../config';
import { dev } from '../config/dev';
import { prod } from '../config/prod';
import { estimateCost, HOURS_PER_MONTH, MissingPriceError } from '../lib/cost/estimate';
import { PRICES, type Price } from '../lib/cost/prices';
import { rejectionOf } from './support/config';

const ENDPOINTS = 14;
const prodConfig = validateConfig(structuredClone(prod), 'test');
const estimate = estimateCost(prodConfig, { interfaceEndpoints: ENDPOINTS });
const line = (service: string, role: string, basis: RegExp) =>
  estimate.lines.find((l) => l.service === service && l.role === role && basis.test(l.basis));

describe('npm run cost', () => {
  it('prices prod ElastiCache as its nodes times the hourly price times a month, in each region (by hand)', () => {
    // prod: cache.r7g.large Valkey, 2 replicas per shard: 3 nodes a region.
    const nodeHour = PRICES['us-east-1'].cacheNodeHour.valkey['cache.r7g.large'].usd;
    expect(nodeHour).toBe(0.1752);
    const byHand = Math.round(3 * 0.1752 * 730 * 100) / 100; // 383.69
    expect(line('ElastiCache', 'primary', /3 x cache\.r7g\.large/)?.monthlyUsd).toBe(byHand);
    expect(line('ElastiCache', 'dr', /3 x cache\.r7g\.large/)?.monthlyUsd).toBe(byHand);
  });

  it('bills the Multi-AZ writer twice and the read replica once', () => {
    const hour = PRICES['us-east-1'].rdsInstanceHour['db.r7g.xlarge'].usd;
    expect(line('RDS PostgreSQL', 'primary', /Multi-AZ/)?.monthlyUsd).toBe(
      Math.round(hour * 2 * HOURS_PER_MONTH * 100) / 100,
    );
    expect(line('RDS PostgreSQL', 'dr', /read replica/)?.monthlyUsd).toBe(
      Math.round(hour * HOURS_PER_MONTH * 100) / 100,
    );
  });

  it("adds up per region, and gives the standby region's share", () => {
    const sum = (role: string) =>
      estimate.lines.filter((l) => l.role === role).reduce((s, l) => s + l.monthlyUsd, 0);
    expect(estimate.byRole.primary).toBeCloseTo(sum('primary'), 2);
    expect(estimate.byRole.dr).toBeCloseTo(sum('dr'), 2);
    expect(estimate.total).toBeCloseTo(estimate.byRole.primary + estimate.byRole.dr, 2);
    expect(estimate.standbyRole).toBe('dr');
    expect(estimate.standbyShare).toBeCloseTo(estimate.byRole.dr / estimate.total, 6);
  });

  it('follows the config: no Replicator in dev, Spark only in the writer, and the assumptions', () => {
    const devEstimate = estimateCost(validateConfig(structuredClone(dev), 'test'), {
      interfaceEndpoints: ENDPOINTS,
    });
    expect(devEstimate.lines.some((l) => l.service === 'MSK Replicator')).toBe(false);
    expect(estimate.lines.filter((l) => l.service === 'EMR Serverless').map((l) => l.role)).toEqual([
      'primary',
    ]);
    const busier = validateConfig({ ...structuredClone(prod), cost: { sparkVcpuHoursPerDay: 32 } }, 'test');
    const spark = (e: typeof estimate) =>
      e.lines.find((l) => l.service === 'EMR Serverless')?.monthlyUsd ?? 0;
    expect(spark(estimateCost(busier, { interfaceEndpoints: ENDPOINTS }))).toBeCloseTo(
      2 * spark(estimate),
      1,
    );
  });

  it('prices a drill: the old writers kept after each switch, the re-seeds and the Multi-AZ conversion', () => {
    expect(estimate.drill.map((l) => l.basis)).toEqual([
      'old writer kept 24 h after the failover',
      'old writer kept 24 h after the failback',
      'two re-seeds, 200 GiB across regions each',
      'promoted replica made Multi-AZ for 4 h',
    ]);
    expect(estimate.drill[0].region).toBe('us-east-1');
  });

  it('refuses, naming what to add, where the price table has no price (never guesses)', () => {
    const elsewhere = validateConfig(
      {
        ...structuredClone(prod),
        regions: {
          ...structuredClone(prod.regions),
          dr: {
            region: 'eu-west-1',
            vpcCidr: '10.60.0.0/16',
            availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
          },
        },
      },
      'test',
    );
    expect(() => estimateCost(elsewhere, { interfaceEndpoints: ENDPOINTS })).toThrow(MissingPriceError);
    expect(() => estimateCost(elsewhere, { interfaceEndpoints: ENDPOINTS })).toThrow(
      /No prices for eu-west-1 in lib\/cost\/prices\.ts/,
    );
    const bigger = validateConfig(
      { ...structuredClone(prod), rds: { ...structuredClone(prod.rds), instanceClass: 'db.r7g.4xlarge' } },
      'test',
    );
    expect(() => estimateCost(bigger, { interfaceEndpoints: ENDPOINTS })).toThrow(
      /No RDS instance price for db\.r7g\.4xlarge in us-east-1/,
    );
  });

  it('marks every price with the AWS page that lists it and what the figure rests on', () => {
    const walk = (value: unknown): Price[] =>
      typeof value === 'object' && value !== null
        ? 'usd' in value
          ? [value as Price]
          : Object.values(value).flatMap(walk)
        : [];
    const all = walk(PRICES['us-east-1']);
    expect(all.length).toBeGreaterThan(20);
    for (const p of all) {
      expect(p.page).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(['aws-page', 'third-party', 'unconfirmed']).toContain(p.status);
      if (p.status === 'third-party') expect(p.seen).toMatch(/^https:\/\//);
    }
  });
});

describe('cost assumptions are config, validated like the rest', () => {
  it('fills defaults and refuses a negative or impossible value with its path', () => {
    expect(prodConfig.cost.drillHours).toBe(4);
    expect(rejectionOf(dev, (c) => (c.cost = { drillHours: -1 }))).toMatch(/cost\.drillHours: -1 /);
    expect(rejectionOf(dev, (c) => (c.cost = { warehouseActiveHoursPerDay: 25 }))).toMatch(
      /cost\.warehouseActiveHoursPerDay: 25 /,
    );
    expect(rejectionOf(dev, (c) => (c.cost = { sparkHours: 1 }))).toMatch(/cost: unknown key "sparkHours"/);
  });
});
