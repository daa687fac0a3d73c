/**
 * Pure planning of where a resumed streaming job starts: a consumer group's committed offsets
 * (on the cluster of the region the job is resumed in, where MSK Replicator translated them) to
 * Spark's `startingOffsets` JSON, one entry per partition the topic has now.
 *
 * Spark's Kafka source wants every partition of a subscribed topic in that JSON, with -2 for
 * earliest and -1 for latest (Structured Streaming + Kafka Integration Guide, "startingOffsets").
 * A Kafka committed offset is the next record to read, which is what Spark's offsets mean too.
 */

/** Where a partition starts when its group has no offset for it (emr.streaming.startingOffsets). */
export type WhenNone = 'earliest' | 'latest';

/** One partition of the topic now, as kafkajs' fetchTopicOffsets reports it (offsets as strings). */
export interface PartitionRange {
  readonly partition: number;
  /** First offset still retained. */
  readonly low: string;
  /** Log end: the offset the next record will get. */
  readonly high: string;
}

/** A committed offset, as kafkajs' fetchOffsets reports it: "-1" when the group has none. */
export interface CommittedOffset {
  readonly partition: number;
  readonly offset: string;
}

export interface OffsetPlan {
  /** Spark's `startingOffsets` option: `{"<topic>":{"<partition>":<offset>,...}}`. */
  readonly startingOffsets: string;
  /** Partitions started from the group's offset. */
  readonly resumed: readonly number[];
  /** Partitions the group has no offset for, started at `whenNone`. */
  readonly defaulted: readonly number[];
  /** Committed offsets outside what the partition holds now, and where the partition starts instead. */
  readonly clamped: readonly { partition: number; committed: string; startsAt: string }[];
  /** Partitions the group has offsets for but the topic no longer has. */
  readonly ignored: readonly number[];
  /** One line for the logs and the caller. */
  readonly summary: string;
}

const SPARK_EARLIEST = -2n;
const SPARK_LATEST = -1n;

export function planStartingOffsets(
  topic: string,
  partitions: readonly PartitionRange[],
  committed: readonly CommittedOffset[],
  whenNone: WhenNone,
): OffsetPlan {
  if (partitions.length === 0) {
    throw new Error(`Topic ${topic} has no partitions on this cluster; is it created?`);
  }
  const byPartition = new Map(
    committed.filter((c) => BigInt(c.offset) >= 0n).map((c) => [c.partition, BigInt(c.offset)]),
  );
  // Offsets are Kafka longs: kept as bigint and written into the JSON digit for digit.
  const offsets: [number, bigint][] = [];
  const resumed: number[] = [];
  const defaulted: number[] = [];
  const clamped: { partition: number; committed: string; startsAt: string }[] = [];
  for (const p of [...partitions].sort((a, b) => a.partition - b.partition)) {
    const offset = byPartition.get(p.partition);
    if (offset === undefined) {
      offsets.push([p.partition, whenNone === 'earliest' ? SPARK_EARLIEST : SPARK_LATEST]);
      defaulted.push(p.partition);
      continue;
    }
    const low = BigInt(p.low);
    const high = BigInt(p.high);
    // Below the retained range: those records are gone (retention); start at what is left.
    // Past the log end: nothing there to resume from; start at the end.
    const start = offset < low ? low : offset > high ? high : offset;
    if (start !== offset)
      clamped.push({ partition: p.partition, committed: String(offset), startsAt: String(start) });
    offsets.push([p.partition, start]);
    resumed.push(p.partition);
  }
  const present = new Set(partitions.map((p) => p.partition));
  const ignored = [...byPartition.keys()].filter((p) => !present.has(p)).sort((a, b) => a - b);
  const parts = [
    `${topic}: ${resumed.length} of ${partitions.length} partitions from the group's offsets`,
    defaulted.length > 0 ? `${defaulted.length} with none at ${whenNone} (${defaulted.join(', ')})` : '',
    clamped.length > 0
      ? `${clamped.length} outside the retained range moved (${clamped.map((c) => `${c.partition}: ${c.committed} -> ${c.startsAt}`).join(', ')})`
      : '',
    ignored.length > 0 ? `offsets of partitions the topic no longer has ignored (${ignored.join(', ')})` : '',
  ].filter(Boolean);
  return {
    startingOffsets: `{${JSON.stringify(topic)}:{${offsets.map(([p, o]) => `"${p}":${o}`).join(',')}}}`,
    resumed,
    defaulted,
    clamped,
    ignored,
    summary: parts.join('; '),
  };
}
