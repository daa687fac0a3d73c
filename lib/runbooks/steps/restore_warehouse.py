# Restores the idle Redshift Serverless namespace from the newest snapshot copied
# from the writer's namespace, once per switch:
# - a copied snapshot's namespaceArn names the source namespace, whose region is
#   the writer's (unverified: Redshift Serverless Snapshot shape, namespaceArn);
#   the standby's own old snapshots carry this region and are not chosen;
# - manageAdminPassword with this region's key: without it the namespace takes
#   the admin credentials of the snapshot time, whose secret is in the writer's
#   region (Redshift Serverless API reference, RestoreFromSnapshot);
# - the namespace is tagged with this switch before and after the restore call;
#   a namespace already restored for this switch may have taken writes since and
#   is never restored again;
# - in a failback the namespace restored over was the writer's until the outage and
#   may hold writes never copied out: a manual snapshot of it (KeepSnapshot, kept
#   KeepSnapshotDays, tagged with this switch) is taken first and must be AVAILABLE
#   before the restore; a re-run finds it by name (Redshift Serverless API reference,
#   CreateSnapshot: retentionPeriod in days, tags).
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file

TAG = "dra:restored-for"
STATE = "dra:restore-state"


def snapshot_time(snapshot):
    value = snapshot.get("snapshotCreateTime")
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def copied_snapshots(rs, writer):
    found, token = [], None
    while True:
        page = rs.list_snapshots(**({"nextToken": token} if token else {}))
        found += [
            s for s in page.get("snapshots", [])
            if s.get("status") == "AVAILABLE" and region_of_arn(s.get("namespaceArn")) == writer
        ]
        token = page.get("nextToken")
        if not token:
            return found


def keep_snapshot(rs, events, namespace, switch):
    """Snapshot of what is about to be overwritten; '' when not asked for. Waits until it is AVAILABLE."""
    name = events.get("KeepSnapshot")
    if not name:
        return ""
    try:
        snapshot = rs.get_snapshot(snapshotName=name)["snapshot"]
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        rs.create_snapshot(
            namespaceName=namespace,
            snapshotName=name,
            retentionPeriod=int(events["KeepSnapshotDays"]),
            tags=[
                {"key": "dra:kept-before", "value": switch},
                {"key": "dra:kept-by", "value": events["Execution"]},
            ],
        )
        snapshot = rs.get_snapshot(snapshotName=name)["snapshot"]
    deadline = time.time() + int(events.get("WaitSeconds", 240))
    poll = int(events.get("PollSeconds", 15))
    while snapshot.get("status") != "AVAILABLE":
        if snapshot.get("status") in ("FAILED", "CANCELLED", "DELETED"):
            raise Exception(
                f"The snapshot {name} of {namespace}, taken before restoring over it, is {snapshot.get('status')}. "
                f"Delete it (aws redshift-serverless delete-snapshot --snapshot-name {name}) and re-run the runbook; "
                "it is not restored over without one."
            )
        if time.time() + poll > deadline:
            raise Exception(
                f"The snapshot {name} of {namespace} is still {snapshot.get('status')}; the step repeats, and a re-run "
                "of the runbook waits for the same snapshot. The namespace is not restored over before it is AVAILABLE."
            )
        time.sleep(poll)
        snapshot = rs.get_snapshot(snapshotName=name)["snapshot"]
    return name


def handler(events, context):
    rs = client("redshift-serverless")
    namespace, switch = events["Namespace"], events["SwitchId"]
    ns = rs.get_namespace(namespaceName=namespace)["namespace"]
    arn = ns["namespaceArn"]
    tags = {t["key"]: t["value"] for t in rs.list_tags_for_resource(resourceArn=arn).get("tags", [])}
    if tags.get(TAG) == switch:
        if tags.get(STATE) == "requested" or ns.get("status") != "AVAILABLE":
            return {
                "Snapshot": tags.get("dra:restored-snapshot", "?"),
                "KeptSnapshot": events.get("KeepSnapshot") or "",
                "Result": f"{namespace} was restored for {switch} already (by {tags.get('dra:restored-by', '?')}); "
                "not restoring again over writes it may have taken since",
            }
    kept = keep_snapshot(rs, events, namespace, switch)
    snapshots = copied_snapshots(rs, events["WriterRegion"])
    if not snapshots:
        raise Exception(
            f"No AVAILABLE snapshot copied from {events['WriterRegion']} in this region; "
            "check the namespace's snapshot copy configuration and restore by hand (docs/runbooks)."
        )
    newest = max(snapshots, key=snapshot_time)
    key = client("kms").describe_key(KeyId=events["KeyAlias"])["KeyMetadata"]["Arn"]
    record = [
        {"key": TAG, "value": switch},
        {"key": "dra:restored-by", "value": events["Execution"]},
        {"key": "dra:restored-snapshot", "value": newest["snapshotName"]},
    ]
    rs.tag_resource(resourceArn=arn, tags=record + [{"key": STATE, "value": "starting"}])
    rs.restore_from_snapshot(
        namespaceName=namespace,
        workgroupName=events["Workgroup"],
        snapshotArn=newest["snapshotArn"],
        manageAdminPassword=True,
        adminPasswordSecretKmsKeyId=key,
    )
    rs.tag_resource(resourceArn=arn, tags=[{"key": STATE, "value": "requested"}])
    kept_note = f"; what it held before is kept in snapshot {kept}" if kept else ""
    return {
        "Snapshot": newest["snapshotName"],
        "KeptSnapshot": kept,
        "Result": f"restoring {namespace} from {newest['snapshotName']} taken {snapshot_time(newest)}{kept_note}",
    }
