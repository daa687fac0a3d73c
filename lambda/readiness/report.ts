import type { StoreName } from './metrics';
import { replicatedStores, storeRpo } from './rpo';
import type { ReadinessSettings } from './settings';
import { type Assessment, type CheckResult, type ReadinessReport, WRITE_PATH } from './types';

export type { Assessment, Decision, ReadinessReport } from './types';

export interface NamedCheck {
  readonly name: string;
  /** Fetches and evaluates; may throw (then the check is "unknown"). */
  readonly run: () => Promise<CheckResult>;
}

export class CheckTimeout extends Error {}

/**
 * Runs every check concurrently, each abandoned after `timeoutMs` (a safety
 * net: each check's own call groups have their own, shorter, timeouts); an
 * error or timeout here is "unknown", never "failed".
 */
export async function runChecks(checks: readonly NamedCheck[], timeoutMs: number): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (check) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CheckTimeout(`timed out after ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        return await Promise.race([check.run(), timeout]);
      } catch (error) {
        const why =
          error instanceof CheckTimeout
            ? error.message
            : `${(error as Error).name ?? 'Error'}: ${(error as Error).message}`;
        return {
          name: check.name,
          status: 'unknown',
          detail: `could not check: ${why}`,
        } satisfies CheckResult;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

const RANK = { healthy: 0, degraded: 1, unknown: 2, failed: 3 } as const;

/**
 * The writer's region is unreachable when none of its calls got an answer and
 * most did not connect at all, while the standby's own calls answered.
 */
function writerReachable(checks: readonly CheckResult[], standbyAnswered: boolean): boolean | null {
  const asked = checks.filter((c) => c.writer !== undefined);
  if (asked.some((c) => c.writerAnswered)) return true;
  const unreachable = asked.filter((c) => c.writer === 'unreachable').length;
  if (standbyAnswered && asked.length > 0 && unreachable * 2 > asked.length) return false;
  return null;
}

export function assess(
  settings: ReadinessSettings,
  region: string,
  now: Date,
  checks: readonly CheckResult[],
): Assessment {
  const byName = new Map(checks.map((c) => [c.name, c]));
  const stores = replicatedStores(settings).map(
    (store: StoreName) => byName.get(store)?.rpo ?? storeRpo(store, settings, undefined),
  );
  const known = stores.map((s) => s.lagSeconds).filter((v): v is number => v !== null);
  const estimatedSeconds = known.length > 0 ? Math.max(...known) : null;
  const complete = stores.every((s) => s.lagSeconds !== null);
  const withinBudget = known.length === 0 ? null : stores.every((s) => s.withinBudget !== false);
  const budget = settings.budgets.redshiftSnapshotAgeSeconds;
  const warehouse = byName.get('redshift')?.warehouse ?? {
    ageSeconds: null,
    budgetSeconds: budget,
    source: settings.warehouse ? `snapshots copied to ${settings.drRegion} (not read)` : 'no warehouse',
    withinBudget: null,
  };
  // Only the write-path checks' standby calls: a slow catalog or EMR comparison in the
  // standby must not make the standby look impaired and freeze the decision.
  const writePath = checks.filter((c) => WRITE_PATH.has(c.name));
  const standbyAnswered =
    writePath.some((c) => c.standby === 'answered') && !writePath.some((c) => c.standby === 'unreachable');
  const overall = checks.reduce<ReadinessReport['overall']>(
    (worst, c) => (RANK[c.status] > RANK[worst] ? c.status : worst),
    'healthy',
  );
  return {
    environment: settings.environment,
    evaluatedFrom: region,
    checkedAt: now.toISOString(),
    checks,
    rpo: { stores, estimatedSeconds, complete, withinBudget },
    warehouse,
    writerRegion: { region: settings.primaryRegion, reachable: writerReachable(checks, standbyAnswered) },
    ...(estimatedSeconds === null ? {} : { estimatedRpoSeconds: estimatedSeconds }),
    rpoComplete: complete,
    overall,
    standbyAnswered,
  };
}
