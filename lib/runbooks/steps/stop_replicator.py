# Deletes the MSK Replicator that copies from this region's cluster into the new
# writer's (it lives in the new writer's region, its target). Records written
# here while fenced then stay here. The next deploy creates the Replicator in
# the opposite direction.


def handler(events, context):
    region, name, here = events["NewWriter"], events["Replicator"], events["Region"]
    try:
        kafka = client("kafka", region, quick=True)
        found = [
            r for r in kafka.list_replicators(ReplicatorNameFilter=name).get("Replicators", [])
            if r.get("ReplicatorName") == name
        ]
        deleted = []
        for replicator in found:
            arn = replicator["ReplicatorArn"]
            detail = kafka.describe_replicator(ReplicatorArn=arn)
            # ReplicationInfoList names the source by alias; KafkaClusters holds each cluster's ARN
            # under its alias (DescribeReplicator, client-kafka ReplicationInfoDescription, KafkaClusterDescription).
            aliases = {i.get("SourceKafkaClusterAlias") for i in detail.get("ReplicationInfoList", [])}
            sources = [
                c.get("AmazonMskCluster", {}).get("MskClusterArn", "")
                for c in detail.get("KafkaClusters", [])
                if c.get("KafkaClusterAlias") in aliases
            ]
            if detail.get("ReplicatorState") == "DELETING":
                deleted.append(f"{name} deleting already")
            elif any(region_of_arn(s) == here for s in sources):
                kafka.delete_replicator(ReplicatorArn=arn)
                deleted.append(f"{name} in {region} (from {here}) deleted")
        return {"Ok": True, "Result": "; ".join(deleted) or f"no Replicator {name} from {here} in {region}"}
    except Exception as error:
        return {"Ok": False, "Result": f"could not stop the Replicator {name} in {region}: {describe_error(error)}"}
