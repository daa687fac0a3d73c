# Starts the slow asynchronous operations together, each only if it is not done
# or under way already, so a re-run never promotes twice:
# - PromoteReadReplica needs "an existing read replica" and fails with
#   InvalidDBInstanceState otherwise (RDS API reference, PromoteReadReplica);
# - FailoverGlobalReplicationGroup makes this region's member primary; when it
#   errors or times out (the other region cannot take part) this member is
#   disassociated instead, the documented way to make a secondary standalone
#   (ElastiCache API reference, DisassociateGlobalReplicationGroup); in a failover
#   whose writer region does not answer, it is disassociated without trying a
#   failover, which could be accepted and never finish;
# - StartApplication warms the Spark application for the streaming jobs.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def promote(db):
    rds = client("rds")
    instance = rds.describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]
    status = instance.get("DBInstanceStatus")
    if not instance.get("ReadReplicaSourceDBInstanceIdentifier"):
        return f"{db} is already a standalone writer (status {status}); not promoting again"
    source = instance["ReadReplicaSourceDBInstanceIdentifier"]
    # States a promotion passes through (it shows as modifying, then may reboot and back up);
    # anything else (storage-full, stopped, incompatible-parameters, failed, ...) never ends in a
    # promotion by waiting (RDS user guide, DB instance status: Overview.DBInstance.Status.html).
    if status in ("modifying", "rebooting", "backing-up"):
        return f"{db} is {status}: its promotion is under way (or it is busy); WaitForWrites waits for it"
    if status != "available":
        raise Exception(
            f"{db} is '{status}' and still a read replica of {source}: no promotion is under way and none can start "
            f"in this state. Fix the instance first (its RDS events name the cause: e.g. start a stopped replica, "
            f"grow full storage, correct incompatible parameters) until it is available, then re-run the runbook."
        )
    try:
        # No BackupRetentionPeriod: the replica already keeps automated backups (its template sets
        # them), so the promotion takes no backup (API_PromoteReadReplica: "enable automated backups
        # on your read replica before promoting ... no backup is taken during the promotion process").
        rds.promote_read_replica(DBInstanceIdentifier=db)
    except ClientError as error:
        if error_code(error) == "InvalidDBInstanceState":
            return f"{db} refused a promotion ({describe_error(error)}): one is under way already"
        raise
    return f"promotion of {db} requested"


def cache_member(ec, group):
    rg = ec.describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0]
    info = rg.get("GlobalReplicationGroupInfo") or {}
    return rg, info.get("GlobalReplicationGroupId"), info.get("GlobalReplicationGroupMemberRole")


def datastore_state(ec, datastore, group, here):
    """(why nothing should be requested now or None, and which case: gone, leaving, primary or busy)."""
    try:
        found = ec.describe_global_replication_groups(GlobalReplicationGroupId=datastore, ShowMemberInfo=True)
    except ClientError as error:
        if error_code(error).startswith("GlobalReplicationGroupNotFound"):
            return f"{datastore} no longer exists; {group} is standalone", "gone"
        raise
    g = found["GlobalReplicationGroups"][0]
    member = [m for m in g.get("Members", []) if m.get("ReplicationGroupId") == group and m.get("ReplicationGroupRegion") == here]
    if not member:
        return f"{group} in {here} is being disassociated from {datastore} already", "leaving"
    if member[0].get("Role") == "PRIMARY":
        return f"{group} in {here} is the primary of {datastore} already", "primary"
    if g.get("Status") != "available":
        return f"{datastore} is {g.get('Status')}: a failover is under way (WaitForWrites disassociates if it does not finish)", "busy"
    return None, g.get("Status")


def region_answers(group, other):
    """Does ElastiCache in the writer's region answer at all (seconds, not minutes)?"""
    try:
        client("elasticache", other, quick=True).describe_replication_groups(ReplicationGroupId=group)
        return True, ""
    except ClientError:
        return True, ""  # it answered, even if with an error
    except Exception as error:
        return False, describe_error(error)


def disassociate(ec, datastore, group, here):
    """Disassociates this member; an error is reported, never raised (the database must not wait for the cache)."""
    try:
        ec.disassociate_global_replication_group(
            GlobalReplicationGroupId=datastore, ReplicationGroupId=group, ReplicationGroupRegion=here
        )
        return f"disassociated {group} in {here} from {datastore}"
    except Exception as error:
        return (
            f"could not disassociate {group} in {here} from {datastore} ({describe_error(error)}); the cache stays "
            "read-only here until it can be: WaitForWrites retries, and the database does not wait for it"
        )


def switch_cache(datastore, group, here, other, allow_disassociate):
    ec = client("elasticache")
    _, member_of, role = cache_member(ec, group)
    if not member_of:
        return f"{group} is standalone already (disassociated earlier); it takes writes on its own"
    if role == "PRIMARY":
        return f"{group} in {here} is already the primary of {datastore}"
    # The group keeps showing its membership while a disassociation or failover
    # is under way; the datastore's member list tells (DescribeGlobalReplicationGroups, ShowMemberInfo).
    under_way, case = datastore_state(ec, datastore, group, here)
    # While the writer's region is dark, a FailoverGlobalReplicationGroup may be accepted and
    # never finish (the datastore stays modifying, and DisassociateGlobalReplicationGroup is then
    # refused with InvalidGlobalReplicationGroupState): in a failover, disassociate directly.
    if allow_disassociate and other:
        answers, why = region_answers(group, other)
        if not answers:
            if case in ("gone", "leaving", "primary"):
                return under_way
            return f"{other} does not answer ({why}); not failing over: " + disassociate(ec, datastore, group, here)
    if under_way:
        return under_way
    try:
        client("elasticache", quick=True).failover_global_replication_group(
            GlobalReplicationGroupId=datastore, PrimaryRegion=here, PrimaryReplicationGroupId=group
        )
        return f"failover of {datastore} to {here} requested"
    except Exception as error:
        if not allow_disassociate:
            raise
        reason = describe_error(error)
    return f"failover refused or timed out ({reason}); " + disassociate(ec, datastore, group, here)


def start_spark(name):
    emr = client("emr-serverless")
    app = find_application(emr, name)
    if app is None:
        raise Exception(f"No EMR Serverless application named {name} in this region; deploy the processing stack.")
    if app.get("state") in ("STARTED", "STARTING"):
        return f"{name} is {app['state']} already"
    emr.start_application(applicationId=app["id"])
    return f"{name} starting"


def handler(events, context):
    results, errors = {}, []
    work = [("Database", lambda: promote(events["Database"]) if events.get("Database") else "no replica in this environment")]
    if events.get("GlobalDatastore"):
        work.append(("Cache", lambda: switch_cache(events["GlobalDatastore"], events["CacheGroup"], events["Region"], events.get("OtherRegion"), as_bool(events.get("AllowDisassociate")))))
    else:
        work.append(("Cache", lambda: "no Global Datastore in this environment"))
    work.append(("Spark", lambda: start_spark(events["Application"])))
    for key, run in work:
        try:
            results[key] = run()
        except Exception as error:
            errors.append(f"{key}: {describe_error(error)}")
    if errors:
        raise Exception(
            "Could not start every switch operation: " + "; ".join(errors)
            + f". Done so far: {results}. The step retries; a re-run of the runbook resumes without repeating what is under way."
        )
    results["StartedAt"] = int(time.time())
    return results
