# Disables this region's S3 replication rules toward the new writer's buckets, so
# objects written here while fenced cannot overwrite live data there. The rule
# is removed for good by the next deploy (re-seed).
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    s3 = client("s3")
    done, errors = [], []
    for bucket in events["Buckets"]:
        try:
            config = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
        except ClientError as error:
            if error_code(error) == "ReplicationConfigurationNotFoundError":
                done.append(f"{bucket}: no replication")
                continue
            errors.append(f"{bucket}: {describe_error(error)}")
            continue
        changed = False
        for rule in config.get("Rules", []):
            target = rule.get("Destination", {}).get("Bucket", "")
            if rule.get("Status") == "Enabled" and target.endswith("-" + events["NewWriter"]):
                rule["Status"] = "Disabled"
                changed = True
        try:
            if changed:
                s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=config)
            done.append(f"{bucket}: {'rule disabled' if changed else 'already disabled'}")
        except Exception as error:
            errors.append(f"{bucket}: {describe_error(error)}")
    ok = not errors
    return {"Ok": ok, "Result": "; ".join(done + errors)}
