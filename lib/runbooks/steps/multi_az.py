# Converts the promoted instance to Multi-AZ, as the writer was; skipped when it
# is Multi-AZ already or the change is pending.


def handler(events, context):
    db = events["Database"]
    rds = client("rds")
    instance = rds.describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]
    if instance.get("MultiAZ"):
        return {"Result": f"{db} is Multi-AZ already"}
    if (instance.get("PendingModifiedValues") or {}).get("MultiAZ"):
        return {"Result": f"{db} conversion to Multi-AZ is pending already"}
    rds.modify_db_instance(DBInstanceIdentifier=db, MultiAZ=True, ApplyImmediately=True)
    return {"Result": f"{db} converting to Multi-AZ (runs in the background)"}
