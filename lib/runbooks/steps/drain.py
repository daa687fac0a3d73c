# The failback's drain: before the region taking over takes writes, and before anything cuts
# replication (StopReplicator, the fence's DisableReplication), what the fenced writer wrote
# to S3 and to its Kafka topics must have arrived here. Proven from the metrics AWS publishes
# in this region, the destination's and the Replicator target's:
# - S3 OperationsPendingReplication per rule (AWS/S3; SourceBucket, DestinationBucket, RuleId),
#   published in the destination bucket's region (S3 user guide, "Using S3 Replication metrics",
#   repl-metrics.html);
# - MSK Replicator MessageLag (AWS/Kafka; ReplicatorName), published in the target cluster's
#   region: the messages produced to the source that the Replicator has not consumed yet; it
#   "can be monitored until the message count reaches 0, indicating the Replicator has caught
#   up" (MSK developer guide, msk-replicator-metrics-ref).
# Drained when, for each, the newest datapoint that starts at or after the fence (FencedAt) is
# 0. A datapoint that starts before the fence, or none at all, proves nothing: a missing
# datapoint is never read as 0.
from datetime import datetime, timezone

from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def queries(drain):
    """(id, what, GetMetricData query) per S3 rule and for the Replicator."""
    found = []
    for i, rule in enumerate(drain.get("Rules") or []):
        dimensions = [
            {"Name": "SourceBucket", "Value": rule["SourceBucket"]},
            {"Name": "DestinationBucket", "Value": rule["DestinationBucket"]},
            {"Name": "RuleId", "Value": rule["RuleId"]},
        ]
        what = f"S3 rule {rule['RuleId']} {rule['SourceBucket']} -> {rule['DestinationBucket']}"
        found.append((f"s3{i}", what, "AWS/S3", "OperationsPendingReplication", dimensions, "operations pending"))
    if drain.get("Replicator"):
        dimensions = [{"Name": "ReplicatorName", "Value": drain["Replicator"]}]
        found.append(("kafka", f"MSK Replicator {drain['Replicator']}", "AWS/Kafka", "MessageLag", dimensions, "messages not yet consumed (MessageLag)"))
    return found


def drain_state(drain, fenced_at, region):
    """(drained, pending lines, summary): what is still on its way here, per rule and for the Replicator."""
    wanted = queries(drain)
    if not wanted:
        return True, [], "nothing replicates here"
    now = time.time()
    answer = client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": qid,
                "MetricStat": {
                    "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dims},
                    "Period": 60,
                    "Stat": "Maximum",
                },
                "ReturnData": True,
            }
            for qid, _, namespace, metric, dims, _ in wanted
        ],
        StartTime=datetime.fromtimestamp(fenced_at - 60, timezone.utc),
        EndTime=datetime.fromtimestamp(now, timezone.utc),
        ScanBy="TimestampDescending",
    )
    results = {r.get("Id"): r for r in answer.get("MetricDataResults", [])}
    pending = []
    for qid, what, _, metric, _, unit in wanted:
        result = results.get(qid) or {}
        points = [
            (stamp.timestamp() if hasattr(stamp, "timestamp") else datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp(), value)
            for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []))
        ]
        since = sorted((p for p in points if p[0] >= fenced_at), reverse=True)
        if not since:
            pending.append(f"{what}: no {metric} datapoint in {region} since the fence")
        elif since[0][1] > 0:
            pending.append(f"{what}: {since[0][1]:.0f} {unit}")
    s3_rules = len(drain.get("Rules") or [])
    parts = []
    if s3_rules:
        stuck = [p for p in pending if p.startswith("S3 ")]
        parts.append(
            f"S3: nothing pending on the {s3_rules} rules into {region} since the fence" if not stuck else f"S3: {'; '.join(stuck)}"
        )
    if drain.get("Replicator"):
        stuck = [p for p in pending if p.startswith("MSK ")]
        parts.append(f"MSK Replicator {drain['Replicator']}: MessageLag 0" if not stuck else "; ".join(stuck))
    return not pending, pending, ". ".join(parts)


def handler(events, context):
    """The failback's WaitForDrain step: polls until drained, within WaitSeconds per attempt.
    Runs BEFORE StartSwitch: nothing is promoted, failed over or cut while it waits, so a
    failure here leaves the writer region fenced and nothing else changed. Past BoundSeconds
    after the fence it fails naming what is pending, unless Force=true (then it says what it
    overrides, and the switch goes on)."""
    here, other = events.get("Region"), events.get("OtherRegion")
    fenced_at = float(events.get("FencedAt") or 0)
    bound = int(events.get("BoundSeconds", 1200))
    deadline = time.time() + int(events.get("WaitSeconds", 540))
    poll = int(events.get("PollSeconds", 30))
    while True:
        drained, pending, summary = drain_state(events, fenced_at, here)
        if drained:
            return {"Drained": summary}
        if time.time() - fenced_at >= bound:
            if as_bool(events.get("Force")):
                return {
                    "Drained": f"Force=true overrides the drain: switching without {'; '.join(pending)} ({bound}s after "
                    f"the fence). What was not replicated is still in {other}: copy the objects with S3 Batch "
                    "Replication and the records by hand before re-seeding it (docs/runbooks/failback.md)"
                }
            raise Exception(
                f"Replication into {here} not drained {bound}s after the fence: {'; '.join(pending)}. Nothing was "
                f"promoted, failed over or cut yet; {other} stays fenced (its record names {here}, its database is "
                f"read-only). Once it drains (something in {other} may still be writing: stop it), re-run the runbook; "
                "to switch without it, accepting that what is pending is missing here until copied by hand, re-run "
                f"with Force=true; to give up the failback, undo the fence (docs/runbooks/failback.md, \"If it fails before StartSwitch\")."
            )
        if time.time() + poll > deadline:
            raise Exception(
                f"Not drained yet ({'; '.join(pending)}); the step repeats until {bound}s after the fence."
            )
        time.sleep(poll)
