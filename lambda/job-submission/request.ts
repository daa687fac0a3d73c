import { createHash, randomUUID } from 'node:crypto';
import type { StartJobRunCommandInput } from '@aws-sdk/client-emr-serverless';
import { argumentProblem, findJob, JOB_CATALOG, type JobDefinition, type PlatformValue } from './job-catalog';
import type { WhenNone } from './starting-offsets';

/** What a caller sends. */
export interface SubmissionInput {
  readonly job: string;
  readonly arguments?: Readonly<Record<string, string | number>>;
  readonly idempotencyKey?: string;
  /** Submit even though this region is not the active one (during a failover). */
  readonly force?: boolean;
  /** Start a job that commits its offsets from its consumer group's offsets on this region's cluster. */
  readonly resumeFromGroup?: boolean;
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
  /** This region's checkpoint bucket, which is never replicated. */
  readonly checkpointBucket: string;
  /** The consumer group of each job that commits its processed offsets (config/naming.ts). */
  readonly commitGroups: Readonly<Record<string, string>>;
  /** emr.streaming: the STREAMING retry policy, and where a partition without progress starts. */
  readonly streaming: { readonly maxFailedAttemptsPerHour: number; readonly startingOffsets: WhenNone };
}

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNKNOWN_JOB'
  | 'UNKNOWN_ARGUMENT'
  | 'RESERVED_ARGUMENT'
  | 'INVALID_TYPE'
  | 'INVALID_VALUE'
  | 'MISSING_ARGUMENT'
  | 'NOT_ACTIVE_REGION'
  | 'RESUME_FAILED';

export interface SubmissionError {
  readonly code: ErrorCode;
  readonly message: string;
  /** The input field at fault, e.g. arguments.read_topic. */
  readonly field?: string;
}

export type BuildResult =
  | { readonly ok: true; readonly request: StartJobRunCommandInput; readonly job: JobDefinition }
  | { readonly ok: false; readonly error: SubmissionError };

/** A request that passed every check that needs nothing but the request itself. */
export interface ValidSubmission {
  readonly job: JobDefinition;
  /** The caller's arguments, each checked against the catalog (platform-filled ones refused). */
  readonly arguments: Readonly<Record<string, string | number>>;
  readonly idempotencyKey?: string;
  readonly force: boolean;
  readonly resumeFromGroup: boolean;
}

/** Where a resumed job starts, planned from its group's offsets (starting-offsets.ts). */
export interface Resume {
  /** Spark's startingOffsets JSON. */
  readonly startingOffsets: string;
}

export type ValidationResult =
  | { readonly ok: true; readonly submission: ValidSubmission }
  | { readonly ok: false; readonly error: SubmissionError };

const fail = (code: ErrorCode, message: string, field?: string): { ok: false; error: SubmissionError } => ({
  ok: false,
  error: { code, message, field },
});
/** The module every job imports (schema, MSK IAM settings, shared transforms), shipped with --py-files. */
export const SHARED_MODULE = 'sales_common.py';

/**
 * Checks everything a request can be checked for on its own: its shape, the job, and each
 * argument against the job catalog (type, range, Kafka topic rule). Pure, and run before any
 * AWS call, so a bad request costs nothing and reads nothing.
 */
export function validateSubmission(input: unknown): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('INVALID_INPUT', 'The request must be a JSON object like {"job": "01-example-console"}.');
  }
  const raw = input as Record<string, unknown>;
  const known = ['job', 'arguments', 'idempotencyKey', 'force', 'resumeFromGroup'];
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
  if (raw.resumeFromGroup !== undefined && typeof raw.resumeFromGroup !== 'boolean') {
    return fail('INVALID_INPUT', '"resumeFromGroup" must be true or false.', 'resumeFromGroup');
  }
  if (raw.resumeFromGroup === true && !job.commitsOffsetsOf) {
    const resumable = JOB_CATALOG.filter((j) => j.commitsOffsetsOf).map((j) => j.name);
    return fail(
      'INVALID_INPUT',
      `Job ${job.name} commits no offsets to a consumer group, so it cannot resume from one (jobs that can: ${resumable.join(', ')}).${job.mode === 'STREAMING' ? ' It resumes by itself where its own output says.' : ''}`,
      'resumeFromGroup',
    );
  }
  const given = raw.arguments ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    return fail('INVALID_INPUT', '"arguments" must be an object of argument name to value.', 'arguments');
  }
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
    const problem = argumentProblem(spec, value);
    if (problem) return fail(problem.code, problem.message, `arguments.${name}`);
  }
  return {
    ok: true,
    submission: {
      job,
      arguments: given as Record<string, string | number>,
      idempotencyKey: raw.idempotencyKey as string | undefined,
      force: raw.force === true,
      resumeFromGroup: raw.resumeFromGroup === true,
    },
  };
}

/** The group and topic a resume reads offsets of, or why there are none. */
export function resumeSource(
  submission: ValidSubmission,
  ctx: RegionContext,
): { ok: true; group: string; topic: string } | { ok: false; error: SubmissionError } {
  const { job } = submission;
  const topicArg = job.arguments.find((a) => a.name === job.commitsOffsetsOf);
  const topic = submission.arguments[topicArg?.name ?? ''] ?? topicArg?.default;
  const group = ctx.commitGroups[job.name];
  if (typeof topic !== 'string' || !group) {
    return fail(
      'MISSING_ARGUMENT',
      `Job ${job.name} cannot resume: ${group ? 'it names no topic it reads' : 'this function has no consumer group configured for it (COMMIT_GROUPS)'}.`,
      'resumeFromGroup',
    );
  }
  return { ok: true, group, topic };
}

/**
 * Validates a submission and builds the StartJobRun request. Pure: no AWS call,
 * so every refusal happens before anything is started.
 */
export function buildStartJobRun(input: unknown, ctx: RegionContext, resume?: Resume): BuildResult {
  const checked = validateSubmission(input);
  return checked.ok ? buildRequest(checked.submission, ctx, resume) : checked;
}

/** Why this region refuses a valid submission now (not the active region), or undefined. */
export function admit(submission: ValidSubmission, ctx: RegionContext): SubmissionError | undefined {
  const { force } = submission;
  // The record naming another region is never overridden: this region is a standby or has been
  // fenced, and a job here would write beside the writer. A failover sets the record here first
  // (the runbook's ActivateThisRegion, before it resubmits streaming). "force" only covers a
  // record that could not be read.
  if (ctx.activeRegion !== undefined && ctx.activeRegion !== ctx.region) {
    return fail(
      'NOT_ACTIVE_REGION',
      `${ctx.region} is not the active region (active: ${ctx.activeRegion}): the active-region record names ${ctx.activeRegion}, so this region is a standby or fenced and refuses jobs${force ? ', "force" included' : ''}. Submit in ${ctx.activeRegion}; to move work here, run the failover runbook, which points the record at ${ctx.region} first.`,
    ).error;
  }
  if (ctx.activeRegion === undefined && !force) {
    return fail(
      'NOT_ACTIVE_REGION',
      `${ctx.region} is not known to be the active region (active: unknown (the active-region parameter could not be read)). Submit in the active region, or pass "force": true if you know ${ctx.region} is the active one.`,
      'force',
    ).error;
  }
  return undefined;
}

/**
 * Spark's startingOffsets reaches the job as one entry point argument; the API reference has
 * given 10280 characters per argument, so a plan longer than that (hundreds of partitions) is
 * refused rather than cut (EMR Serverless API reference, SparkSubmit).
 */
export const MAX_ARGUMENT_LENGTH = 10_280;

/**
 * The StartJobRun request for a valid submission in this region, or the reason this region
 * refuses it (not the active region, a platform value missing).
 */
export function buildRequest(submission: ValidSubmission, ctx: RegionContext, resume?: Resume): BuildResult {
  const { job, force } = submission;
  const refused = admit(submission, ctx);
  if (refused) return { ok: false, error: refused };
  if (submission.resumeFromGroup && !resume) {
    return fail('RESUME_FAILED', `Job ${job.name}: a resume needs the offsets planned from its group.`);
  }
  const token = clientToken(ctx.environment, job.name, submission.idempotencyKey);
  const streaming = job.mode === 'STREAMING';
  const platform: Record<PlatformValue, string | undefined> = {
    bootstrapServers: ctx.bootstrapServers,
    artifactsBucket: ctx.artifactsBucket,
    // A fresh checkpoint per run: EMR Serverless retries of this run reuse it (same arguments),
    // while a new run starts from the offsets it is given, never from an older run's checkpoint
    // (which would name this cluster's offsets from before a failover and failback).
    checkpointLocation: `s3://${ctx.checkpointBucket}/${job.name}/${runKey(token)}/`,
    startingOffsets: resume?.startingOffsets ?? ctx.streaming.startingOffsets,
    commitGroup: ctx.commitGroups[job.name],
  };
  const values: string[] = [];
  for (const spec of job.arguments) {
    const value = spec.filledBy ? platform[spec.filledBy] : (submission.arguments[spec.name] ?? spec.default);
    if (value === undefined || value === '') {
      const missing: Record<PlatformValue, string> = {
        bootstrapServers: 'streaming stack deployed in this region',
        artifactsBucket: 'artifacts bucket configured',
        checkpointLocation: 'checkpoint bucket configured',
        startingOffsets: 'starting position configured',
        commitGroup: 'consumer group of this job configured (COMMIT_GROUPS)',
      };
      const why = spec.filledBy
        ? `the platform has no value for it yet (is the ${missing[spec.filledBy]}?)`
        : 'it has no default; pass it in "arguments"';
      return fail(
        'MISSING_ARGUMENT',
        `Job ${job.name} needs "${spec.name}", but ${why}.`,
        `arguments.${spec.name}`,
      );
    }
    const argument = `--${spec.name}=${value}`;
    if (argument.length > MAX_ARGUMENT_LENGTH) {
      return fail(
        'RESUME_FAILED',
        `Job ${job.name}: "${spec.name}" would be ${argument.length} characters, more than the ${MAX_ARGUMENT_LENGTH} an entry point argument takes; resume with fewer partitions or without resumeFromGroup.`,
        `arguments.${spec.name}`,
      );
    }
    values.push(argument);
  }

  const bucket = ctx.artifactsBucket;
  const request: StartJobRunCommandInput = {
    applicationId: ctx.applicationId,
    executionRoleArn: ctx.executionRoleArn,
    name: job.name,
    clientToken: token,
    // A streaming job runs until stopped: no timeout (0), and EMR Serverless retries it up to the
    // configured failed attempts per hour (EMR Serverless user guide, "Other considerations" and
    // "Job resiliency"). Batch jobs keep the request they always had.
    ...(streaming
      ? {
          mode: 'STREAMING' as const,
          executionTimeoutMinutes: 0,
          retryPolicy: { maxFailedAttemptsPerHour: ctx.streaming.maxFailedAttemptsPerHour },
        }
      : { executionTimeoutMinutes: ctx.executionTimeoutMinutes }),
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
      ...(force && ctx.activeRegion !== ctx.region ? { forced: 'true' } : {}),
    },
  };
  return { ok: true, request, job };
}

/** A short, stable name for one run (its client token), used in its checkpoint path. */
export function runKey(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
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
