from dra_common import *  # noqa: F403 - the shared helpers (dra_common.py), attached with this file
from switch_marker import resumes


def handler(events, context):
    """Refuses a failback unless every readiness check is healthy (the re-seed is complete), unless Force.
    A re-run of a failback that already started (the switch marker names it) is a resume."""
    resume, why = resumes(events)
    if resume:
        return {"Allowed": True, "Summary": why, "Reason": why}
    report = parse_json(events["Payload"])
    force = as_bool(events.get("Force"))
    dry_run = as_bool(events.get("DryRun"))
    not_ready = [
        f"{c.get('name')} {c.get('status')} ({c.get('detail', '')})"
        for c in report.get("checks", [])
        if c.get("status") != "healthy"
    ]
    if not report.get("checks"):
        not_ready.append("no checks in the readiness report")
    stores = (report.get("rpo") or {}).get("stores") or []
    summary = "; ".join(
        f"{s.get('store')}: lag {s.get('lagSeconds')}s, budget {s.get('budgetSeconds')}s ({s.get('source')})" for s in stores
    ) or "no stores reported"
    reason = f"not healthy: {', '.join(not_ready) if not_ready else 'none'}"
    if not_ready and not force and not dry_run:
        raise Exception(
            "Refusing to fail back: the old writer is not fully re-seeded: " + reason
            + ". Finish the re-seed (docs/runbooks/failback.md) or re-run with Force=true."
        )
    return {"Allowed": not not_ready or force, "Summary": summary, "Reason": reason}
