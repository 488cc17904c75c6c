"""How fresh a report's data is: its newest record, the store's last load, and stale warnings.

A report's figures run to the month of the newest record (the latest ticket, portal event or
invoice, the date :func:`portalroi.roi.measure_facts` ends the analysis at). A report is
**stale** when that record is more than :data:`STALE_AFTER_DAYS` days before the report date,
or when nothing has been loaded into the store for that long, or when the portal events or the
tickets end that long before the newest record (one feed stopped while the others went on, so
the figures made from it stop early): finance reading it must know the figures do not reach the
date on the report.

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
#: report date is marked stale; so is one whose portal events or tickets end more days than
#: this before its newest record (a feed that stopped).
STALE_AFTER_DAYS = 31

_ENDS = (
    "SELECT (SELECT max(created_at) FROM tickets {w}), (SELECT max(ts) FROM events {w}), "
    "(SELECT max(issued_at) FROM invoices {w})"
)


@dataclass(frozen=True)
class Freshness:
    """The newest record a report's figures include and when the store was last loaded (UTC).

    ``last_load`` is ``None`` for a store without load records (one built by hand).
    ``events_end`` and ``tickets_end`` are the newest portal event and ticket: a feed that
    stopped long before the others (an export that broke) is named by :func:`stale_warnings`.
    """

    newest_record: dt.datetime | None
    last_load: dt.datetime | None
    events_end: dt.datetime | None = None
    tickets_end: dt.datetime | None = None


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
    >>> data_freshness(Store(":memory:")).newest_record is None
    True
    """
    if accounts is None:
        ends = store.con.execute(_ENDS.format(w="")).fetchone()
    else:
        ids = sorted(str(a) for a in accounts)
        ends = store.con.execute(
            _ENDS.format(w="WHERE account_id IN (SELECT unnest(?::VARCHAR[]))"), [ids, ids, ids]
        ).fetchone()
    tickets, events, invoices = (_naive(v) for v in (ends or (None, None, None)))
    known = [v for v in (tickets, events, invoices) if v is not None]
    loaded = (
        (loads or store)
        .con.execute("SELECT max(finished_at) FROM _loads WHERE status = 'loaded'")
        .fetchone()
    )
    return Freshness(
        max(known) if known else None,
        _naive(loaded[0] if loaded else None),
        events,
        tickets,
    )


_WARNINGS = {
    "record": {
        "en": "the newest record is from {date}, {days} days before {today}",
        "sv": "den nyaste posten är från {date}, {days} dagar före {today}",
    },
    "feed": {
        "en": "{feed} end on {date}, {days} days before the newest record ({newest}): the "
        "figures from them stop there",
        "sv": "{feed} slutar {date}, {days} dagar före den nyaste posten ({newest}): siffrorna "
        "från dem slutar där",
    },
    "events": {
        "en": "portal events (active users, self-service)",
        "sv": "portalhändelserna (aktiva användare, självservice)",
    },
    "tickets": {
        "en": "tickets (ticket volume, deflection, cost per ticket)",
        "sv": "ärendena (ärendevolym, avledning, kostnad per ärende)",
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
    >>> f = Freshness(dt.datetime(2026, 11, 30), None, events_end=dt.datetime(2026, 9, 30))
    >>> stale_warnings(f, dt.date(2026, 12, 1))[0][:60]
    'portal events (active users, self-service) end on 2026-09-30'
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
    newest = freshness.newest_record
    for feed, end in (("events", freshness.events_end), ("tickets", freshness.tickets_end)):
        if newest is None or end is None:
            continue
        lag = (newest.date() - end.date()).days
        if lag > max_days:
            out.append(
                _WARNINGS["feed"][lang].format(
                    feed=_WARNINGS[feed][lang],
                    date=f"{end:%Y-%m-%d}",
                    days=lag,
                    newest=f"{newest:%Y-%m-%d}",
                )
            )
    if freshness.last_load is not None:
        age = (today - freshness.last_load.date()).days
        if age > max_days:
            out.append(
                _WARNINGS["load"][lang].format(days=age, at=f"{freshness.last_load:%Y-%m-%d %H:%M}")
            )
    return out
