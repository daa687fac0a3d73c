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

/** Parses and checks the custom resource properties (CloudFormation passes numbers and booleans as strings). */
export function parseDesired(
  props: Record<string, unknown> | undefined,
  field = 'ResourceProperties',
): DesiredTopics {
  const topics = props?.Topics;
  const partitions = Number(props?.Partitions);
  if (
    !Array.isArray(topics) ||
    topics.length === 0 ||
    !topics.every((t) => typeof t === 'string' && /^[A-Za-z0-9._-]{1,249}$/.test(t))
  ) {
    throw new Error(
      `${field}.Topics must be a non-empty list of Kafka topic names; got ${JSON.stringify(topics)}`,
    );
  }
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new Error(
      `${field}.Partitions must be a positive integer; got ${JSON.stringify(props?.Partitions)}`,
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
    allowDeletion: String(props?.AllowDeletion) === 'true',
    ...(configs ? { configs: configs as Record<string, string> } : {}),
  };
}
