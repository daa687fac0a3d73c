# Restores the newest cluster snapshot copied from the writer's region into a
# new cluster named for this switch, next to the idle cluster whose network,
# parameter group and roles it takes. The name makes it idempotent: a cluster of
# that name exists after an earlier run of this switch and is not restored again.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    redshift = client("redshift")
    name, source, target = events["Cluster"], events["SourceRegion"], events["Target"]
    try:
        existing = redshift.describe_clusters(ClusterIdentifier=target)["Clusters"][0]
        return {"ClusterId": target, "Result": f"{target} exists already ({existing.get('ClusterStatus')}); not restoring again"}
    except ClientError as error:
        if error_code(error) != "ClusterNotFound":
            raise
    snapshots, marker = [], None
    while True:
        page = redshift.describe_cluster_snapshots(ClusterIdentifier=name, **({"Marker": marker} if marker else {}))
        snapshots += [s for s in page.get("Snapshots", []) if s.get("Status") == "available" and s.get("SourceRegion") == source]
        marker = page.get("Marker")
        if not marker:
            break
    if not snapshots:
        raise Exception(f"No available snapshot of {name} copied from {source} in this region; restore by hand.")
    newest = max(snapshots, key=lambda s: str(s["SnapshotCreateTime"]))
    idle = redshift.describe_clusters(ClusterIdentifier=name)["Clusters"][0]
    redshift.restore_from_cluster_snapshot(
        ClusterIdentifier=target,
        SnapshotIdentifier=newest["SnapshotIdentifier"],
        ClusterSubnetGroupName=idle["ClusterSubnetGroupName"],
        VpcSecurityGroupIds=[g["VpcSecurityGroupId"] for g in idle["VpcSecurityGroups"]],
        ClusterParameterGroupName=idle["ClusterParameterGroups"][0]["ParameterGroupName"],
        IamRoles=[r["IamRoleArn"] for r in idle.get("IamRoles", [])],
        NodeType=idle["NodeType"],
        NumberOfNodes=idle["NumberOfNodes"],
        PubliclyAccessible=False,
        EnhancedVpcRouting=True,
        ManageMasterPassword=True,
        MasterPasswordSecretKmsKeyId=events["KeyAlias"],
    )
    return {"ClusterId": target, "Result": f"restoring {target} from {newest['SnapshotIdentifier']}"}
