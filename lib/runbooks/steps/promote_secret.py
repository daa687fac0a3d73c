# The credential of the promoted database, in the region taking over (docs/failover-and-failback.md,
# "Credentials"). The writer's deploy made this generation's master secret in its region and
# replicated it here; the replica is readable here (clients use it) but changes with its
# primary, and the old region's rotation schedule is still on that primary. A rotation there
# would replicate a password the promoted database never got. So:
# 1. promote the replica to a standalone secret: StopReplicationToReplica, called in the
#    replica's region ("You must call this operation from the Region in which you want to
#    promote the replica"; "as a disaster recovery solution if the primary secret becomes
#    unavailable": Secrets Manager API reference and user guide, standalone-secret.html). The
#    promoted secret keeps its ARN and value, so clients go on working with it. Skipped when
#    DescribeSecret here names no other PrimaryRegion (standalone already);
# 2. move its rotation here: RotateSecret with this region's rotation function, every
#    RotationDays, RotateImmediately false (Secrets Manager then tests the function's
#    testSecret step instead of rotating: RotateSecret API reference). Skipped when it
#    already names that function.
# Never fails the switch: the Result says what was done, or the commands to finish it.
from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file


def handler(events, context):
    secret, region, function = events["Secret"], events["Region"], events["RotationFunction"]
    days = int(events["RotationDays"])
    commands = (
        f"aws secretsmanager stop-replication-to-replica --region {region} --secret-id {secret}; "
        f"aws secretsmanager rotate-secret --region {region} --secret-id {secret} --rotation-lambda-arn {function} "
        f"--rotation-rules AutomaticallyAfterDays={days} --no-rotate-immediately"
    )
    done = []
    try:
        sm = client("secretsmanager")
        found = sm.describe_secret(SecretId=secret)
        primary = found.get("PrimaryRegion")
        if primary and primary != region:
            sm.stop_replication_to_replica(SecretId=secret)
            done.append(f"promoted {secret} here (a replica of {primary}'s until now): changes there no longer reach it")
        else:
            done.append(f"{secret} is standalone here already")
        if found.get("RotationEnabled") and found.get("RotationLambdaARN") == function and primary in (None, region):
            done.append(f"it rotates with {function} already")
        else:
            sm.rotate_secret(
                SecretId=secret,
                RotationLambdaARN=function,
                RotationRules={"AutomaticallyAfterDays": days},
                RotateImmediately=False,
            )
            done.append(f"its rotation moved here ({function}, every {days} days, the first in {days})")
        return {"Ok": True, "Result": "; ".join(done)}
    except Exception as error:
        so_far = f" (done: {'; '.join(done)})" if done else ""
        return {
            "Ok": False,
            "Result": (
                f"could not finish the credential {secret} in {region}: {describe_error(error)}{so_far}. Clients here "
                f"still read it; until it is promoted, a rotation in the old region would change it. Run: {commands}"
            ),
        }
