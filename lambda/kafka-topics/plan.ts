import { TOPIC_PARTITIONS_MAX } from '../../config/limits';
import { topicNameProblem } from '../kafka-topic-name';

/**
 * Pure planning for the topics custom resource: what to create, grow or delete
 * so the cluster has the desired topics, without ever losing data by accident.
 */
export interface DesiredTopics {
  readonly topics: readonly string[];
  readonly partitions: number;
  /** Whether removing the resource (or a topic from the list) may delete topics. */
  readonly allowDeletion: boolean;
  /** Topic-level configs set when a topic is created (existing topics are not altered). */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * The topic-level configs MSK Serverless lets a client set (MSK developer guide,
 * "Configuration properties for MSK Serverless clusters",
 * https://docs.aws.amazon.com/msk/latest/developerguide/serverless-config.html); any other
 * is refused by the cluster, so it is refused here first, with the list.
 */
export const SERVERLESS_TOPIC_CONFIGS = [
  'cleanup.policy',
  'compression.type',
  'max.message.bytes',
  'message.timestamp.difference.max.ms',
  'message.timestamp.type',
  'retention.bytes',
  'retention.ms',
] as const;

export interface ExistingTopic {
  readonly name: string;
  readonly partitions: number;
}

export interface TopicPlan {
  readonly create: { name: string; partitions: number; configs?: Readonly<Record<string, string>> }[];
  /** Kafka can add partitions but never remove them. */
  readonly addPartitions: { name: string; count: number }[];
  readonly delete: string[];
  /** Things the plan deliberately does not do, with the reason (logged, returned to CloudFormation). */
  readonly kept: string[];
}

export type RequestType = 'Create' | 'Update' | 'Delete';

export function planTopics(
  requestType: RequestType,
  desired: DesiredTopics,
  existing: readonly ExistingTopic[],
  previous?: DesiredTopics,
): TopicPlan {
  const plan: TopicPlan = { create: [], addPartitions: [], delete: [], kept: [] };
  const byName = new Map(existing.map((t) => [t.name, t]));

  if (requestType === 'Delete') {
    for (const name of desired.topics) {
      if (!byName.has(name)) continue;
      if (desired.allowDeletion) plan.delete.push(name);
      else plan.kept.push(`${name}: kept on delete (msk.allowTopicDeletion is false)`);
    }
    return plan;
  }

  for (const name of desired.topics) {
    const current = byName.get(name);
    if (!current) {
      plan.create.push({
        name,
        partitions: desired.partitions,
        ...(desired.configs ? { configs: desired.configs } : {}),
      });
    } else if (current.partitions < desired.partitions) {
      plan.addPartitions.push({ name, count: desired.partitions });
    } else if (current.partitions > desired.partitions) {
      plan.kept.push(
        `${name}: has ${current.partitions} partitions; Kafka cannot reduce them to ${desired.partitions}`,
      );
    }
  }
  for (const name of previous?.topics ?? []) {
    if (desired.topics.includes(name) || !byName.has(name)) continue;
    if (desired.allowDeletion) plan.delete.push(name);
    else plan.kept.push(`${name}: no longer configured but kept (msk.allowTopicDeletion is false)`);
  }
  return plan;
}

/** The properties the construct sets (lib/constructs/msk-serverless.ts), plus CloudFormation's ServiceToken. */
export const TOPIC_PROPERTIES = [
  'ServiceToken',
  'ClusterArn',
  'Topics',
  'Partitions',
  'AllowDeletion',
  'Configs',
  // Names a second topics resource on the same cluster (the canary topic) in its physical id.
  'Purpose',
] as const;

/**
 * Parses and checks the whole custom resource request before anything is called: known
 * properties only, Kafka-legal topic names listed once, a whole partition count within the cap
 * config enforces on msk.topicPartitions (CloudFormation passes numbers and booleans as strings).
 */
export function parseDesired(
  props: Record<string, unknown> | undefined,
  field = 'ResourceProperties',
): DesiredTopics {
  const unknown = Object.keys(props ?? {}).filter(
    (k) => !(TOPIC_PROPERTIES as readonly string[]).includes(k),
  );
  if (unknown.length > 0) {
    throw new Error(
      `${field} has an unknown property "${unknown[0]}"; it takes ${TOPIC_PROPERTIES.join(', ')}`,
    );
  }
  const topics = props?.Topics;
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string')) {
    throw new Error(
      `${field}.Topics must be a non-empty list of Kafka topic names; got ${JSON.stringify(topics)}`,
    );
  }
  topics.forEach((topic: string, i) => {
    const problem = topicNameProblem(topic);
    if (problem) throw new Error(`${field}.Topics[${i}] ${JSON.stringify(topic)} ${problem}`);
    if (topics.indexOf(topic) !== i)
      throw new Error(`${field}.Topics lists "${topic}" twice; list each topic once`);
  });
  const raw = props?.Partitions;
  const partitions = typeof raw === 'string' && /^[1-9][0-9]*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(partitions <= TOPIC_PARTITIONS_MAX)) {
    throw new Error(
      `${field}.Partitions must be a whole number from 1 to ${TOPIC_PARTITIONS_MAX} (msk.topicPartitions); got ${JSON.stringify(raw)}`,
    );
  }
  const arn = props?.ClusterArn;
  if (typeof arn !== 'string' || !/^arn:[a-z-]+:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/.test(arn)) {
    throw new Error(`${field}.ClusterArn must be an MSK cluster ARN; got ${JSON.stringify(arn)}`);
  }
  const allowDeletion = props?.AllowDeletion;
  if (allowDeletion !== 'true' && allowDeletion !== 'false') {
    throw new Error(`${field}.AllowDeletion must be "true" or "false"; got ${JSON.stringify(allowDeletion)}`);
  }
  const purpose = props?.Purpose;
  if (purpose !== undefined && (typeof purpose !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(purpose))) {
    throw new Error(
      `${field}.Purpose must be a short lowercase name (letters, digits, dashes); got ${JSON.stringify(purpose)}`,
    );
  }
  const configs = props?.Configs;
  if (configs !== undefined) {
    if (typeof configs !== 'object' || configs === null || Array.isArray(configs))
      throw new Error(`${field}.Configs must be an object of topic configs; got ${JSON.stringify(configs)}`);
    for (const [name, value] of Object.entries(configs)) {
      if (!(SERVERLESS_TOPIC_CONFIGS as readonly string[]).includes(name))
        throw new Error(
          `${field}.Configs.${name} is not a topic config MSK Serverless accepts; use one of ${SERVERLESS_TOPIC_CONFIGS.join(', ')}`,
        );
      if (typeof value !== 'string' || value.length === 0)
        throw new Error(`${field}.Configs.${name} must be a non-empty string; got ${JSON.stringify(value)}`);
    }
  }
  return {
    topics: topics as string[],
    partitions,
    allowDeletion: allowDeletion === 'true',
    ...(configs ? { configs: configs as Record<string, string> } : {}),
  };
}
