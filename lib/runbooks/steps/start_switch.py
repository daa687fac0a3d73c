# Starts the slow asynchronous operations together, each only if it is not done
# or under way already, so a re-run never promotes twice:
# - PromoteReadReplica needs "an existing read replica" and fails with
#   InvalidDBInstanceState otherwise, and cannot start while the replica is backing-up
#   (RDS API reference, PromoteReadReplica): ensure_promotion in dra_common.py, which
#   WaitForWrites calls again until the promotion could be requested;
# - FailoverGlobalReplicationGroup makes this region's member primary; when it
#   errors or times out (the other region cannot take part) this member is
#   disassociated instead, the documented way to make a secondary standalone
#   (ElastiCache API reference, DisassociateGlobalReplicationGroup); in a failover
#   whose writer region does not answer or is failing (5xx, throttling, judged as the
#   readiness function judges it: answer_kind), it is disassociated without trying a
#   failover, which could be accepted and never finish;
# - StartApplication warms the Spark application for the streaming jobs, with its
#   auto-start turned back on.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file
from stop_replicator import request_deletion


def promote(db):
    """Requests the promotion when RDS can take it (ensure_promotion, dra_common.py)."""
    _, text = ensure_promotion(db)
    return text


def cache_member(ec, group):
    rg = ec.describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0]
    info = rg.get("GlobalReplicationGroupInfo") or {}
    return rg, info.get("GlobalReplicationGroupId"), role_of(info.get("GlobalReplicationGroupMemberRole"))


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
    if role_of(member[0].get("Role")) == "PRIMARY":
        return f"{group} in {here} is the primary of {datastore} already", "primary"
    if g.get("Status") != "available":
        return f"{datastore} is {g.get('Status')}: a failover is under way (WaitForWrites disassociates if it does not finish)", "busy"
    return None, g.get("Status")


def region_answers(group, other):
    """How ElastiCache in the writer's region answers, judged like the readiness function
    judges it (answer_kind: answered, failing, unreachable). Throttling or a 5xx once is not
    a verdict: it is asked three times, seconds apart."""
    kind, why = "answered", ""
    for attempt in range(3):
        try:
            client("elasticache", other, quick=True).describe_replication_groups(ReplicationGroupId=group)
            return "answered", ""
        except Exception as error:
            kind, why = answer_kind(error)
            if kind != "failing":
                return kind, why
        if attempt < 2:
            time.sleep(5)
    return kind, why


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
    # While the writer's region is dark or failing (5xx, throttling: a brownout), a
    # FailoverGlobalReplicationGroup may be accepted and never finish (the datastore stays
    # modifying, and DisassociateGlobalReplicationGroup is then refused with
    # InvalidGlobalReplicationGroupState): in a failover, disassociate directly. Only a region
    # that answers (even with a client error) is asked to take part in a failover.
    if allow_disassociate and other:
        kind, why = region_answers(group, other)
        if kind != "answered":
            if case in ("gone", "leaving", "primary"):
                return under_way
            said = "does not answer" if kind == "unreachable" else "is failing"
            return f"{other} {said} ({why}); not failing over: " + disassociate(ec, datastore, group, here)
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
    """Starts the application, turning auto-start back on first: a fence in an earlier
    generation turned it off (stop_writers.py), the template's value never changed, so
    CloudFormation never put it back, and without it a job submission cannot start a stopped
    application. UpdateApplication only in CREATED or STOPPED (EMR Serverless API reference)."""
    emr = client("emr-serverless")
    found = find_application(emr, name)
    if found is None:
        raise Exception(f"No EMR Serverless application named {name} in this region; deploy the processing stack.")
    app = emr.get_application(applicationId=found["id"])["application"]
    state = app.get("state")
    auto_start = (app.get("autoStartConfiguration") or {}).get("enabled", True)
    note = ""
    if not auto_start:
        if state in ("CREATED", "STOPPED"):
            emr.update_application(applicationId=found["id"], autoStartConfiguration={"enabled": True})
            note = "; auto-start turned back on"
        else:
            note = (
                f"; auto-start is OFF and the application is {state}, so it cannot be updated now: once it stops, run "
                f"aws emr-serverless update-application --application-id {found['id']} --auto-start-configuration enabled=true"
            )
    if state in ("STARTED", "STARTING"):
        return f"{name} is {state} already{note}"
    emr.start_application(applicationId=found["id"])
    return f"{name} starting{note}"


def stop_replicator(events):
    """A failover's Replicator here (copying from the old writer into the live topics) is deleted
    during the promotion, not after it: StopReplicator then only confirms it is gone. Never fails
    the switch (StopReplicator asks again and reports)."""
    name, here, other = events["Replicator"], events["Region"], events.get("OtherRegion")
    try:
        deleting, notes = request_deletion(client("kafka", quick=True), name, other, here)
    except Exception as error:
        return f"could not request the deletion of {name} ({describe_error(error)}); StopReplicator asks again"
    if deleting:
        return f"deletion of {name} in {here} (copying from {other}) requested"
    return "; ".join(notes) or f"no Replicator {name} in {here}"


def handler(events, context):
    results, errors = {}, []
    work = [("Database", lambda: promote(events["Database"]) if events.get("Database") else "no replica in this environment")]
    if events.get("GlobalDatastore"):
        work.append(("Cache", lambda: switch_cache(events["GlobalDatastore"], events["CacheGroup"], events["Region"], events.get("OtherRegion"), as_bool(events.get("AllowDisassociate")))))
    else:
        work.append(("Cache", lambda: "no Global Datastore in this environment"))
    work.append(("Spark", lambda: start_spark(events["Application"])))
    if events.get("Replicator"):
        work.append(("Replicator", lambda: stop_replicator(events)))
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
