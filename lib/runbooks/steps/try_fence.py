# Starts the fence runbook in the old writer's region and waits (bounded) until its
# DisableReplication and FenceDatabase steps succeeded, so that the streaming jobs are
# resubmitted here only once the old region neither replicates into the live buckets nor
# takes database writes. A start refused with throttling or a 5xx (a brownout) is retried
# with backoff; a region that does not answer at all is not waited for (a full outage cannot
# be fenced now). Never fails the switch: Fence says whether the old region is fenced, and
# the Message what to run when it is not.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file

# The fence steps that must have succeeded before streaming resumes here (lib/runbooks/fence.ts).
WAITED_FOR = ("DisableReplication", "FenceDatabase")
# An execution in one of these states runs no further step (AutomationExecutionStatus, client-ssm).
ENDED = ("Success", "Failed", "TimedOut", "Cancelled", "CompletedWithSuccess", "CompletedWithFailure", "Rejected", "Exited")


def fence_progress(ssm, execution):
    """(done, ended, text) of the fence execution, from GetAutomationExecution's StepExecutions
    (StepName, StepStatus: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetAutomationExecution.html)."""
    found = ssm.get_automation_execution(AutomationExecutionId=execution)["AutomationExecution"]
    status = found.get("AutomationExecutionStatus")
    steps = {s.get("StepName"): s.get("StepStatus") for s in found.get("StepExecutions") or []}
    missing = [f"{name} {steps.get(name) or 'not run yet'}" for name in WAITED_FOR if steps.get(name) != "Success"]
    if not missing:
        return True, True, f"{' and '.join(WAITED_FOR)} succeeded (execution {status})"
    return False, status in ENDED, f"execution {status}; " + ", ".join(missing)


def handler(events, context):
    region, document = events["Region"], events["Document"]
    wait_seconds, poll = int(events.get("WaitSeconds", 180)), int(events.get("PollSeconds", 15))
    command = f"aws ssm start-automation-execution --region {region} --document-name {document}"
    ssm = client("ssm", region, quick=True)
    try:
        execution = with_retries(lambda: ssm.start_automation_execution(DocumentName=document))["AutomationExecutionId"]
    except Exception as error:
        return {
            "Started": False,
            "Fenced": False,
            "Fence": "OLD REGION NOT FENCED",
            "Message": f"OLD REGION NOT FENCED: could not start the fence runbook in {region} ({describe_error(error)}); "
            f"{region} may still write. Once it answers, run: {command}",
        }
    deadline = time.time() + wait_seconds
    text = "not read yet"
    while True:
        try:
            done, ended, text = fence_progress(ssm, execution)
        except Exception as error:
            kind, why = answer_kind(error)
            if kind == "unreachable":
                # The region stopped answering after the start: nothing more can be learnt now.
                return {
                    "Started": True,
                    "Fenced": False,
                    "Fence": "fence of the old region NOT CONFIRMED",
                    "Message": f"fence runbook started in {region} (execution {execution}), then {region} stopped answering "
                    f"({why}); not confirmed. Check it: aws ssm get-automation-execution --region {region} "
                    f"--automation-execution-id {execution}; if it did not finish, run: {command}",
                }
            done, ended, text = False, False, f"could not read it ({why})"
        if done:
            return {
                "Started": True,
                "Fenced": True,
                "Fence": f"{region} fenced",
                "Message": f"fence runbook in {region} (execution {execution}): {text}; it finishes the rest (Spark, report)",
            }
        if ended or time.time() + poll > deadline:
            why = "ended" if ended else f"not done after {wait_seconds}s"
            return {
                "Started": True,
                "Fenced": False,
                "Fence": "fence of the old region NOT CONFIRMED",
                "Message": f"fence runbook started in {region} (execution {execution}) but {why}: {text}. Check it: aws ssm "
                f"get-automation-execution --region {region} --automation-execution-id {execution}; re-run if it failed: {command}",
            }
        time.sleep(poll)
