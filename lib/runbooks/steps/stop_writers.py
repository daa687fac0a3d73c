# Cancels every job run here that can still write (QUEUED included), waits until
# none is left (CANCELLING included), stops the Spark application and turns its
# auto-start off, so that a StartJobRun cannot start it again: an application
# starts on job submission while autoStartConfiguration.enabled is true, the
# default (EMR Serverless API reference, AutoStartConfig). UpdateApplication needs
# the application CREATED or STOPPED ("An application has to be in a stopped or
# created state in order to be updated", API_UpdateApplication), hence the order.
# Ok only once no run is active and auto-start is off; otherwise the Result says
# what is still cancelling or stopping, and the fence runbook is re-run.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file

ENDING = ["CANCELLING"]


def handler(events, context):
    name = events["Application"]
    deadline = time.time() + int(events.get("WaitSeconds", 480))
    poll = int(events.get("PollSeconds", 15))
    cancelled, stopping = [], False
    try:
        emr = client("emr-serverless")
        found = find_application(emr, name)
        if found is None:
            return {"Ok": True, "Result": f"no application {name} here"}
        app_id = found["id"]
        while True:
            runs = active_job_runs(emr, app_id, ACTIVE_RUN_STATES + ENDING)
            for run in runs:
                if run.get("state") not in ENDING and run["id"] not in cancelled:
                    emr.cancel_job_run(applicationId=app_id, jobRunId=run["id"])
                    cancelled.append(run["id"])
            app = emr.get_application(applicationId=app_id)["application"]
            state = app.get("state")
            auto_start = (app.get("autoStartConfiguration") or {}).get("enabled", True)
            if not runs:
                if state in ("STARTED", "STARTING") and not stopping:
                    emr.stop_application(applicationId=app_id)
                    stopping = True
                elif state in ("CREATED", "STOPPED"):
                    if auto_start:
                        emr.update_application(applicationId=app_id, autoStartConfiguration={"enabled": False})
                        continue
                    return {
                        "Ok": True,
                        "Result": f"cancelled {len(cancelled)} job run(s): {', '.join(cancelled) or 'none'}; "
                        f"application {state}, auto-start off (a job submission cannot start it)",
                    }
            if time.time() + poll > deadline:
                left = ", ".join(f"{r['id']} {r.get('state')}" for r in runs) or "none"
                return {
                    "Ok": False,
                    "Result": f"not done yet: job runs still active or cancelling: {left}; application {state}, "
                    f"auto-start {'on' if auto_start else 'off'}. Re-run the fence runbook once they have ended.",
                }
            time.sleep(poll)
    except Exception as error:
        return {"Ok": False, "Result": f"could not stop Spark: {describe_error(error)}"}
