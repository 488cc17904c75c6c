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

from portalroi.api.errors import error_body

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
        # Read the body here (at most max_bytes) and replay it, so an oversized chunked body is
        # refused before the route runs, whatever the route does with errors while reading.
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        await self.app(scope, _replay(chunks, None, receive), send)

    def __repr__(self) -> str:
        return f"BodyLimit(max_bytes={self.max_bytes})"


def _replay(chunks: list[bytes], final: Message | None, later: Receive) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if final is not None:
                return final
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        # After the body, further messages (a disconnect) come from the server as usual.
        return await later()

    return receive
