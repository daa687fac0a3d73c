# Resubmits the streaming jobs through this region's job submission function.
# The idempotency key is the same for every run of this switch, so a re-run
# returns the runs already started instead of starting second ones.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    started, errors = [], []
    for job in events["Jobs"]:
        answer = invoke(
            events["Function"],
            {"job": job, "force": True, "idempotencyKey": f"{events['KeyPrefix']}-{job[:2]}"},
        )
        if answer.get("ok"):
            started.append(f"{job}={answer.get('jobRunId')}")
        else:
            errors.append(f"{job}: {answer.get('error')}")
    if errors:
        raise Exception(
            "The job submission function refused: " + "; ".join(errors)
            + ". Fix what it names and re-run; runs already started are not started twice."
        )
    return {"JobRuns": ", ".join(started)}
