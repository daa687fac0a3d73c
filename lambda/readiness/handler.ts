import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { GlueClient } from '@aws-sdk/client-glue';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { RDSClient } from '@aws-sdk/client-rds';
import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { boundedRequests } from '../sdk-timeouts';
import { buildChecks, type RegionClients } from './checks';
import { type DecisionState, decide, INITIAL_STATE, parseState, verdict } from './decide';
import { METRICS_NAMESPACE, READINESS_METRICS, READINESS_SERVICE, STATUS_VALUE } from './metrics';
import { classifyError, withTimeout } from './outcome';
import { assess, type ReadinessReport, runChecks } from './report';
import type { ReadinessSettings } from './settings';

export { STATUS_VALUE } from './metrics';

export interface ReadinessDependencies {
  readonly settings: ReadinessSettings;
  /** Clients bound to the writer's region. */
  readonly primary: RegionClients;
  /** Clients bound to the standby's region. */
  readonly dr: RegionClients;
  /** The evaluating region's clients (state lives here). */
  readonly local: RegionClients;
  readonly region: string;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * Time allowed to each state parameter call (GetParameter, PutParameter), apart
 * from the checks' time: the checks take up to 2 x checkTimeoutMs + 100 ms, the
 * two state calls at most 2 x 3 s more, within the function's timeout of
 * 2 x checkTimeoutMs (rounded up to seconds) + 10 s.
 */
export const stateTimeoutMs = (settings: ReadinessSettings): number =>
  Math.min(settings.checkTimeoutMs, 3000);

/** The previous decision state; undefined when the parameter could not be read (then nothing is written back). */
async function loadState(deps: ReadinessDependencies): Promise<DecisionState | undefined> {
  let raw: string | undefined;
  try {
    raw = (
      await withTimeout(
        () => deps.local.ssm.send(new GetParameterCommand({ Name: deps.settings.stateParameter })),
        stateTimeoutMs(deps.settings),
        `GetParameter ${deps.settings.stateParameter}`,
      )
    ).Parameter?.Value;
  } catch (error) {
    if ((error as Error)?.name === 'ParameterNotFound') return INITIAL_STATE;
    deps.logger.error(
      `Could not read the decision state parameter ${deps.settings.stateParameter} (${classifyError(error).reason}); this evaluation counts from 0 and does not overwrite it.`,
    );
    return undefined;
  }
  const { state, problem } = parseState(raw);
  if (problem)
    deps.logger.warn(
      `Decision state parameter ${deps.settings.stateParameter} is invalid (${problem}); starting again from 0. It is rewritten by this run.`,
    );
  return state;
}

/** Publishes one EMF line per metric with exactly the dimensions the alarms query. */
function publish(
  deps: ReadinessDependencies,
  report: ReadinessReport,
  evaluateOnly: boolean,
  writerVerdict: 'failing' | 'brownout' | 'healthy' | 'unknown',
): void {
  const environment = deps.settings.environment;
  const put = (
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    extra: Record<string, string> = {},
  ) => {
    const single = deps.metrics.singleMetric();
    single.addDimensions({ environment, ...extra });
    single.addMetric(name, unit, value);
  };
  const M = READINESS_METRICS;
  for (const check of report.checks) {
    put(M.checkStatus, MetricUnit.Count, STATUS_VALUE[check.status], { check: check.name });
    if (check.value !== undefined) put(M.checkValue, MetricUnit.Count, check.value, { check: check.name });
  }
  for (const store of report.rpo.stores) {
    if (store.lagSeconds !== null)
      put(M.storeLag, MetricUnit.Seconds, store.lagSeconds, { store: store.store });
  }
  if (report.rpo.estimatedSeconds !== null)
    put(M.estimatedRpo, MetricUnit.Seconds, report.rpo.estimatedSeconds);
  const replicator = report.checks.find((c) => c.name === 'msk')?.replicatorHealthy;
  if (replicator === true || replicator === false)
    put(M.replicatorHealthy, MetricUnit.Count, replicator ? 1 : 0);
  put(M.rpoComplete, MetricUnit.Count, report.rpo.complete ? 1 : 0);
  // An evaluate-only run did not advance the count: its decision is not the function's.
  if (!evaluateOnly) {
    put(M.failoverRecommended, MetricUnit.Count, report.decision.failoverRecommended ? 1 : 0);
    put(M.consecutiveFailures, MetricUnit.Count, report.decision.consecutiveFailures);
  }
  put(M.heartbeat, MetricUnit.Count, 1);
  // A sustained "no verdict" (throttling, one service's errors, an impaired standby) is never
  // a recommendation; the WriterVerdictUnknown alarm tells an operator instead. A brownout
  // (5xx from two or more write-path services) has its own count and recommends in time.
  put(
    M.writerVerdictUnknown,
    MetricUnit.Count,
    writerVerdict === 'unknown' || writerVerdict === 'brownout' ? 1 : 0,
  );
}

export interface EvaluateOptions {
  /**
   * Report without advancing the decision: the state parameter is read but not
   * written, and FailoverRecommended / WriterConsecutiveFailures are not published
   * (the runbooks' CheckReadiness step passes `{"evaluateOnly": true}`).
   */
  readonly evaluateOnly?: boolean;
}

/**
 * What the invocation asks for. Only `{"evaluateOnly": true}` evaluates without
 * advancing; a scheduled EventBridge event (or any other payload) is a normal run.
 */
export function evaluateOptions(event: unknown): EvaluateOptions {
  const asked =
    typeof event === 'object' && event !== null && (event as Record<string, unknown>).evaluateOnly === true;
  return { evaluateOnly: asked };
}

/** One evaluation: run the checks concurrently, assess, decide, keep state, publish metrics. */
export async function evaluate(
  deps: ReadinessDependencies,
  options: EvaluateOptions = {},
): Promise<ReadinessReport> {
  const evaluateOnly = options.evaluateOnly === true;
  const { settings } = deps;
  const now = deps.now();
  const checks = buildChecks(settings, deps.primary, deps.dr, now);
  // Each check's call groups time out at checkTimeoutMs; the check itself at twice that.
  const results = await runChecks(checks, settings.checkTimeoutMs * 2 + 100);
  const assessed = assess(settings, deps.region, now, results);
  const previous = await loadState(deps);
  const { state, decision } = decide(previous ?? INITIAL_STATE, assessed, {
    required: settings.consecutiveFailuresToRecommend,
    brownoutRequired: settings.brownoutEvaluationsToRecommend,
    evaluatingRole: settings.role,
  });
  if (previous && !evaluateOnly) {
    try {
      await withTimeout(
        () =>
          deps.local.ssm.send(
            new PutParameterCommand({
              Name: settings.stateParameter,
              Value: JSON.stringify(state),
              Type: 'String',
              Overwrite: true,
            }),
          ),
        stateTimeoutMs(settings),
        `PutParameter ${settings.stateParameter}`,
      );
    } catch (error) {
      // The report and metrics still go out; the next run counts from the last stored state.
      deps.logger.error(
        `Could not write the decision state parameter ${settings.stateParameter} (${classifyError(error).reason}).`,
      );
    }
  }
  const { standbyAnswered: _internal, ...seen } = assessed;
  const report: ReadinessReport = {
    ...seen,
    rpo: {
      ...seen.rpo,
      stores: seen.rpo.stores.map((s) => ({ ...s, lastKnown: state.lastKnownLag?.[s.store] ?? null })),
    },
    decision: evaluateOnly
      ? { ...decision, reason: `${decision.reason}; evaluate only: the decision state was not advanced` }
      : decision,
  };
  publish(deps, report, evaluateOnly, verdict(assessed).verdict);
  deps.logger.info('readiness report', { report });
  return report;
}

function clients(region: string, timeoutMs: number): RegionClients {
  const common = {
    region,
    retryMode: 'standard' as const,
    maxAttempts: 2,
    // A socket that does not connect or answer is given up (TimeoutError) and destroyed within
    // the check's time; only throwOnRequestTimeout makes requestTimeout do that (lambda/sdk-timeouts.ts).
    requestHandler: boundedRequests(timeoutMs),
  };
  return {
    rds: new RDSClient(common),
    elasticache: new ElastiCacheClient(common),
    kafka: new KafkaClient(common),
    cloudwatch: new CloudWatchClient(common),
    redshift: new RedshiftServerlessClient(common),
    redshiftProvisioned: new RedshiftClient(common),
    emr: new EMRServerlessClient(common),
    glue: new GlueClient(common),
    athena: new AthenaClient(common),
    ssm: new SSMClient(common),
  };
}

const logger = new Logger({ serviceName: READINESS_SERVICE });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: READINESS_SERVICE });
let cached: Omit<ReadinessDependencies, 'now' | 'logger' | 'metrics'> | undefined;

export const handler = async (event?: unknown): Promise<ReadinessReport> => {
  if (!cached) {
    const settings = JSON.parse(process.env.READINESS_SETTINGS ?? '{}') as ReadinessSettings;
    const region = process.env.AWS_REGION ?? '';
    const primary = clients(settings.primaryRegion, settings.checkTimeoutMs);
    const dr = clients(settings.drRegion, settings.checkTimeoutMs);
    cached = { settings, primary, dr, local: region === settings.primaryRegion ? primary : dr, region };
  }
  try {
    return await evaluate({ ...cached, now: () => new Date(), logger, metrics }, evaluateOptions(event));
  } finally {
    metrics.publishStoredMetrics();
  }
};
