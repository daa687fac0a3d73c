import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  EMRServerlessClient,
  StartJobRunCommand,
  type StartJobRunCommandOutput,
} from '@aws-sdk/client-emr-serverless';
import { GetParametersCommand, type GetParametersCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import { METRICS_NAMESPACE } from '../metrics-namespace';
import { boundedRequests } from '../sdk-timeouts';
import { type OffsetsAdmin, readGroupProgress } from './group-offsets';
import {
  admit,
  buildRequest,
  type RegionContext,
  type Resume,
  resumeSource,
  type SubmissionError,
  validateSubmission,
} from './request';
import { planStartingOffsets, type WhenNone } from './starting-offsets';

export type SubmissionResult =
  | {
      readonly ok: true;
      readonly jobRunId: string;
      readonly applicationId: string;
      readonly region: string;
      readonly job: string;
      readonly arn?: string;
      /** On a resume: where each partition starts, in one line. */
      readonly resumed?: string;
    }
  | {
      readonly ok: false;
      readonly region: string;
      readonly error: SubmissionError | { code: 'SUBMISSION_FAILED'; message: string };
    };

/** What the handler calls, as ports: the SDK clients in Lambda, stand-ins in tests. */
export interface Dependencies {
  readonly emr: { send(command: StartJobRunCommand): Promise<StartJobRunCommandOutput> };
  readonly ssm: { send(command: GetParametersCommand): Promise<GetParametersCommandOutput> };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** A Kafka admin client on this region's cluster (MSK IAM), for resumes. */
  readonly kafkaAdmin: (bootstrapServers: string) => Promise<OffsetsAdmin>;
}

/** A resume gives up reading offsets after this long, so the function answers within its timeout. */
export const RESUME_DEADLINE_MS = 12_000;

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
    checkpointBucket: need('CHECKPOINT_BUCKET'),
    commitGroups: JSON.parse(need('COMMIT_GROUPS')) as Record<string, string>,
    streaming: {
      maxFailedAttemptsPerHour: Number(need('STREAMING_MAX_FAILED_ATTEMPTS_PER_HOUR')),
      startingOffsets: need('STREAMING_STARTING_OFFSETS') as WhenNone,
    },
  };
}

/**
 * Plans where a resumed job starts from its group's offsets on this region's cluster. After a
 * failover these are the offsets MSK Replicator translated from the old writer's cluster.
 */
async function planResume(
  checked: Parameters<typeof resumeSource>[0],
  ctx: RegionContext,
  deps: Dependencies,
): Promise<{ ok: true; resume: Resume; summary: string } | { ok: false; error: SubmissionError }> {
  const source = resumeSource(checked, ctx);
  if (!source.ok) return source;
  if (!ctx.bootstrapServers) {
    return {
      ok: false,
      error: {
        code: 'MISSING_ARGUMENT',
        message: `Job ${checked.job.name} cannot resume: this region has no bootstrap servers yet (is the streaming stack deployed here?).`,
        field: 'resumeFromGroup',
      },
    };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const progress = await Promise.race([
      deps
        .kafkaAdmin(ctx.bootstrapServers)
        .then((admin) => readGroupProgress(admin, source.group, source.topic)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${RESUME_DEADLINE_MS / 1000} s`)),
          RESUME_DEADLINE_MS,
        );
      }),
    ]);
    const plan = planStartingOffsets(
      source.topic,
      progress.partitions,
      progress.committed,
      ctx.streaming.startingOffsets,
    );
    return { ok: true, resume: { startingOffsets: plan.startingOffsets }, summary: plan.summary };
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      ok: false,
      error: {
        code: 'RESUME_FAILED',
        message: `Job ${checked.job.name}: the offsets of consumer group ${source.group} on ${source.topic} could not be read from the cluster in ${ctx.region} (${why}). Nothing was started. Retry; or submit without resumeFromGroup to start at ${ctx.streaming.startingOffsets}.`,
        field: 'resumeFromGroup',
      },
    };
  } finally {
    clearTimeout(timer);
  }
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

  const refused = admit(checked.submission, ctx);
  if (refused) return refuse(refused);
  let resume: Resume | undefined;
  let resumed: string | undefined;
  if (checked.submission.resumeFromGroup) {
    const planned = await planResume(checked.submission, ctx, deps);
    if (!planned.ok) return refuse(planned.error);
    resume = planned.resume;
    resumed = planned.summary;
    deps.logger.info('resume planned from the consumer group', { job: checked.submission.job.name, resumed });
  }
  const built = buildRequest(checked.submission, ctx, resume);
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
      ...(resumed ? { resumed } : {}),
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
// Each call gives up within 3 attempts of 4 s (plus backoff), so the two calls and a resume's
// Kafka read (RESUME_DEADLINE_MS) end before the function's 45 s timeout with a result the
// caller can read, not "Task timed out".
// StartJobRun carries a client token, so a retried call never starts a second run.
const clientOptions = {
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: boundedRequests(4000),
} as const;
const emr = new EMRServerlessClient(clientOptions);
const ssm = new SSMClient(clientOptions);

/** kafkajs is in a part of its own (msk-admin.lazy.ts), loaded by the first resume. */
const mskAdmin = async (bootstrapServers: string): Promise<OffsetsAdmin> =>
  (await import('./msk-admin.lazy')).mskAdmin(bootstrapServers, process.env.AWS_REGION ?? '');

export const handler = async (event: unknown): Promise<SubmissionResult> => {
  try {
    return await submit(event, { emr, ssm, env: process.env, logger, metrics, kafkaAdmin: mskAdmin });
  } finally {
    metrics.publishStoredMetrics();
  }
};
