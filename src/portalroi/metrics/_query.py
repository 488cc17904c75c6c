"""What a metric is computed over: an Ibis backend, an optional grouping and a date range.

:class:`Query` hands metric formulas the canonical tables already filtered to the date range
and, when a grouping is asked for, with a ``grp`` column (account, segment, role or device).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ibis

from portalroi.errors import ConfigError

__all__ = ["DIMENSIONS", "GRAINS", "GROUP", "WHOLE_RANGE", "Query", "backend_of"]

#: The ways a metric can be split (``--by``).
DIMENSIONS: tuple[str, ...] = ("account", "segment", "role", "device")

#: Periods a monthly aggregate can be reported over.
GRAINS: tuple[str, ...] = ("month", "all")

#: Name of the grouping column inside formulas; renamed to the dimension in results.
GROUP = "grp"

#: The period of every row with ``grain="all"`` inside formulas (an empty month in results).
WHOLE_RANGE = date(1970, 1, 1)


def backend_of(source: Any) -> Any:
    """The Ibis backend of a :class:`~portalroi.store.Store` or the backend itself."""
    return getattr(source, "backend", source)


@dataclass(frozen=True)
class Query:
    """Inputs of one metric computation.

    Parameters
    ----------
    backend
        An Ibis backend holding the canonical tables (DuckDB, Spark, ...).
    by
        One of :data:`DIMENSIONS`, or ``None`` for the whole portal.
    start, end
        Inclusive first and last day (UTC) of the rows to use; ``None`` leaves that side open.
    grain
        ``"month"`` (one row per calendar month) or ``"all"`` (one row for the whole range,
        ``month`` empty) for the monthly aggregate metrics.
    """

    backend: Any
    by: str | None = None
    start: date | None = None
    end: date | None = None
    grain: str = "month"

    def __post_init__(self) -> None:
        if self.by is not None and self.by not in DIMENSIONS:
            raise ConfigError(f"--by must be one of {', '.join(DIMENSIONS)}; got {self.by!r}")
        if self.grain not in GRAINS:
            raise ConfigError(f"--grain must be one of {', '.join(GRAINS)}; got {self.grain!r}")
        if self.start and self.end and self.start > self.end:
            raise ConfigError(f"--from {self.start} is after --to {self.end}")

    @property
    def keys(self) -> list[str]:
        """``["grp"]`` when grouped, else ``[]``: prepend to every ``group_by``."""
        return [GROUP] if self.by else []

    def period(self, ts: Any) -> Any:
        """The reporting period of a timestamp: its month, or :data:`WHOLE_RANGE` when
        ``grain="all"``.

        Formulas join their parts on the period, so it must not be NULL (NULL never equals
        NULL in a join: the parts of a whole-range figure would not meet); :func:`build` shows
        the whole range's period as an empty month.
        """
        if self.grain == "all":
            return ibis.literal(WHOLE_RANGE)
        return ts.truncate("M").cast("date")

    def raw(self, name: str) -> Any:
        """A canonical table, unfiltered and ungrouped."""
        return self.backend.table(name)

    def has_table(self, name: str) -> bool:
        """Whether the backend holds a table called ``name``."""
        return name in self.backend.list_tables()

    def in_range(self, table: Any, column: str) -> Any:
        """``table`` restricted to rows whose ``column`` lies in the date range."""
        col = table[column]
        if self.start is not None:
            table = table.filter(col >= ibis.timestamp(_midnight(self.start)))
        if self.end is not None:
            table = table.filter(col < ibis.timestamp(_midnight(self.end + timedelta(days=1))))
        return table

    def grouped(self, table: Any) -> Any:
        """Add the ``grp`` column for :attr:`by` to ``table`` (unchanged when not grouped)."""
        if self.by is None:
            return table
        if self.by == "account":
            return table.mutate(**{GROUP: table.account_id})
        if self.by == "device":
            if "device" not in table.columns:
                raise ConfigError("this metric cannot be split by device (its table has none)")
            return table.mutate(**{GROUP: table.device})
        if self.by == "segment":
            acc = self.raw("accounts").select(_acc=lambda t: t.account_id, _seg=lambda t: t.segment)
            joined = table.left_join(acc, table.account_id == acc._acc)
            return joined.mutate(**{GROUP: joined._seg}).drop("_acc", "_seg")
        if "user_id" not in table.columns:
            raise ConfigError("this metric cannot be split by role (its table has no user_id)")
        users = self.raw("users").select(_uid=lambda t: t.user_id, _role=lambda t: t.role)
        joined = table.left_join(users, table.user_id == users._uid)
        return joined.mutate(**{GROUP: joined._role}).drop("_uid", "_role")

    def table(self, name: str, time_column: str) -> Any:
        """A canonical table filtered to the date range on ``time_column``, with ``grp``."""
        return self.grouped(self.in_range(self.raw(name), time_column))

    def events(self) -> Any:
        """Events in range that belong to a user, with ``day`` (DATE) and ``grp``."""
        ev = self.in_range(self.raw("events"), "ts")
        ev = ev.filter(ev.user_id.notnull())
        return self.grouped(ev.mutate(day=ev.ts.date()))


def _midnight(d: date) -> str:
    return f"{d.isoformat()} 00:00:00"
