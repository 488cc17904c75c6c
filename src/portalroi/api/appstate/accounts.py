"""Users, tenants, sessions and API tokens: create, verify, revoke.

Passwords are hashed with argon2id (argon2-cffi defaults); session and API tokens are random
(``secrets.token_urlsafe``) and stored as SHA-256 digests, so a leaked database reveals no
usable secret. Every function takes an open ORM session and leaves committing to the caller.

Examples
--------
>>> import tempfile, pathlib
>>> from portalroi.api.appstate.db import AppDB
>>> db = AppDB(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'a.sqlite'}")
>>> db.migrate()
>>> with db.session() as s:
...     user = add_user(s, "ann@example.com", "correct horse battery", role="admin")
...     secret, _ = create_token(s, user, "ci")
...     principal_for_token(s, secret).email
'ann@example.com'
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from portalroi.api.appstate.models import (
    ROLES,
    ApiToken,
    Organisation,
    Session,
    Tenant,
    User,
    utcnow,
)
from portalroi.api.appstate.names import DEFAULT_TENANT
from portalroi.errors import ConfigError, NotFoundError

__all__ = [
    "DEFAULT_TENANT",
    "TOKEN_PREFIX",
    "Principal",
    "add_organisation",
    "add_user",
    "authenticate",
    "create_session",
    "create_token",
    "digest",
    "end_session",
    "ensure_tenant",
    "principal_for_session",
    "principal_for_token",
    "revoke_token",
]

#: Every API token starts with this, so secret scanners can recognise it.
TOKEN_PREFIX = "prt_"

_LAST_USED_RESOLUTION = timedelta(minutes=1)

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown e-mail like a wrong password.
_DUMMY_HASH = _hasher.hash("portalroi-timing-equaliser")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (via session cookie or API token) with role and data scope.

    ``scope`` is the set of ``accounts.org_id`` values the principal may see, or ``None`` for
    every account (a vendor-level user of a workspace that covers all accounts).
    """

    user_id: int
    email: str
    role: str
    tenant_id: int
    tenant: str
    org_id: str | None
    scope: frozenset[str] | None
    via: str
    token_id: int | None = None

    def can(self, needed: str) -> bool:
        """Whether the role is ``needed`` or more privileged (admin > analyst > viewer)."""
        return ROLES.index(self.role) <= ROLES.index(needed)


def digest(secret: str) -> str:
    """SHA-256 hex digest of a token (what the database stores)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def ensure_tenant(s: OrmSession, slug: str = DEFAULT_TENANT, name: str | None = None) -> Tenant:
    """The tenant called ``slug``, created if missing (the default one covers all accounts)."""
    tenant = s.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        tenant = Tenant(slug=slug, name=name or slug, covers_all=slug == DEFAULT_TENANT)
        s.add(tenant)
        s.flush()
    return tenant


def add_organisation(s: OrmSession, tenant: Tenant, org_id: str, name: str | None = None) -> None:
    """Give ``tenant`` the customer organisation whose accounts carry ``org_id``."""
    owner = s.scalar(select(Organisation).where(Organisation.org_id == org_id))
    if owner is not None:
        if owner.tenant_id != tenant.id:
            raise ConfigError(f"organisation {org_id!r} already belongs to another tenant")
        return
    s.add(Organisation(tenant_id=tenant.id, org_id=org_id, name=name or org_id))
    s.flush()


def add_user(
    s: OrmSession,
    email: str,
    password: str,
    *,
    role: str = "viewer",
    tenant: str = DEFAULT_TENANT,
    org_id: str | None = None,
) -> User:
    """Create a user; ``org_id`` (an organisation of the tenant) limits them to its accounts."""
    if role not in ROLES:
        raise ConfigError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    if len(password) < 8:
        raise ConfigError("password must have at least 8 characters")
    email = email.strip().lower()
    if "@" not in email:
        raise ConfigError(f"not an e-mail address: {email!r}")
    if s.scalar(select(User).where(User.email == email)) is not None:
        raise ConfigError(f"a user {email!r} already exists")
    t = ensure_tenant(s, tenant)
    if org_id is not None:
        add_organisation(s, t, org_id)
    user = User(
        email=email, password_hash=_hasher.hash(password), role=role, tenant_id=t.id, org_id=org_id
    )
    s.add(user)
    s.flush()
    return user


def _principal(s: OrmSession, user: User, via: str, token_id: int | None = None) -> Principal:
    tenant = s.get(Tenant, user.tenant_id)
    assert tenant is not None  # foreign key
    scope: frozenset[str] | None
    if user.org_id is not None:
        scope = frozenset({user.org_id})
    elif tenant.covers_all:
        scope = None
    else:
        scope = frozenset(
            s.scalars(select(Organisation.org_id).where(Organisation.tenant_id == tenant.id))
        )
    return Principal(
        user.id, user.email, user.role, tenant.id, tenant.slug, user.org_id, scope, via, token_id
    )


def authenticate(s: OrmSession, email: str, password: str) -> Principal | None:
    """The principal for a correct e-mail and password, else ``None``."""
    user = s.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    return _principal(s, user, "session")


def create_session(s: OrmSession, principal: Principal, hours: float) -> str:
    """Start a session for ``principal``; returns the cookie value (shown only now)."""
    secret = secrets.token_urlsafe(32)
    s.add(
        Session(
            token_hash=digest(secret),
            user_id=principal.user_id,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    s.flush()
    return secret


def principal_for_session(s: OrmSession, secret: str) -> Principal | None:
    """The principal of a live session cookie, else ``None``."""
    row = s.scalar(select(Session).where(Session.token_hash == digest(secret)))
    if row is None or row.expires_at <= utcnow() or not row.user.is_active:
        return None
    return _principal(s, row.user, "session")


def end_session(s: OrmSession, secret: str) -> None:
    """Delete the session (logout); unknown cookies are ignored."""
    row = s.scalar(select(Session).where(Session.token_hash == digest(secret)))
    if row is not None:
        s.delete(row)


def create_token(s: OrmSession, user: User | Principal, name: str) -> tuple[str, ApiToken]:
    """Create an API token for a user; returns the secret (shown only now) and its record."""
    user_id = user.id if isinstance(user, User) else user.user_id
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        token_hash=digest(secret),
        user_id=user_id,
    )
    s.add(token)
    s.flush()
    return secret, token


def principal_for_token(s: OrmSession, secret: str) -> Principal | None:
    """The principal of a live (not revoked) API token, recording its use; else ``None``."""
    token = s.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    # Recorded to the minute: writing on every request would serialise reads on the database.
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        token.last_used_at = now
    return _principal(s, token.user, "token", token.id)


def revoke_token(s: OrmSession, token_id: int, principal: Principal | None = None) -> ApiToken:
    """Revoke a token; a principal may revoke only its own (admins: any of their tenant)."""
    token = s.get(ApiToken, token_id)
    if token is None or (principal is not None and not _may_manage(principal, token)):
        raise NotFoundError(f"no API token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def _may_manage(principal: Principal, token: ApiToken) -> bool:
    if token.user_id == principal.user_id:
        return True
    return (
        principal.role == "admin"
        and principal.org_id is None
        and token.user.tenant_id == principal.tenant_id
    )
