from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    cluster = client("redshift").describe_clusters(ClusterIdentifier=events["ClusterId"])["Clusters"][0]
    endpoint = cluster["Endpoint"]["Address"] + ":" + str(cluster["Endpoint"]["Port"])
    client("ssm").put_parameter(Name=events["Parameter"], Value=endpoint, Type="String", Overwrite=True)
    return {"Endpoint": endpoint}
