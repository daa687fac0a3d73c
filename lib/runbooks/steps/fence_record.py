# Points this region's active-region record at the new writer: clients follow
# it, and this region's job submission refuses work while it names another region.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    name, new_writer = events["Parameter"], events["NewWriter"]
    try:
        ssm = client("ssm")
        if ssm.get_parameter(Name=name)["Parameter"]["Value"] == new_writer:
            return {"Ok": True, "Result": f"{name} already reads {new_writer}"}
        ssm.put_parameter(Name=name, Value=new_writer, Type="String", Overwrite=True)
        return {"Ok": True, "Result": f"{name} set to {new_writer}; job submission here refuses"}
    except Exception as error:
        return {"Ok": False, "Result": f"could not set {name}: {describe_error(error)}"}
