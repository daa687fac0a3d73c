import type { ReadinessReport } from '../../lambda/readiness/types';

/** The stores a readiness report lists, with the budgets the sample reports use (seconds). */
const BUDGETS = { rds: 60, elasticache: 5, msk: 60, s3: 900 } as const;
type Store = keyof typeof BUDGETS;

/**
 * For the gate steps' unit tests (failover-runbook.spec.ts); the scenario tests' gates read
 * reports the real handler makes (test/support/automation/readiness.ts). Typed by the handler's
 * ReadinessReport, so the sample cannot drift from what the handler returns.
 *
 * A readiness report as contract A defines it (lambda/readiness/report.ts), evaluated from the
 * standby (us-west-2) while the writer (us-east-1) does not answer, with the given per-store lags
 * (null: could not be read). The runbooks' gates read it as CheckReadiness's Payload.
 */
export function sampleReadinessReport(lags: Partial<Record<Store, number | null>>) {
  const stores = (Object.entries(lags) as [Store, number | null][]).map(([store, lagSeconds]) => ({
    store,
    lagSeconds,
    budgetSeconds: BUDGETS[store],
    source: `${store} lag read in us-west-2 (standby)`,
    withinBudget: lagSeconds === null ? null : lagSeconds <= BUDGETS[store],
  }));
  const known = stores.flatMap((s) => (s.lagSeconds === null ? [] : [s.lagSeconds]));
  return {
    environment: 'prod',
    evaluatedFrom: 'us-west-2',
    checkedAt: '2026-11-25T10:00:00Z',
    checks: [],
    rpo: {
      stores,
      estimatedSeconds: known.length ? Math.max(...known) : null,
      complete: known.length === stores.length,
      withinBudget: known.length ? stores.every((s) => s.withinBudget !== false) : null,
    },
    warehouse: {
      ageSeconds: 7200,
      budgetSeconds: 5400,
      source: 'newest copied snapshot',
      withinBudget: false,
    },
    writerRegion: { region: 'us-east-1', reachable: false as boolean | null },
    decision: {
      failoverRecommended: true,
      reason: 'us-east-1 failed 3 evaluations',
      consecutiveFailures: 3,
      required: 3,
    },
    rpoComplete: known.length === stores.length,
    overall: 'failed',
  } satisfies ReadinessReport;
}
