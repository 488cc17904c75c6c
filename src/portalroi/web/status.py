"""The data-status page: what each table holds, the latest loads and quarantined rows.

Loads and quarantine describe the whole store, so they are shown to workspace-wide users only;
a user limited to some organisations sees the row counts of their own accounts.

Examples
--------
>>> from portalroi.store import Store
>>> page = status_page(Store(":memory:"), None, "en")
>>> page.tables[0].rows[0][:2]
['accounts', '0']
"""

from __future__ import annotations

from typing import Any

from portalroi.api.scope import scoped_source
from portalroi.reports.i18n import format_number
from portalroi.store import Store
from portalroi.web.i18n_strings import STRINGS, t
from portalroi.web.model import PageData, Table

__all__ = ["status_page"]


def _when(value: Any) -> str:
    return "–" if value is None else str(value)[:19]


def status_page(store: Store, scope: frozenset[str] | None, lang: str) -> PageData:
    """Tables (rows, first, last, quarantined), the 20 latest loads, 50 latest quarantined rows."""
    page = PageData()
    if scope is not None:
        source = scoped_source(store, scope)
        rows = [
            [s.table, format_number(int(source.table(s.table).count().execute()), lang)]
            for s in store.status()
        ]
        page.tables.append(
            Table("tables", t("tables", lang), [t("table", lang), t("rows", lang)], rows)
        )
        return page
    status = store.status()
    page.tables.append(
        Table(
            "tables",
            t("tables", lang),
            [
                t("table", lang),
                t("rows", lang),
                t("first", lang),
                t("last", lang),
                t("quarantine", lang),
            ],
            [
                [
                    s.table,
                    format_number(s.rows, lang),
                    _when(s.first),
                    _when(s.last),
                    format_number(s.quarantined, lang),
                ]
                for s in status
            ],
        )
    )
    loads = store.con.execute(
        "SELECT table_name, source_file, status, rows_read, inserted, quarantined, finished_at "
        "FROM _loads ORDER BY started_at DESC LIMIT 20"
    ).fetchall()
    page.tables.append(
        Table(
            "loads",
            t("loads", lang),
            [
                t("table", lang),
                t("file", lang),
                t("status", lang),
                t("rows", lang),
                t("inserted", lang),
                t("quarantine", lang),
                t("finished", lang),
            ],
            [
                [
                    str(a),
                    str(b).rsplit("/", 1)[-1],
                    t(f"load_{c}", lang) if f"load_{c}" in STRINGS else str(c),
                    format_number(d or 0, lang),
                    format_number(e or 0, lang),
                    format_number(f or 0, lang),
                    _when(g),
                ]
                for a, b, c, d, e, f, g in loads
            ],
        )
    )
    quarantined = store.con.execute(
        "SELECT table_name, source_file, row_number, column_name, reason, value FROM _quarantine "
        "ORDER BY quarantined_at DESC, row_number LIMIT 50"
    ).fetchall()
    page.tables.append(
        Table(
            "quarantine",
            t("quarantine", lang),
            [
                t("table", lang),
                t("file", lang),
                t("row", lang),
                t("column", lang),
                t("reason", lang),
                t("value", lang),
            ],
            [
                [
                    str(a),
                    str(b).rsplit("/", 1)[-1],
                    "–" if c is None else str(c),
                    str(d or "–"),
                    str(e),
                    "–" if f is None else str(f)[:80],
                ]
                for a, b, c, d, e, f in quarantined
            ],
        )
    )
    return page
