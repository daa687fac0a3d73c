# Cancels every job run here that can still write (QUEUED included) and stops
# the Spark application.


def handler(events, context):
    try:
        emr = client("emr-serverless")
        app = find_application(emr, events["Application"])
        if app is None:
            return {"Ok": True, "Result": f"no application {events['Application']} here"}
        runs = active_job_runs(emr, app["id"])
        for run in runs:
            emr.cancel_job_run(applicationId=app["id"], jobRunId=run["id"])
        state = app.get("state")
        if state in ("STARTED", "STARTING", "CREATED") and not runs:
            emr.stop_application(applicationId=app["id"])
            stopped = "application stopping"
        else:
            stopped = f"application {state}" + (" (stops once the cancelled runs end; re-run to stop it)" if runs else "")
        return {"Ok": True, "Result": f"cancelled {len(runs)} job run(s): {', '.join(r['id'] for r in runs) or 'none'}; {stopped}"}
    except Exception as error:
        return {"Ok": False, "Result": f"could not stop Spark: {describe_error(error)}"}
