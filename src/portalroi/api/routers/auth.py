"""Sign in and out, who am I, and API tokens (create, list, revoke)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from portalroi.api.appstate.accounts import (
    authenticate,
    create_session,
    create_token,
    end_session,
    revoke_token,
)
from portalroi.api.appstate.models import ApiToken
from portalroi.api.deps import SESSION_COOKIE, CurrentPrincipal, DbSession, SettingsDep
from portalroi.api.errors import ApiError
from portalroi.api.schemas import ObjectId, UtcDatetime

__all__ = ["router"]

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginIn(BaseModel):
    """E-mail and password."""

    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class PrincipalPublic(BaseModel):
    """The signed-in user."""

    email: str
    role: str
    tenant: str
    org_id: str | None
    scope: list[str] | None = Field(description="Organisations visible; null = all accounts.")
    via: str


class TokenCreate(BaseModel):
    """Name of a new API token."""

    name: str = Field(min_length=1, max_length=200)


class TokenPublic(BaseModel):
    """An API token (never its secret)."""

    id: int
    name: str
    prefix: str
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None
    revoked_at: UtcDatetime | None


class TokenCreated(TokenPublic):
    """A new token, with its secret (shown only once)."""

    token: str


class TokensPublic(BaseModel):
    """The caller's tokens."""

    data: list[TokenPublic]
    count: int


def _public(principal: CurrentPrincipal) -> PrincipalPublic:
    scope = None if principal.scope is None else sorted(principal.scope)
    return PrincipalPublic(
        email=principal.email,
        role=principal.role,
        tenant=principal.tenant,
        org_id=principal.org_id,
        scope=scope,
        via=principal.via,
    )


@router.post("/login")
def login(
    body: LoginIn, response: Response, request: Request, s: DbSession, settings: SettingsDep
) -> PrincipalPublic:
    """Check e-mail and password; set the session cookie."""
    principal = authenticate(s, body.email, body.password)
    if principal is None:
        raise ApiError(401, "wrong e-mail or password")
    secret = create_session(s, principal, settings.session_hours)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return _public(principal)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, s: DbSession) -> None:
    """End the session of the cookie (if any)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        end_session(s, cookie)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me")
def me(principal: CurrentPrincipal) -> PrincipalPublic:
    """The signed-in user, role and data scope."""
    return _public(principal)


@router.get("/tokens")
def list_tokens(principal: CurrentPrincipal, s: DbSession) -> TokensPublic:
    """The caller's API tokens (including revoked ones)."""
    rows = s.scalars(
        select(ApiToken).where(ApiToken.user_id == principal.user_id).order_by(ApiToken.id)
    ).all()
    data = [TokenPublic.model_validate(r, from_attributes=True) for r in rows]
    return TokensPublic(data=data, count=len(data))


@router.post("/tokens", status_code=201)
def new_token(body: TokenCreate, principal: CurrentPrincipal, s: DbSession) -> TokenCreated:
    """Create an API token for the caller; the secret is in this answer only."""
    secret, token = create_token(s, principal, body.name)
    public = TokenPublic.model_validate(token, from_attributes=True)
    return TokenCreated(**public.model_dump(), token=secret)


@router.delete("/tokens/{token_id}")
def delete_token(token_id: ObjectId, principal: CurrentPrincipal, s: DbSession) -> TokenPublic:
    """Revoke a token (the caller's own; an admin: any of the workspace)."""
    return TokenPublic.model_validate(revoke_token(s, token_id, principal), from_attributes=True)
