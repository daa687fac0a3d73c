import {
  GetBootstrapBrokersCommand,
  type GetBootstrapBrokersCommandOutput,
  KafkaClient,
} from '@aws-sdk/client-kafka';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { TOPIC_PARTITIONS_MAX } from '../../config/limits';
import { handler, handleTopics, type TopicAdmin } from '../../lambda/kafka-topics/handler';
import { parseDesired, planTopics } from '../../lambda/kafka-topics/plan';

const desired = { topics: ['topicA', 'topicB', 'topicC'], partitions: 6, allowDeletion: false };
const CLUSTER = 'arn:aws:kafka:us-east-1:111111111111:cluster/dra-dev-msk/uuid';

describe('topic planning', () => {
  it('creates only the topics that are missing', () => {
    const plan = planTopics('Create', desired, [{ name: 'topicA', partitions: 6 }]);
    expect(plan.create).toEqual([
      { name: 'topicB', partitions: 6 },
      { name: 'topicC', partitions: 6 },
    ]);
    expect(plan.addPartitions).toEqual([]);
  });

  it('is idempotent: a second Create or an Update with nothing changed does nothing', () => {
    const existing = desired.topics.map((name) => ({ name, partitions: 6 }));
    for (const type of ['Create', 'Update'] as const) {
      expect(planTopics(type, desired, existing, desired)).toEqual({
        create: [],
        addPartitions: [],
        delete: [],
        kept: [],
      });
    }
  });

  it('adds partitions when config grows, and never shrinks (Kafka cannot)', () => {
    const grow = planTopics(
      'Update',
      { ...desired, partitions: 12 },
      [{ name: 'topicA', partitions: 6 }],
      desired,
    );
    expect(grow.addPartitions).toEqual([{ name: 'topicA', count: 12 }]);
    const shrink = planTopics(
      'Update',
      { ...desired, partitions: 3 },
      [{ name: 'topicA', partitions: 6 }],
      desired,
    );
    expect(shrink.addPartitions).toEqual([]);
    expect(shrink.kept).toEqual(['topicA: has 6 partitions; Kafka cannot reduce them to 3']);
  });

  it('keeps topics holding data on delete unless config allows dropping them', () => {
    const existing = [{ name: 'topicA', partitions: 6 }];
    expect(planTopics('Delete', desired, existing)).toMatchObject({
      delete: [],
      kept: ['topicA: kept on delete (msk.allowTopicDeletion is false)'],
    });
    expect(planTopics('Delete', { ...desired, allowDeletion: true }, existing).delete).toEqual(['topicA']);
  });

  it('keeps a topic removed from config unless deletion is allowed', () => {
    const previous = { ...desired, topics: ['topicA', 'old'] };
    const existing = [{ name: 'old', partitions: 6 }];
    expect(planTopics('Update', desired, existing, previous).kept).toContain(
      'old: no longer configured but kept (msk.allowTopicDeletion is false)',
    );
    expect(planTopics('Update', { ...desired, allowDeletion: true }, existing, previous).delete).toEqual([
      'old',
    ]);
  });

  it('reads CloudFormation string properties and rejects bad ones with the field name', () => {
    expect(
      parseDesired({ ClusterArn: CLUSTER, Topics: ['topicA'], Partitions: '6', AllowDeletion: 'false' }),
    ).toEqual({
      topics: ['topicA'],
      partitions: 6,
      allowDeletion: false,
    });
    expect(() => parseDesired({ Topics: [], Partitions: '6' })).toThrow(
      /ResourceProperties\.Topics must be a non-empty list/,
    );
    expect(() => parseDesired({ Topics: ['a b'], Partitions: '6' })).toThrow(
      /Topics\[0\] "a b" has a character Kafka does not allow/,
    );
    expect(() => parseDesired({ Topics: ['a'], Partitions: '0' })).toThrow(
      /ResourceProperties\.Partitions must be a whole number from 1 to 2000 \(msk\.topicPartitions\); got "0"/,
    );
  });

  describe("validates the whole request (Kafka's topic rules, the config's cap)", () => {
    const props = { ClusterArn: CLUSTER, Topics: ['topicA'], Partitions: '6', AllowDeletion: 'false' };
    it.each(['.', '..', '...'])(
      'refuses the topic name %j (Kafka reserves names of periods only)',
      (name) => {
        expect(() => parseDesired({ ...props, Topics: [name] })).toThrow(
          new RegExp(
            `ResourceProperties\\.Topics\\[0\\] "${name.replace(/\./g, '\\.')}" is made of periods only`,
          ),
        );
      },
    );

    it('refuses a topic name longer than 249 characters, and accepts 249', () => {
      expect(() => parseDesired({ ...props, Topics: ['t'.repeat(250)] })).toThrow(
        /is 250 characters long; Kafka allows at most 249/,
      );
      expect(parseDesired({ ...props, Topics: ['t'.repeat(249)] }).topics).toEqual(['t'.repeat(249)]);
    });

    it('refuses partitions above the cap msk.topicPartitions has in config', () => {
      expect(() => parseDesired({ ...props, Partitions: '1000000' })).toThrow(
        /Partitions must be a whole number from 1 to 2000 \(msk\.topicPartitions\); got "1000000"/,
      );
      expect(parseDesired({ ...props, Partitions: String(TOPIC_PARTITIONS_MAX) }).partitions).toBe(2000);
    });

    it.each(['6.0', '6.5', ' 6', '6e0', '0x6', ''])(
      'refuses the partition count %j (whole numbers only)',
      (value) => {
        expect(() => parseDesired({ ...props, Partitions: value })).toThrow(
          /Partitions must be a whole number/,
        );
      },
    );

    it('refuses properties it does not know, naming them', () => {
      expect(() => parseDesired({ ...props, Partitons: '12' })).toThrow(
        /ResourceProperties has an unknown property "Partitons"; it takes ServiceToken, ClusterArn, Topics, Partitions, AllowDeletion/,
      );
    });

    it('refuses a topic listed twice', () => {
      expect(() => parseDesired({ ...props, Topics: ['topicA', 'topicB', 'topicA'] })).toThrow(
        /ResourceProperties\.Topics lists "topicA" twice/,
      );
    });

    it('refuses a ClusterArn that is not an MSK cluster ARN', () => {
      expect(() => parseDesired({ ...props, ClusterArn: 'dra-dev-msk' })).toThrow(
        /ClusterArn must be an MSK cluster ARN; got "dra-dev-msk"/,
      );
    });

    it('refuses an AllowDeletion that is not "true" or "false"', () => {
      expect(() => parseDesired({ ...props, AllowDeletion: 'yes' })).toThrow(
        /AllowDeletion must be "true" or "false"; got "yes"/,
      );
    });
  });
});

describe('topics custom resource entry point', () => {
  const kafkaApi = mockClient(KafkaClient);
  afterAll(() => kafkaApi.restore());

  it('refuses a bad request before it calls MSK', async () => {
    kafkaApi.reset();
    kafkaApi.on(GetBootstrapBrokersCommand).resolves({
      $metadata: {},
      BootstrapBrokerStringSaslIam: 'b-1:9098',
    } satisfies GetBootstrapBrokersCommandOutput);
    const bad = {
      RequestType: 'Create',
      ResourceProperties: {
        ServiceToken: 'x',
        ClusterArn: 'arn:aws:kafka:us-east-1:111111111111:cluster/dra-dev-msk/uuid',
        Topics: ['..'],
        Partitions: '6.0',
        AllowDeletion: 'false',
      },
    } as unknown as CloudFormationCustomResourceEvent;
    await expect(handler(bad)).rejects.toThrow(/Topics\[0\] "\.\." is made of periods only/);
    expect(kafkaApi.calls()).toHaveLength(0);
  });
});

/** An in-memory Kafka admin that records calls, to drive the handler end to end. */
function fakeAdmin(initial: Record<string, number>) {
  const topics = new Map(Object.entries(initial));
  const calls: string[] = [];
  const admin: TopicAdmin = {
    connect: async () => void calls.push('connect'),
    disconnect: async () => void calls.push('disconnect'),
    listTopics: async () => [...topics.keys()],
    fetchTopicMetadata: async ({ topics: names }: { topics?: string[] } = {}) => ({
      topics: (names ?? []).map((name) => ({
        name,
        partitions: Array.from({ length: topics.get(name) ?? 0 }, (_, i) => ({
          partitionId: i,
          leader: 1,
          replicas: [],
          isr: [],
          offlineReplicas: [],
          partitionErrorCode: 0,
        })),
      })),
    }),
    createTopics: async ({ topics: list }) => {
      for (const t of list) topics.set(t.topic, t.numPartitions ?? 1);
      const configs = (t: (typeof list)[number]) =>
        t.configEntries ? `[${t.configEntries.map((c) => `${c.name}=${c.value}`).join(';')}]` : '';
      calls.push(`create:${list.map((t) => `${t.topic}${configs(t)}`).join(',')}`);
      return true;
    },
    createPartitions: async ({ topicPartitions }) => {
      for (const p of topicPartitions) topics.set(p.topic, p.count);
      calls.push(`partitions:${topicPartitions.map((p) => `${p.topic}=${p.count}`).join(',')}`);
      return true;
    },
    deleteTopics: async ({ topics: list }) => {
      for (const t of list) topics.delete(t);
      calls.push(`delete:${list.join(',')}`);
    },
  } as TopicAdmin;
  return { admin, topics, calls };
}

const event = (
  type: 'Create' | 'Update' | 'Delete',
  props: Record<string, unknown>,
  old?: Record<string, unknown>,
) =>
  ({
    RequestType: type,
    ResourceProperties: {
      ServiceToken: 'x',
      ClusterArn: CLUSTER,
      ...props,
    },
    OldResourceProperties: old ? { ServiceToken: 'x', ClusterArn: CLUSTER, ...old } : undefined,
  }) as unknown as CloudFormationCustomResourceEvent;

describe('topics custom resource handler', () => {
  const props = { Topics: ['topicA', 'topicB', 'topicC'], Partitions: '6', AllowDeletion: 'false' };

  it('creates the three topics once; running Create again changes nothing', async () => {
    const kafka = fakeAdmin({});
    const first = await handleTopics(event('Create', props), 'boot:9098', kafka.admin);
    expect([...kafka.topics.entries()]).toEqual([
      ['topicA', 6],
      ['topicB', 6],
      ['topicC', 6],
    ]);
    expect(first.Data.BootstrapServers).toBe('boot:9098');
    expect(first.PhysicalResourceId).toBe(
      'arn:aws:kafka:us-east-1:111111111111:cluster/dra-dev-msk/uuid/topics',
    );
    kafka.calls.length = 0;
    await handleTopics(event('Create', props), 'boot:9098', kafka.admin);
    expect(kafka.calls).toEqual(['connect', 'disconnect']);
  });

  it('creates the canary topic with one partition and its retention, under its own physical id', async () => {
    const kafka = fakeAdmin({ topicA: 6 });
    const canary = {
      Topics: ['dra-canary'],
      Partitions: '1',
      AllowDeletion: 'true',
      Configs: { 'retention.ms': '86400000' },
      Purpose: 'canary',
    };
    const out = await handleTopics(event('Create', canary), 'boot:9098', kafka.admin);
    expect(kafka.calls).toContain('create:dra-canary[retention.ms=86400000]');
    expect(kafka.topics.get('dra-canary')).toBe(1);
    expect(out.PhysicalResourceId).toBe(
      'arn:aws:kafka:us-east-1:111111111111:cluster/dra-dev-msk/uuid/topics/canary',
    );
  });

  it('refuses a Purpose that could not name a physical id', () => {
    expect(() =>
      parseDesired({
        Topics: ['t'],
        Partitions: '1',
        ClusterArn: CLUSTER,
        AllowDeletion: 'false',
        Purpose: '../x',
      }),
    ).toThrow(/Purpose must be a short lowercase name/);
  });

  it('refuses a topic config MSK Serverless does not accept, naming the ones it does', () => {
    expect(() =>
      parseDesired({
        Topics: ['t'],
        Partitions: '1',
        ClusterArn: CLUSTER,
        AllowDeletion: 'false',
        Configs: { 'segment.bytes': '1' },
      }),
    ).toThrow(
      /Configs\.segment\.bytes is not a topic config MSK Serverless accepts; use one of cleanup\.policy, .*retention\.ms/,
    );
  });

  it('grows partitions on Update', async () => {
    const kafka = fakeAdmin({ topicA: 6, topicB: 6, topicC: 6 });
    await handleTopics(event('Update', { ...props, Partitions: '12' }, props), 'boot:9098', kafka.admin);
    expect(kafka.topics.get('topicB')).toBe(12);
  });

  it('leaves topics in place on Delete when deletion is not allowed, and disconnects even on failure', async () => {
    const kafka = fakeAdmin({ topicA: 6 });
    await handleTopics(event('Delete', props), 'boot:9098', kafka.admin);
    expect(kafka.topics.has('topicA')).toBe(true);

    const broken = fakeAdmin({});
    broken.admin.createTopics = async () => {
      throw new Error('broker unavailable');
    };
    await expect(handleTopics(event('Create', props), 'boot:9098', broken.admin)).rejects.toThrow(
      'broker unavailable',
    );
    expect(broken.calls).toContain('disconnect');
  });
});
