# Points the active-region record at this region here and, if it answers, in the
# other region. Job submission refuses in a region whose record names another one.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def set_record(ssm, name, value):
    try:
        current = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ClientError as error:
        if error_code(error) != "ParameterNotFound":
            raise
        current = None
    if current == value:
        return False
    ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    return True


def handler(events, context):
    name, here, other = events["Parameter"], events["ThisRegion"], events["OtherRegion"]
    changed = set_record(client("ssm"), name, here)
    try:
        # Retried while the region is failing (a brownout): its record would otherwise keep naming itself.
        with_retries(lambda: set_record(client("ssm", other, quick=True), name, here))
        other_updated, note = True, f"{name} in {other} reads {here} too"
    except Exception as error:
        other_updated = False
        note = f"could not update {name} in {other} ({describe_error(error)}); the fence runbook sets it when {other} answers"
    return {
        "OtherRegionUpdated": other_updated,
        "Message": f"{name} in {here} {'set to' if changed else 'already read'} {here}; {note}",
    }
