"""How fresh a report's data is: its newest record, the store's last load, and stale warnings.

A report's figures run to the month of the newest record (the latest ticket, portal event or
invoice, the date :func:`portalroi.roi.measure_facts` ends the analysis at). A report is
**stale** when that record is more than :data:`STALE_AFTER_DAYS` days before the report date,
or when nothing has been loaded into the store for that long: finance reading it must know the
figures do not reach the date on the report.

Examples
--------
>>> import datetime as dt
>>> f = Freshness(dt.datetime(2024, 12, 31, 22, 11), dt.datetime(2026, 11, 23, 15, 51))
>>> stale_warnings(f, dt.date(2026, 12, 1))
['the newest record is from 2024-12-31, 700 days before 2026-12-01']
>>> stale_warnings(f, dt.date(2025, 1, 15))
[]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from portalroi.reports import i18n
from portalroi.store import Store

__all__ = ["STALE_AFTER_DAYS", "Freshness", "data_freshness", "stale_warnings"]

#: A report whose newest record, or the store's last load, is more days than this before the
#: report date is marked stale.
STALE_AFTER_DAYS = 31

_NEWEST = (
    "SELECT greatest((SELECT max(created_at) FROM tickets), (SELECT max(ts) FROM events), "
    "(SELECT max(issued_at) FROM invoices))"
)


@dataclass(frozen=True)
class Freshness:
    """The newest record a report's figures include and when the store was last loaded (UTC).

    ``last_load`` is ``None`` for a store without load records (one built by hand).
    """

    newest_record: dt.datetime | None
    last_load: dt.datetime | None


def _naive(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return None


def data_freshness(
    store: Store, loads: Store | None = None, accounts: Collection[str] | None = None
) -> Freshness:
    """The newest ticket, event or invoice in ``store`` (of ``accounts`` only, when given) and
    the last finished load of ``loads`` (default ``store``; a tenant's copy of the store has no
    loads, so pass the store it was copied from).

    Examples
    --------
    >>> data_freshness(Store(":memory:"))
    Freshness(newest_record=None, last_load=None)
    """
    if accounts is None:
        newest = store.con.execute(_NEWEST).fetchone()
    else:
        mine = "WHERE account_id IN (SELECT unnest(?::VARCHAR[]))"
        ids = sorted(str(a) for a in accounts)
        newest = store.con.execute(
            f"SELECT greatest((SELECT max(created_at) FROM tickets {mine}), "
            f"(SELECT max(ts) FROM events {mine}), (SELECT max(issued_at) FROM invoices {mine}))",
            [ids, ids, ids],
        ).fetchone()
    loaded = (
        (loads or store)
        .con.execute("SELECT max(finished_at) FROM _loads WHERE status = 'loaded'")
        .fetchone()
    )
    return Freshness(_naive(newest[0] if newest else None), _naive(loaded[0] if loaded else None))


_WARNINGS = {
    "record": {
        "en": "the newest record is from {date}, {days} days before {today}",
        "sv": "den nyaste posten är från {date}, {days} dagar före {today}",
    },
    "load": {
        "en": "no data has been loaded for {days} days (last load {at} UTC)",
        "sv": "inga data har lästs in på {days} dagar (senaste inläsning {at} UTC)",
    },
}


def stale_warnings(
    freshness: Freshness, today: dt.date, lang: str = "en", max_days: int = STALE_AFTER_DAYS
) -> list[str]:
    """Why a report dated ``today`` is stale (empty when it is not), in ``lang`` (en or sv).

    Examples
    --------
    >>> f = Freshness(dt.datetime(2026, 11, 30), dt.datetime(2026, 9, 1, 8, 0))
    >>> stale_warnings(f, dt.date(2026, 12, 1))
    ['no data has been loaded for 91 days (last load 2026-09-01 08:00 UTC)']
    """
    i18n.text("summary", lang)  # validates the language
    out = []
    if freshness.newest_record is not None:
        age = (today - freshness.newest_record.date()).days
        if age > max_days:
            out.append(
                _WARNINGS["record"][lang].format(
                    date=f"{freshness.newest_record:%Y-%m-%d}", days=age, today=today.isoformat()
                )
            )
    if freshness.last_load is not None:
        age = (today - freshness.last_load.date()).days
        if age > max_days:
            out.append(
                _WARNINGS["load"][lang].format(days=age, at=f"{freshness.last_load:%Y-%m-%d %H:%M}")
            )
    return out
