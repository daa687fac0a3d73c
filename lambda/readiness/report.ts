import type { CheckResult } from './types';

export interface NamedCheck {
  readonly name: string;
  /** Fetches and evaluates; may throw (then the check is "unknown"). */
  readonly run: () => Promise<CheckResult>;
}

export class CheckTimeout extends Error {}

/** Runs every check concurrently, each with its own timeout; an error or timeout is "unknown", never "failed". */
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

export interface ReadinessReport {
  readonly environment: string;
  readonly evaluatedFrom: string;
  readonly checkedAt: string;
  readonly checks: readonly CheckResult[];
  /** Worst current lag across the data stores: the data a failover now would lose. */
  readonly estimatedRpoSeconds?: number;
  /** False when a lag check was unknown, so the estimate may be low. */
  readonly rpoComplete: boolean;
  readonly overall: 'healthy' | 'degraded' | 'failed' | 'unknown';
}

const RANK = { healthy: 0, degraded: 1, unknown: 2, failed: 3 } as const;

export function buildReport(
  environment: string,
  region: string,
  now: Date,
  checks: readonly CheckResult[],
): ReadinessReport {
  const lags = checks.filter((c) => c.lag);
  const known = lags.filter((c) => c.value !== undefined).map((c) => c.value as number);
  const overall = checks.reduce<ReadinessReport['overall']>(
    (worst, c) => (RANK[c.status] > RANK[worst] ? c.status : worst),
    'healthy',
  );
  return {
    environment,
    evaluatedFrom: region,
    checkedAt: now.toISOString(),
    checks,
    estimatedRpoSeconds: known.length > 0 ? Math.max(...known) : undefined,
    rpoComplete: lags.every((c) => c.value !== undefined),
    overall,
  };
}
