"""The web dashboard: server-rendered pages with Vega-Lite charts, served with the API.

:func:`portalroi.api.app.create_app` mounts :data:`router`. Pages: login, overview, adoption,
support and self-service, financial impact, health (with one account's drill-down), topics,
business-case editor and data status, in English
and Swedish, with date-range and segment filters and a CSV download of every chart's data.
All scripts (Vega, Vega-Lite, vega-embed) are served from ``/static/vendor``; nothing is
fetched from the internet.

Examples
--------
>>> from portalroi.web import router
>>> sorted({r.path for r in router.routes if hasattr(r, "path")} & {"/", "/login", "/business-case"})
['/', '/business-case', '/login']
"""

from __future__ import annotations

from portalroi.web.pages import router
from portalroi.web.pages_alerts import router as _alerts_router
from portalroi.web.pages_interventions import router as _interventions_router
from portalroi.web.pages_risk import router as _risk_router
from portalroi.web.render import CACHED_PAGES, STATE_CHANGING_GETS

__all__ = ["CACHED_PAGES", "STATE_CHANGING_GETS", "router"]

router.include_router(_alerts_router)
router.include_router(_interventions_router)
router.include_router(_risk_router)
