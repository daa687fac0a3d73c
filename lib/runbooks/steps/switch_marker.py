# The durable "switch in progress" marker: an SSM parameter in the region taking over,
# written before the first step that changes anything and cleared when the switch
# completes. A re-run after a partial failure finds it and both gates treat the run as
# a resume: after the promotion, readiness reports the database failed ("not a read
# replica"), which must not refuse the re-run the failure message asks for.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def read_marker(name):
    """The marker's value as a dict, or None when there is none."""
    try:
        value = client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    except ClientError as error:
        if error_code(error) == "ParameterNotFound":
            return None
        raise
    try:
        return json.loads(value)
    except ValueError:
        return {"switch": value}


def resumes(events):
    """(True, why) when the marker names this switch: an earlier run of it started changing things."""
    name, switch = events.get("Marker"), events.get("SwitchId")
    if not name or not switch:
        return False, ""
    marker = read_marker(name)
    if not marker or marker.get("switch") != switch:
        return False, ""
    return True, (
        f"Resume: {name} in this region says switch {switch} was started by execution {marker.get('execution', '?')} "
        f"at {marker.get('startedAt', '?')}; the gate applied to that run and is not applied again. This run finishes "
        "what is not done (each step skips what is)."
    )


def start(events, context):
    name, switch = events["Marker"], events["SwitchId"]
    marker = read_marker(name)
    if marker and marker.get("switch") == switch:
        return {"Result": f"{name} already marks {switch} (started by {marker.get('execution', '?')})"}
    value = {
        "switch": switch,
        "execution": events.get("Execution", ""),
        "target": events.get("Region", ""),
        "startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    client("ssm").put_parameter(Name=name, Value=json.dumps(value), Type="String", Overwrite=True)
    return {"Result": f"{name} marks {switch} as in progress"}


def clear(events, context):
    name, switch = events["Marker"], events["SwitchId"]
    marker = read_marker(name)
    if not marker:
        return {"Result": f"no {name}: nothing to clear"}
    if marker.get("switch") != switch:
        return {"Result": f"{name} marks {marker.get('switch')}, not {switch}: left alone"}
    client("ssm").delete_parameter(Name=name)
    return {"Result": f"{name} cleared: switch {switch} complete"}
