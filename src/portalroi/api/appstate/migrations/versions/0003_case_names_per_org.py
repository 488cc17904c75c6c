"""Business case names unique per organisation (tenant, org_id, name), not per tenant.

An organisation's user sees only its organisation's cases, so a name taken by another
organisation of the same workspace must not be refused (the 409 told that the name exists).
Vendor-wide cases (``org_id`` NULL) stay unique per tenant through a partial unique index (a
unique constraint lets NULLs repeat).

Downgrading restores the per-tenant constraint and fails while two organisations of a tenant
hold cases of the same name.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_OLD = "uq_business_cases_tenant_id"  # the name the convention below gives 0001's constraint
_NEW = "uq_business_cases_tenant_org_name"
_NO_ORG = "uq_business_cases_tenant_name_no_org"
_CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_name() -> str:
    """0001's (unnamed) (tenant_id, name) constraint as the database named it."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return _OLD  # SQLite keeps no name: batch mode names it by the convention
    for uq in sa.inspect(bind).get_unique_constraints("business_cases"):
        if sorted(uq["column_names"]) == ["name", "tenant_id"] and uq["name"]:
            return str(uq["name"])
    raise RuntimeError("business_cases has no unique constraint on (tenant_id, name)")


def upgrade() -> None:
    old = _old_name()
    # batch mode: SQLite cannot ALTER constraints in place; Alembic copies the table there.
    with op.batch_alter_table("business_cases", naming_convention=_CONVENTION) as batch:
        batch.drop_constraint(old, type_="unique")
        batch.create_unique_constraint(_NEW, ["tenant_id", "org_id", "name"])
    op.create_index(
        _NO_ORG,
        "business_cases",
        ["tenant_id", "name"],
        unique=True,
        sqlite_where=sa.text("org_id IS NULL"),
        postgresql_where=sa.text("org_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(_NO_ORG, table_name="business_cases")
    with op.batch_alter_table("business_cases") as batch:
        batch.drop_constraint(_NEW, type_="unique")
        batch.create_unique_constraint(_OLD, ["tenant_id", "name"])
