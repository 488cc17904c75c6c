"""Match each treated episode to similar accounts that got no intervention in the same period.

A control for a treated episode (account ``a``, anchor day ``d``) is another account that

* is eligible at ``d`` the same way (see :func:`portalroi.interventions.effect`),
* had no intervention of any kind in ``[d - 7w, d]`` (later ones are allowed: excluding
  them would favour accounts that churned before anyone could act),
* is in the same segment, and
* had a health score as of the same grid date within ``caliper`` points of ``a``'s.

The ``k`` nearest by score are kept (ties broken by account id), with replacement across
episodes (an account may be a control for several). Each control of an episode with ``m``
controls weighs ``1 / m``.

Examples
--------
>>> import pandas as pd
>>> treated = pd.DataFrame({"episode": [0], "anchor": ["2024-03-05"], "segment": ["smb"],
...                         "score": [40.0]})
>>> pool = pd.DataFrame({"anchor": ["2024-03-05"] * 3, "account_id": ["B", "C", "D"],
...                      "segment": ["smb", "smb", "mid_market"], "score": [43.0, 70.0, 40.0]})
>>> match_controls(treated, pool, k=2, caliper=10).values.tolist()
[[0, 'B', 1.0, 3.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["match_controls"]


def match_controls(
    treated: pd.DataFrame, pool: pd.DataFrame, *, k: int = 5, caliper: float = 10.0
) -> pd.DataFrame:
    """Nearest-neighbour controls within ``caliper`` score points, exact on anchor and segment.

    Parameters
    ----------
    treated
        One row per treated episode: ``episode``, ``anchor``, ``segment``, ``score``.
    pool
        Candidate controls per anchor: ``anchor``, ``account_id``, ``segment``, ``score``
        (already restricted to eligible accounts without interventions around the anchor).
    k
        Controls kept per episode (at most).
    caliper
        Largest allowed score difference.

    Returns
    -------
    pandas.DataFrame
        ``episode``, ``account_id``, ``weight`` (1 / controls of the episode), ``distance``;
        episodes without any control within the caliper are absent.
    """
    cols = ["episode", "account_id", "weight", "distance"]
    if not len(treated) or not len(pool):
        return pd.DataFrame({c: [] for c in cols})
    cand = pool.dropna(subset=["score"])
    groups = dict(list(cand.groupby(["anchor", "segment"], sort=False)))
    rows: list[tuple[int, str, float, float]] = []
    for ep, anchor, segment, score in treated[["episode", "anchor", "segment", "score"]].values:
        if score is None or pd.isna(score):
            continue
        g = groups.get((anchor, segment))
        if g is None:
            continue
        dist = np.abs(g["score"].to_numpy(dtype=float) - float(score))
        ok = dist <= caliper
        if not ok.any():
            continue
        ids = g["account_id"].to_numpy()[ok]
        d = dist[ok]
        order = np.lexsort((ids, d))[:k]
        for i in order:
            rows.append((int(ep), str(ids[i]), 1.0 / len(order), float(d[i])))
    return pd.DataFrame(rows, columns=cols)
