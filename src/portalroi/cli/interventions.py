"""``portalroi interventions``: record, list and import actions on accounts; did they work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.store import Store

__all__ = ["interventions_app", "register"]

interventions_app = typer.Typer(
    help="Customer-success actions on accounts (calls, trainings, QBRs, ...) and their effect.",
    no_args_is_help=True,
)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): v for k, v in row.items()} for row in rows]


@interventions_app.command("add")
def add(
    account: Annotated[str, typer.Option("--account", help="Account acted on.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="call, training, qbr, playbook_step, discount, new_article or other."
        ),
    ],
    at: Annotated[str, typer.Option("--at", help="When (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC).")],
    owner: Annotated[str | None, typer.Option("--owner", help="Who did it.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free-text note.")] = None,
    alert_id: Annotated[
        str | None, typer.Option("--alert-id", help="Alert event that prompted it.")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Risk or reason that prompted it.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record one intervention (unknown account or kind, or a future date, is refused)."""
    from portalroi.interventions import record_intervention

    with exits_cleanly():
        settings = settings_for(db)
        with Store(settings.db) as store:
            iid = record_intervention(
                store,
                account_id=account,
                kind=kind,
                occurred_at=at,
                owner=owner,
                note=note,
                alert_id=alert_id,
                reason=reason,
                source="cli",
            )
        if as_json:
            print_json({"intervention_id": iid})
        else:
            console.print(
                f"recorded {escape(kind)} on {escape(account)} as [bold]{escape(iid)}[/]",
                markup=True,
            )


@interventions_app.command("list")
def list_(
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account's interventions.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Interventions, newest first."""
    from portalroi.interventions import list_interventions

    with exits_cleanly():
        settings = settings_for(db)
        with Store(settings.db, read_only=True) as store:
            frame = list_interventions(store, account, kind=kind)
        if as_json:
            print_json(_records(frame))
            return
        table = Table(title=f"Interventions ({len(frame)})")
        for col in ("intervention_id", "account_id", "kind", "occurred_at", "owner", "reason"):
            table.add_column(col)
        for row in _records(frame):
            table.add_row(
                *(
                    "" if row[c] is None else str(row[c])
                    for c in ("intervention_id", "account_id", "kind", "occurred_at", "owner")
                ),
                "" if row["reason"] is None else str(row["reason"]),
            )
        console.print(table)


@interventions_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV, Parquet or JSONL export of interventions.")],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Mapping file (YAML) of the export's columns.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load interventions from a CRM/CSV export (bad rows are quarantined with the reason)."""
    from portalroi.interventions import import_interventions

    with exits_cleanly():
        settings = settings_for(db)
        with Store(settings.db) as store:
            s = import_interventions(store, path, mapping)
        counts = {
            "rows_read": s.rows_read,
            "inserted": s.inserted,
            "updated": s.updated,
            "duplicates": s.duplicates,
            "quarantined": s.quarantined,
        }
        if as_json:
            print_json({**counts, "issues": [str(i) for i in s.issues]})
            return
        console.print(", ".join(f"{k} {v}" for k, v in counts.items()))
        for issue in s.issues[:20]:
            console.print(f"  [yellow]{escape(str(issue))}[/]", markup=True, highlight=False)


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


@interventions_app.command("effect")
def effect(
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind.")] = None,
    outcome: Annotated[
        str | None,
        typer.Option(
            "--outcome",
            help="active_users, tickets, health or retention (default: the kind's target).",
        ),
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="Weeks before and after.")] = 13,
    controls: Annotated[
        int, typer.Option("--controls", help="Matched controls per intervention.")
    ] = 5,
    caliper: Annotated[
        float, typer.Option("--caliper", help="Largest health-score gap to a control.")
    ] = 10.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Did it work? Each kind's effect on its outcome against matched accounts without one."""
    from portalroi.interventions import intervention_effects

    with exits_cleanly():
        settings = settings_for(db)
        with Store(settings.db, read_only=True) as store:
            report = intervention_effects(
                store,
                kind=kind,
                outcome=outcome,
                weeks=weeks,
                controls=controls,
                caliper=caliper,
                seed=seed,
            )
        if as_json:
            print_json(report.as_dict())
            return
        if not report.effects:
            console.print("No interventions to assess (or no activity data in the store).")
            return
        table = Table(title=f"Did it work? ({report.weeks} weeks before vs after)")
        for col in (
            "kind",
            "outcome",
            "matched",
            "controls",
            "effect (95 % interval)",
            "relative",
            "naive before/after",
        ):
            table.add_column(col)
        for e in report.effects:
            est = e.estimate
            table.add_row(
                e.kind,
                f"{e.label} ({e.unit})",
                f"{e.matched} of {e.interventions}",
                str(e.control_accounts),
                "no estimate"
                if est is None
                else f"{_fmt(est.effect)} ({_fmt(est.ci_low)} to {_fmt(est.ci_high)})",
                "-"
                if est is None or est.relative_effect is None
                else f"{est.relative_effect:+.0%}",
                "-" if est is None else _fmt(est.naive_change),
            )
        console.print(table)
        for e in report.effects:
            for w in e.warnings:
                console.print(
                    f"[yellow]warning ({escape(e.kind)}):[/] {escape(w)}",
                    markup=True,
                    highlight=False,
                )
        if report.effects:
            console.print(f"Method: {report.effects[0].method}.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``interventions`` to the command line."""
    app.add_typer(interventions_app, name="interventions")
