# Reports what the fence did, to the alarm topic and as the step output; fails
# the execution (after reporting) when a part could not be done, so it is re-run.
#
# The parts run with onFailure Continue, so a part may have failed or timed out:
# such a step has no outputs to reference, so each part's status and outputs are
# read from this execution itself (GetAutomationExecution, StepExecutions[]:
# StepName, StepStatus, Outputs as lists of strings, FailureMessage). A part is
# done when its step succeeded and its Ok output is true.
#
# Only when every part is done, the fenced-for marker is written in this region:
# the deploy guard (lambda/deploy-guard/judge.ts) requires it before re-seeding.
from datetime import datetime, timezone

from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def part_status(steps, name):
    """(done, what) for one part, from its last step execution."""
    runs = [s for s in steps if s.get("StepName") == name]
    if not runs:
        return False, "step did not run"
    step = runs[-1]
    status = step.get("StepStatus")
    outputs = step.get("Outputs") or {}
    result = " ".join(outputs.get("Result") or [])
    if status != "Success":
        why = step.get("FailureMessage") or "no message"
        return False, f"(step {status}: {why}) {result}".strip()
    ok = [v.lower() for v in outputs.get("Ok") or []] == ["true"]
    return ok, result or "no result"


def handler(events, context):
    region, new_writer = events["Region"], events["NewWriter"]
    execution = client("ssm").get_automation_execution(AutomationExecutionId=events["Execution"])
    steps = execution.get("AutomationExecution", {}).get("StepExecutions", [])
    lines, failed = [], []
    for name in events["Parts"]:
        done, what = part_status(steps, name)
        lines.append(f"{name}: {'done' if done else 'NOT DONE'} - {what}")
        if not done:
            failed.append(name)
    text = f"Fence of {region} in favour of {new_writer}:\n" + "\n".join(lines)
    if failed:
        text += f"\nNot done: {', '.join(failed)}. Re-run: aws ssm start-automation-execution --region {region} --document-name {events['Document']}"
    else:
        marker = json.dumps({
            "newWriter": new_writer,
            "generation": int(events["Generation"]),
            "execution": events["Execution"],
            "at": datetime.now(timezone.utc).isoformat(),
        })
        try:
            client("ssm").put_parameter(Name=events["Marker"], Value=marker, Type="String", Overwrite=True)
            text += f"\n{events['Marker']} in {region} set: the deploy guard lets generation {int(events['Generation']) + 1} deploy."
        except Exception as error:
            failed.append("marker")
            text += f"\nEvery part is done, but {events['Marker']} could not be written ({describe_error(error)}); the deploy guard refuses until it is. Re-run: aws ssm start-automation-execution --region {region} --document-name {events['Document']}"
    client("sns").publish(TopicArn=events["Topic"], Subject=f"dual-region-analytics: fence of {region}"[:99], Message=text)
    if failed:
        raise Exception(text)
    return {"Report": text}
