# Reports what the fence did, to the alarm topic and as the step output; fails
# the execution (after reporting) when a part could not be done, so it is re-run.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    parts = events["Parts"]
    lines = [f"{p['name']}: {'done' if as_bool(p['ok']) else 'NOT DONE'} - {p['result']}" for p in parts]
    failed = [p["name"] for p in parts if not as_bool(p["ok"])]
    text = f"Fence of {events['Region']} in favour of {events['NewWriter']}:\n" + "\n".join(lines)
    if failed:
        text += f"\nNot done: {', '.join(failed)}. Re-run: aws ssm start-automation-execution --region {events['Region']} --document-name {events['Document']}"
    client("sns").publish(TopicArn=events["Topic"], Subject=f"dual-region-analytics: fence of {events['Region']}"[:99], Message=text)
    if failed:
        raise Exception(text)
    return {"Report": text}
