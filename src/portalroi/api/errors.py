"""One JSON error shape for every API error.

Every error answer, whether raised by portalroi (:class:`~portalroi.errors.PortalRoiError`,
status from its ``http_status``), by FastAPI's request validation (422), by routing (404, 405)
or by the body-size limit (413), has the body::

    {"error": {"code": "not_found", "message": "...", "details": [...]}}

``details`` lists the individual problems (location, reason) when there are several.

Examples
--------
>>> error_body(404, "no account 'a1'")
{'error': {'code': 'not_found', 'message': "no account 'a1'", 'details': []}}
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from portalroi.errors import PortalRoiError, ValidationError

__all__ = [
    "ApiError",
    "ErrorBody",
    "ErrorDetail",
    "ErrorResponse",
    "error_body",
    "error_response",
    "install_error_handlers",
]

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
}


class ErrorDetail(BaseModel):
    """One problem: where (``location``) and why (``reason``)."""

    location: str
    reason: str


class ErrorBody(BaseModel):
    """Machine-readable ``code``, human ``message`` and the individual problems."""

    code: str
    message: str
    details: list[ErrorDetail]


class ErrorResponse(BaseModel):
    """The body of every error answer."""

    error: ErrorBody


class ApiError(PortalRoiError):
    """An error raised by a route with an explicit HTTP status (401, 403, 409, 413, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = status


def error_body(
    status: int, message: str, details: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The JSON body of an error with this HTTP status."""
    code = _CODES.get(status, "server_error" if status >= 500 else "client_error")
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_response(
    status: int, message: str, details: list[dict[str, str]] | None = None
) -> JSONResponse:
    """A JSON response in the one error shape."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(status, message, details), status_code=status, headers=headers)


def _portalroi(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PortalRoiError)
    details = []
    if isinstance(exc, ValidationError):
        details = [{"location": i.location, "reason": i.reason} for i in exc.issues[:100]]
    status = exc.http_status
    if status >= 500:
        log.exception("server error", exc_info=exc)
    return error_response(status, str(exc), details)


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(exc.status_code, str(exc.detail))


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "reason": str(e.get("msg", ""))}
        for e in exc.errors()[:100]
    ]
    summary = "; ".join(f"{d['location']}: {d['reason']}" for d in details[:5])
    return error_response(422, f"invalid request: {summary}", details)


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal error; see the server log")


def install_error_handlers(app: FastAPI) -> None:
    """Make every error answer of ``app`` use the one error shape."""
    app.add_exception_handler(PortalRoiError, _portalroi)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)
