"""App-state tables (SQLAlchemy 2): tenants, organisations, users, sessions, tokens, saved work.

A **tenant** is a vendor workspace. Its customer **organisations** each map to the
``accounts.org_id`` value of the analytics store. A **user** belongs to one tenant and, when
``org_id`` is set, sees only that organisation's accounts; a user with no ``org_id`` sees every
organisation of the tenant (or every account when the tenant ``covers_all``, as the default
single-company workspace does). Secrets are never stored: passwords as argon2 hashes, session
and API tokens as SHA-256 digests.

Examples
--------
>>> sorted(Base.metadata.tables)[:3]
['api_tokens', 'business_cases', 'organisations']
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portalroi.api.appstate.names import ROLES

__all__ = [
    "ROLES",
    "ApiToken",
    "Base",
    "BusinessCase",
    "Organisation",
    "ReportSchedule",
    "Session",
    "Tenant",
    "User",
    "utcnow",
]


def utcnow() -> datetime:
    """The current time in UTC, without time zone (how every app-state time is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of the app-state tables."""


class Tenant(Base):
    """A vendor workspace."""

    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    covers_all: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    organisations: Mapped[list[Organisation]] = relationship(back_populates="tenant")


class Organisation(Base):
    """A customer organisation of a tenant; ``org_id`` is its value in ``accounts.org_id``."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    org_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tenant: Mapped[Tenant] = relationship(back_populates="organisations")


class User(Base):
    """A person who signs in; ``org_id`` limits them to one organisation."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    org_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    tenant: Mapped[Tenant] = relationship()


class Session(Base):
    """A signed-in browser session (the cookie holds the token, the table its digest)."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A revocable API token of a user (only its digest is stored)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    user: Mapped[User] = relationship()


class BusinessCase(Base):
    """A saved business case: its inputs as JSON (validated by the business-case engine)."""

    __tablename__ = "business_cases"
    # Names are unique where they are seen: per organisation (an organisation's users see only
    # its cases), and per tenant among the vendor-wide cases (org_id NULL); migration 0003.
    __table_args__ = (
        UniqueConstraint("tenant_id", "org_id", "name", name="uq_business_cases_tenant_org_name"),
        Index(
            "uq_business_cases_tenant_name_no_org",
            "tenant_id",
            "name",
            unique=True,
            sqlite_where=text("org_id IS NULL"),
            postgresql_where=text("org_id IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    org_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ReportSchedule(Base):
    """A report sent on a schedule to a list of recipients."""

    __tablename__ = "report_schedules"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    org_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(16))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    business_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_cases.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Run state (portalroi.reports.schedule): the send day (weekday 0-6 for weekly, day of
    # month 1-28 otherwise), the next due time, and the outcome of the last attempt.
    day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_period: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
