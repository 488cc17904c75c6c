"""Figures the leadership report needs besides the ROI report.

Examples
--------
>>> from portalroi.store import Store
>>> tickets_by_month(Store(":memory:"))
{}
"""

from __future__ import annotations

from typing import Any

__all__ = ["tickets_by_month"]


def tickets_by_month(source: Any) -> dict[str, float]:
    """Tickets opened per month ``YYYY-MM`` (metric ``ticket_volume``, all channels).

    Parameters
    ----------
    source
        A :class:`~portalroi.store.Store` or a tenant-scoped view of one (anything
        :func:`portalroi.metrics.compute` reads).

    Examples
    --------
    >>> from portalroi.store import Store
    >>> tickets_by_month(Store(":memory:"))
    {}
    """
    # Imported here: the CLI imports this module at start-up and most commands never need it.
    from portalroi.metrics import compute

    df = compute(source, "ticket_volume")
    if df.empty:
        return {}
    sums = df.groupby(df["month"].astype(str).str[:7])["tickets"].sum()
    return {str(k): float(v) for k, v in sums.items()}
