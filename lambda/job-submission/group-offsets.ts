import type { Admin } from 'kafkajs';
import type { CommittedOffset, PartitionRange } from './starting-offsets';

/** The part of kafkajs' admin client a resume needs (replaceable in tests). */
export type OffsetsAdmin = Pick<Admin, 'connect' | 'disconnect' | 'fetchOffsets' | 'fetchTopicOffsets'>;

/** What this region's cluster knows of a group's progress on one topic. */
export interface GroupProgress {
  readonly partitions: readonly PartitionRange[];
  readonly committed: readonly CommittedOffset[];
}

/**
 * Reads a consumer group's committed offsets on a topic and the topic's partitions (retained
 * range of each). MSK IAM: Connect on the cluster, DescribeTopic on the topic (Metadata,
 * ListOffsets) and DescribeGroup on the group (FindCoordinator, OffsetFetch); Amazon MSK
 * developer guide, "Semantics of IAM authorization policy actions and resources".
 */
export async function readGroupProgress(
  admin: OffsetsAdmin,
  groupId: string,
  topic: string,
): Promise<GroupProgress> {
  try {
    await admin.connect();
    const ranges = await admin.fetchTopicOffsets(topic);
    const fetched = await admin.fetchOffsets({ groupId, topics: [topic] });
    return {
      partitions: ranges.map((r) => ({ partition: r.partition, low: r.low, high: r.high })),
      committed: (fetched.find((t) => t.topic === topic)?.partitions ?? []).map((p) => ({
        partition: p.partition,
        offset: p.offset,
      })),
    };
  } finally {
    await admin.disconnect();
  }
}
