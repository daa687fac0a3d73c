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
import { buildChecks, type ReadinessSettings, type RegionClients } from './checks';
import { type DecisionState, decide, INITIAL_STATE } from './decide';
import { buildReport, type ReadinessReport, runChecks } from './report';
import type { CheckStatus } from './types';

export const STATUS_VALUE: Record<CheckStatus, number> = { healthy: 0, degraded: 1, failed: 2, unknown: 3 };

export interface EvaluationResult extends ReadinessReport {
  readonly failoverRecommended: boolean;
  readonly decision: string;
}

export interface ReadinessDependencies {
  readonly settings: ReadinessSettings;
  readonly primary: RegionClients;
  readonly dr: RegionClients;
  /** The evaluating region's clients (state lives here). */
  readonly local: RegionClients;
  readonly region: string;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

async function loadState(ssm: SSMClient, name: string): Promise<DecisionState> {
  try {
    const value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    const parsed = value ? JSON.parse(value) : undefined;
    return typeof parsed?.consecutivePrimaryFailures === 'number' ? parsed : INITIAL_STATE;
  } catch (error) {
    if (error instanceof Error && error.name === 'ParameterNotFound') return INITIAL_STATE;
    throw error;
  }
}

/** One evaluation: run the checks concurrently, report, decide, publish metrics, keep state. */
export async function evaluate(deps: ReadinessDependencies): Promise<EvaluationResult> {
  const { settings } = deps;
  const now = deps.now();
  const results = await runChecks(buildChecks(settings, deps.primary, deps.dr, now), settings.checkTimeoutMs);
  const report = buildReport(settings.environment, deps.region, now, results);
  const previous = await loadState(deps.local.ssm, settings.stateParameter);
  const decision = decide(previous, report, {
    required: settings.consecutiveFailuresToRecommend,
    evaluatingRole: settings.role,
  });
  await deps.local.ssm.send(
    new PutParameterCommand({
      Name: settings.stateParameter,
      Value: JSON.stringify(decision.state),
      Type: 'String',
      Overwrite: true,
    }),
  );

  for (const check of results) {
    const single = deps.metrics.singleMetric();
    single.addDimension('check', check.name);
    single.addMetric('CheckStatus', MetricUnit.Count, STATUS_VALUE[check.status]);
    if (check.value !== undefined) single.addMetric('CheckValue', MetricUnit.Count, check.value);
  }
  if (report.estimatedRpoSeconds !== undefined)
    deps.metrics.addMetric('EstimatedRpoSeconds', MetricUnit.Seconds, report.estimatedRpoSeconds);
  deps.metrics.addMetric('FailoverRecommended', MetricUnit.Count, decision.failoverRecommended ? 1 : 0);
  deps.metrics.addMetric(
    'PrimaryConsecutiveFailures',
    MetricUnit.Count,
    decision.state.consecutivePrimaryFailures,
  );

  const result = { ...report, failoverRecommended: decision.failoverRecommended, decision: decision.reason };
  deps.logger.info('readiness report', { report: result });
  return result;
}

function clients(region: string): RegionClients {
  const common = { region, retryMode: 'standard' as const, maxAttempts: 2 };
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

const logger = new Logger({ serviceName: 'readiness' });
const metrics = new Metrics({ namespace: 'DualRegionAnalytics', serviceName: 'readiness' });
let cached: Omit<ReadinessDependencies, 'now' | 'logger' | 'metrics'> | undefined;

export const handler = async (): Promise<EvaluationResult> => {
  if (!cached) {
    const settings = JSON.parse(process.env.READINESS_SETTINGS ?? '{}') as ReadinessSettings;
    const region = process.env.AWS_REGION ?? '';
    const primary = clients(settings.primaryRegion);
    const dr = clients(settings.drRegion);
    cached = { settings, primary, dr, local: region === settings.primaryRegion ? primary : dr, region };
  }
  try {
    metrics.addDimension('environment', cached.settings.environment);
    return await evaluate({ ...cached, now: () => new Date(), logger, metrics });
  } finally {
    metrics.publishStoredMetrics();
  }
};
