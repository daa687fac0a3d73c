# Proves the replica here has replayed everything the fenced writer wrote: its
# replay position reached the writer's position after the marker (contract B,
# catchUp). Not ReplicaLag: for RDS for PostgreSQL it is
# now() - pg_last_xact_replay_timestamp() and grows once writes stop
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Monitor.html).
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    function = events["Function"]
    # On a re-run after the promotion, the database here is the writer already:
    # this runbook promotes only after this step proved the catch-up.
    status = invoke(function, {"action": "status"})
    if status.get("ok") and not status.get("inRecovery"):
        return {"ReplayLsn": status.get("lsn", ""), "Result": "database here is promoted already (catch-up was proven before)"}
    request = {"action": "catchUp", "targetLsn": events["TargetLsn"], "markerId": events["MarkerId"]}
    deadline = time.time() + int(events.get("WaitSeconds", 540))
    poll = int(events.get("PollSeconds", 10))
    while True:
        answer = invoke(function, request)
        if not answer.get("ok"):
            raise Exception(f"{function} could not check the replica: {answer.get('error')}")
        if answer.get("caughtUp"):
            return {"ReplayLsn": answer.get("replayLsn", ""), "Result": f"replica replayed {answer.get('replayLsn')} >= {events['TargetLsn']}"}
        if answer.get("replayPaused"):
            raise Exception(
                f"Replay is paused on the replica at {answer.get('replayLsn')} ({answer.get('bytesBehind')} bytes behind "
                f"{events['TargetLsn']}); resume it (SELECT pg_wal_replay_resume()) and re-run. Nothing was switched."
            )
        if time.time() + poll > deadline:
            raise Exception(
                f"Replica at {answer.get('replayLsn')}, {answer.get('bytesBehind')} bytes behind {events['TargetLsn']}; "
                "the step repeats. Nothing was switched."
            )
        time.sleep(poll)
