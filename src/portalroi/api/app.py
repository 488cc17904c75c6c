"""The FastAPI application: JSON API under ``/api/v1``, plus the web pages when installed.

:func:`create_app` opens (and migrates) the app-state database, creates the default workspace,
and mounts one router per resource. The analytics store is opened on first use.

Examples
--------
>>> import tempfile, pathlib
>>> from portalroi.settings import Settings
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> app = create_app(Settings(db=d / "s.duckdb", app_db_url=f"sqlite:///{d / 'a.sqlite'}"))
>>> app.title
'portalroi'
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from portalroi import __version__
from portalroi.api.after_loads import AfterLoads
from portalroi.api.appstate.accounts import ensure_tenant
from portalroi.api.appstate.db import AppDB
from portalroi.api.cache import ResultCache
from portalroi.api.errors import ErrorResponse, install_error_handlers
from portalroi.api.limits import BodyLimit
from portalroi.api.pool import StorePool
from portalroi.api.response_cache import ResponseCache
from portalroi.api.routers import ingestion
from portalroi.settings import Settings, get_settings

__all__ = ["API_PREFIX", "CACHED_API_PREFIXES", "ROUTER_MODULES", "create_app"]

API_PREFIX = "/api/v1"
#: API routes whose answers are served from the response cache (read-only figures; each
#: covers the path and every path below it).
CACHED_API_PREFIXES: tuple[str, ...] = tuple(
    f"{API_PREFIX}/{name}/" for name in ("metrics", "health", "impact", "roi", "topics")
)

#: One router per resource, each a module with ``router``.
ROUTER_MODULES: tuple[str, ...] = (
    "portalroi.api.routers.auth",
    "portalroi.api.routers.alerts",
    "portalroi.api.routers.metrics",
    "portalroi.api.routers.accounts",
    "portalroi.api.routers.business_cases",
    "portalroi.api.routers.ingestion",
    "portalroi.api.routers.interventions",
    "portalroi.api.routers.reports",
    "portalroi.api.routers.status",
    "portalroi.api.routers.health",
    "portalroi.api.routers.impact",
    "portalroi.api.routers.roi",
    "portalroi.api.routers.topics",
    "portalroi.api.routers.leadership",
    "portalroi.api.routers.risk",
)


def _web() -> Any:
    """The dashboard package (mounted by name: the API does not depend on it), or ``None``."""
    try:
        return importlib.import_module("portalroi.web")
    except ModuleNotFoundError as exc:
        if exc.name not in ("portalroi.web", "portalroi"):
            raise
        return None


def _start_schedules(settings: Settings, appdb: AppDB, pool: StorePool) -> Any:
    """Start the scheduled-reports job when ``schedules_enabled`` (else ``None``)."""
    if not settings.schedules_enabled:
        return None
    from portalroi.reports.schedule_job import start_schedule_job

    return start_schedule_job(appdb, pool, settings)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the server application.

    Parameters
    ----------
    settings
        Settings to use (default: read from the environment, ``PORTALROI_*``).
    """
    settings = settings or get_settings()
    appdb = AppDB(settings.app_db_url)
    appdb.migrate()
    with appdb.session() as s:
        ensure_tenant(s)
    pool = StorePool(settings.db)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        scheduler = _start_schedules(settings, appdb, pool)
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        pool.close()
        appdb.dispose()

    app = FastAPI(
        title="portalroi",
        version=__version__,
        description="Portal value: metrics, accounts, business cases, reports and live ingestion. "
        "Authenticate with `Authorization: Bearer <token>` (create one with "
        "`portalroi users token`) or the session cookie from `POST /api/v1/auth/login`.",
        lifespan=lifespan,
        responses={
            401: {"model": ErrorResponse, "description": "Not signed in"},
            422: {"model": ErrorResponse, "description": "Invalid input"},
        },
    )
    app.state.settings = settings
    app.state.appdb = appdb
    app.state.store_pool = pool
    app.state.cache = ResultCache(settings.api_cache_seconds)
    app.state.after_loads = AfterLoads(pool, settings, app.state.cache, ingestion.WRITE_LOCK)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.api_max_body_bytes)
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router, prefix=API_PREFIX)
    web = _web()
    if web is not None:
        app.include_router(web.router)
    pages: tuple[str, ...] = tuple(getattr(web, "CACHED_PAGES", ()))
    # Outermost, so a cached answer skips routing, validation and rendering altogether.
    app.add_middleware(
        ResponseCache,
        appdb=appdb,
        ttl=settings.api_cache_seconds,
        prefixes=CACHED_API_PREFIXES + pages,
        writes=tuple(getattr(web, "STATE_CHANGING_GETS", ())),
        auth_ttl=settings.api_auth_cache_seconds,
    )
    return app
