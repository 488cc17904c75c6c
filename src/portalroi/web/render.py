"""Shared plumbing of the pages: language, the signed-in user, cached page data, templates.

Examples
--------
>>> pick_language("sv", None, "")
'sv'
>>> pick_language(None, None, "sv-SE,sv;q=0.9,en;q=0.8")
'sv'
>>> pick_language("xx", "en", "")
'en'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from portalroi.api.appstate.accounts import Principal
from portalroi.api.deps import get_principal
from portalroi.api.errors import ApiError
from portalroi.reports.i18n import LANGUAGES
from portalroi.web.i18n_strings import t

__all__ = [
    "CACHED_PAGES",
    "LANG_COOKIE",
    "NAV",
    "STATE_CHANGING_GETS",
    "cached",
    "page_principal",
    "pick_language",
    "render",
]

#: Cookie remembering the chosen language.
LANG_COOKIE = "portalroi_lang"
#: The navigation: (path, string key).
NAV: tuple[tuple[str, str], ...] = (
    ("/", "overview"),
    ("/adoption", "adoption"),
    ("/support", "support"),
    ("/impact", "impact"),
    ("/health", "health"),
    ("/health/accuracy", "risk_accuracy"),
    ("/topics", "topics"),
    ("/alerts", "alerts"),
    ("/interventions", "interventions"),
    ("/business-case", "business_case_editor"),
    ("/data", "data_status"),
)
#: Pages whose finished HTML the server's response cache may keep (per user, query and
#: language; see :mod:`portalroi.api.response_cache`): those that only show figures. A path
#: ending in ``/`` covers every page below it.
CACHED_PAGES: tuple[str, ...] = (
    "/",
    "/adoption",
    "/support",
    "/impact",
    "/health",
    "/accounts/",
    "/topics",
)
#: ``GET`` pages that change state (the cache forgets everything when one is requested).
STATE_CHANGING_GETS: tuple[str, ...] = ("/logout",)
HERE = Path(__file__).parent
_templates = Jinja2Templates(directory=str(HERE / "templates"))
T = TypeVar("T")


def _spec_json(spec: dict[str, Any]) -> Markup:
    # Inside <script type="application/json">: only "</" could end the element early.
    return Markup(json.dumps(spec, ensure_ascii=False).replace("</", "<\\/"))


_templates.env.filters["spec_json"] = _spec_json
_templates.env.globals["t"] = t
_templates.env.globals["NAV"] = NAV


def pick_language(query: str | None, cookie: str | None, accept: str) -> str:
    """The page language: ``?lang=``, else the cookie, else the browser's, else English."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return "sv" if accept.lower().startswith("sv") else "en"


def page_principal(request: Request) -> Principal | None:
    """The signed-in user of a page request, or ``None`` (the page then redirects to login)."""
    try:
        return get_principal(request, request.app.state.appdb)
    except ApiError:
        return None


def cached(request: Request, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` through the app's result cache (keyed by the caller's data version)."""
    cache = request.app.state.cache
    value: T = cache.get_or_compute(
        ("web", *key) if isinstance(key, tuple) else ("web", key), compute
    )
    return value


def render(
    request: Request, name: str, lang: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render template ``name`` with the common context (language, path, nav)."""
    other = "en" if lang == "sv" else "sv"
    switch = request.url.include_query_params(lang=other)
    ctx = {
        "lang": lang,
        "other_lang": other,
        "lang_url": f"{switch.path}?{switch.query}",
        "path": request.url.path,
        **context,
    }
    response = _templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response
