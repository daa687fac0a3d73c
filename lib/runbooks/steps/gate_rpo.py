from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file
from switch_marker import resumes


WRITER_DOWN = ("failed", "unreachable")


def writer_side(report, store):
    """What the readiness check of this store learned about the writer's side: checks[].writer
    (healthy, failed, unreachable, unknown). A store without a check falls back on the whole
    region: unreachable when writerRegion.reachable is false."""
    for check in report.get("checks") or []:
        if check.get("name") == store.get("store") and check.get("writer"):
            return check["writer"]
    return "unreachable" if (report.get("writerRegion") or {}).get("reachable") is False else "unknown"


def effective_lag(store, writer):
    """The lag that bounds the writes a failover now would lose, and what it rests on.

    Per store: while its writer side answers (healthy, or answering with errors: unknown), the
    lag read now. When its writer side failed or does not answer, the live figure only measures
    the outage (RDS ReplicaLag is now() - pg_last_xact_replay_timestamp(), which grows once
    writes stop: USER_PostgreSQL.Replication.ReadReplicas.Monitor), so the last lag read while
    it answered (rpo.stores[].lastKnown) bounds what was not yet replicated. A single-service
    outage or a brownout is judged store by store, not only a fully dark region.
    """
    last = store.get("lastKnown") or {}
    if writer in WRITER_DOWN and last.get("lagSeconds") is not None:
        return float(last["lagSeconds"]), f"last read at {last.get('at', '?')}, before its writer side {writer_word(writer)}"
    # No earlier reading: the live figure, an upper bound for a lag that grows with the outage.
    lag = store.get("lagSeconds")
    if lag is None:
        return None, "unknown"
    return float(lag), "now"


def writer_word(writer):
    return "failed" if writer == "failed" else "stopped answering"


def store_line(store, writer):
    name = store.get("store", "?")
    budget = store.get("budgetSeconds")
    source = store.get("source", "source unknown")
    lag, basis = effective_lag(store, writer)
    if lag is None:
        return f"{name}: lag unknown, budget {budget}s ({source})"
    now = store.get("lagSeconds")
    reading = "" if basis == "now" else f"; {basis}; now {'unknown' if now is None else f'{float(now):.0f}s'}"
    return f"{name}: lag {lag:.0f}s, budget {budget}s ({source}{reading})"


def already_switched(events):
    """The record here names this region: an earlier run switched, so this run resumes (no second promotion)."""
    name, here = events.get("Parameter"), events.get("ThisRegion")
    if not name or not here:
        return False
    try:
        return client("ssm").get_parameter(Name=name)["Parameter"]["Value"] == here
    except ClientError as error:
        if error_code(error) == "ParameterNotFound":
            return False
        raise


def handler(events, context):
    """Refuses an unknown or over-budget per-store lag unless Force; the warehouse is not counted (restored from a snapshot)."""
    resume, why = resumes(events)
    if resume:
        return {"Allowed": True, "Summary": why, "Reason": why}
    if already_switched(events):
        # After the switch the promoted instance is no longer a replica, so the per-store lags are
        # unknown; they bounded what a switch would lose, and the switch is done.
        summary = (
            f"Resume: {events['Parameter']} in {events['ThisRegion']} already names {events['ThisRegion']}, so an earlier run "
            "switched; the RPO gate applied to that run and is not applied again. This run finishes what is not done "
            "(each step skips what is)."
        )
        return {"Allowed": True, "Summary": summary, "Reason": summary}
    report = parse_json(events["Payload"])
    force = as_bool(events.get("Force"))
    dry_run = as_bool(events.get("DryRun"))
    rpo = report.get("rpo") or {}
    stores = rpo.get("stores") or []
    writer = report.get("writerRegion") or {}
    sides = {s.get("store"): writer_side(report, s) for s in stores}
    problems = []
    for store in stores:
        lag, _ = effective_lag(store, sides[store.get("store")])
        budget = store.get("budgetSeconds")
        if lag is None:
            problems.append(f"{store.get('store')} lag unknown")
        elif budget is not None and float(lag) > float(budget):
            problems.append(f"{store.get('store')} lag {float(lag):.0f}s over its {budget}s budget")
    if not stores:
        problems.append("the readiness report has no per-store RPO (rpo.stores missing or empty)")
    summary = "; ".join(store_line(s, sides[s.get("store")]) for s in stores) or "no stores reported"
    warehouse = report.get("warehouse") or {}
    if warehouse:
        age = warehouse.get("ageSeconds")
        summary += (
            f". Warehouse (restored from its newest snapshot copy, not counted): "
            f"{'age unknown' if age is None else f'{float(age):.0f}s old'}, budget {warehouse.get('budgetSeconds')}s"
        )
    decision = report.get("decision") or {}
    overridden = f" Force=true overrides: {', '.join(problems)} (accepting that loss)." if problems and force else ""
    reason = (
        f"{'within budget' if not problems else 'NOT within budget: ' + ', '.join(problems)}.{overridden} "
        f"Writer {writer.get('region', '?')} reachable: {writer.get('reachable')}. "
        f"Recommendation: {decision.get('reason', 'n/a')}"
    )
    if problems and not force and not dry_run:
        raise Exception(
            "Refusing to fail over: " + ", ".join(problems) + ". Per store: " + summary
            + ". Re-run with Force=true to accept losing those writes."
        )
    if overridden:
        summary += "." + overridden
    return {"Allowed": not problems or force, "Summary": summary, "Reason": reason}
