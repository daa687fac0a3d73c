/**
 * Pure planning for the topics custom resource: what to create, grow or delete
 * so the cluster has the desired topics, without ever losing data by accident.
 */
export interface DesiredTopics {
  readonly topics: readonly string[];
  readonly partitions: number;
  /** Whether removing the resource (or a topic from the list) may delete topics. */
  readonly allowDeletion: boolean;
}

export interface ExistingTopic {
  readonly name: string;
  readonly partitions: number;
}

export interface TopicPlan {
  readonly create: { name: string; partitions: number }[];
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
      plan.create.push({ name, partitions: desired.partitions });
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
  return { topics: topics as string[], partitions, allowDeletion: String(props?.AllowDeletion) === 'true' };
}
