# The promoted replica inherited the writer's read-only setting (it is stored in
# the catalog and replicates): undo it so the new writer takes writes.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    answer = invoke(events["Function"], {"action": "unfence"})
    if not answer.get("ok"):
        raise Exception(f"{events['Function']} could not make the promoted database writable: {answer.get('error')}")
    return {"Result": "promoted database accepts writes"}
