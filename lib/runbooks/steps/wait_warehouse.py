# Waits until the restored warehouse is available again; repeats by maxAttempts.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def state(events):
    if events.get("Mode") == "provisioned":
        cluster = client("redshift").describe_clusters(ClusterIdentifier=events["Cluster"])["Clusters"][0]
        return cluster.get("ClusterStatus") == "available", f"{events['Cluster']} {cluster.get('ClusterStatus')}"
    rs = client("redshift-serverless")
    ns = rs.get_namespace(namespaceName=events["Namespace"])["namespace"].get("status")
    wg = rs.get_workgroup(workgroupName=events["Workgroup"])["workgroup"].get("status")
    return ns == "AVAILABLE" and wg == "AVAILABLE", f"namespace {ns}, workgroup {wg}"


def handler(events, context):
    deadline = time.time() + int(events.get("WaitSeconds", 540))
    poll = int(events.get("PollSeconds", 30))
    while True:
        ok, detail = state(events)
        if ok:
            return {"Status": detail}
        if time.time() + poll > deadline:
            raise Exception(f"Warehouse not available yet ({detail}); the step repeats, and a re-run resumes here.")
        time.sleep(poll)
