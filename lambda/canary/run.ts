import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { StoreName } from '../readiness/metrics';
import { classifyError, withTimeout } from '../readiness/outcome';
import { classifyCanaryError } from './classify';
import { CANARY_METRICS } from './metrics';
import { STORE_PROBE_ORDER, type StoreProbe } from './probes';
import type { CanarySettings } from './settings';
import { type CanaryOutcome, type CanaryState, DETAIL_LENGTH, RESULT_VALUE, type StoreCanary } from './state';

export interface CanaryDependencies {
  readonly settings: CanarySettings;
  /** One probe per configured store of this region. */
  readonly probes: Partial<Record<StoreName, StoreProbe>>;
  /** This region's SSM: the active-region record and the state parameter. */
  readonly ssm: SSMClient;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Time allowed to each SSM call (the record, the state). */
const SSM_TIMEOUT_MS = 3000;

/**
 * The writer writes only while its own region's active-region record names it: after a
 * switch (the runbook moved the record) a returning old writer must not put canaries
 * into stores that could still replicate into the new writer. Unreadable: nothing is
 * written (and the run says why), never "write anyway".
 */
async function notActive(
  deps: CanaryDependencies,
): Promise<{ outcome: CanaryOutcome; detail: string } | undefined> {
  const { settings } = deps;
  try {
    const value = (
      await withTimeout(
        () => deps.ssm.send(new GetParameterCommand({ Name: settings.activeRegionParameter })),
        SSM_TIMEOUT_MS,
        `GetParameter ${settings.activeRegionParameter}`,
      )
    ).Parameter?.Value;
    if (value === settings.region) return undefined;
    return {
      outcome: 'skipped',
      detail: `${settings.activeRegionParameter} in ${settings.region} says ${value ?? '(unset)'}: this region does not take writes, so no canary is written`,
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'ParameterNotFound')
      return {
        outcome: 'skipped',
        detail: `${settings.activeRegionParameter} does not exist in ${settings.region}: no canary is written`,
      };
    const c = classifyError(error);
    return {
      outcome: c.cause === 'throttled' ? 'throttled' : 'error',
      detail: `could not read ${settings.activeRegionParameter} (${c.reason}): no canary is written`.slice(
        0,
        DETAIL_LENGTH,
      ),
    };
  }
}

async function tryStore(
  store: StoreName,
  probe: StoreProbe,
  deps: CanaryDependencies,
  gate: { outcome: CanaryOutcome; detail: string } | undefined,
): Promise<StoreCanary> {
  const { settings } = deps;
  const started = deps.now();
  const at = started.toISOString();
  if (gate) return { outcome: gate.outcome, at, detail: gate.detail };
  try {
    if (settings.side === 'writer') {
      const result = await withTimeout(
        () => probe.write(started),
        settings.storeTimeoutMs,
        `${store} canary write`,
      );
      return result
        ? { outcome: 'skipped', at, detail: result.skipped.slice(0, DETAIL_LENGTH) }
        : { outcome: 'ok', at };
    }
    const newest = await withTimeout(() => probe.read(), settings.storeTimeoutMs, `${store} canary read`);
    if (!newest)
      return { outcome: 'missing', at, detail: `no ${store} canary has reached ${settings.region} yet` };
    // Clocks: the writer's (or PostgreSQL's) time against this function's; never below 0.
    const lagSeconds = Math.max(0, Math.round((started.getTime() - newest.writtenAt.getTime()) / 100) / 10);
    return {
      outcome: 'ok',
      at,
      newestWrittenAt: newest.writtenAt.toISOString(),
      lagSeconds,
      ...(newest.note ? { detail: newest.note.slice(0, DETAIL_LENGTH) } : {}),
    };
  } catch (error) {
    const { outcome, detail } = classifyCanaryError(error);
    return { outcome, at, detail };
  } finally {
    await probe.close?.().catch(() => undefined);
  }
}

/**
 * One run: every configured store written (writer) or read (standby) concurrently, each
 * within `storeTimeoutMs`; the result kept in the state parameter for the readiness
 * function and published as metrics. Never throws: a store that fails is an outcome,
 * and a state that cannot be written is logged (readiness then sees the canary as not
 * running, and says so).
 */
export async function runCanary(deps: CanaryDependencies): Promise<CanaryState> {
  const { settings } = deps;
  const ranAt = deps.now();
  const gate = settings.side === 'writer' ? await notActive(deps) : undefined;
  const entries = await Promise.all(
    STORE_PROBE_ORDER.flatMap((store) => {
      const probe = deps.probes[store];
      return probe ? [tryStore(store, probe, deps, gate).then((r) => [store, r] as const)] : [];
    }),
  );
  const state: CanaryState = {
    side: settings.side,
    region: settings.region,
    ranAt: ranAt.toISOString(),
    stores: Object.fromEntries(entries),
  };
  try {
    await withTimeout(
      () =>
        deps.ssm.send(
          new PutParameterCommand({
            Name: settings.stateParameter,
            Value: JSON.stringify(state),
            Type: 'String',
            Overwrite: true,
          }),
        ),
      SSM_TIMEOUT_MS,
      `PutParameter ${settings.stateParameter}`,
    );
  } catch (error) {
    deps.logger.error(
      `Could not write the canary state ${settings.stateParameter} (${classifyError(error).reason}); readiness will see this canary as not running until a run writes it.`,
    );
  }
  publish(deps, state);
  const failed = entries.filter(([, r]) => r.outcome !== 'ok' && r.outcome !== 'skipped');
  if (failed.length > 0) deps.logger.warn('canary', { state });
  else deps.logger.info('canary', { state });
  return state;
}

function publish(deps: CanaryDependencies, state: CanaryState): void {
  const environment = deps.settings.environment;
  const put = (
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    store?: string,
  ) => {
    const single = deps.metrics.singleMetric();
    single.addDimensions({ environment, ...(store ? { store } : {}) });
    single.addMetric(name, unit, value);
  };
  for (const [store, r] of Object.entries(state.stores)) {
    const value = RESULT_VALUE[r.outcome];
    if (value !== undefined) put(CANARY_METRICS.result, MetricUnit.Count, value, store);
    if (r.lagSeconds !== undefined) put(CANARY_METRICS.lag, MetricUnit.Seconds, r.lagSeconds, store);
  }
  put(CANARY_METRICS.runs, MetricUnit.Count, 1);
}
