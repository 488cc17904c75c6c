"""The dashboard's date-range and segment filters, and a source restricted to one segment.

The segment filter wraps whatever source the page already has (the store, or the tenant-scoped
view from :func:`portalroi.api.scope.scoped_source`) so that every table with an
``account_id`` holds only rows of accounts in the segment; the tenant scope is applied first
and cannot be widened by it.

Examples
--------
>>> f = Filters.parse("2024-01-01", "", "smb")
>>> f.start, f.end, f.segment
(datetime.date(2024, 1, 1), None, 'smb')
>>> f.query()
'start=2024-01-01&segment=smb'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from portalroi.errors import ConfigError
from portalroi.metrics._query import backend_of
from portalroi.schema.tables import ACCOUNT_SEGMENTS

__all__ = ["Filters", "SegmentSource"]


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name} must be a date YYYY-MM-DD; got {value!r}") from None


@dataclass(frozen=True)
class Filters:
    """A page's filters: first and last day (inclusive) and one account segment, each optional."""

    start: date | None = None
    end: date | None = None
    segment: str | None = None

    @classmethod
    def parse(cls, start: str | None, end: str | None, segment: str | None) -> Filters:
        """Filters from query-string values; :class:`~portalroi.errors.ConfigError` if invalid.

        Examples
        --------
        >>> Filters.parse(None, None, "galaxy")
        Traceback (most recent call last):
        ...
        portalroi.errors.ConfigError: segment must be one of enterprise, mid_market, smb; got 'galaxy'
        """
        seg = segment or None
        if seg is not None and seg not in ACCOUNT_SEGMENTS:
            allowed = ", ".join(sorted(ACCOUNT_SEGMENTS))
            raise ConfigError(f"segment must be one of {allowed}; got {seg!r}")
        first, last = _day(start, "start"), _day(end, "end")
        if first and last and first > last:
            raise ConfigError(f"start {first} is after end {last}")
        return cls(first, last, seg)

    def query(self) -> str:
        """The filters as a query string (empty values left out)."""
        pairs = {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "segment": self.segment,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def apply(self, source: Any) -> Any:
        """``source`` restricted to the segment (unchanged without one)."""
        return source if self.segment is None else SegmentSource(source, self.segment)


class SegmentSource:
    """An Ibis source whose tables hold only rows of accounts in ``segment``.

    Parameters
    ----------
    source
        A :class:`~portalroi.store.Store`, an Ibis backend or a tenant-scoped backend.
    segment
        The ``accounts.segment`` value to keep.
    """

    def __init__(self, source: Any, segment: str) -> None:
        self._source = backend_of(source)
        self.segment = segment
        self.con = getattr(self._source, "con", None)

    def list_tables(self, *args: Any, **kwargs: Any) -> list[str]:
        """Names of the tables (same as the wrapped source)."""
        out: list[str] = self._source.list_tables(*args, **kwargs)
        return out

    def table(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Table ``name`` restricted to accounts of the segment."""
        accounts = self._source.table("accounts")
        accounts = accounts.filter(accounts.segment == self.segment)
        if name == "accounts":
            return accounts
        t = self._source.table(name, *args, **kwargs)
        if "account_id" not in t.columns:
            return t
        return t.filter(t.account_id.isin(accounts.account_id))
