def store_line(store):
    name = store.get("store", "?")
    lag = store.get("lagSeconds")
    budget = store.get("budgetSeconds")
    source = store.get("source", "source unknown")
    if lag is None:
        return f"{name}: lag unknown, budget {budget}s ({source})"
    return f"{name}: lag {float(lag):.0f}s, budget {budget}s ({source})"


def handler(events, context):
    """Refuses an unknown or over-budget per-store lag unless Force; the warehouse is not counted (restored from a snapshot)."""
    report = parse_json(events["Payload"])
    force = as_bool(events.get("Force"))
    dry_run = as_bool(events.get("DryRun"))
    rpo = report.get("rpo") or {}
    stores = rpo.get("stores") or []
    problems = []
    for store in stores:
        lag, budget = store.get("lagSeconds"), store.get("budgetSeconds")
        if lag is None:
            problems.append(f"{store.get('store')} lag unknown")
        elif budget is not None and float(lag) > float(budget):
            problems.append(f"{store.get('store')} lag {float(lag):.0f}s over its {budget}s budget")
    if not stores:
        problems.append("the readiness report has no per-store RPO (rpo.stores missing or empty)")
    summary = "; ".join(store_line(s) for s in stores) or "no stores reported"
    warehouse = report.get("warehouse") or {}
    if warehouse:
        age = warehouse.get("ageSeconds")
        summary += (
            f". Warehouse (restored from its newest snapshot copy, not counted): "
            f"{'age unknown' if age is None else f'{float(age):.0f}s old'}, budget {warehouse.get('budgetSeconds')}s"
        )
    writer = report.get("writerRegion") or {}
    decision = report.get("decision") or {}
    reason = (
        f"{'within budget' if not problems else 'NOT within budget: ' + ', '.join(problems)}. "
        f"Writer {writer.get('region', '?')} reachable: {writer.get('reachable')}. "
        f"Recommendation: {decision.get('reason', 'n/a')}"
    )
    if problems and not force and not dry_run:
        raise Exception(
            "Refusing to fail over: " + ", ".join(problems) + ". Per store: " + summary
            + ". Re-run with Force=true to accept losing those writes."
        )
    return {"Allowed": not problems or force, "Summary": summary, "Reason": reason}
