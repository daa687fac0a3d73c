import { planStartingOffsets } from '../../lambda/job-submission/starting-offsets';

/** Partitions 0..n-1 holding offsets [low, high). */
const partitions = (n: number, low = '0', high = '1000') =>
  Array.from({ length: n }, (_, partition) => ({ partition, low, high }));

describe('starting offsets planned from a consumer group', () => {
  it("starts every partition at the group's committed offset (the next record to read)", () => {
    const plan = planStartingOffsets(
      'topicC',
      partitions(3),
      [
        { partition: 0, offset: '120' },
        { partition: 1, offset: '7' },
        { partition: 2, offset: '1000' },
      ],
      'earliest',
    );
    expect(JSON.parse(plan.startingOffsets)).toEqual({ topicC: { '0': 120, '1': 7, '2': 1000 } });
    expect(plan.resumed).toEqual([0, 1, 2]);
    expect(plan.defaulted).toEqual([]);
    expect(plan.summary).toBe("topicC: 3 of 3 partitions from the group's offsets");
  });

  it('gives a partition the group has no offset for (kafkajs says -1) the configured start', () => {
    const committed = [
      { partition: 0, offset: '50' },
      { partition: 1, offset: '-1' },
    ];
    const earliest = planStartingOffsets('topicC', partitions(2), committed, 'earliest');
    expect(JSON.parse(earliest.startingOffsets)).toEqual({ topicC: { '0': 50, '1': -2 } });
    const latest = planStartingOffsets('topicC', partitions(2), committed, 'latest');
    expect(JSON.parse(latest.startingOffsets)).toEqual({ topicC: { '0': 50, '1': -1 } });
    expect(latest.defaulted).toEqual([1]);
    expect(latest.summary).toContain('1 with none at latest (1)');
  });

  it('covers partitions added to the topic after the last commit (Spark wants every partition)', () => {
    const plan = planStartingOffsets(
      'topicC',
      partitions(6),
      [0, 1, 2].map((partition) => ({ partition, offset: '300' })),
      'earliest',
    );
    expect(JSON.parse(plan.startingOffsets)).toEqual({
      topicC: { '0': 300, '1': 300, '2': 300, '3': -2, '4': -2, '5': -2 },
    });
    expect(plan.defaulted).toEqual([3, 4, 5]);
  });

  it('starts every partition at the configured start for an empty (or unknown) group', () => {
    expect(JSON.parse(planStartingOffsets('topicC', partitions(2), [], 'latest').startingOffsets)).toEqual({
      topicC: { '0': -1, '1': -1 },
    });
    expect(planStartingOffsets('topicC', partitions(2), [], 'earliest').resumed).toEqual([]);
  });

  it('moves an offset outside the retained range to its edge, and says so', () => {
    const plan = planStartingOffsets(
      'topicC',
      partitions(2, '500', '900'),
      [
        { partition: 0, offset: '20' },
        { partition: 1, offset: '950' },
      ],
      'earliest',
    );
    expect(JSON.parse(plan.startingOffsets)).toEqual({ topicC: { '0': 500, '1': 900 } });
    expect(plan.clamped).toEqual([
      { partition: 0, committed: '20', startsAt: '500' },
      { partition: 1, committed: '950', startsAt: '900' },
    ]);
    expect(plan.summary).toContain('2 outside the retained range moved (0: 20 -> 500, 1: 950 -> 900)');
  });

  it('ignores offsets of partitions the topic no longer has', () => {
    const plan = planStartingOffsets(
      'topicC',
      partitions(1),
      [
        { partition: 0, offset: '1' },
        { partition: 4, offset: '9' },
      ],
      'earliest',
    );
    expect(JSON.parse(plan.startingOffsets)).toEqual({ topicC: { '0': 1 } });
    expect(plan.ignored).toEqual([4]);
  });

  it('writes offsets beyond 2^53 digit for digit (Kafka offsets are longs)', () => {
    const big = '9007199254740993';
    const plan = planStartingOffsets(
      'topicC',
      partitions(1, '0', '9007199254741000'),
      [{ partition: 0, offset: big }],
      'earliest',
    );
    expect(plan.startingOffsets).toBe(`{"topicC":{"0":${big}}}`);
  });

  it("orders partitions and names the topic in Spark's JSON shape", () => {
    const shuffled = [2, 0, 1].map((partition) => ({ partition, low: '0', high: '10' }));
    expect(planStartingOffsets('sales.v1', shuffled, [], 'earliest').startingOffsets).toBe(
      '{"sales.v1":{"0":-2,"1":-2,"2":-2}}',
    );
  });

  it('refuses a topic with no partitions on this cluster', () => {
    expect(() => planStartingOffsets('topicC', [], [], 'earliest')).toThrow(
      /Topic topicC has no partitions on this cluster/,
    );
  });
});
