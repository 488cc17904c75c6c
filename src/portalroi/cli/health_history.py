"""``portalroi health refit | models | record | scores | accuracy | expansion``.

Saved churn models, the stored risk-score history, how well past scores predicted churn per
month, and expansion (upsell / cross-sell) signals. Thin shells over
:mod:`portalroi.health.model_store`, :mod:`portalroi.health.history`,
:mod:`portalroi.health.accuracy` and :mod:`portalroi.health.expansion`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from portalroi.cli._common import DbOption, JsonOption, console, exits_cleanly, print_json
from portalroi.cli._common import settings_for as _settings_for
from portalroi.errors import ConfigError
from portalroi.store import Store

if TYPE_CHECKING:
    from portalroi.health.accuracy import AccuracyReport

# portalroi.health is imported inside the commands, not at module level: it loads scikit-learn,
# which would slow down the start of every portalroi command.

__all__ = ["add_commands"]

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Date YYYY-MM-DD (default: the day after the last activity)."),
]
HorizonOption = Annotated[
    int, typer.Option("--horizon-days", help="Churn outcome window of the model, in days.")
]

#: Help of the ``expansion`` thresholds: the descriptions of the fields of
#: :class:`portalroi.health.expansion.ExpansionParams`, copied so that building the command line
#: does not import portalroi.health (tests/test_cli_startup.py checks that they stay equal).
EXPANSION_HELP: dict[str, str] = {
    "seat_utilisation_min": "Active users (last 30 days) per licensed seat that flags 'seats'.",
    "user_growth_min": "Relative growth of users over 90 days that flags 'user_growth'.",
    "order_growth_min": "Growth of order value, last 90 days vs the 90 before, above the growth "
    "of the segment's other accounts over the same windows.",
    "peer_share": "Share of active segment peers using a feature for it to count as usual.",
}


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def refit_cmd(
    as_of: AsOfOption = None,
    horizon_days: HorizonOption = 180,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fit the churn model on outcomes known by --as-of and save it in the store."""
    from portalroi.health.model_store import refit

    with exits_cleanly():
        with Store(_settings_for(db).db) as store:
            saved = refit(store, as_of, horizon_days)
        out = {
            "model_version": saved.version,
            "trained_until": saved.trained_until.date().isoformat(),
            "horizon_days": saved.horizon_days,
            "n_train": saved.n_train,
            "train_churners": saved.train_churners,
        }
        if as_json:
            print_json(out)
            return
        console.print(
            f"Saved churn model [bold]{escape(str(saved.version))}[/]: trained on outcomes known by "
            f"{out['trained_until']} ({saved.n_train} snapshot rows, {saved.train_churners} "
            f"churned within {horizon_days} days)",
            markup=True,
        )


def models_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the churn models saved in the store, newest first."""
    from portalroi.health.model_store import saved_models

    with exits_cleanly():
        with Store(_settings_for(db).db, read_only=True) as store:
            frame = saved_models(store)
        rows = [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]
        if as_json:
            print_json({"models": rows})
            return
        table = Table(title="Saved churn models")
        for col in ("version", "trained until", "horizon", "rows", "churned", "fitted at"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                str(r["model_version"]),
                str(r["trained_until"])[:10],
                str(r["horizon_days"]),
                str(r["n_train"]),
                str(r["train_churners"]),
                str(r["fitted_at"])[:19],
            )
        console.print(table)


def record_cmd(
    as_of: AsOfOption = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Backfill: first score date YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Backfill: last score date (default: --as-of).")
    ] = None,
    step_days: Annotated[int, typer.Option("--step-days", help="Backfill: days between.")] = 30,
    reuse_models: Annotated[
        bool,
        typer.Option(
            "--reuse-models",
            help="Backfill: use the newest saved model trained by each date instead of "
            "fitting one per date.",
        ),
    ] = False,
    horizon_days: HorizonOption = 180,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store every account's risk, health score and band for a date (or backfill a range)."""
    from portalroi.health.history import backfill, record_scores
    from portalroi.health.model_store import day, default_as_of

    with exits_cleanly():
        if end is not None and start is None:
            raise ConfigError("--to needs --from (a backfill range)")
        with Store(_settings_for(db).db) as store:
            if start is None:
                at = day(as_of) if as_of else default_as_of(store)
                counts = {f"{at:%Y-%m-%d}": record_scores(store, at, horizon_days)}
            else:
                last = end or as_of or f"{default_as_of(store):%Y-%m-%d}"
                with Progress(console=console, transient=True, disable=as_json) as bar:
                    task = bar.add_task("Recording scores", total=None)
                    counts = backfill(
                        store,
                        start,
                        last,
                        step_days,
                        horizon_days,
                        reuse_models,
                        progress=lambda i, n: bar.update(task, completed=i, total=n),
                    )
        if as_json:
            print_json({"recorded": counts, "total": sum(counts.values())})
            return
        for d, n in counts.items():
            console.print(f"{d}: {n} scores stored")


def scores_cmd(
    account: Annotated[str | None, typer.Option("--account", help="One account's history.")] = None,
    score_date: Annotated[
        str | None, typer.Option("--date", help="One score date YYYY-MM-DD.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show.")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show stored risk scores (newest first)."""
    from portalroi.health.history import scores
    from portalroi.health.score import score_text

    with exits_cleanly():
        with Store(_settings_for(db).db, read_only=True) as store:
            frame = scores(store, account, score_date)
        rows = [{k: _plain(v) for k, v in r.items()} for r in frame.head(limit).to_dict("records")]
        if as_json:
            print_json({"count": len(frame), "scores": rows})
            return
        table = Table(title=f"Stored risk scores ({len(frame)} rows)")
        for col in ("date", "account", "risk", "health", "band", "model"):
            table.add_column(col)
        for r in rows:
            table.add_row(
                str(r["score_date"]),
                str(r["account_id"]),
                _fmt(r["risk"], ".1%"),
                score_text(r["health_score"]),
                str(r["band"]),
                str(r["model_version"]),
            )
        console.print(table)


def accuracy_cmd(
    known_until: Annotated[
        str | None,
        typer.Option(
            "--known-until", help="Outcomes known by this date (default: after the last data)."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """How well stored scores predicted churn, per score month whose outcomes are known."""
    from portalroi.health.accuracy import accuracy_by_month

    with exits_cleanly():
        with Store(_settings_for(db).db, read_only=True) as store:
            report = accuracy_by_month(store, known_until=known_until)
        if as_json:
            print_json(report.as_dict())
            return
        _print_accuracy(report)


def _print_accuracy(report: AccuracyReport) -> None:
    if not report.months:
        console.print(
            f"No stored score has a closed outcome window by {report.known_until:%Y-%m-%d}; "
            "record scores for past dates with `portalroi health record --from ... --to ...`."
        )
        return
    table = Table(
        title=f"Accuracy of stored risk scores (outcomes known by {report.known_until:%Y-%m-%d})"
    )
    for col in ("month", "n", "churned", "AUC", "AP", "Brier", "ECE", "top 10%", "at risk"):
        table.add_column(col)
    months = [*report.months, *([report.overall] if report.overall else [])]
    for m in months:
        model, base = m.model, m.health_score
        table.add_row(
            m.month,
            str(m.n),
            str(m.churned),
            f"{_fmt(model.roc_auc if model else None, '.2f')} / {_fmt(base.roc_auc, '.2f')}",
            f"{_fmt(model.average_precision if model else None, '.2f')} / "
            f"{_fmt(base.average_precision, '.2f')}",
            _fmt(model.brier if model else None, ".3f"),
            _fmt(model.ece if model else None, ".3f"),
            f"{_fmt(model.top_decile_precision if model else None, '.2f')} / "
            f"{_fmt(base.top_decile_precision, '.2f')}",
            _fmt(m.at_risk_precision, ".2f"),
        )
    console.print(table)
    console.print(
        "AUC, AP (average precision) and top 10% (churn rate among the highest-risk tenth): "
        "model / health score. Brier and ECE (calibration error) for the model; at risk: "
        "churn rate of accounts in the at_risk band."
    )
    small = sum(any(w.startswith("small") for w in m.warnings) for m in report.months)
    if small:
        console.print(f"{small} month(s) have small samples; see --json for the warnings.")


def expansion_cmd(
    as_of: AsOfOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Accounts to list.")] = 20,
    seat_utilisation_min: Annotated[
        float, typer.Option(help=EXPANSION_HELP["seat_utilisation_min"])
    ] = 0.9,
    user_growth_min: Annotated[float, typer.Option(help=EXPANSION_HELP["user_growth_min"])] = 0.2,
    order_growth_min: Annotated[
        float, typer.Option(help=EXPANSION_HELP["order_growth_min"])
    ] = 0.25,
    peer_share: Annotated[float, typer.Option(help=EXPANSION_HELP["peer_share"])] = 0.5,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Accounts whose seats, users, orders or feature use suggest upsell or cross-sell."""
    from portalroi.health.expansion import ExpansionParams, expansion_accounts, expansion_signals
    from portalroi.health.model_store import day, default_as_of

    with exits_cleanly():
        try:
            params = ExpansionParams(
                seat_utilisation_min=seat_utilisation_min,
                user_growth_min=user_growth_min,
                order_growth_min=order_growth_min,
                peer_share=peer_share,
            )
        except ValueError as exc:
            raise ConfigError(f"expansion thresholds: {exc}") from None
        with Store(_settings_for(db).db, read_only=True) as store:
            at = day(as_of) if as_of else default_as_of(store)
            signals = expansion_signals(store, at, params)
        accounts = expansion_accounts(signals).head(top)
        if as_json:
            print_json(
                {
                    "as_of": at.date().isoformat(),
                    "accounts": int(signals["account_id"].nunique()),
                    "signals": [
                        {k: _plain(v) for k, v in r.items()}
                        for r in signals[
                            signals["account_id"].isin(accounts["account_id"])
                        ].to_dict("records")
                    ],
                }
            )
            return
        table = Table(title=f"Expansion signals as of {at:%Y-%m-%d}")
        for col in ("account", "segment", "kind", "reasons"):
            table.add_column(col)
        for r in accounts.to_dict("records"):
            table.add_row(
                str(r["account_id"]),
                str(r["segment"]),
                ", ".join(r["kinds"]),
                "; ".join(r["reasons"]),
            )
        console.print(table)


def add_commands(app: typer.Typer) -> None:
    """Add the subcommands to the ``health`` group."""
    app.command("refit")(refit_cmd)
    app.command("models")(models_cmd)
    app.command("record")(record_cmd)
    app.command("scores")(scores_cmd)
    app.command("accuracy")(accuracy_cmd)
    app.command("expansion")(expansion_cmd)
