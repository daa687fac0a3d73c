import { createHash, randomUUID } from 'node:crypto';
import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import { findJob, JOB_CATALOG, type JobDefinition, type PlatformValue } from './job-catalog';

/** What a caller sends. */
export interface SubmissionInput {
  readonly job: string;
  readonly arguments?: Readonly<Record<string, string | number>>;
  readonly idempotencyKey?: string;
  /** Submit even though this region is not the active one (during a failover). */
  readonly force?: boolean;
}

/** What the region knows: from the function's configuration and its own SSM parameters. */
export interface RegionContext {
  readonly environment: string;
  readonly region: string;
  /** Value of the active-region parameter; undefined when it could not be read. */
  readonly activeRegion?: string;
  readonly applicationId: string;
  readonly executionRoleArn: string;
  readonly artifactsBucket: string;
  /** S3 keys of the jars under the artifacts bucket. */
  readonly jars: readonly string[];
  readonly logGroupName: string;
  readonly executionTimeoutMinutes: number;
  /** From the bootstrap-servers parameter; undefined until the streaming stack has published it. */
  readonly bootstrapServers?: string;
}

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNKNOWN_JOB'
  | 'UNKNOWN_ARGUMENT'
  | 'RESERVED_ARGUMENT'
  | 'INVALID_TYPE'
  | 'MISSING_ARGUMENT'
  | 'NOT_ACTIVE_REGION';

export interface SubmissionError {
  readonly code: ErrorCode;
  readonly message: string;
  /** The input field at fault, e.g. arguments.read_topic. */
  readonly field?: string;
}

export type BuildResult =
  | { readonly ok: true; readonly request: StartJobRunCommandInput; readonly job: JobDefinition }
  | { readonly ok: false; readonly error: SubmissionError };

const fail = (code: ErrorCode, message: string, field?: string): BuildResult => ({
  ok: false,
  error: { code, message, field },
});
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
/** The module every job imports (schema, MSK IAM settings, shared transforms), shipped with --py-files. */
export const SHARED_MODULE = 'sales_common.py';

/**
 * Validates a submission and builds the StartJobRun request. Pure: no AWS call,
 * so every refusal happens before anything is started.
 */
export function buildStartJobRun(input: unknown, ctx: RegionContext): BuildResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('INVALID_INPUT', 'The request must be a JSON object like {"job": "01-example-console"}.');
  }
  const raw = input as Record<string, unknown>;
  const known = ['job', 'arguments', 'idempotencyKey', 'force'];
  const extra = Object.keys(raw).filter((k) => !known.includes(k));
  if (extra.length > 0) {
    return fail(
      'INVALID_INPUT',
      `Unknown field "${extra[0]}"; a request has only ${known.join(', ')}.`,
      extra[0],
    );
  }
  if (typeof raw.job !== 'string') {
    return fail(
      'INVALID_INPUT',
      `"job" must be the name of a job: ${JOB_CATALOG.map((j) => j.name).join(', ')}.`,
      'job',
    );
  }
  const job = findJob(raw.job);
  if (!job) {
    return fail(
      'UNKNOWN_JOB',
      `No job "${raw.job}". Known jobs: ${JOB_CATALOG.map((j) => j.name).join(', ')}.`,
      'job',
    );
  }
  if (
    raw.idempotencyKey !== undefined &&
    (typeof raw.idempotencyKey !== 'string' ||
      raw.idempotencyKey.trim() === '' ||
      raw.idempotencyKey.length > 200)
  ) {
    return fail(
      'INVALID_INPUT',
      '"idempotencyKey" must be a non-empty string of at most 200 characters.',
      'idempotencyKey',
    );
  }
  if (raw.force !== undefined && typeof raw.force !== 'boolean') {
    return fail('INVALID_INPUT', '"force" must be true or false.', 'force');
  }
  const given = raw.arguments ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    return fail('INVALID_INPUT', '"arguments" must be an object of argument name to value.', 'arguments');
  }

  // The record naming another region is never overridden: this region is a standby or has been
  // fenced, and a job here would write beside the writer. A failover sets the record here first
  // (the runbook's ActivateThisRegion, before it resubmits streaming). "force" only covers a
  // record that could not be read.
  if (ctx.activeRegion !== undefined && ctx.activeRegion !== ctx.region) {
    return fail(
      'NOT_ACTIVE_REGION',
      `${ctx.region} is not the active region (active: ${ctx.activeRegion}): the active-region record names ${ctx.activeRegion}, so this region is a standby or fenced and refuses jobs${raw.force === true ? ', "force" included' : ''}. Submit in ${ctx.activeRegion}; to move work here, run the failover runbook, which points the record at ${ctx.region} first.`,
    );
  }
  if (ctx.activeRegion === undefined && raw.force !== true) {
    return fail(
      'NOT_ACTIVE_REGION',
      `${ctx.region} is not known to be the active region (active: unknown (the active-region parameter could not be read)). Submit in the active region, or pass "force": true if you know ${ctx.region} is the active one.`,
      'force',
    );
  }

  const platform: Record<PlatformValue, string | undefined> = {
    bootstrapServers: ctx.bootstrapServers,
    artifactsBucket: ctx.artifactsBucket,
  };
  const values: string[] = [];
  for (const [name, value] of Object.entries(given as Record<string, unknown>)) {
    const spec = job.arguments.find((a) => a.name === name);
    if (!spec) {
      const allowed = job.arguments.filter((a) => !a.filledBy).map((a) => a.name);
      return fail(
        'UNKNOWN_ARGUMENT',
        `Job ${job.name} has no argument "${name}". It takes: ${allowed.join(', ') || 'none'}.`,
        `arguments.${name}`,
      );
    }
    if (spec.filledBy) {
      return fail(
        'RESERVED_ARGUMENT',
        `"${name}" is filled in by the platform from this region's configuration; leave it out.`,
        `arguments.${name}`,
      );
    }
    const typeOk =
      spec.type === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : typeof value === 'string';
    if (!typeOk) {
      return fail(
        'INVALID_TYPE',
        `"${name}" must be a ${spec.type}; got ${JSON.stringify(value)}.`,
        `arguments.${name}`,
      );
    }
    if (name.endsWith('_topic') && !TOPIC.test(value as string)) {
      return fail(
        'INVALID_TYPE',
        `"${name}" must be a Kafka topic name (letters, digits, . _ -); got ${JSON.stringify(value)}.`,
        `arguments.${name}`,
      );
    }
  }
  for (const spec of job.arguments) {
    const value = spec.filledBy
      ? platform[spec.filledBy]
      : ((given as Record<string, string | number>)[spec.name] ?? spec.default);
    if (value === undefined || value === '') {
      const why = spec.filledBy
        ? `the platform has no value for it yet (is the ${spec.filledBy === 'bootstrapServers' ? 'streaming stack deployed in this region' : 'artifacts bucket configured'}?)`
        : 'it has no default; pass it in "arguments"';
      return fail(
        'MISSING_ARGUMENT',
        `Job ${job.name} needs "${spec.name}", but ${why}.`,
        `arguments.${spec.name}`,
      );
    }
    values.push(`--${spec.name}=${value}`);
  }

  const bucket = ctx.artifactsBucket;
  const request: StartJobRunCommandInput = {
    applicationId: ctx.applicationId,
    executionRoleArn: ctx.executionRoleArn,
    name: job.name,
    clientToken: clientToken(ctx.environment, job.name, raw.idempotencyKey as string | undefined),
    executionTimeoutMinutes: ctx.executionTimeoutMinutes,
    jobDriver: {
      sparkSubmit: {
        entryPoint: `s3://${bucket}/scripts/${job.file}`,
        entryPointArguments: values,
        sparkSubmitParameters: `--conf spark.jars=${ctx.jars.map((key) => `s3://${bucket}/${key}`).join(',')} --py-files s3://${bucket}/scripts/${SHARED_MODULE}`,
      },
    },
    configurationOverrides: {
      monitoringConfiguration: {
        s3MonitoringConfiguration: { logUri: `s3://${bucket}/logs/` },
        cloudWatchLoggingConfiguration: {
          enabled: true,
          logGroupName: ctx.logGroupName,
          logStreamNamePrefix: job.name,
        },
      },
    },
    tags: {
      job: job.name,
      environment: ctx.environment,
      'submitted-by': 'dra-job-submission',
      ...(raw.force === true && ctx.activeRegion !== ctx.region ? { forced: 'true' } : {}),
    },
  };
  return { ok: true, request, job };
}

/**
 * StartJobRun's idempotency token. The same key (per environment and job) always
 * yields the same token, so a retried request cannot start a second run; no key,
 * a fresh token.
 */
export function clientToken(environment: string, job: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return randomUUID();
  return createHash('sha256').update(`${environment}\n${job}\n${idempotencyKey}`).digest('hex');
}
