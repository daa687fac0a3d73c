from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    steps = events["Plan"]
    lines = [f"{i + 1}. {s['name']}: {s['description']}" for i, s in enumerate(steps)]
    return {"Plan": "DRY RUN - nothing was changed. A real run would do:\n" + "\n".join(lines)}
