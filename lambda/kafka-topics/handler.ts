import { Logger } from '@aws-lambda-powertools/logger';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { generateMskAuthToken } from './msk-token';
import { type DesiredTopics, type ExistingTopic, parseDesired, planTopics, type TopicPlan } from './plan';

/** The part of kafkajs' admin client the handler uses (replaceable in tests). */
export type TopicAdmin = Pick<
  Admin,
  | 'connect'
  | 'disconnect'
  | 'listTopics'
  | 'fetchTopicMetadata'
  | 'createTopics'
  | 'createPartitions'
  | 'deleteTopics'
>;

export interface TopicsResult {
  PhysicalResourceId: string;
  Data: { BootstrapServers: string; Plan: string };
}

const logger = new Logger({ serviceName: 'kafka-topics' });

/** Applies a topic plan; every step is idempotent (a topic that appeared meanwhile is fine). */
export async function applyPlan(admin: TopicAdmin, plan: TopicPlan): Promise<void> {
  if (plan.create.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: plan.create.map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        ...(t.configs
          ? { configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })) }
          : {}),
      })),
    });
  }
  if (plan.addPartitions.length > 0) {
    await admin.createPartitions({
      topicPartitions: plan.addPartitions.map((p) => ({ topic: p.name, count: p.count })),
    });
  }
  if (plan.delete.length > 0) {
    await admin.deleteTopics({ topics: plan.delete });
  }
}

export async function existingTopics(admin: TopicAdmin, names: readonly string[]): Promise<ExistingTopic[]> {
  const all = await admin.listTopics();
  const present = names.filter((n) => all.includes(n));
  if (present.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics: present });
  return metadata.topics.map((t) => ({ name: t.name, partitions: t.partitions.length }));
}

/** The request's desired topics (and, on Update, the previous ones), checked whole before any call. */
export function parseRequest(event: CloudFormationCustomResourceEvent): {
  desired: DesiredTopics;
  previous?: DesiredTopics;
} {
  return {
    desired: parseDesired(event.ResourceProperties),
    previous:
      event.RequestType === 'Update'
        ? parseDesired(event.OldResourceProperties, 'OldResourceProperties')
        : undefined,
  };
}

/** The custom resource's logic with its two clients injected. */
export async function handleTopics(
  event: CloudFormationCustomResourceEvent,
  bootstrapServers: string,
  admin: TopicAdmin,
): Promise<TopicsResult> {
  const { desired, previous } = parseRequest(event);
  await admin.connect();
  try {
    const existing = await existingTopics(admin, [...desired.topics, ...(previous?.topics ?? [])]);
    const plan = planTopics(event.RequestType, desired, existing, previous);
    logger.info('topic plan', { requestType: event.RequestType, plan });
    await applyPlan(admin, plan);
    return {
      // A second resource on the same cluster (the canary topic) names itself with Purpose.
      PhysicalResourceId: `${event.ResourceProperties.ClusterArn}/topics${event.ResourceProperties.Purpose ? `/${String(event.ResourceProperties.Purpose)}` : ''}`,
      Data: { BootstrapServers: bootstrapServers, Plan: JSON.stringify(plan) },
    };
  } finally {
    await admin.disconnect();
  }
}

const kafkaApi = new KafkaClient({ retryMode: 'standard', maxAttempts: 5 });

export const handler = async (event: CloudFormationCustomResourceEvent): Promise<TopicsResult> => {
  // A request CloudFormation should never have sent fails here, before MSK is called.
  parseRequest(event);
  const clusterArn = String(event.ResourceProperties.ClusterArn);
  const brokers = await kafkaApi.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
  const servers = brokers.BootstrapBrokerStringSaslIam;
  if (!servers)
    throw new Error(`Cluster ${clusterArn} has no IAM bootstrap brokers; is IAM client authentication on?`);
  const region = process.env.AWS_REGION ?? '';
  const kafka = new Kafka({
    clientId: 'dra-kafka-topics',
    brokers: servers.split(','),
    ssl: true,
    logLevel: logLevel.WARN,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const token = await generateMskAuthToken(region);
        return { value: token.token };
      },
    },
  });
  return handleTopics(event, servers, kafka.admin());
};
