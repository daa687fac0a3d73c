# Failback, before the switch: stops writes in the current writer's region.
# Its active-region record is pointed at the region taking over (its job
# submission then refuses), and every job run that can still write is
# cancelled, QUEUED included, not only the streaming jobs. Waits until none runs.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    region, name, record, new_writer = events["Region"], events["Application"], events["Parameter"], events["NewWriter"]
    ssm = client("ssm", region)
    if ssm.get_parameter(Name=record)["Parameter"]["Value"] != new_writer:
        ssm.put_parameter(Name=record, Value=new_writer, Type="String", Overwrite=True)
    emr = client("emr-serverless", region)
    app = find_application(emr, name)
    cancelled = []
    if app is not None:
        deadline = time.time() + int(events.get("WaitSeconds", 480))
        while True:
            runs = active_job_runs(emr, app["id"], ACTIVE_RUN_STATES + ["CANCELLING"])
            if not runs:
                break
            for run in runs:
                if run.get("state") != "CANCELLING":
                    emr.cancel_job_run(applicationId=app["id"], jobRunId=run["id"])
                    cancelled.append(f"{run.get('name')}:{run['id']}")
            if time.time() > deadline:
                raise Exception(f"Job runs in {region} still cancelling: {[r['id'] for r in runs]}; the step repeats.")
            time.sleep(10)
    return {
        "Cancelled": ", ".join(cancelled) or "none running",
        "Result": f"{record} in {region} reads {new_writer} (job submission there refuses); job runs cancelled: {', '.join(cancelled) or 'none'}",
    }
