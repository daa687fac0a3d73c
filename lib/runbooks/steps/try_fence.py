# Starts the fence runbook in the old writer's region. Never fails the switch:
# during an outage that region does not answer, and the message says what to run
# once it does.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    region, document = events["Region"], events["Document"]
    command = f"aws ssm start-automation-execution --region {region} --document-name {document}"
    try:
        execution = client("ssm", region, quick=True).start_automation_execution(DocumentName=document)
        return {
            "Started": True,
            "Message": f"fence runbook started in {region} (execution {execution.get('AutomationExecutionId')}); check it finished, or re-run: {command}",
        }
    except Exception as error:
        return {
            "Started": False,
            "Message": f"could not start the fence runbook in {region} ({describe_error(error)}). When {region} answers again, run: {command}",
        }
