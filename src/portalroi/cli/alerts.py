"""``portalroi alerts``: add, list and remove alert rules; run them; show what fired."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.cli.schedules import parse_now
from portalroi.errors import ConfigError, Issue, ValidationError

__all__ = ["register"]

alerts_app = typer.Typer(
    help="Alert rules on health, metrics, spikes and ticket topics (e-mail and webhook).",
    no_args_is_help=True,
)

NowOption = Annotated[
    str | None,
    typer.Option(
        "--now", help="Evaluate as of this time (ISO; default: the data's last timestamp)."
    ),
]


def _opt(name: str, help_text: str) -> Any:
    return typer.Option(name, help=help_text)


def _from_flags(given: dict[str, Any]) -> Any:
    from portalroi.alerts import parse_rule

    try:
        return parse_rule(given, "flags")
    except ValidationError as exc:
        issues = [
            Issue("--" + i.location.removeprefix("flags").lstrip(".").replace("_", "-"), i.reason)
            for i in exc.issues
        ]
        raise ValidationError("invalid alert rule", issues) from None


@alerts_app.command("add")
def add_command(
    file: Annotated[
        Path | None, typer.Option("--file", help="YAML file with a list of rules under 'rules:'.")
    ] = None,
    name: Annotated[str | None, _opt("--name", "Rule name.")] = None,
    kind: Annotated[
        str | None,
        _opt("--kind", "health_band, metric_change, metric_threshold, spike or topic_surge."),
    ] = None,
    org: Annotated[
        str | None, _opt("--org", "Organisation (accounts.org_id) the rules watch.")
    ] = None,
    email: Annotated[list[str] | None, _opt("--email", "Recipient (repeat for several).")] = None,
    webhook_url: Annotated[str | None, _opt("--webhook-url", "URL to POST to.")] = None,
    webhook_secret: Annotated[
        str | None, _opt("--webhook-secret", "Signature secret (default: secret_key).")
    ] = None,
    renotify_days: Annotated[
        float | None, _opt("--renotify-days", "Fire again while still true after N days.")
    ] = None,
    band: Annotated[str | None, _opt("--band", "health_band: at_risk/neutral/healthy.")] = None,
    below: Annotated[float | None, _opt("--below", "health_band: score below this.")] = None,
    metric: Annotated[str | None, _opt("--metric", "metric_*: registry metric.")] = None,
    direction: Annotated[str | None, _opt("--direction", "metric_change: fall/rise.")] = None,
    pct: Annotated[float | None, _opt("--pct", "metric_change: change in percent.")] = None,
    op: Annotated[str | None, _opt("--op", "metric_threshold: above/below.")] = None,
    value: Annotated[float | None, _opt("--value", "metric_threshold: the value.")] = None,
    count: Annotated[str | None, _opt("--count", "spike: the daily count watched.")] = None,
    method: Annotated[str | None, _opt("--method", "spike: ratio or zscore.")] = None,
    threshold: Annotated[float | None, _opt("--threshold", "spike: ratio or z.")] = None,
    topics: Annotated[str | None, _opt("--topics", "topic_surge: discovered or category.")] = None,
    ratio: Annotated[float | None, _opt("--ratio", "topic_surge: ratio to baseline.")] = None,
    window_days: Annotated[int | None, _opt("--window-days", "Window length in days.")] = None,
    baseline_days: Annotated[
        int | None, _opt("--baseline-days", "spike/topic_surge: baseline days.")
    ] = None,
    min_count: Annotated[int | None, _opt("--min-count", "Least recent count.")] = None,
    min_base: Annotated[
        float | None, _opt("--min-base", "metric_change: least earlier value.")
    ] = None,
    scope: Annotated[str | None, _opt("--scope", "account or portal.")] = None,
    db: DbOption = None,
) -> None:
    """Add rules from a YAML file (--file) or from flags (--name, --kind and the kind's fields)."""
    from portalroi.alerts import add_rule, load_rules
    from portalroi.store import Store

    with exits_cleanly():
        fields = {
            "name": name,
            "kind": kind,
            "email": email or None,
            "webhook_url": webhook_url,
            "webhook_secret": webhook_secret,
            "renotify_days": renotify_days,
            "band": band,
            "below": below,
            "metric": metric,
            "direction": direction,
            "pct": pct,
            "op": op,
            "value": value,
            "count": count,
            "method": method,
            "threshold": threshold,
            "topics": topics,
            "ratio": ratio,
            "window_days": window_days,
            "baseline_days": baseline_days,
            "min_count": min_count,
            "min_base": min_base,
            "scope": scope,
        }
        given = {k: v for k, v in fields.items() if v is not None}
        if file is not None:
            if given:
                raise ConfigError(
                    f"--file takes the rules from the file; drop --{next(iter(given))}"
                )
            rules = load_rules(file)
        elif not given:
            raise ConfigError("give --file RULES.yaml, or --name and --kind with the kind's fields")
        else:
            rules = [_from_flags(given)]
        if org is not None:
            clash = [r.name for r in rules if r.org_id not in (None, org)]
            if clash:
                raise ConfigError(f"rule {clash[0]!r} names another org_id than --org {org!r}")
            rules = [r.model_copy(update={"org_id": org}) for r in rules]
        settings = settings_for(db)
        with Store(settings.db) as store:
            ids = [add_rule(store, r) for r in rules]
    for rid, r in zip(ids, rules, strict=True):
        console.print(f"added {rid} '{r.name}' ({r.kind})", highlight=False, markup=False)


@alerts_app.command("list")
def list_command(
    org: Annotated[str | None, _opt("--org", "Only this organisation's rules.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the alert rules (webhook secrets hidden)."""
    from portalroi.alerts import list_rules
    from portalroi.store import Store

    with exits_cleanly():
        settings = settings_for(db)
        with Store(settings.db, read_only=True) as store:
            rules = list_rules(store, None if org is None else frozenset({org}))
    if as_json:
        print_json([r.public() for r in rules])
        return
    if not rules:
        console.print("no alert rules; add one with `portalroi alerts add`")
        return
    table = Table("id", "name", "kind", "org", "condition", "channels")
    for r in rules:
        spec = r.public()
        skip = {"rule_id", "created_at", "name", "kind", "org_id", "email", "webhook_url"}
        skip |= {"webhook_secret", "enabled", "renotify_days"}
        cond = ", ".join(f"{k}={v}" for k, v in spec.items() if k not in skip and v is not None)
        channels = [*spec["email"], *([spec["webhook_url"]] if spec["webhook_url"] else [])]
        table.add_row(
            r.rule_id, r.rule.name, r.rule.kind, r.rule.org_id or "-", cond, ", ".join(channels)
        )
    console.print(table)


@alerts_app.command("remove")
def remove_command(
    rule_id: Annotated[str, typer.Argument(help="Rule id (see `portalroi alerts list`).")],
    db: DbOption = None,
) -> None:
    """Remove a rule (its history stays)."""
    from portalroi.alerts import remove_rule
    from portalroi.store import Store

    with exits_cleanly():
        settings = settings_for(db)
        with Store(settings.db) as store:
            remove_rule(store, rule_id)
    console.print(f"removed {rule_id}", highlight=False)


@alerts_app.command("run")
def run_command(
    now: NowOption = None,
    deliver: Annotated[
        bool, typer.Option("--deliver/--no-deliver", help="Send e-mails and webhooks.")
    ] = True,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Evaluate every rule now, record what fires and deliver it; exit 1 if a delivery failed."""
    from portalroi.alerts import run_alerts
    from portalroi.store import Store

    with exits_cleanly():
        settings = settings_for(db)
        at = parse_now(now) if now is not None else None
        with Store(settings.db) as store:
            result = run_alerts(store, settings, at, deliver=deliver)
    if as_json:
        print_json(result.__dict__)
    else:
        as_of = result.as_of.date().isoformat() if result.as_of else "-"
        console.print(
            f"as of {as_of}: {len(result.fired)} fired, {result.still_active} still active "
            f"(silent), {result.cleared} cleared; deliveries {result.delivered} sent, "
            f"{result.failed} failed",
            highlight=False,
        )
        for rid, err in result.errors.items():
            console.print(f"rule {rid} failed: {err}", highlight=False, markup=False)
    if result.failed:
        raise typer.Exit(code=1)


@alerts_app.command("history")
def history_command(
    rule: Annotated[str | None, _opt("--rule", "Only this rule's events.")] = None,
    account: Annotated[str | None, _opt("--account", "Only this account's events.")] = None,
    org: Annotated[str | None, _opt("--org", "Only this organisation's events.")] = None,
    limit: Annotated[int, _opt("--limit", "Most events shown (newest first).")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What fired and when, with each channel's delivery status."""
    from portalroi.alerts import events_frame
    from portalroi.api.frames import records
    from portalroi.store import Store

    with exits_cleanly():
        if limit < 1:
            raise ConfigError(f"--limit must be at least 1 (got {limit})")
        settings = settings_for(db)
        with Store(settings.db, read_only=True) as store:
            orgs = None if org is None else frozenset({org})
            frame, total = events_frame(store, orgs, rule, account, limit)
    rows = records(frame) if not frame.empty else []
    if as_json:
        print_json({"data": rows, "count": total})
        return
    if not rows:
        console.print("nothing has fired yet")
        return
    table = Table("fired at", "event", "rule", "account", "reason", "delivery")
    for r in rows:
        status = ", ".join(
            f"{d['channel']} {d['status']}" + (f" ({d['error']})" if d["error"] else "")
            for d in r["deliveries"]
        )
        table.add_row(
            str(r["fired_at"])[:19],
            r["event_id"],
            r["rule_name"],
            r["account_id"] or "-",
            r["reason"],
            status or "-",
        )
    console.print(table)
    if total > len(rows):
        console.print(f"{len(rows)} of {total} events shown (--limit)", highlight=False)


@alerts_app.command("test")
def try_command(
    rule_id: Annotated[str, typer.Argument(help="Rule id (see `portalroi alerts list`).")],
    now: NowOption = None,
    send: Annotated[
        bool, typer.Option("--send", help="Also send a test message through its channels.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show which conditions of one rule hold now (nothing recorded); --send tests delivery."""
    from portalroi.alerts import evaluate, get_rule
    from portalroi.alerts.testsend import send_test
    from portalroi.store import Store

    with exits_cleanly():
        settings = settings_for(db)
        at = parse_now(now) if now is not None else None
        with Store(settings.db, read_only=True) as store:
            stored = get_rule(store, rule_id)
            evaluation = evaluate(store, [stored], at)
        if rule_id in evaluation.errors:
            raise ConfigError(f"rule {rule_id} failed: {evaluation.errors[rule_id]}")
        conds = evaluation.conditions.get(rule_id, [])
        outcomes = send_test(stored, settings) if send else {}
    if as_json:
        print_json(
            {
                "as_of": evaluation.as_of,
                "conditions": [c.__dict__ for c in conds],
                "sent": outcomes,
            }
        )
    else:
        console.print(
            f"{len(conds)} condition(s) of '{stored.rule.name}' hold now", highlight=False
        )
        for c in conds:
            console.print(f"  {c.account_id or 'portal'}: {c.reason}", highlight=False)
        for channel, outcome in outcomes.items():
            console.print(f"test {channel}: {outcome}", highlight=False, markup=False)
    if any(o != "sent" for o in outcomes.values()):
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add ``alerts`` to the command line."""
    app.add_typer(alerts_app, name="alerts")
