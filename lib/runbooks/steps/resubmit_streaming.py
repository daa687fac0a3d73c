# Resubmits the streaming jobs through this region's job submission function.
# The idempotency key is the same for every run of this switch, so a re-run
# returns the runs already started instead of starting second ones. Jobs listed
# in ResumeFromGroup start from their consumer group's offsets on this region's
# cluster (the function reads them), not from the top of the topic.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    started, errors = [], []
    for job in events["Jobs"]:
        request = {"job": job, "force": True, "idempotencyKey": f"{events['KeyPrefix']}-{job[:2]}"}
        if job in events.get("ResumeFromGroup", []):
            request["resumeFromGroup"] = True
        answer = invoke(events["Function"], request)
        if answer.get("ok"):
            resumed = f" ({answer['resumed']})" if answer.get("resumed") else ""
            started.append(f"{job}={answer.get('jobRunId')}{resumed}")
        else:
            errors.append(f"{job}: {answer.get('error')}")
    if errors:
        raise Exception(
            "The job submission function refused: " + "; ".join(errors)
            + ". Fix what it names and re-run; runs already started are not started twice."
        )
    return {"JobRuns": ", ".join(started)}
