"""Dependencies of the API and web routes, as ``Annotated`` aliases.

Use them as parameter types::

    @router.get("/x")
    def x(principal: CurrentPrincipal, source: ScopedSource) -> ...

``CurrentPrincipal``
    the signed-in user: a ``Authorization: Bearer <token>`` API token, or the session cookie
    (``portalroi_session``) set by ``POST /api/v1/auth/login``; 401 otherwise.
``AnalystPrincipal`` / ``AdminPrincipal``
    the same, but 403 unless the role is at least analyst / admin.
``TenantScope``
    the ``accounts.org_id`` values the principal may see, or ``None`` for all accounts.
``StoreDep``
    a store connection of this request (unscoped: pass it through :func:`scoped_source`).
``ScopedSource``
    the store restricted to the principal's scope: hand it to ``metrics.compute`` and any Ibis
    code; it is the one place tenant scoping is applied.
``DbSession``
    an app-state ORM session, committed when the request succeeds.
``ResultCacheDep``
    the per-process cache of computed results (key it with the scope).

Examples
--------
>>> from portalroi.api.appstate.accounts import Principal
>>> p = Principal(1, "a@b.c", "viewer", 1, "default", None, None, "token")
>>> p.can("analyst")
False
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session as OrmSession

from portalroi.api.appstate.accounts import (
    Principal,
    principal_for_session,
    principal_for_token,
)
from portalroi.api.appstate.db import AppDB
from portalroi.api.cache import ResultCache
from portalroi.api.errors import ApiError
from portalroi.api.pool import StorePool
from portalroi.api.scope import scoped_source
from portalroi.settings import Settings
from portalroi.store import Store

__all__ = [
    "SESSION_COOKIE",
    "AdminPrincipal",
    "AnalystPrincipal",
    "AppDBDep",
    "CurrentPrincipal",
    "DbSession",
    "ResultCacheDep",
    "ScopedSource",
    "SettingsDep",
    "StoreDep",
    "TenantScope",
    "get_principal",
]

# Cheap dependencies are ``async def`` so FastAPI runs them on the event loop instead of
# hopping to the thread pool for each; those that do blocking I/O (app-state database) stay sync.

#: Name of the browser session cookie.
SESSION_COOKIE = "portalroi_session"


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _appdb(request: Request) -> AppDB:
    db: AppDB = request.app.state.appdb
    return db


def _db_session(db: Annotated[AppDB, Depends(_appdb)]) -> Iterator[OrmSession]:
    with db.session() as s:
        yield s


SettingsDep = Annotated[Settings, Depends(_settings)]
AppDBDep = Annotated[AppDB, Depends(_appdb)]
DbSession = Annotated[OrmSession, Depends(_db_session)]


def get_principal(request: Request, db: AppDBDep) -> Principal:
    """The caller, from a Bearer token or the session cookie; 401 when neither is valid."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    with db.session() as s:
        if header:
            if scheme.lower() != "bearer" or not secret.strip():
                raise ApiError(401, "Authorization header must be 'Bearer <token>'")
            principal = principal_for_token(s, secret.strip())
            if principal is None:
                raise ApiError(401, "invalid or revoked API token")
            return principal
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            principal = principal_for_session(s, cookie)
            if principal is not None:
                return principal
    raise ApiError(401, "sign in (POST /api/v1/auth/login) or send 'Authorization: Bearer <token>'")


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def _analyst(principal: CurrentPrincipal) -> Principal:
    if not principal.can("analyst"):
        raise ApiError(403, f"role {principal.role!r} may only read; analyst or admin needed")
    return principal


async def _admin(principal: CurrentPrincipal) -> Principal:
    if not principal.can("admin"):
        raise ApiError(403, f"role {principal.role!r} is not admin")
    return principal


AnalystPrincipal = Annotated[Principal, Depends(_analyst)]
AdminPrincipal = Annotated[Principal, Depends(_admin)]


async def _scope(principal: CurrentPrincipal) -> frozenset[str] | None:
    return principal.scope


TenantScope = Annotated[frozenset[str] | None, Depends(_scope)]


async def _store(request: Request) -> AsyncIterator[Store]:
    pool: StorePool = request.app.state.store_pool
    with pool.borrow() as store:
        yield store


StoreDep = Annotated[Store, Depends(_store)]


async def _scoped(store: StoreDep, scope: TenantScope) -> Any:
    return scoped_source(store, scope)


ScopedSource = Annotated[Any, Depends(_scoped)]


async def _cache(request: Request) -> ResultCache:
    cache: ResultCache = request.app.state.cache
    return cache


ResultCacheDep = Annotated[ResultCache, Depends(_cache)]
