"""Job 04's resume across a failover, in python3 with a stand-in for pyspark (Spark is never run
in the tests). A topic is {partition: [row, ...]} in offset order for one sample file. The
producer writes rows one at a time in file order, each to the partition its key hashes to (a fixed
assignment here); the Replicator copies every partition independently, so at the outage the target
holds a prefix of each source partition, of any length. Prints JSON for
test/lib/streaming-processing.spec.ts."""
import itertools
import json
import sys
import types


class Any:
    def __init__(self, *a, **k):
        pass

    def __call__(self, *a, **k):
        return Any()

    def __getattr__(self, name):
        return Any()


class Stub(types.ModuleType):
    def __getattr__(self, name):
        return Any


for m in ["pyspark", "pyspark.sql", "pyspark.sql.functions", "pyspark.sql.types", "pyspark.sql.streaming"]:
    sys.modules[m] = Stub(m)
sys.path.insert(0, sys.argv[1])
import sales_common as c  # noqa: E402


def resume(topic):
    """What job 04 computes from the topic: the per-partition maxima its Spark read returns."""
    maxima = {p: max(rows) for p, rows in topic.items() if rows}
    return c.resume_row(maxima, sorted(topic))


def replay(topic, assign, rows, stop=None):
    """Job 04 (re)started on `topic`: resumes after resume(topic), writes rows up to `stop`."""
    after = resume(topic)
    for row in range(after + 1, rows if stop is None else stop):
        topic[assign[row]].append(row)
    return after


def lost(topic, rows):
    present = {row for written in topic.values() for row in written}
    return [row for row in range(rows) if row not in present]


def failover(source, cut):
    """The target at the outage: a prefix of each source partition, cut[p] records long."""
    return {p: list(source[p][: cut[p]]) for p in source}


out = {}

# Six partitions (topicC in prod). Row 6 goes to partition 0, row 7 to partition 3. At the outage
# the Replicator has copied row 7 (partition 3) but not row 6 (partition 0).
assign = [0, 3, 1, 5, 2, 4, 0, 3, 1, 5, 2, 4]
source = {p: [] for p in range(6)}
replay(source, assign, 8)
target = failover(source, {0: 1, 1: 1, 2: 1, 3: 2, 4: 1, 5: 1})
out["interleaved"] = {"resumeAfter": replay(target, assign, len(assign)), "lost": lost(target, len(assign))}

# A partition the Replicator copied nothing of (row 3 on partition 5 missing).
source = {p: [] for p in range(6)}
replay(source, assign, 10)
target = failover(source, {0: 2, 1: 2, 2: 2, 3: 2, 4: 1, 5: 0})
out["partitionWithoutRecord"] = {"resumeAfter": replay(target, assign, len(assign)), "lost": lost(target, len(assign))}

out["emptyTopic"] = c.resume_row({}, list(range(6)))
out["noPartitions"] = c.resume_row({}, [])

# Every case on three partitions and nine rows: the job stops after `stop` rows, EMR Serverless
# retries it on the same cluster (which writes some rows again: duplicates, out of row order in a
# partition), and then the region fails over at every possible per-partition cut.
assign = [0, 1, 2, 1, 0, 2, 2, 0, 1]
cases, losing = 0, []
for stop in range(len(assign) + 1):
    source = {p: [] for p in range(3)}
    replay(source, assign, len(assign), stop)
    replay(source, assign, len(assign))
    for lengths in itertools.product(*(range(len(source[p]) + 1) for p in range(3))):
        target = failover(source, dict(enumerate(lengths)))
        replay(target, assign, len(assign))
        cases += 1
        missing = lost(target, len(assign))
        if missing:
            losing.append({"stop": stop, "cut": list(lengths), "lost": missing})
out["exhaustive"] = {"cases": cases, "losing": losing[:3], "losingCount": len(losing)}

print(json.dumps(out))
