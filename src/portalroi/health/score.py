"""The transparent health score: 0-100 points per account, its band, trend and breakdown.

For one account, every signal of the configuration (see :mod:`portalroi.health.config`) gives
0-100 points from its feature. A component's score is the weighted mean of its signals that
have a value; the overall score is the weighted mean of the components that have a value
(weights renormalised over what is present, so a missing NPS neither helps nor hurts).

So each signal has an *effective weight* ``w = (W_c / sum W) * (w_s / sum w)`` for that account
and ``score = sum w * points`` exactly. The points a signal *costs* the account are
``w * (100 - points)``; they add up to ``100 - score``, and the signals that cost the most are
the score's reasons.

Examples
--------
>>> import pandas as pd
>>> from portalroi.health.config import HealthConfig
>>> cfg = HealthConfig.model_validate({"components": {
...     "use": {"weight": 1, "signals": {"active_user_share": {"bad": 0, "good": 0.5}}},
...     "support": {"weight": 3, "signals": {"open_tickets": {"bad": 4, "good": 0}}}}})
>>> f = pd.DataFrame({"active_user_share": [0.25], "open_tickets": [1.0]}, index=["A1"])
>>> s = score_accounts(f, cfg)
>>> float(s.loc["A1", "score"]), s.loc["A1", "band"]
(68.75, 'neutral')
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from portalroi.health.config import HealthConfig
from portalroi.health.features import account_features, as_timestamp
from portalroi.store import Store

__all__ = ["breakdown", "health_scores", "score_accounts", "score_reasons", "score_text"]


def _signal_frames(features: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Long frame: row position, account, component, feature, value, points, weights."""
    n = len(features)
    comp_total = np.zeros(n)
    parts: list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for cname, comp in config.components.items():
        sig_total = np.zeros(n)
        sigs = []
        for fname, sig in comp.signals.items():
            values = (
                features[fname].to_numpy(dtype=float) if fname in features else np.full(n, np.nan)
            )
            share = np.clip((values - sig.bad) / (sig.good - sig.bad), 0.0, 1.0)
            points = np.round(100.0 * share, 10)
            w = np.where(np.isnan(points), 0.0, sig.weight)
            sig_total += w
            sigs.append((fname, values, points, w))
        comp_total += np.where(sig_total > 0, comp.weight, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            for fname, values, points, w in sigs:
                parts.append((cname, fname, values, points, w / sig_total * comp.weight, sig_total))
    pieces = []
    with np.errstate(invalid="ignore", divide="ignore"):
        for cname, fname, values, points, eff, _ in parts:
            weight = np.nan_to_num(eff / comp_total, nan=0.0)
            pieces.append(
                pd.DataFrame(
                    {
                        "_row": np.arange(n),
                        "account_id": features.index.to_numpy(),
                        "component": cname,
                        "feature": fname,
                        "value": values,
                        "points": points,
                        "weight": weight,
                        "lost_points": np.nan_to_num(weight * (100.0 - points), nan=0.0),
                    }
                )
            )
    return pd.concat(pieces, ignore_index=True).sort_values(["_row"], kind="stable")


def score_text(score: float | None) -> str:
    """A score in whole points for display, truncated rather than rounded; ``-`` when missing.

    Truncating keeps the figure shown in the band the score is in: 69.9 is ``neutral`` under the
    default bands and shows as 69, not as a 70 that reads ``healthy``.

    Examples
    --------
    >>> score_text(69.9), score_text(70.0), score_text(float("nan")), score_text(None)
    ('69', '70', '-', '-')
    """
    if score is None or np.isnan(score):
        return "-"
    return str(int(np.floor(score)))


def breakdown(features: pd.DataFrame, config: HealthConfig | None = None) -> pd.DataFrame:
    """Every signal of every account: value, points, effective weight and points lost.

    Returns
    -------
    pandas.DataFrame
        Columns ``account_id``, ``component``, ``feature``, ``value``, ``points`` (0-100,
        missing when the feature is), ``weight`` (effective weight in the overall score; the
        weights of an account sum to 1) and ``lost_points`` (``weight * (100 - points)``).
        ``sum(weight * points) == score`` for each account.

    Examples
    --------
    >>> import pandas as pd
    >>> from portalroi.health.config import HealthConfig
    >>> cfg = HealthConfig.model_validate({"components": {"s": {"weight": 1, "signals": {
    ...     "open_tickets": {"bad": 4, "good": 0}, "tickets_90d": {"bad": 10, "good": 0}}}}})
    >>> b = breakdown(pd.DataFrame({"open_tickets": [3.0], "tickets_90d": [0.0]}), cfg)
    >>> b[["feature", "points", "lost_points"]].values.tolist()
    [['open_tickets', 25.0, 37.5], ['tickets_90d', 100.0, 0.0]]
    """
    long = _signal_frames(features, config or HealthConfig.default())
    return long.drop(columns="_row").reset_index(drop=True)


def score_accounts(features: pd.DataFrame, config: HealthConfig | None = None) -> pd.DataFrame:
    """Score, band and per-component scores of each account (one row per feature row).

    Returns
    -------
    pandas.DataFrame
        Same index as ``features``; ``score`` (0-100; missing when no signal has a value),
        ``band`` (``healthy`` / ``neutral`` / ``at_risk`` / ``unknown``) and one column per
        component with its 0-100 score.
    """
    cfg = config or HealthConfig.default()
    long = _signal_frames(features, cfg)
    long["_wp"] = long["weight"] * long["points"].fillna(0.0)
    by_row = long.groupby("_row")
    # Rounded before banding: the band is that of the score reported (weights such as 0.1, 0.2,
    # 0.3 with every signal at 70 points sum to 69.99999999999999, which is not "healthy").
    score = np.round((by_row["_wp"].sum().where(by_row["weight"].sum() > 0)).to_numpy(), 10)
    out = pd.DataFrame(index=features.index)
    out["score"] = score if len(out) else np.array([], dtype=float)
    out["band"] = ["unknown" if np.isnan(v) else cfg.bands.band(float(v)) for v in score]
    comp = long.groupby(["_row", "component"], sort=False)
    comp_score = (comp["_wp"].sum() / comp["weight"].sum()).unstack("component")
    for cname in cfg.components:
        col = comp_score[cname] if cname in comp_score else pd.Series(dtype=float)
        out[cname] = np.round(col.reindex(range(len(out))).to_numpy(dtype=float), 10)
    return out


def score_reasons(
    features: pd.DataFrame, config: HealthConfig | None = None, top: int = 3
) -> pd.DataFrame:
    """The signals that cost each account the most points (the score's reasons).

    Returns
    -------
    pandas.DataFrame
        Long: ``account_id``, ``rank`` (1 = costs the most), ``component``, ``feature``,
        ``value``, ``points``, ``lost_points``; only signals that cost more than 0 points.

    Examples
    --------
    >>> import pandas as pd
    >>> from portalroi.health.config import HealthConfig
    >>> cfg = HealthConfig.model_validate({"components": {"s": {"weight": 1, "signals": {
    ...     "open_tickets": {"bad": 4, "good": 0}, "tickets_90d": {"bad": 10, "good": 0}}}}})
    >>> score_reasons(pd.DataFrame({"open_tickets": [3.0], "tickets_90d": [0.0]}), cfg)[
    ...     "feature"].tolist()
    ['open_tickets']
    """
    long = _signal_frames(features, config or HealthConfig.default())
    long = long[long["lost_points"] > 1e-9].sort_values(
        ["_row", "lost_points"], ascending=[True, False], kind="stable"
    )
    long["rank"] = long.groupby("_row").cumcount() + 1
    long = long[long["rank"] <= top]
    cols = ["account_id", "rank", "component", "feature", "value", "points", "lost_points"]
    return long[cols].reset_index(drop=True)


def health_scores(
    store: Store,
    as_of: date | datetime | str,
    config: HealthConfig | None = None,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Scores of every customer account as of a date, with the trend since the previous period.

    The previous period's score is computed the same way as of ``as_of - trend_days``.
    ``trend`` is ``up`` / ``down`` when the score moved by more than ``trend_flat_within``
    points, ``flat`` otherwise, ``new`` when the account had no score then.

    Returns
    -------
    pandas.DataFrame
        :func:`score_accounts`'s columns plus ``previous_score``, ``change`` and ``trend``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     list(health_scores(store, "2024-01-01").columns[:2])
    ['score', 'band']
    """
    cfg = config or HealthConfig.default()
    at = as_timestamp(as_of)
    now = score_accounts(features if features is not None else account_features(store, at), cfg)
    before = score_accounts(account_features(store, at - timedelta(days=cfg.trend_days)), cfg)
    now["previous_score"] = before["score"].reindex(now.index)
    now["change"] = now["score"] - now["previous_score"]
    now["trend"] = np.select(
        [
            now["change"].isna(),
            now["change"] > cfg.trend_flat_within,
            now["change"] < -cfg.trend_flat_within,
        ],
        ["new", "up", "down"],
        default="flat",
    )
    return now
