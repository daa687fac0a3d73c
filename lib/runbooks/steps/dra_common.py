# Shared helpers of the runbooks' steps. Every step file imports them; all are zipped into
# one attachment of each document at synth time (lib/runbooks/archive.ts), and SSM runs a
# step as `Handler: <file>.<function>` with the step's InputPayload as `events`
# (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html).
import json
import time

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from dra_outcome import failing_reason

# A call to a region that may be down fails within seconds instead of using up the step's 600 s.
QUICK = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 1})

# Job run states that can still write (EMR Serverless JobRunState; QUEUED included).
ACTIVE_RUN_STATES = ["SUBMITTED", "PENDING", "SCHEDULED", "RUNNING", "QUEUED"]


def client(service, region=None, quick=False):
    kwargs = {}
    if region:
        kwargs["region_name"] = region
    if quick:
        kwargs["config"] = QUICK
    return boto3.client(service, **kwargs)


def error_code(error):
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "") or "ClientError"
    return type(error).__name__


def describe_error(error):
    return error_code(error) + ": " + str(error)


# Errors that mean the endpoint did not answer at all (no HTTP status came back).
NOT_ANSWERING = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError)


def answer_kind(error):
    """The readiness evidence model (lambda/readiness/outcome.ts) for one failed call:
    ("unreachable", why) when the endpoint did not answer; ("failing", why) when it answered
    with throttling or a 5xx, or with something that says nothing (it is up, but cannot be
    counted on); ("answered", why) when it answered with a client error, so it works."""
    if isinstance(error, ClientError):
        status = (error.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        reason = failing_reason(error_code(error), status)
        return ("failing", f"{reason}: {describe_error(error)}") if reason else ("answered", describe_error(error))
    if isinstance(error, NOT_ANSWERING):
        return "unreachable", describe_error(error)
    return "failing", describe_error(error)


def as_bool(value):
    return str(value).lower() == "true"


def parse_json(value):
    if hasattr(value, "read"):
        value = value.read()
    if isinstance(value, (bytes, bytearray)):
        value = value.decode()
    if isinstance(value, str):
        return json.loads(value) if value.strip() else {}
    return value or {}


def invoke(function, payload, region=None, quick=False):
    """Invokes a Lambda function and returns its decoded answer; a function error raises."""
    response = client("lambda", region, quick).invoke(
        FunctionName=function, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
    )
    body = parse_json(response.get("Payload"))
    if response.get("FunctionError"):
        raise Exception(f"{function} in {region or 'this region'} failed: {body}")
    return body


def find_application(emr, name):
    """The EMR Serverless application of that name that is not terminated, or None."""
    token = None
    while True:
        page = emr.list_applications(**({"nextToken": token} if token else {}))
        for app in page.get("applications", []):
            if app.get("name") == name and app.get("state") != "TERMINATED":
                return app
        token = page.get("nextToken")
        if not token:
            return None


def active_job_runs(emr, application_id, states=None):
    runs = []
    token = None
    while True:
        kwargs = {"applicationId": application_id, "states": states or ACTIVE_RUN_STATES}
        if token:
            kwargs["nextToken"] = token
        page = emr.list_job_runs(**kwargs)
        runs += page.get("jobRuns", [])
        token = page.get("nextToken")
        if not token:
            return runs


def region_of_arn(arn):
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 3 else ""


def role_of(value):
    """A Global Datastore member role, compared case-insensitively: the ElastiCache model gives
    Role and GlobalReplicationGroupMemberRole as plain strings, no enum and no casing
    (client-elasticache GlobalReplicationGroupMember, GlobalReplicationGroupInfo)."""
    return str(value or "").upper()


def ensure_promotion(db):
    """(standalone, what happened) for the replica `db`: requests its promotion when RDS can
    take it, never twice. RDS cannot promote a read replica while it is `backing-up`, and
    recommends a completed backup before promotion ("a read replica cannot be promoted to a
    standalone instance when it is in the backing-up status", API_PromoteReadReplica): then
    this waits, and the next call requests it. `modifying` and `rebooting` are the states a
    promotion passes through (it reboots the instance: USER_ReadRepl.Promote). Any other
    state never ends in a promotion by waiting (storage-full, stopped, incompatible-*:
    Overview.DBInstance.Status.html), so it raises with the fix."""
    instance = client("rds").describe_db_instances(DBInstanceIdentifier=db)["DBInstances"][0]
    status = instance.get("DBInstanceStatus")
    source = instance.get("ReadReplicaSourceDBInstanceIdentifier")
    if not source:
        return True, f"{db} is a standalone writer (status {status})"
    if status == "backing-up":
        return False, (
            f"{db} is backing-up and still a read replica of {source}: RDS cannot promote a replica while it "
            "backs up; its promotion is requested as soon as the backup completes"
        )
    if status in ("modifying", "rebooting"):
        return False, f"{db} is {status}: its promotion is under way (or another change is); waiting for it"
    if status != "available":
        raise Exception(
            f"{db} is '{status}' and still a read replica of {source}: no promotion is under way and none can start "
            f"in this state. Fix the instance first (its RDS events name the cause: e.g. start a stopped replica, "
            f"grow full storage, correct incompatible parameters) until it is available, then re-run the runbook."
        )
    try:
        # No BackupRetentionPeriod: the replica keeps automated backups of its own (its template sets them).
        client("rds").promote_read_replica(DBInstanceIdentifier=db)
    except ClientError as error:
        if error_code(error) == "InvalidDBInstanceState":
            return False, f"{db} refused a promotion ({describe_error(error)}): one is under way already"
        raise
    return False, f"promotion of {db} requested"


def with_retries(call, attempts=4, budget_seconds=75, first_wait=5):
    """call() retried with exponential backoff while its region answers with throttling or a 5xx
    (answer_kind "failing": retryable, https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html),
    at most `attempts` times and `budget_seconds` in all. A region that does not answer at all
    ("unreachable") or answers with a client error is not asked again: a full outage stays fast.
    The last error is raised with its kind on `error.dra_kind`."""
    started, wait = time.time(), first_wait
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as error:
            kind, _ = answer_kind(error)
            error.dra_kind = kind
            if kind != "failing" or attempt == attempts or time.time() - started + wait > budget_seconds:
                raise
        time.sleep(wait)
        wait *= 2
