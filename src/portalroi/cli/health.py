"""``portalroi health``: accounts at risk, one account's breakdown and summary, or the backtest.

Subcommands (saved models, score history, accuracy, expansion) live in
:mod:`portalroi.cli.health_history`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from portalroi.cli._common import (
    DbOption,
    JsonOption,
    as_day,
    console,
    exits_cleanly,
    print_json,
    settings_for,
)
from portalroi.errors import DataError, NotFoundError
from portalroi.store import Store

__all__ = ["register"]


def _run_with_progress(label: str, quiet: bool, fn: Any) -> Any:
    if quiet:
        return fn(None)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def tick(i: int, n: int) -> None:
            bar.update(task, completed=i, total=n)

        return fn(tick)


def _clean(v: Any) -> Any:
    return None if isinstance(v, float) and pd.isna(v) else v


def health(
    ctx: typer.Context,
    account: Annotated[
        str | None, typer.Option("--account", help="Show one account in detail.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Snapshot date YYYY-MM-DD (default: day after last data)."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Health-score YAML (default: built in).")
    ] = None,
    run_backtest: Annotated[
        bool, typer.Option("--backtest", help="Backtest the churn model against the score.")
    ] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Accounts to list.")] = 20,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Account health scores, churn risk with reasons, and account summaries.

    Subcommands: refit, models, record, scores, accuracy, expansion.
    """
    if ctx.invoked_subcommand is not None:
        return
    # imported here, not at module level: portalroi.health loads scikit-learn, which would slow
    # down the start of every portalroi command
    from portalroi.health import (
        account_features,
        backtest,
        churn_risk,
        fit_risk_model,
        health_scores,
        load_config,
    )
    from portalroi.health.risk import data_period

    with exits_cleanly():
        settings = settings_for(db)
        cfg = load_config(config)
        with Store(settings.db, read_only=True) as store:
            if run_backtest:
                bt = _run_with_progress(
                    "Building snapshots",
                    as_json,
                    lambda p: backtest(store, health_config=cfg, progress=p),
                )
                if as_json:
                    print_json(bt.as_dict())
                    return
                _print_backtest(bt)
                return
            _, last = data_period(store)
            at = as_day(as_of, "--as-of") or (last + timedelta(days=1)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            feats = account_features(store, at)
            if account is not None and account not in feats.index:
                raise NotFoundError(f"account {account!r} is not a customer on {at:%Y-%m-%d}")
            scores = health_scores(store, at, cfg, features=feats)
            risk: pd.DataFrame | None = None
            note = None
            try:
                model = _run_with_progress(
                    "Fitting churn model", as_json, lambda p: fit_risk_model(store, at, progress=p)
                )
                risk = churn_risk(model, feats)
            except (DataError, ValueError) as exc:
                # too little history (or one class only) for the model: the score needs none,
                # so show it alone, as the dashboard does
                note = f"churn risk not estimated: {exc}"
            if account is None:
                _list(scores, risk, feats, cfg, top, as_json, note)
            else:
                _one(store, account, at, scores, risk, feats, cfg, settings, as_json, note)


def _list(
    scores: pd.DataFrame,
    risk: pd.DataFrame | None,
    feats: pd.DataFrame,
    cfg: Any,
    top: int,
    as_json: bool,
    note: str | None = None,
) -> None:
    from portalroi.health import score_reasons
    from portalroi.health.score import score_text

    reasons = score_reasons(feats, cfg, top=2).groupby("account_id")["feature"].apply(list)
    if risk is None:  # no model: the lowest scores first
        no_reasons: list[list[dict[str, Any]]] = [[] for _ in range(len(scores))]
        frame = scores.assign(risk=float("nan"), reasons=pd.Series(no_reasons, index=scores.index))
        frame = frame.sort_values("score", na_position="last", kind="stable").head(top)
    else:
        frame = scores.join(risk).sort_values("risk", ascending=False).head(top)
    rows = [
        {
            "account_id": idx,
            "risk": _clean(float(r["risk"])),
            "score": _clean(r["score"]),
            "band": r["band"],
            "trend": r["trend"],
            "change": _clean(r["change"]),
            "risk_reasons": [x["feature"] for x in r["reasons"]],
            "score_reasons": list(reasons.get(idx, [])),
        }
        for idx, r in frame.iterrows()
    ]
    if as_json:
        print_json({"accounts": rows} | ({"note": note} if note else {}))
        return
    if note:
        console.print(f"{escape(note)}; accounts sorted by health score.", markup=True)
    table = Table(title="Accounts by churn risk" if note is None else "Accounts by health score")
    for col in ("account", "risk", "score", "band", "trend", "top reasons (model)"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["account_id"]),
            "-" if r["risk"] is None else f"{r['risk']:.0%}",
            score_text(r["score"]),
            r["band"],
            r["trend"],
            ", ".join(r["risk_reasons"]),
        )
    console.print(table)


def _one(
    store: Store,
    account: str,
    at: datetime,
    scores: pd.DataFrame,
    risk: pd.DataFrame | None,
    feats: pd.DataFrame,
    cfg: Any,
    settings: Any,
    as_json: bool,
    note: str | None = None,
) -> None:
    from portalroi.health import account_summary, breakdown
    from portalroi.health.score import score_text

    s: dict[Any, Any] = scores.loc[account].to_dict()
    parts = breakdown(feats.loc[[account]], cfg)
    health: dict[str, Any] = {"score": float(s["score"]), "band": s["band"], "trend": s["trend"]}
    risk_d: dict[str, Any] | None = None
    if risk is not None:
        r: dict[Any, Any] = risk.loc[account].to_dict()
        risk_d = {"risk": float(r["risk"]), "reasons": r["reasons"]}
    summary = account_summary(
        store, account, at - timedelta(days=cfg.trend_days), at, health, risk_d, settings
    )
    if as_json:
        detail: dict[str, Any] = dict(health, score=_clean(health["score"]))
        detail["change"] = _clean(s["change"])
        detail["components"] = {c: _clean(s[c]) for c in cfg.components}
        print_json(
            {
                "account_id": account,
                "as_of": at.date().isoformat(),
                "health": detail,
                "breakdown": [
                    {k: _clean(v) for k, v in row.items()}
                    for row in parts.drop(columns="account_id").to_dict(orient="records")
                ],
                "risk": risk_d,
                "summary": {"text": summary.text, "source": summary.source},
            }
            | ({"note": note} if note else {})
        )
        return
    console.print(
        f"[bold]{escape(account)}[/] as of {at:%Y-%m-%d}: health {score_text(health['score'])}/100 "
        f"({health['band']}, trend {health['trend']}); churn risk "
        + ("-" if risk_d is None else f"{risk_d['risk']:.0%}"),
        markup=True,
    )
    table = Table(title="Score breakdown")
    for col in ("component", "signal", "value", "points", "weight", "points lost"):
        table.add_column(col)
    for row in parts.to_dict(orient="records"):
        value, points = _clean(row["value"]), _clean(row["points"])
        table.add_row(
            str(row["component"]),
            str(row["feature"]),
            "-" if value is None else f"{value:.3g}",
            "-" if points is None else f"{points:.0f}",
            f"{row['weight']:.2f}",
            f"{row['lost_points']:.1f}",
        )
    console.print(table)
    if risk_d is None:
        console.print(f"{escape(note or 'churn risk not estimated')}.", markup=True)
    else:
        reasons = ", ".join(
            f"{x['feature']} (+{x['contribution']:.2f} log-odds)" for x in risk_d["reasons"]
        )
        console.print(f"Churn-risk reasons: {reasons or 'none above average'}")
    console.print(f"Summary: {summary.text}")


def _print_backtest(bt: Any) -> None:
    d = bt.as_dict()
    console.print(
        f"Backtest: cutoff {d['cutoff']}, horizon {d['horizon_days']} days; trained on "
        f"{len(d['train_snapshots'])} snapshots ({d['n_train']} rows, {d['train_churners']} churned), "
        f"scored {len(d['test_snapshots'])} snapshots ({d['n_test']} rows, "
        f"{d['test_churners']} churned); model fit {d['fit_seconds']:.1f} s"
    )
    table = Table(title="Churn model vs transparent health score")
    for col in ("scorer", "ROC AUC", "average precision", "top-decile lift", "Brier"):
        table.add_column(col)
    for name, row in bt.table().iterrows():
        table.add_row(
            str(name),
            f"{row['roc_auc']:.3f}",
            f"{row['average_precision']:.3f}",
            f"{row['top_decile_lift']:.2f}",
            f"{row['brier']:.4f}",
        )
    console.print(table)
    console.print("(Brier for the health score uses 1 - score/100 and is not a probability.)")
    cal = bt.model.calibration
    console.print(
        "Model calibration (bin: n, predicted, observed): "
        + "; ".join(
            f"{r.lower:.1f}-{r.upper:.1f}: {r.n}, {r.mean_predicted:.3f}, {r.observed_rate:.3f}"
            for r in cal.itertuples()
        )
    )


def register(app: typer.Typer) -> None:
    """Add the ``health`` group (the command itself and its subcommands) to the main app."""
    from portalroi.cli.health_history import add_commands

    group = typer.Typer(invoke_without_command=True)
    group.callback()(health)
    add_commands(group)
    app.add_typer(group, name="health")
