# Waits until the database and the cache take writes: the instance has no
# ReadReplicaSourceDBInstanceIdentifier AND is available or backing-up (a stale
# "available" read before the promotion shows is not enough; a replica that could not be
# promoted yet because it was backing-up is promoted from here), and the cache group is
# available and primary or standalone. A failover that has not made this member
# primary after FallbackSeconds is given up for a disassociation; in a failover
# (not a failback) the database's writes then resume without the cache, which is
# reported NOT WRITABLE with the fix (CacheWritable false). The step ends
# before the 600 s limit of aws:executeScript; maxAttempts repeats it.
#
# The failback's replication drain is its own step before StartSwitch (WaitForDrain, drain.py):
# the promotion and the Global Datastore failover cannot be undone.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def database_state(db):
    """Standalone and taking writes; on the way, requests the promotion once RDS can take it
    (a replica that was backing-up when StartSwitch ran could not be promoted then)."""
    if not db:
        return True, "no replica in this environment"
    standalone, text = ensure_promotion(db)
    if not standalone:
        return False, text
    instance = client("rds").describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]
    status = instance.get("DBInstanceStatus")
    # backing-up without a source: promoted and taking writes while RDS takes a backup.
    ok = status in ("available", "backing-up")
    return ok, f"{db} {status}, standalone"


def try_disassociate(ec, datastore, group, here):
    try:
        ec.disassociate_global_replication_group(
            GlobalReplicationGroupId=datastore, ReplicationGroupId=group, ReplicationGroupRegion=here
        )
        return "disassociated it"
    except Exception as error:
        # InvalidGlobalReplicationGroupState while a failover that cannot finish keeps it modifying.
        return f"could not disassociate it ({describe_error(error)})"


def cache_state(events, started_at):
    datastore, group, here = events.get("GlobalDatastore"), events.get("CacheGroup"), events.get("Region")
    if not datastore:
        return True, "no Global Datastore in this environment"
    ec = client("elasticache")
    rg = ec.describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0]
    info = rg.get("GlobalReplicationGroupInfo") or {}
    role = role_of(info.get("GlobalReplicationGroupMemberRole")) if info.get("GlobalReplicationGroupId") else "STANDALONE"
    status = rg.get("Status")
    if status == "available" and role in ("PRIMARY", "STANDALONE"):
        return True, f"{group} {status}, {role.lower()}"
    fallback = int(events.get("FallbackSeconds", 300))
    if (
        as_bool(events.get("AllowDisassociate"))
        and role == "SECONDARY"
        and status == "available"
        and time.time() - started_at > fallback
    ):
        done = try_disassociate(ec, datastore, group, here)
        return False, f"{group} still secondary {fallback}s after the failover request; {done}"
    return False, f"{group} {status}, {str(role).lower()}"


def cache_unavailable(events, cache):
    datastore, group, here = events.get("GlobalDatastore"), events.get("CacheGroup"), events.get("Region")
    return (
        f"NOT WRITABLE: {cache}. Writes resumed on the database without waiting for the cache; the cache in {here} "
        f"is read-only (still a secondary of {datastore}) or unavailable, so writes to it fail. Fix: re-run this "
        f"runbook (it disassociates the cache when it can), or run: aws elasticache disassociate-global-replication-group "
        f"--region {here} --global-replication-group-id {datastore} --replication-group-id {group} "
        f"--replication-group-region {here} once the datastore is no longer modifying (if it stays modifying, "
        "AWS Support can end the stuck failover)."
    )


def handler(events, context):
    deadline = time.time() + int(events.get("WaitSeconds", 540))
    started_at = float(events.get("StartedAt") or time.time())
    poll = int(events.get("PollSeconds", 15))
    fallback = int(events.get("FallbackSeconds", 300))
    # A failover does not hold the database's writes back for the cache: once the database takes
    # writes and the cache has had FallbackSeconds, the cache is reported, not waited for.
    cache_optional = as_bool(events.get("AllowDisassociate"))
    while True:
        db_ok, db = database_state(events.get("Database"))
        cache_ok, cache = cache_state(events, started_at)
        if db_ok and cache_ok:
            return {"Database": db, "Cache": cache, "CacheWritable": True}
        if db_ok and cache_optional and time.time() - started_at > fallback:
            return {"Database": db, "Cache": cache_unavailable(events, cache), "CacheWritable": False}
        if time.time() + poll > deadline:
            raise Exception(
                f"Not writable yet: {db}; {cache}. The step repeats (maxAttempts); if it gives up, "
                "re-run the runbook: it resumes here without promoting again."
            )
        time.sleep(poll)
