import type { Admin, FetchOffsetsPartition, SeekEntry } from 'kafkajs';
import type { OffsetsAdmin } from '../../lambda/job-submission/group-offsets';

/**
 * One MSK cluster as a Kafka admin client sees it: topics with each partition's retained range,
 * and consumer groups' committed offsets. Its admin answers in kafkajs' own types.
 */
export class FakeKafkaCluster {
  /** topic -> partition -> [low, high) */
  readonly topics = new Map<string, { low: bigint; high: bigint }[]>();
  /** group -> topic -> partition -> committed offset */
  readonly groups = new Map<string, Map<string, Map<number, bigint>>>();
  readonly calls: string[] = [];
  /** Set to make every call fail as an unreachable broker does. */
  unreachable = false;
  /** Set to make connect() never answer. */
  hangs = false;

  constructor(readonly name: string) {}

  addTopic(topic: string, partitions: number, high = 0n): this {
    this.topics.set(
      topic,
      Array.from({ length: partitions }, () => ({ low: 0n, high })),
    );
    return this;
  }

  /** Records `count` more records in a partition. */
  produce(topic: string, partition: number, count: number): void {
    const p = this.topics.get(topic)?.[partition];
    if (!p) throw new Error(`${this.name}: no partition ${topic}-${partition}`);
    p.high += BigInt(count);
  }

  commit(group: string, topic: string, offsets: Record<number, number | bigint>): void {
    const topics = this.groups.get(group) ?? new Map<string, Map<number, bigint>>();
    const partitions = topics.get(topic) ?? new Map<number, bigint>();
    for (const [p, o] of Object.entries(offsets)) partitions.set(Number(p), BigInt(o));
    topics.set(topic, partitions);
    this.groups.set(group, topics);
  }

  committed(group: string, topic: string): Record<number, number> {
    return Object.fromEntries(
      [...(this.groups.get(group)?.get(topic)?.entries() ?? [])].map(([p, o]) => [p, Number(o)]),
    );
  }

  private check(call: string): void {
    this.calls.push(call);
    if (this.unreachable) {
      throw Object.assign(new Error(`Connection error: connect ECONNREFUSED ${this.name}:9098`), {
        name: 'KafkaJSConnectionError',
      });
    }
  }

  admin(): OffsetsAdmin {
    const connect: Admin['connect'] = async () => {
      this.check('connect');
      if (this.hangs) await new Promise<never>(() => {});
    };
    const disconnect: Admin['disconnect'] = async () => void this.calls.push('disconnect');
    const fetchTopicOffsets: Admin['fetchTopicOffsets'] = async (topic) => {
      this.check(`fetchTopicOffsets:${topic}`);
      const partitions = this.topics.get(topic);
      if (!partitions) {
        throw Object.assign(new Error('This server does not host this topic-partition'), {
          name: 'KafkaJSProtocolError',
          type: 'UNKNOWN_TOPIC_OR_PARTITION',
        });
      }
      return partitions.map(
        (p, partition) =>
          ({
            partition,
            offset: String(p.high),
            high: String(p.high),
            low: String(p.low),
          }) satisfies SeekEntry & { high: string; low: string },
      );
    };
    const fetchOffsets: Admin['fetchOffsets'] = async ({ groupId, topics }) => {
      this.check(`fetchOffsets:${groupId}`);
      // kafkajs answers every partition of each topic asked for, "-1" where nothing is committed.
      return (topics ?? []).map((topic) => ({
        topic,
        partitions: (this.topics.get(topic) ?? []).map(
          (_, partition) =>
            ({
              partition,
              offset: String(this.groups.get(groupId)?.get(topic)?.get(partition) ?? -1n),
              metadata: null,
            }) satisfies FetchOffsetsPartition,
        ),
      }));
    };
    return { connect, disconnect, fetchTopicOffsets, fetchOffsets };
  }
}
