"""Tenant scoping, applied in one place: every store read of the API goes through here.

A principal's scope is a set of ``accounts.org_id`` values (or ``None`` = every account). A
:class:`ScopedBackend` wraps the store's Ibis backend so that ``table(name)`` returns only rows
of accounts in scope: tables with an ``account_id`` column are semi-joined to the accounts of
the scope; tables without one (portal costs, knowledge-base articles) are vendor-wide and come
back empty for a scoped principal. Metric code receives the wrapper instead of the store and so
cannot see other organisations' rows; it reads no whole-store rollup (a table without
``account_id``) through it, but computes those figures from the scoped events
(:func:`portalroi.metrics.rollups.rollup_table`).

Examples
--------
>>> from portalroi.store import Store
>>> store = Store(":memory:")
>>> store.con.execute(
...     "INSERT INTO accounts (account_id, org_id, created_at) VALUES "
...     "('a1', 'org-a', '2024-01-01'), ('b1', 'org-b', '2024-01-01')")  # doctest: +ELLIPSIS
<...>
>>> scoped_source(store, frozenset({"org-a"})).table("accounts").account_id.to_list()
['a1']
"""

from __future__ import annotations

from typing import Any

import ibis

from portalroi.api.appstate.accounts import Principal
from portalroi.store import Store

__all__ = ["ScopedBackend", "account_ids_in_scope", "scoped_source", "visible_to"]


class ScopedBackend:
    """An Ibis backend whose tables hold only the rows of accounts in ``scope``.

    Parameters
    ----------
    backend
        The store's Ibis backend.
    scope
        ``accounts.org_id`` values the caller may see (never ``None`` here).
    """

    def __init__(self, backend: Any, scope: frozenset[str]) -> None:
        self._backend = backend
        self.scope = scope
        # The raw DuckDB connection lets metric code check rollup freshness; reads of the rollup
        # still go through table() below and are filtered like every other table.
        self.con = getattr(backend, "con", None)

    def list_tables(self, *args: Any, **kwargs: Any) -> list[str]:
        """Names of the tables (same as the wrapped backend)."""
        out: list[str] = self._backend.list_tables(*args, **kwargs)
        return out

    def _accounts(self) -> Any:
        acc = self._backend.table("accounts")
        if not self.scope:
            return acc.filter(ibis.literal(False))
        return acc.filter(acc.org_id.isin(sorted(self.scope)))

    def table(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Table ``name`` restricted to accounts in scope."""
        t = self._backend.table(name, *args, **kwargs)
        if name == "accounts":
            return self._accounts()
        if "account_id" not in t.columns:
            return t.filter(ibis.literal(False))
        ids = self._accounts().account_id
        return t.filter(t.account_id.isin(ids))


def scoped_source(store: Store, scope: frozenset[str] | None) -> Any:
    """What to hand metric and query code: the store itself, or a scoped view of it."""
    if scope is None:
        return store
    return ScopedBackend(store.backend, scope)


def account_ids_in_scope(store: Store, scope: frozenset[str] | None, ids: list[str]) -> set[str]:
    """Those of ``ids`` that are accounts the scope may see."""
    if not ids:
        return set()
    acc = scoped_source(store, scope).table("accounts") if scope is not None else None
    if acc is None:
        acc = store.table("accounts")
    found = acc.filter(acc.account_id.isin(sorted(set(ids)))).account_id.to_list()
    return {str(x) for x in found}


def visible_to(principal: Principal, tenant_id: int, org_id: str | None) -> bool:
    """Whether an app object (business case, schedule) of a tenant and organisation is visible.

    Objects of another tenant never are; an organisation's user sees only its organisation's
    objects; a vendor-level user sees every object of the tenant.
    """
    if tenant_id != principal.tenant_id:
        return False
    return principal.org_id is None or org_id == principal.org_id
