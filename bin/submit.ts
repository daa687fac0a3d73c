#!/usr/bin/env node
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import type { EnvironmentConfig } from '../config';
import { regionOf, resourceName } from '../config/naming';
import { writerRole } from '../config/topology';
import {
  type ArgumentType,
  findJob,
  JOB_CATALOG,
  type JobArgument,
  type JobDefinition,
} from '../lambda/job-submission/job-catalog';
import { validateSubmission } from '../lambda/job-submission/request';
import { placeholderRefusal } from '../lib/preflight';
import { classifyAwsError, describeAwsFailure } from '../lib/shared/aws-errors';
import {
  type CommandOutput,
  type CommandSpec,
  closest,
  type ParsedCommandLine,
  PROCESS_OUTPUT,
  parseCommandLine,
  runCommand,
  UsageError,
} from './cli-args';

const argumentHelp = (a: JobArgument) =>
  a.filledBy
    ? `${a.name} (filled by the platform)`
    : `${a.name}=${a.type.toUpperCase()}${a.default === undefined ? ' (required)' : ` (default ${a.default})`}`;

export const SUBMIT_COMMAND: CommandSpec = {
  usage: 'npm run submit --',
  summary: [
    "Submits a Spark job through the environment's job submission function (dra-NAME-submit-job)",
    'and prints its answer. The job, its arguments and their types are checked here first, against',
    'the job catalog (lambda/job-submission/job-catalog.ts), so a mistake never reaches AWS.',
  ].join('\n'),
  flags: [
    { name: '--job', value: 'NAME', description: 'the job to run (listed below)' },
    {
      name: '--arg',
      value: 'NAME=VALUE',
      repeatable: true,
      description: "one of the job's arguments; repeat for more. VALUE is read as the argument's type",
    },
    {
      name: '--region',
      value: 'REGION',
      description:
        "primary, dr, or either region's code. Default: the writer of failover.generation (the primary at 0)",
    },
    {
      name: '--idempotency-key',
      value: 'KEY',
      description: 'the same key never starts a second run of the job',
    },
    {
      name: '--force',
      description:
        'submit although the active-region record could not be read (never overrides one that names the other region)',
    },
    {
      name: '--resume-from-group',
      description:
        "start the job from its consumer group's offsets on this region's cluster (docs/spark-jobs.md)",
    },
    { name: '--dry-run', description: 'check and print the request, call nothing' },
  ],
  notes: [
    'Jobs and their arguments:',
    ...JOB_CATALOG.map(
      (job) =>
        `  ${job.name.padEnd(26)}${job.arguments
          .filter((a) => !a.filledBy)
          .map(argumentHelp)
          .join(', ')}`,
    ),
    '',
    'Examples:',
    '  npm run submit -- -c env=dev --job 01-example-console',
    '  npm run submit -- -c env=dev --job 04-stream-sales-to-kafka --arg message_delay=0.2 --idempotency-key replay-1',
    '  npm run submit -- -c env=dev --job 05-streaming-kafka --region dr',
  ],
};

/** What `npm run submit` sends, and where. */
export interface Submission {
  readonly region: string;
  readonly functionName: string;
  readonly payload: {
    readonly job: string;
    readonly arguments?: Readonly<Record<string, string | number>>;
    readonly idempotencyKey?: string;
    readonly force?: true;
    readonly resumeFromGroup?: true;
  };
}

/** A command-line value read as the argument's declared type (never by how it looks). */
export function coerceArgument(
  job: JobDefinition,
  spec: JobArgument,
  raw: string,
): { ok: true; value: string | number } | { ok: false; message: string } {
  const type: ArgumentType = spec.type;
  switch (type) {
    case 'string':
      return { ok: true, value: raw };
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) {
        return {
          ok: false,
          message: `--arg ${spec.name}=${raw}: ${job.name}'s ${spec.name} is a number (${spec.description}); got "${raw}"`,
        };
      }
      return { ok: true, value };
    }
    default: {
      const unhandled: never = type;
      return { ok: false, message: `--arg ${spec.name}: argument type "${unhandled}" is not read here yet` };
    }
  }
}

/**
 * Checks a submission against the job catalog and the environment, and builds what
 * would be sent: job, argument names, types and the handler's own rules (it runs the
 * handler's pure validation, buildStartJobRun, on a local context), region. Pure.
 */
export function buildSubmission(
  config: EnvironmentConfig,
  args: ParsedCommandLine,
): { ok: true; submission: Submission } | { ok: false; message: string } {
  const refuse = (message: string) => ({ ok: false as const, message });
  const names = JOB_CATALOG.map((j) => j.name);
  const jobName = args.values.get('--job')?.[0];
  if (jobName === undefined) {
    return refuse(`Which job? Give --job NAME, one of: ${names.join(', ')}.`);
  }
  const job = findJob(jobName);
  if (!job) {
    const guess = closest(jobName, names);
    return refuse(
      `No job "${jobName}"${guess ? `; did you mean ${guess}?` : '.'} Jobs: ${names.join(', ')}.`,
    );
  }

  const argumentsGiven: Record<string, string | number> = {};
  const takes = job.arguments.filter((a) => !a.filledBy);
  for (const pair of args.values.get('--arg') ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      return refuse(
        `--arg ${pair}: write NAME=VALUE, e.g. --arg ${takes[0]?.name ?? 'name'}=${takes[0]?.default ?? 'value'}.`,
      );
    }
    const name = pair.slice(0, at);
    const raw = pair.slice(at + 1);
    const spec = job.arguments.find((a) => a.name === name);
    if (!spec) {
      const guess = closest(
        name,
        takes.map((a) => a.name),
      );
      return refuse(
        `--arg ${name}: ${job.name} has no argument "${name}"${guess ? `; did you mean ${guess}?` : '.'} It takes: ${takes.map((a) => a.name).join(', ') || 'none'}.`,
      );
    }
    if (spec.filledBy) {
      return refuse(
        `--arg ${name}: the platform fills "${name}" from the region's own configuration; leave it out.`,
      );
    }
    if (raw.trim() === '') {
      return refuse(
        `--arg ${name}= has no value; give one${spec.default === undefined ? '' : `, or leave --arg ${name} out for the default (${spec.default})`}.`,
      );
    }
    if (name in argumentsGiven) return refuse(`--arg ${name} is given twice; give it once.`);
    const coerced = coerceArgument(job, spec, raw);
    if (!coerced.ok) return refuse(`${coerced.message}.`);
    argumentsGiven[name] = coerced.value;
  }

  const roles = { primary: regionOf(config, 'primary'), dr: regionOf(config, 'dr') };
  const regionArg = args.values.get('--region')?.[0];
  const region =
    regionArg === undefined
      ? regionOf(config, writerRole(config))
      : regionArg === 'primary' || regionArg === 'dr'
        ? roles[regionArg]
        : regionArg;
  if (region !== roles.primary && region !== roles.dr) {
    return refuse(
      `--region ${regionArg}: ${config.name} runs in ${roles.primary} (primary) and ${roles.dr} (dr) only; use primary, dr, ${roles.primary} or ${roles.dr}.`,
    );
  }
  const idempotencyKey = args.values.get('--idempotency-key')?.[0];
  const payload: Submission['payload'] = {
    job: job.name,
    ...(Object.keys(argumentsGiven).length > 0 ? { arguments: argumentsGiven } : {}),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    ...(args.switches.has('--force') ? { force: true as const } : {}),
    ...(args.switches.has('--resume-from-group') ? { resumeFromGroup: true as const } : {}),
  };

  // The handler's own checks of a request (types, ranges, topic names, resumable jobs), run here.
  const local = validateSubmission(payload);
  if (!local.ok) {
    const field = local.error.field?.replace(/^arguments\./, '');
    const flag =
      field && job.arguments.some((a) => a.name === field)
        ? `--arg ${field}`
        : field === 'idempotencyKey'
          ? '--idempotency-key'
          : field === 'resumeFromGroup'
            ? '--resume-from-group'
            : field
              ? `--${field}`
              : '';
    return refuse(`${flag ? `${flag}: ` : ''}${local.error.message}`);
  }
  return { ok: true, submission: { region, functionName: resourceName(config, 'submit-job'), payload } };
}

/**
 * Reads the flags of `npm run submit` and the job's arguments by their declared types.
 * Throws a UsageError for an unknown option; a bad job or argument is left to buildSubmission.
 */
export function parseSubmitArgs(argv: readonly string[]): {
  job?: string;
  arguments: Record<string, string | number>;
  idempotencyKey?: string;
  region?: string;
  force: boolean;
  /** Start the job from its consumer group's offsets on the region's cluster (docs/spark-jobs.md). */
  resumeFromGroup: boolean;
} {
  const args = parseCommandLine(argv, SUBMIT_COMMAND);
  const job = args.values.get('--job')?.[0];
  const definition = job === undefined ? undefined : findJob(job);
  const argumentsGiven: Record<string, string | number> = {};
  for (const pair of args.values.get('--arg') ?? []) {
    const [name, ...rest] = pair.split('=');
    const raw = rest.join('=');
    const spec = definition?.arguments.find((a) => a.name === name);
    const coerced = definition && spec ? coerceArgument(definition, spec, raw) : undefined;
    argumentsGiven[name] = coerced?.ok ? coerced.value : raw;
  }
  return {
    job,
    arguments: argumentsGiven,
    idempotencyKey: args.values.get('--idempotency-key')?.[0],
    region: args.values.get('--region')?.[0],
    force: args.switches.has('--force'),
    resumeFromGroup: args.switches.has('--resume-from-group'),
  };
}

/** What `npm run submit` talks to; tests pass their own. */
export interface SubmitDependencies {
  /** The Lambda client of a region. */
  readonly lambdaIn: (region: string) => LambdaClient;
  readonly output: CommandOutput;
  /** Loads the named environment. @default loadConfig */
  readonly loadConfig?: (name: string) => EnvironmentConfig;
}

const DEFAULT_DEPENDENCIES: SubmitDependencies = {
  lambdaIn: (region) => new LambdaClient({ region, maxAttempts: 2 }),
  output: PROCESS_OUTPUT,
};

/**
 * `npm run submit -- -c env=NAME --job JOB [--arg NAME=VALUE]... [--region R]
 * [--idempotency-key KEY] [--force] [--dry-run]`: checks everything it can locally,
 * refuses a placeholder account like preflight, then invokes the function once.
 */
export function runSubmit(
  argv: readonly string[],
  deps: SubmitDependencies = DEFAULT_DEPENDENCIES,
): Promise<number> {
  const { lambdaIn, output } = deps;
  return runCommand(
    argv,
    SUBMIT_COMMAND,
    async (config, args) => {
      const built = buildSubmission(config, args);
      if (!built.ok) throw new UsageError(built.message);
      const { region, functionName, payload } = built.submission;
      if (args.switches.has('--dry-run')) {
        return {
          ok: true,
          message: `Checked; would invoke ${functionName} in ${region} with:\n${JSON.stringify(payload, null, 2)}`,
        };
      }
      const placeholder = placeholderRefusal(config);
      if (placeholder) return { ok: false, message: placeholder };
      let response: InvokeCommandOutput;
      try {
        response = await lambdaIn(region).send(
          new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }),
        );
      } catch (error) {
        const kind = classifyAwsError(error);
        const notDeployed =
          kind === 'answered' && error instanceof Error && error.name === 'ResourceNotFoundException'
            ? ` Is ${config.name} deployed in ${region}? (npm run deploy -- -c env=${config.name})`
            : '';
        return {
          ok: false,
          message: `${describeAwsFailure(error, { service: 'Lambda', region })}${notDeployed}`,
        };
      }
      const text = Buffer.from(response.Payload ?? []).toString('utf8');
      let answer: { ok?: boolean } | undefined;
      try {
        answer = JSON.parse(text || '{}');
      } catch {
        answer = undefined;
      }
      const shown = answer === undefined ? text : JSON.stringify(answer, null, 2);
      return { ok: !response.FunctionError && answer?.ok === true, message: shown };
    },
    output,
    deps.loadConfig,
  );
}

if (require.main === module) {
  runSubmit(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`Submit failed unexpectedly: ${error}\n`);
      process.exit(1);
    },
  );
}
