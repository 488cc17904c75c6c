"""Request-body size limit as ASGI middleware (answers 413 in the one error shape).

Both a declared ``Content-Length`` above the limit and a chunked body that grows past it are
refused before the route runs, so an oversized upload never reaches the store.

Examples
--------
>>> from fastapi import FastAPI
>>> BodyLimit(FastAPI(), max_bytes=1000)
BodyLimit(max_bytes=1000)
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portalroi.api.errors import ApiError, error_body

__all__ = ["BodyLimit"]


class BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    @property
    def message(self) -> str:
        """The error message of a refused body."""
        return f"request body larger than {self.max_bytes} bytes (setting api_max_body_bytes)"

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(error_body(413, self.message)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Raised inside the app, so its error handlers answer 413 in the error shape.
                    raise ApiError(413, self.message)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except ApiError:
            if started:
                raise
            await self._refuse(send)

    def __repr__(self) -> str:
        return f"BodyLimit(max_bytes={self.max_bytes})"
