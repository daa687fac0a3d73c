# Makes a writer database refuse writes through its region's postgres-control
# function (contract B): fence returns the writer position after a marker row.
# A database already in recovery (a replica) takes no writes and is left alone.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    region, function = events.get("Region") or None, events["Function"]
    status = invoke(function, {"action": "status"}, region)
    if not status.get("ok"):
        raise Exception(f"{function} could not read the database state: {status.get('error')}")
    if status.get("inRecovery"):
        return {"Lsn": status.get("lsn", ""), "MarkerId": "", "Result": "database is a replica (read-only); nothing to fence"}
    fenced = invoke(function, {"action": "fence"}, region)
    if not fenced.get("ok") or not fenced.get("fenced"):
        raise Exception(f"{function} could not fence the database: {fenced.get('error', fenced)}")
    return {
        "Lsn": fenced["lsn"],
        "MarkerId": fenced["markerId"],
        "Result": f"database read-only; marker {fenced['markerId']} at {fenced['lsn']}",
    }
