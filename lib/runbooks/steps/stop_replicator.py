# Deletes the MSK Replicator that copies from this region's cluster into the new
# writer's (it lives in the new writer's region, its target), and waits a bounded
# time until it is gone, so that records written here while fenced stay here. The
# next deploy creates the Replicator in the opposite direction.
#
# DescribeReplicator names its clusters in KafkaClusters[] (AmazonMskCluster.MskClusterArn,
# KafkaClusterAlias) and each replication in ReplicationInfoList[] by alias
# (SourceKafkaClusterAlias, TargetKafkaClusterAlias): the source cluster's ARN is found
# through its alias (client-kafka DescribeReplicatorCommand, ReplicationInfoDescription).
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def source_regions(detail):
    """The regions of the clusters this Replicator replicates from."""
    arns = {
        c.get("KafkaClusterAlias"): (c.get("AmazonMskCluster") or {}).get("MskClusterArn", "")
        for c in detail.get("KafkaClusters", [])
    }
    return {region_of_arn(arns.get(i.get("SourceKafkaClusterAlias"), "")) for i in detail.get("ReplicationInfoList", [])}


def gone_or_deleting(kafka, arn):
    try:
        return kafka.describe_replicator(ReplicatorArn=arn).get("ReplicatorState")
    except ClientError as error:
        if error_code(error) == "NotFoundException":
            return "GONE"
        raise


def request_deletion(kafka, name, here, region):
    """(ARNs being deleted, notes): asks once for the deletion of each Replicator of that name in
    `region` that copies from `here`; one already DELETING is not asked again. Also called by
    StartSwitch in a failover, so the deletion runs during the promotion (start_switch.py)."""
    found = [
        r for r in kafka.list_replicators(ReplicatorNameFilter=name).get("Replicators", [])
        if r.get("ReplicatorName") == name
    ]
    deleting, notes = [], []
    for replicator in found:
        arn = replicator["ReplicatorArn"]
        detail = kafka.describe_replicator(ReplicatorArn=arn)
        if here not in source_regions(detail):
            notes.append(f"{name} in {region} does not copy from {here}; left alone")
            continue
        if detail.get("ReplicatorState") != "DELETING":
            kafka.delete_replicator(ReplicatorArn=arn)
        deleting.append(arn)
    return deleting, notes


def handler(events, context):
    region, name, here = events["NewWriter"], events["Replicator"], events["Region"]
    wait = int(events.get("WaitSeconds", 150))
    poll = int(events.get("PollSeconds", 15))
    try:
        kafka = client("kafka", region, quick=True)
        deleting, notes = request_deletion(kafka, name, here, region)
        if not deleting:
            return {"Ok": True, "Result": "; ".join(notes) or f"{name} in {region} is gone (or never was): nothing copies from {here}"}
        deadline = time.time() + wait
        while True:
            states = {arn: gone_or_deleting(kafka, arn) for arn in deleting}
            left = [arn for arn, state in states.items() if state != "GONE"]
            if not left:
                return {"Ok": True, "Result": f"{name} in {region} (copying from {here}) deleted"}
            if time.time() + poll > deadline:
                return {
                    "Ok": True,
                    "Result": f"{name} in {region} (copying from {here}) is DELETING (deletion requested; "
                    f"not gone after {wait}s: check aws kafka list-replicators --region {region})",
                }
            time.sleep(poll)
    except Exception as error:
        return {"Ok": False, "Result": f"could not stop the Replicator {name} in {region}: {describe_error(error)}"}
