"""``portalroi users``: add users, list them, create API tokens (run by an administrator)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

# ROLES and DEFAULT_TENANT are needed to build the options' help and defaults; the rest of the
# app-state package (AppDB loads alembic) is imported by the commands when they run
from portalroi.api.appstate.names import DEFAULT_TENANT, ROLES
from portalroi.cli._common import JsonOption, console, exits_cleanly, print_json, settings_for
from portalroi.errors import NotFoundError

if TYPE_CHECKING:
    from portalroi.api.appstate.db import AppDB

users_app = typer.Typer(help="Manage users and API tokens of the server.", no_args_is_help=True)

AppDbOption = Annotated[
    str | None,
    typer.Option("--app-db", help="App-state database URL (default: setting app_db_url)."),
]


def _db(url: str | None) -> AppDB:
    from portalroi.api.appstate.db import AppDB

    db = AppDB(settings_for(None, app_db_url=url).app_db_url)
    db.migrate()
    return db


@users_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="E-mail address (the login name).")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "viewer",
    tenant: Annotated[str, typer.Option(help="Workspace (created if new).")] = DEFAULT_TENANT,
    org: Annotated[
        str | None, typer.Option(help="Limit the user to this organisation (accounts.org_id).")
    ] = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ] = "",
    app_db: AppDbOption = None,
) -> None:
    """Add a user (prompts for the password unless --password is given)."""
    from portalroi.api.appstate.accounts import add_user

    with exits_cleanly():
        db = _db(app_db)
        with db.session() as s:
            user = add_user(s, email, password, role=role, tenant=tenant, org_id=org)
            shown = f"{user.email} ({user.role}, workspace {tenant}, org {org or 'all'})"
        db.dispose()
    console.print(f"added {shown}")


@users_app.command("list")
def list_users(app_db: AppDbOption = None, as_json: JsonOption = False) -> None:
    """List users with role, workspace and organisation."""
    from sqlalchemy import select

    from portalroi.api.appstate.models import Tenant, User

    with exits_cleanly():
        db = _db(app_db)
        with db.session() as s:
            rows = [
                {"email": u.email, "role": u.role, "tenant": t.slug, "org_id": u.org_id}
                for u, t in s.execute(
                    select(User, Tenant).join(Tenant, User.tenant_id == Tenant.id).order_by(User.id)
                ).all()
            ]
        db.dispose()
    if as_json:
        print_json(rows)
        return
    grid = Table(title="portalroi users")
    for col in ("email", "role", "tenant", "org_id"):
        grid.add_column(col)
    for r in rows:
        grid.add_row(*(str(r[c] or "") for c in ("email", "role", "tenant", "org_id")))
    console.print(grid)


@users_app.command("token")
def token(
    email: Annotated[str, typer.Argument(help="User the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    app_db: AppDbOption = None,
) -> None:
    """Create an API token for a user and print it (it is shown only this once)."""
    from sqlalchemy import select

    from portalroi.api.appstate.accounts import create_token
    from portalroi.api.appstate.models import User

    with exits_cleanly():
        db = _db(app_db)
        with db.session() as s:
            user = s.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                raise NotFoundError(f"no user {email!r}; add one with `portalroi users add`")
            secret, _ = create_token(s, user, name)
        db.dispose()
    typer.echo(secret)


def register(app: typer.Typer) -> None:
    """Add ``users`` to the command line."""
    app.add_typer(users_app, name="users")
