"""The store's data version: a key that changes whenever a load finishes.

Caches of computed results (API and dashboard) put it in their keys, so a cached figure never
outlives the data it was computed from.

Examples
--------
>>> from portalroi.store import Store
>>> data_version(Store(":memory:"))
(0, 'None')
"""

from __future__ import annotations

from portalroi.store import Store

__all__ = ["data_version"]


def data_version(store: Store) -> tuple[int, str]:
    """(number of loads, end time of the last load) of ``store``.

    Examples
    --------
    >>> from portalroi.store import Store
    >>> data_version(Store(":memory:"))[0]
    0
    """
    row = store.con.execute(
        "SELECT count(*), CAST(max(finished_at) AS VARCHAR) FROM _loads"
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "")
