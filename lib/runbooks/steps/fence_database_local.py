# Fence runbook: makes this region's database read-only (see fence_database.py),
# reporting instead of failing so the other fence steps still run.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    try:
        return {"Ok": True, "Result": fence(events)}
    except Exception as error:
        return {"Ok": False, "Result": f"could not fence the database: {describe_error(error)}"}


def fence(events):
    function = events["Function"]
    status = invoke(function, {"action": "status"})
    if not status.get("ok"):
        raise Exception(status.get("error"))
    if status.get("inRecovery"):
        return "database is a replica (read-only); nothing to fence"
    answer = invoke(function, {"action": "fence"})
    if not answer.get("ok") or not answer.get("fenced"):
        raise Exception(answer.get("error", answer))
    return f"database read-only (marker {answer.get('markerId')} at {answer.get('lsn')})"
