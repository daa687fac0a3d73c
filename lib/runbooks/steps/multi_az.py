# Converts the promoted instance to Multi-AZ, as the writer was; skipped when it
# is Multi-AZ already or the change is pending. ModifyDBInstance needs the instance
# available (InvalidDBInstanceState otherwise), so a promoted instance that is still
# backing-up is waited for; the step ends before the 600 s limit and maxAttempts repeats it.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    db = events["Database"]
    rds = client("rds")
    deadline = time.time() + int(events.get("WaitSeconds", 540))
    poll = int(events.get("PollSeconds", 15))
    while True:
        instance = rds.describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]
        status = instance.get("DBInstanceStatus")
        if status == "available" or instance.get("MultiAZ"):
            break
        if time.time() + poll > deadline:
            raise Exception(
                f"{db} is {status}, not available, so it cannot be converted to Multi-AZ yet. The step repeats; "
                f"if it gives up, run: aws rds modify-db-instance --db-instance-identifier {db} --multi-az --apply-immediately"
            )
        time.sleep(poll)
    if instance.get("MultiAZ"):
        return {"Result": f"{db} is Multi-AZ already"}
    if (instance.get("PendingModifiedValues") or {}).get("MultiAZ"):
        return {"Result": f"{db} conversion to Multi-AZ is pending already"}
    rds.modify_db_instance(DBInstanceIdentifier=db, MultiAZ=True, ApplyImmediately=True)
    return {"Result": f"{db} converting to Multi-AZ (runs in the background)"}
