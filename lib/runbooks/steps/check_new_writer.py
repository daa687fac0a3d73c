# The fence runbook only fences this region once the other one has taken over:
# the active-region record there must name it. Force=true skips the check (the
# other region is unreachable and the operator knows the switch happened).
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    name, new_writer = events["Parameter"], events["NewWriter"]
    try:
        value = client("ssm", new_writer, quick=True).get_parameter(Name=name)["Parameter"]["Value"]
    except Exception as error:
        value = f"unreadable ({describe_error(error)})"
    if value != new_writer and not as_bool(events.get("Force")):
        raise Exception(
            f"Refusing to fence this region: {name} in {new_writer} reads {value}, so {new_writer} has not taken over. "
            "Fencing now would stop the only writer. Run the failover runbook first, or pass Force=true if you are sure."
        )
    return {"Result": f"{name} in {new_writer} reads {value}"}
