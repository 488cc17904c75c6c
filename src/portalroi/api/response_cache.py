"""Cached response bytes of the read-only routes that compute figures (ASGI middleware).

A dashboard page or a metric answer costs tens of milliseconds to route, validate, serialise
and render even when its figures are already in the :class:`~portalroi.api.cache.ResultCache`.
Under many concurrent clients that cost queues up, so this middleware keeps the finished bytes
of successful ``GET`` answers and sends them again without entering the application.

What makes it safe:

* only paths the app lists (``prefixes``) are cached, and only ``200`` answers without a
  ``Set-Cookie`` or ``Cache-Control: no-store`` header;
* the key holds the signed-in user (id, role, tenant and data scope), the path, the query
  string, the language cookie and the browser's language, so nobody is ever sent another
  user's (let alone another organisation's) answer; a request without valid credentials is
  never answered from the cache;
* any request that may change something (a method other than ``GET``/``HEAD``/``OPTIONS``,
  which includes every ingestion, login, logout and token revocation, and the ``GET`` paths
  listed in ``writes`` such as the dashboard's sign-out link) empties the cache, and entries
  live at most ``ttl`` seconds (setting ``api_cache_seconds``).

Who the caller is comes from the same token and session tables the routes use, remembered for
``auth_ttl`` seconds per credential (setting ``api_auth_cache_seconds``) so a cached answer
costs no database round trip. A token revoked or a session ended through this server is
forgotten at once (that request empties the cache); one revoked by another process is refused
by the cache after at most ``auth_ttl`` seconds (uncached routes check it on every request).

Examples
--------
>>> from fastapi import FastAPI
>>> ResponseCache(FastAPI(), appdb=None, ttl=30, prefixes=("/api/v1/metrics",))
ResponseCache(ttl=30, prefixes=('/api/v1/metrics',))
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import anyio.to_thread
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portalroi.api.appstate.accounts import (
    Principal,
    digest,
    principal_for_session,
    principal_for_token,
)
from portalroi.api.appstate.db import AppDB
from portalroi.api.deps import SESSION_COOKIE

__all__ = ["CACHE_HEADER", "ResponseCache"]

#: Header of an answer sent from this cache (value ``hit``).
CACHE_HEADER = b"x-portalroi-cache"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
#: Language cookie of the dashboard (part of the key: the same page differs by language).
_LANG_COOKIE = "portalroi_lang"


class ResponseCache:
    """Serve repeated ``GET`` answers of ``prefixes`` from memory, per user and query.

    Parameters
    ----------
    app
        The wrapped ASGI application.
    appdb
        The app-state database (users, sessions, tokens).
    ttl
        Seconds an answer is reused (0 turns the cache off).
    prefixes
        Paths cached: one ending in ``/`` covers itself without the slash and every path below
        it (``"/api/v1/metrics/"``); any other is that exact path (``"/"``, ``"/health"``).
    writes
        ``GET`` paths that change state (they empty the cache like a ``POST``).
    auth_ttl
        Seconds a verified credential is remembered.
    max_entries
        Most answers kept (oldest dropped first).
    max_body
        Largest answer kept (bytes).
    max_total
        Most bytes kept in all (oldest answers dropped first).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        appdb: AppDB | None,
        ttl: float,
        prefixes: Sequence[str],
        writes: Sequence[str] = (),
        auth_ttl: float = 5.0,
        max_entries: int = 1024,
        max_body: int = 4_000_000,
        max_total: int = 256_000_000,
    ) -> None:
        self.app = app
        self.appdb = appdb
        self.ttl = ttl
        self.prefixes = tuple(prefixes)
        self.writes = frozenset(writes)
        self.auth_ttl = auth_ttl
        self.max_entries = max_entries
        self.max_body = max_body
        self.max_total = max_total
        self._bytes = 0
        self._answers: dict[tuple[Any, ...], tuple[float, int, list[tuple[bytes, bytes]], bytes]]
        self._answers = {}
        self._principals: dict[tuple[str, str], tuple[float, Principal]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ResponseCache(ttl={self.ttl:g}, prefixes={self.prefixes!r})"

    def clear(self) -> None:
        """Forget every answer and every verified credential."""
        with self._lock:
            self._answers.clear()
            self._bytes = 0
            self._principals.clear()
            self._generation += 1

    def cacheable(self, path: str) -> bool:
        """Whether answers of ``path`` may be cached.

        Examples
        --------
        >>> c = ResponseCache(None, appdb=None, ttl=1, prefixes=("/", "/health", "/api/v1/m/"))
        >>> [c.cacheable(p) for p in ("/", "/health", "/health/x", "/api/v1/m", "/api/v1/m/a")]
        [True, True, False, True, True]
        """
        for prefix in self.prefixes:
            if path == prefix:
                return True
            subtree = prefix.endswith("/") and prefix != "/"
            if subtree and (path == prefix[:-1] or path.startswith(prefix)):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.ttl <= 0:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in _SAFE or scope["path"] in self.writes:
            # A write may change any answer or end a session: forget before and after it, so
            # nothing computed during the write is kept either.
            self.clear()
            try:
                await self.app(scope, receive, send)
            finally:
                self.clear()
            return
        if method != "GET" or not self.cacheable(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        principal = await self._principal(headers)
        if principal is None:
            await self.app(scope, receive, send)  # the route answers 401 or the login page
            return
        cookies = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
        key = (
            principal.user_id,
            principal.role,
            principal.tenant_id,
            principal.scope,
            scope["path"],
            scope.get("query_string", b""),
            cookies.get(_LANG_COOKIE, ""),
            headers.get(b"accept-language", b"")[:2].lower(),
        )
        now = time.monotonic()
        with self._lock:
            hit = self._answers.get(key)
            generation = self._generation
        if hit is not None and hit[0] > now and hit[1] == generation:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [*hit[2], (CACHE_HEADER, b"hit")],
                }
            )
            await send({"type": "http.response.body", "body": hit[3]})
            return
        await self._record(scope, receive, send, key, generation)

    async def _record(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[Any, ...], generation: int
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        keep = True
        size = 0

        async def capture(message: Message) -> None:
            nonlocal start, keep, size
            if message["type"] == "http.response.start":
                start = message
                names = {k.lower() for k, _ in message.get("headers", [])}
                no_store = any(
                    k.lower() == b"cache-control" and b"no-store" in v.lower()
                    for k, v in message.get("headers", [])
                )
                keep = message["status"] == 200 and b"set-cookie" not in names and not no_store
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                if size > self.max_body:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(body)
            await send(message)

        await self.app(scope, receive, capture)
        if not keep or start is None:
            return
        entry = (time.monotonic() + self.ttl, generation, list(start["headers"]), b"".join(chunks))
        with self._lock:
            if generation != self._generation:
                return  # something was written meanwhile: the answer may be stale already
            old = self._answers.pop(key, None)
            if old is not None:
                self._bytes -= len(old[3])
            while self._answers and (
                len(self._answers) >= self.max_entries
                or self._bytes + len(entry[3]) > self.max_total
            ):
                self._bytes -= len(self._answers.pop(next(iter(self._answers)))[3])
            self._answers[key] = entry
            self._bytes += len(entry[3])

    async def _principal(self, headers: dict[bytes, bytes]) -> Principal | None:
        auth = headers.get(b"authorization")
        if auth is not None:
            scheme, _, secret = auth.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                return None
            kind, secret = "token", secret.strip()
        else:
            cookie = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
            secret = cookie.get(SESSION_COOKIE, "")
            if not secret:
                return None
            kind = "session"
        key = (kind, digest(secret))
        now = time.monotonic()
        with self._lock:
            known = self._principals.get(key)
            generation = self._generation
        if known is not None and known[0] > now:
            return known[1]
        principal = await anyio.to_thread.run_sync(self._lookup, kind, secret)
        if principal is not None and self.auth_ttl > 0:
            with self._lock:
                if generation == self._generation:
                    if len(self._principals) >= self.max_entries:
                        self._principals.pop(next(iter(self._principals)))
                    self._principals[key] = (time.monotonic() + self.auth_ttl, principal)
        return principal

    def _lookup(self, kind: str, secret: str) -> Principal | None:
        if self.appdb is None:
            return None
        with self.appdb.session() as s:
            if kind == "token":
                return principal_for_token(s, secret)
            return principal_for_session(s, secret)
