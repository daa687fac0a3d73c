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
#   is never restored again.

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
                "Result": f"{namespace} was restored for {switch} already (by {tags.get('dra:restored-by', '?')}); "
                "not restoring again over writes it may have taken since",
            }
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
    return {
        "Snapshot": newest["snapshotName"],
        "Result": f"restoring {namespace} from {newest['snapshotName']} taken {snapshot_time(newest)}",
    }
