import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { EMRServerlessClient, StartJobRunCommand } from '@aws-sdk/client-emr-serverless';
import { GetParametersCommand, type GetParametersCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import { METRICS_NAMESPACE } from '../metrics-namespace';
import { boundedRequests } from '../sdk-timeouts';
import { buildRequest, type RegionContext, type SubmissionError, validateSubmission } from './request';

export type SubmissionResult =
  | {
      readonly ok: true;
      readonly jobRunId: string;
      readonly applicationId: string;
      readonly region: string;
      readonly job: string;
      readonly arn?: string;
    }
  | {
      readonly ok: false;
      readonly region: string;
      readonly error: SubmissionError | { code: 'SUBMISSION_FAILED'; message: string };
    };

export interface Dependencies {
  readonly emr: EMRServerlessClient;
  readonly ssm: SSMClient;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Reads the static part of the context from the function's environment (set by the construct). */
function staticContext(env: Dependencies['env']): Omit<RegionContext, 'activeRegion' | 'bootstrapServers'> {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`Function misconfigured: environment variable ${name} is not set`);
    return value;
  };
  return {
    environment: need('DRA_ENVIRONMENT'),
    region: need('AWS_REGION'),
    applicationId: need('APPLICATION_ID'),
    executionRoleArn: need('EXECUTION_ROLE_ARN'),
    artifactsBucket: need('ARTIFACTS_BUCKET'),
    jars: need('JARS').split(','),
    logGroupName: need('JOB_LOG_GROUP'),
    executionTimeoutMinutes: Number(need('EXECUTION_TIMEOUT_MINUTES')),
  };
}

/** Handles one submission: validate (pure), read this region's record, build (pure), then one StartJobRun. */
export async function submit(event: unknown, deps: Dependencies): Promise<SubmissionResult> {
  const base = staticContext(deps.env);
  const refuse = (error: SubmissionError): SubmissionResult => {
    deps.logger.warn('submission refused', { error });
    deps.metrics.addMetric(
      error.code === 'NOT_ACTIVE_REGION' ? 'SubmissionsRefusedInactiveRegion' : 'SubmissionsRefused',
      MetricUnit.Count,
      1,
    );
    return { ok: false, region: base.region, error };
  };
  // Everything the request alone can be checked for, before any AWS call.
  const checked = validateSubmission(event);
  if (!checked.ok) return refuse(checked.error);

  const activeParam = deps.env.ACTIVE_REGION_PARAMETER ?? '';
  const bootstrapParam = deps.env.BOOTSTRAP_SERVERS_PARAMETER ?? '';
  // An SSM failure (its region impaired, throttled past the retries, denied) leaves the record
  // unreadable: the request is then refused unless "force" says this is the active region.
  let params: Pick<GetParametersCommandOutput, 'Parameters'> = {};
  try {
    params = await deps.ssm.send(new GetParametersCommand({ Names: [activeParam, bootstrapParam] }));
  } catch (error) {
    deps.logger.warn('the active-region and bootstrap-servers parameters could not be read', {
      parameters: [activeParam, bootstrapParam],
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
  const parameterValue = (name: string) => params.Parameters?.find((p) => p.Name === name)?.Value;
  const ctx: RegionContext = {
    ...base,
    activeRegion: parameterValue(activeParam),
    bootstrapServers: parameterValue(bootstrapParam),
  };

  const built = buildRequest(checked.submission, ctx);
  if (!built.ok) return refuse(built.error);
  // Metadata, not a dimension: the alarm and dashboard query {service} only, and a
  // metric published with {service, job} would never reach them.
  deps.metrics.addMetadata('job', built.job.name);
  try {
    const response = await deps.emr.send(new StartJobRunCommand(built.request));
    deps.logger.info('job run started', {
      job: built.job.name,
      jobRunId: response.jobRunId,
      clientToken: built.request.clientToken,
    });
    deps.metrics.addMetric('JobsSubmitted', MetricUnit.Count, 1);
    return {
      ok: true,
      jobRunId: response.jobRunId ?? '',
      applicationId: ctx.applicationId,
      region: ctx.region,
      job: built.job.name,
      arn: response.arn,
    };
  } catch (error) {
    // Throttling and transient errors were already retried by the SDK's retry strategy.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    deps.logger.error('StartJobRun failed', { job: built.job.name, error: message });
    deps.metrics.addMetric('JobSubmissionFailures', MetricUnit.Count, 1);
    return { ok: false, region: ctx.region, error: { code: 'SUBMISSION_FAILED', message } };
  }
}

const logger = new Logger({ serviceName: 'job-submission' });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'job-submission' });
// Created once per container; the standard retry strategy backs off on throttling and 5xx.
// Each call gives up within 3 attempts of 4 s (plus backoff), so two calls end before the
// function's 30 s timeout with a result the caller can read, not "Task timed out".
// StartJobRun carries a client token, so a retried call never starts a second run.
const clientOptions = {
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: boundedRequests(4000),
} as const;
const emr = new EMRServerlessClient(clientOptions);
const ssm = new SSMClient(clientOptions);

export const handler = async (event: unknown): Promise<SubmissionResult> => {
  try {
    return await submit(event, { emr, ssm, env: process.env, logger, metrics });
  } finally {
    metrics.publishStoredMetrics();
  }
};
