import { topicNameProblem } from '../kafka-topic-name';

/**
 * The Spark jobs the platform runs: one place that drives the submission
 * handler, its validation, `npm run submit`'s local checks and the job table of
 * docs/spark-jobs.md (job-table.ts). Jobs are the five of the seed post, same
 * files and arguments.
 */
export type ArgumentType = 'string' | 'number';
/** Values the platform fills from the region's own SSM parameters and config; callers cannot override them. */
export type PlatformValue =
  | 'bootstrapServers'
  | 'artifactsBucket'
  /** A fresh prefix per run in this region's checkpoint bucket (never replicated). */
  | 'checkpointLocation'
  /** `earliest`/`latest` (emr.streaming.startingOffsets), or on a resume the offsets planned from the job's group. */
  | 'startingOffsets'
  /** The consumer group the job commits its processed offsets to (config/naming.ts streamingConsumerGroup). */
  | 'commitGroup';
/**
 * EMR Serverless job run mode. BATCH runs within the execution timeout; STREAMING runs until
 * stopped, without a timeout, and EMR Serverless retries it on failure (release 7.1.0+; EMR
 * Serverless user guide, "Streaming jobs" and "Job resiliency").
 */
export type JobMode = 'BATCH' | 'STREAMING';

export interface JobArgument {
  /** The argparse flag without dashes, e.g. read_topic. */
  readonly name: string;
  readonly type: ArgumentType;
  readonly description: string;
  readonly default?: string | number;
  readonly filledBy?: PlatformValue;
  /** Smallest value a number argument takes (inclusive). */
  readonly min?: number;
  /** Largest value a number argument takes (inclusive). */
  readonly max?: number;
  /** A string argument that names a Kafka topic (Kafka's naming rule applies). */
  readonly format?: 'kafka-topic';
}

export interface JobDefinition {
  readonly name: string;
  /** File under s3://<artifacts>/scripts/ (and jobs/ in this repo). */
  readonly file: string;
  readonly description: string;
  readonly mode: JobMode;
  /**
   * For a job that commits its processed offsets to a consumer group (its `commitGroup`): the
   * argument naming the topic it reads. Such a job can be resumed from that group's offsets.
   */
  readonly commitsOffsetsOf?: string;
  readonly arguments: readonly JobArgument[];
}

const bootstrap: JobArgument = {
  name: 'bootstrap_servers',
  type: 'string',
  description: 'MSK Serverless bootstrap servers (IAM, port 9098)',
  filledBy: 'bootstrapServers',
};
const bucket: JobArgument = {
  name: 's3_bucket',
  type: 'string',
  description: 'Artifacts bucket (sample data in, output/ out)',
  filledBy: 'artifactsBucket',
};
const topic = (name: string, def: string, what: string): JobArgument => ({
  name,
  type: 'string',
  format: 'kafka-topic',
  description: what,
  default: def,
});

export const JOB_CATALOG: readonly JobDefinition[] = [
  {
    name: '01-example-console',
    file: '01_example_console.py',
    description: 'Batch-read a topic; total sales and order count per country, top 25 to stdout',
    mode: 'BATCH',
    arguments: [bootstrap, topic('read_topic', 'topicA', 'Topic to read')],
  },
  {
    name: '02-example-csv-s3',
    file: '02_example_csv_s3.py',
    description: 'Same aggregation written as pipe-delimited CSV with header to s3a://<bucket>/output/',
    mode: 'BATCH',
    arguments: [bootstrap, bucket, topic('read_topic', 'topicA', 'Topic to read')],
  },
  {
    name: '03-example-kafka',
    file: '03_example_kafka.py',
    description: 'Same aggregation written as JSON records to a second topic',
    mode: 'BATCH',
    arguments: [
      bootstrap,
      topic('read_topic', 'topicA', 'Topic to read'),
      topic('write_topic', 'topicB', 'Topic to write'),
    ],
  },
  {
    name: '04-stream-sales-to-kafka',
    file: '04_stream_sales_to_kafka.py',
    description:
      'Replay a sample CSV from S3 into a topic, one message per delay; a restart resumes after the lowest of the per-partition highest rows',
    mode: 'STREAMING',
    arguments: [
      bootstrap,
      bucket,
      topic('write_topic', 'topicC', 'Topic to write'),
      {
        name: 'sample_data_file',
        type: 'string',
        description: 'File under s3://<bucket>/sample_data/',
        default: 'sales_incremental_large.csv',
      },
      {
        name: 'message_delay',
        type: 'number',
        description: 'Seconds between messages',
        default: 0.5,
        // Python's time.sleep refuses negative values; a minute apart is slow enough for any demo.
        min: 0,
        max: 60,
      },
    ],
  },
  {
    name: '05-streaming-kafka',
    file: '05_streaming_kafka.py',
    description:
      'Structured Streaming: sales and orders per country, 10-minute event-time window sliding every 5 minutes, 10-minute watermark, each batch printing the windows it changed (update mode); commits its progress to a consumer group',
    mode: 'STREAMING',
    commitsOffsetsOf: 'read_topic',
    arguments: [
      bootstrap,
      topic('read_topic', 'topicC', 'Topic to read'),
      {
        name: 'checkpoint_location',
        type: 'string',
        description: "Spark checkpoint, a fresh prefix per run in this region's checkpoint bucket",
        filledBy: 'checkpointLocation',
      },
      {
        name: 'starting_offsets',
        type: 'string',
        description: 'earliest, latest, or per-partition offsets (a resume)',
        filledBy: 'startingOffsets',
      },
      {
        name: 'commit_group',
        type: 'string',
        description: 'Consumer group the job commits processed offsets to',
        filledBy: 'commitGroup',
      },
    ],
  },
];

export function findJob(name: string): JobDefinition | undefined {
  return JOB_CATALOG.find((j) => j.name === name);
}

/** Why a value does not fit an argument's declaration. */
export interface ArgumentProblem {
  /** INVALID_TYPE: not the declared type; INVALID_VALUE: the right type, outside its range or rule. */
  readonly code: 'INVALID_TYPE' | 'INVALID_VALUE';
  readonly message: string;
}

/**
 * Checks a value against what the catalog declares for the argument (type, range, Kafka topic
 * rule); undefined when it fits. The submission function and `npm run submit` both use it.
 */
export function argumentProblem(spec: JobArgument, value: unknown): ArgumentProblem | undefined {
  const typeOk =
    spec.type === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string';
  if (!typeOk) {
    return {
      code: 'INVALID_TYPE',
      message: `"${spec.name}" must be a ${spec.type}; got ${JSON.stringify(value)}.`,
    };
  }
  if (
    typeof value === 'number' &&
    ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))
  ) {
    const what = spec.description.charAt(0).toLowerCase() + spec.description.slice(1);
    return {
      code: 'INVALID_VALUE',
      message: `"${spec.name}" must be from ${spec.min ?? '-∞'} to ${spec.max ?? '∞'} (${what}); got ${value}.`,
    };
  }
  if (spec.format === 'kafka-topic') {
    const problem = topicNameProblem(value as string);
    if (problem) {
      return {
        code: 'INVALID_VALUE',
        message: `"${spec.name}" must be a Kafka topic name: ${JSON.stringify(value)} ${problem}.`,
      };
    }
  }
  return undefined;
}
